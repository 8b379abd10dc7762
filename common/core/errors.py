"""The framework's exceptions.

FrameworkError            anything the user can fix: always one clear line, never a traceback
├── ConfigError           settings, environment, .env or tenant profile
├── CaseError             a YAML case file: names the file, line, case and field
└── TransportError        the host is unreachable, timed out or answered garbage
CheckFailure (AssertionError)
                          a response did not meet a step's expectations
"""

from __future__ import annotations


class FrameworkError(Exception):
    """Base of every error the user can act on; ``str()`` is a single line."""


class ConfigError(FrameworkError):
    """A setting, environment variable or profile is missing or wrong."""


class TransportError(FrameworkError):
    """The request never got a usable HTTP answer (connection, timeout, bad body)."""


class CaseError(FrameworkError):
    """A YAML case is malformed: ``file:line case 'id' field: problem``."""

    def __init__(self, file: str, line: int | None, case_id: str | None, field: str, problem: str) -> None:
        self.file = file
        self.line = line
        self.case_id = case_id
        self.field = field
        self.problem = problem
        super().__init__(self.format())

    def format(self) -> str:
        """The one line shown to the user."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        case = f" case '{self.case_id}'" if self.case_id else ""
        field = f" {self.field}" if self.field else ""
        return f"{where}{case}{field}: {self.problem}"


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
