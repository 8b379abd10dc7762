"""The framework's exceptions, and where in a YAML file a mistake is.

FrameworkError            anything the user can fix: one clear line per mistake, never a traceback
├── ConfigError           settings, environment, .env, tenant profile or another YAML file the project reads
├── CaseError             a YAML case file: names the file, line, case and field
└── TransportError        the host is unreachable, timed out or answered garbage
CheckFailure (AssertionError)
                          a response did not meet a step's expectations

Every mistake in a YAML file is printed one way, ``file:line field: problem`` (``file:line case 'id' field:
problem`` inside a case): a ``Mistake`` at a ``Source``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where something is written in a YAML file: the file as users see it, its 1-based line and, when it is
    about one value, the field (``expect.errcode``, ``kinds[0].match``) and the case it is in."""

    file: str
    line: int | None = None
    field: str = ""
    case: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        case = f" case '{self.case}'" if self.case else ""
        field = f" {self.field}" if self.field else ""
        return f"{where}{case}{field}"


@dataclass(frozen=True)
class Mistake:
    """One thing wrong in a YAML file: where it is and the problem, with what to do about it."""

    source: Source
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def lines_of(mistakes: Iterable[Mistake]) -> str:
    """Mistakes as lines, in the order of the file, each once."""
    ordered = sorted(mistakes, key=lambda mistake: mistake.source.line or 0)
    return "\n".join(dict.fromkeys(str(mistake) for mistake in ordered))


class FrameworkError(Exception):
    """Base of every error the user can act on; ``str()`` is one line per mistake."""


class ConfigError(FrameworkError):
    """A setting, environment variable, profile or other YAML file the project reads is missing or wrong."""

    def __init__(self, message: str, mistakes: tuple[Mistake, ...] = ()) -> None:
        super().__init__(message)
        self.mistakes = mistakes

    @classmethod
    def of(cls, mistakes: Iterable[Mistake]) -> ConfigError:
        """Every mistake of a file together, one line each."""
        found = tuple(mistakes)
        return cls(lines_of(found), found)


class TransportError(FrameworkError):
    """The request never got a usable HTTP answer (connection, timeout, bad body)."""


class CaseError(FrameworkError):
    """A YAML case is malformed: ``file:line case 'id' field: problem``."""

    def __init__(self, mistake: Mistake) -> None:
        self.mistake = mistake
        super().__init__(str(mistake))


class CheckFailure(AssertionError):
    """A step's expectations were not met; the message lists every mismatch."""

    def __init__(self, title: str, failures: list[str], curl: str = "") -> None:
        self.title = title
        self.failures = failures
        self.curl = curl
        lines = [title, *(f"  - {failure}" for failure in failures)]
        if curl:
            lines += ["  replay:", f"    {curl}"]
        super().__init__("\n".join(lines))
