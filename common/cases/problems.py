"""What a check found, as data: the terminal lines, the report's check steps and the failure category are each
rendered from these records, never parsed back from a sentence.

An ``Outcome`` is one check that ran (held or not); a ``Problem`` is an outcome that failed. ``ChecksFailed``
is the ``CheckFailure`` that carries them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from common.cases.jsonpath import MISSING
from common.core.errors import CheckFailure

Kind = Literal["status", "errcode", "code", "schema", "field", "paging", "save", "render", "transport"]
"""What was checked: the HTTP status, the old host's errcode, the new host's code, the body's schema, a field
assertion (``expect.body``, ``paginate.collect``), the paging walk, a ``save``, a template, the exchange itself."""


@dataclass(frozen=True)
class Outcome:
    """One check: what it looked at (``path``), how (``comparator``), what it wanted and what it found; ``reason``
    says why it fails (None: it holds). ``where`` is the YAML line of the assertion, ``label`` how its terminal
    line starts (the path by default)."""

    kind: Kind
    path: str
    expected: Any
    actual: Any
    reason: str | None = None
    comparator: str = "eq"
    where: str = ""
    label: str = ""
    answer_code: str | None = None
    """The new host's error code the answer carried, when the check saw one (a refusal is told by it)."""

    @property
    def ok(self) -> bool:
        return self.reason is None

    def line(self) -> str:
        """The problem as the terminal lists it under a failure, e.g. ``result: expected length >= 1, got 0``."""
        return f"{self.label or self.path}: {self.reason}"

    def title(self) -> str:
        """The check as one report step: ``✓ result.title eq 'x' (actual 'x')`` or ``✗ errcode: expected 0, got 88``."""
        if not self.ok:
            return f"✗ {self.line()}"
        return f"✓ {self.label or self.path} {self.comparator} {shown(self.expected)} (actual {shown(self.actual)})"

    def as_json(self) -> dict[str, Any]:
        """The check as the report's ``checks`` attachment lists it."""
        data = {
            "kind": self.kind,
            "path": self.path,
            "comparator": self.comparator,
            "expected": jsonable(self.expected),
            "actual": jsonable(self.actual),
            "ok": self.ok,
        }
        if self.reason is not None:
            data["problem"] = self.reason
        if self.where:
            data["where"] = self.where
        return data


Problem = Outcome
"""An outcome whose ``reason`` is set: the check failed."""


def problems(outcomes: Iterable[Outcome]) -> list[Problem]:
    """The outcomes that failed, in order."""
    return [outcome for outcome in outcomes if not outcome.ok]


def shown(value: Any, limit: int = 80) -> str:
    """A value as a check's title shows it: ``repr``, shortened; a missing value as ``missing``."""
    if value is MISSING:
        return "missing"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def jsonable(value: Any) -> Any:
    """``value`` as JSON can hold it: a missing value is None, anything JSON cannot hold is its ``repr``."""
    if value is MISSING:
        return None
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


class ChecksFailed(CheckFailure):
    """A step's checks failed: the ``CheckFailure`` whose lines are rendered from ``problems`` (``mask`` hides
    secrets in each line)."""

    def __init__(self, title: str, found: Sequence[Problem], curl: str = "", mask: Callable[[str], str] = str) -> None:
        self.problems = tuple(found)
        super().__init__(title, [mask(problem.line()) for problem in self.problems], curl)
