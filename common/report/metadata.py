"""What the HTML report shows besides the cases: the run's environment and the failure categories.

The controlling process writes ``environment.properties`` and ``categories.json`` into the Allure
results once the results directory has been prepared (common/plugin/report.py). A case the runner fails carries
its problems as data (common/cases/problems.py): ``category_of`` turns their kinds into a category key, which the
report writes as the test's ``failure`` label, and each category matches that label (Allure 3's label matchers,
``categories.json`` in Allure 3's own form). A failure without problems (an invalid case, a test in Python, a
test that broke) is matched on its message as before; those patterns skip a message that names a YAML case
(the runner's, whose label decides). Allure 3 (``allurerc.mjs``) takes the first category that matches.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from common.cases.problems import Problem
from common.core.paths import shown
from common.dingtalk.api import REFUSED_API_ANSWERS, REFUSED_ERRCODES
from common.dingtalk.settings import Settings
from common.http.masking import Masker

TOO_MANY_REQUESTS = HTTPStatus.TOO_MANY_REQUESTS.value
"""The one refusal status that is unambiguous on its own (a 403 may also be a missing permission)."""

ENVIRONMENT_FILE = "environment.properties"
CATEGORIES_FILE = "categories.json"
FAILURE_LABEL = "failure"
"""The Allure label that names a failed case's category key (common/report/allure.py writes it)."""


_NOT_A_CASE = r"^(?![^\n]*\.ya?ml:\d+ case ')"
"""A message whose first line does not name a YAML case: the runner's failures are matched on their label."""


@dataclass(frozen=True)
class Category:
    """A failure category: the failed cases whose status is one of ``statuses`` and whose ``failure`` label is
    ``key``, or, without problems, whose message matches ``pattern`` (``any_message``: also a runner's)."""

    name: str
    key: str | None
    pattern: str | None
    statuses: tuple[str, ...] = ("failed", "broken")
    any_message: bool = False

    def to_allure(self) -> dict[str, object]:
        """The category in Allure 3's ``categories.json`` form (its ``matchers``), read through allurerc.mjs."""
        statuses = list(self.statuses)
        matchers: list[dict[str, object]] = []
        if self.key is not None:
            matchers.append({"statuses": statuses, "labels": {FAILURE_LABEL: f"^{self.key}$"}})
        if self.pattern is not None:
            guard = "" if self.any_message else _NOT_A_CASE
            matchers.append({"statuses": statuses, "message": f"{guard}[\\s\\S]*(?:{self.pattern})"})
        if not matchers:
            matchers.append({"statuses": statuses})
        return {"name": self.name, "matchers": matchers}


_ERRCODES = sorted(REFUSED_ERRCODES, reverse=True)
_API_CODES = sorted(code for _, code in REFUSED_API_ANSWERS)

NETWORK = "Network or timeout"
REFUSED = f"Rate limited or busy (errcode {', '.join(map(str, _ERRCODES))}; HTTP {TOO_MANY_REQUESTS}; QpsLimit)"
SCHEMA = "Response shape broken (schema)"
SETUP = "Setup error (invalid case or broken test)"
ERRCODE_OR_STATUS = "Wrong errcode or status"
CONTENT = "Wrong response content (body assertions)"

_PROBLEM = r"\n  - "
"""How a CheckFailure lists each problem (common.core.errors.CheckFailure)."""

