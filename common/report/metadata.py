"""What the HTML report shows besides the cases: the run's environment and the failure categories.

The controlling process writes ``environment.properties`` and ``categories.json`` into the Allure
results once the results directory has been prepared (common/plugin/report.py). Categories are matched against a failed
case's message, so their patterns follow the messages of common.run.checks, common.run.runner,
common.http.transport and common.cases.loader. Allure 3 (``allurerc.mjs``) takes the first category
that matches; Allure 2 matches a pattern against the whole message, hence the ``[\\s\\S]*`` around them.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from common.core.paths import shown
from common.dingtalk.api import REFUSED_API_ANSWERS, REFUSED_ERRCODES
from common.dingtalk.settings import Settings
from common.http.masking import Masker

TOO_MANY_REQUESTS = HTTPStatus.TOO_MANY_REQUESTS.value
"""The one refusal status that is unambiguous on its own (a 403 may also be a missing permission)."""

ENVIRONMENT_FILE = "environment.properties"
CATEGORIES_FILE = "categories.json"


@dataclass(frozen=True)
class Category:
    """A failure category: the failed cases whose status is one of ``statuses`` and whose message matches."""

    name: str
    pattern: str | None
    statuses: tuple[str, ...] = ("failed", "broken")

    def to_allure(self) -> dict[str, object]:
        """The category in Allure's ``categories.json`` form (read by Allure 2 and, through allurerc.mjs, 3)."""
        rule: dict[str, object] = {"name": self.name, "matchedStatuses": list(self.statuses)}
        if self.pattern is not None:
            rule["messageRegex"] = f"[\\s\\S]*(?:{self.pattern})[\\s\\S]*"
        return rule


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
    # common.http.transport: "cannot connect (reason)", "cannot connect within N s (connect timeout)",
    # "connection lost (reason)", "no answer within N s (timeout)"
    Category(NETWORK, r": cannot connect\b|: connection lost \(|\((?:connect )?timeout\)"),
    # common.dingtalk.api: the answers that refuse a call without carrying it out
    Category(
        REFUSED,
        rf"{_PROBLEM}errcode: [^\n]*got '?(?:{'|'.join(map(str, _ERRCODES))})\b"
        rf"|{_PROBLEM}status: expected HTTP \d+, got {TOO_MANY_REQUESTS}\b"
        rf"|{'|'.join(map(re.escape, _API_CODES))}",
    ),
    # the answer is not the one expected: its shape follows from that, so this comes before the schema
    Category(ERRCODE_OR_STATUS, rf"{_PROBLEM}(?:status|errcode|code): "),
    # common.run.checks.check_schema; common.dingtalk.api's gettoken check
    Category(SCHEMA, rf"{_PROBLEM}schema\b|answered an unexpected shape"),
    # anything that is not an assertion (a bug, a fixture that blew up)
    Category(SETUP, None, ("broken",)),
    # a one-line error naming a YAML file: common.core.errors.CaseError, a step that did not render
    Category(SETUP, r"^[^\n]*\.ya?ml\b[^\n]*$", ("failed",)),
    Category(CONTENT, _PROBLEM, ("failed",)),
)


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