CATEGORIES: tuple[Category, ...] = (
    # problems of kind transport; without: common.http.transport's "cannot connect (reason)", "cannot connect
    # within N s (connect timeout)", "connection lost (reason)", "no answer within N s (timeout)"
    Category(NETWORK, "network", r": cannot connect\b|: connection lost \(|\((?:connect )?timeout\)"),
    # an errcode, status or code that refuses a call without carrying it out (common.dingtalk.api)
    Category(
        REFUSED,
        "refused",
        rf"{_PROBLEM}errcode: [^\n]*got '?(?:{'|'.join(map(str, _ERRCODES))})\b"
        rf"|{_PROBLEM}status: expected HTTP \d+, got {TOO_MANY_REQUESTS}\b"
        rf"|{'|'.join(map(re.escape, _API_CODES))}",
    ),
    # the answer is not the one expected: its shape follows from that, so this comes before the schema
    Category(ERRCODE_OR_STATUS, "errcode-or-status", rf"{_PROBLEM}(?:status|errcode|code): "),
    # problems of kind schema; without: common.plugin.fixtures' schema lines, common.dingtalk.api's gettoken check
    Category(SCHEMA, "schema", rf"{_PROBLEM}schema\b|answered an unexpected shape"),
    # anything that is not an assertion (a bug, a fixture that blew up)
    Category(SETUP, None, None, ("broken",)),
    # problems of kind render; without: lines that each name a YAML file (common.core.errors.CaseError)
    Category(SETUP, "setup", r"^[^\n]*\.ya?ml\b[^\n]*(?:\n[^\n]*\.ya?ml\b[^\n]*)*$", ("failed",), any_message=True),
    # field assertions, the paging walk, a save
    Category(CONTENT, "content", _PROBLEM, ("failed",)),
)


def category_of(problems: Iterable[Problem]) -> str | None:
    """The category key of a failure with these problems, the first that applies in the categories' order;
    None without problems."""
    found = list(problems)
    kinds = {problem.kind for problem in found}
    if not found:
        return None
    if "transport" in kinds:
        return "network"
    if any(_refused(problem) for problem in found):
        return "refused"
    if kinds & {"status", "errcode", "code"}:
        return "errcode-or-status"
    if "schema" in kinds:
        return "schema"
    if "render" in kinds:
        return "setup"
    return "content"


def _refused(problem: Problem) -> bool:
    if problem.kind == "errcode":
        return problem.actual in REFUSED_ERRCODES
    if problem.kind == "status":
        return problem.actual == TOO_MANY_REQUESTS or (problem.actual, problem.answer_code) in REFUSED_API_ANSWERS
    if problem.kind == "code":
        return any(problem.actual == code for _, code in REFUSED_API_ANSWERS)
    return False


def categories_json() -> str:
    """The categories as Allure's ``categories.json``."""
    return json.dumps([category.to_allure() for category in CATEGORIES], ensure_ascii=False, indent=2)


def environment(settings: Settings, run_id: str, masker: Masker, workers: int | str | None) -> dict[str, str]:
    """What a reviewer needs to know about where and how the run ran; secrets masked."""
    values = {
        "Target": settings.target,
        "Old host (oapi)": _without_credentials(settings.oapi_url),
        "New host (api)": _without_credentials(settings.api_url),
        "Tenant profile": shown(settings.profile_path),
        "Run id": run_id,
        "Workers": str(workers or 1),
        "Python": platform.python_version(),
        "pytest": pytest.__version__,
        "allure-pytest": version("allure-pytest"),
    }
    return {name: masker(value) for name, value in values.items()}


def properties_text(values: Mapping[str, str]) -> str:
    """``values`` as a Java properties file (ASCII, everything else escaped), as Allure reads it."""
    return "".join(f"{_escape(name, key=True)}={_escape(value)}\n" for name, value in values.items())


def write_metadata(results_dir: Path, environment_values: Mapping[str, str]) -> None:
    """Write the environment and the categories into the Allure results."""
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / ENVIRONMENT_FILE).write_text(properties_text(environment_values), encoding="ascii")
    (results_dir / CATEGORIES_FILE).write_text(categories_json(), encoding="utf-8")


def _without_credentials(url: str) -> str:
    """The URL without any ``user:password@`` part."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


_SPECIAL = re.compile(r"[\\=:#!]")


def _escape(text: str, key: bool = False) -> str:
    escaped = _SPECIAL.sub(lambda match: "\\" + match.group(0), text)
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    escaped = escaped.replace(" ", "\\ ") if key else re.sub(r"^ ", "\\ ", escaped)
    return "".join(
        char if 0x20 <= ord(char) < 0x7F else "".join(f"\\u{unit:04x}" for unit in _utf16_units(char))
        for char in escaped
    )


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
