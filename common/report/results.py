"""What the Allure results hold besides the cases: nothing of the framework's own plumbing.

allure-pytest 2.16 has no switch for any of this, so each process tidies its results as they are written (an
``allure_commons`` plugin that runs before the file writer, ``tryfirst``): the framework's fixtures leave set-up
and tear-down, the ``host`` and ``thread`` labels and the markers that only repeat the case's feature, severity or
file go, the case's index gives way to readable parameters (common/plugin/report.py sets them), the error is
shown once, as the test's message, and it gives each ``curl`` attachment its first line, how to replay the running
test (``python -m common.report.replay``; the sandbox a run talks to is gone once the run ends), as
common/report/allure.py attaches it.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import allure_commons
import yaml
from allure_commons.model2 import Parameter, StatusDetails, TestResult, TestResultContainer
from allure_commons.utils import md5

HIDDEN_LABELS = frozenset({"host", "thread"})
FRAMEWORK_MARKERS = re.compile(r"yaml_cases|feature_.+|severity_.+")
"""Markers the framework sets on every YAML case: the labels already say the same."""
CASE_PARAMETER = "case"
"""The YAML case's parameter: its index among the collected cases, which the test id names better."""
TEST_ID = "用例 ID"
"""The parameter naming the test as the replay command takes it (``blackboard:crud-flow``)."""
LOCATION = "YAML 位置"
PYTEST_FAIL = "Failed: "
EXCEPTION_PREFIX = re.compile(r"^[\w.]+(Error|Failure|Exception|Failed)\w*: ", re.ASCII)
CURL_LINE = re.compile(r"^(\s*)curl .*$", re.MULTILINE)
REPLAY_MODULE = "common.report.replay"


def replay_command(test_id: str) -> str:
    """The command that sends the case's requests again, with a fresh token, to the current target."""
    return f"python -m {REPLAY_MODULE} {shlex.quote(test_id)}"


def curl_text(curl: str, test_id: str, sandbox: bool) -> str:
    """A ``curl`` attachment: first how to replay the case; on the sandbox the curl line only shows the request
    (its port closed with the run)."""
    head = f"# 重放（新 token，发往当前目标）：{replay_command(test_id)}\n"
    if not sandbox:
        return head + curl
    lines = [f"# {line}" if line.strip() and not line.startswith("#") else line for line in curl.splitlines()]
    return head + "# 本次运行的沙箱已随运行结束关闭，下面的地址不再可用，仅供查看请求：\n" + "\n".join(lines) + "\n"


class ResultsTidier:
    """An ``allure_commons`` plugin of one pytest process: tidies each result and container before it is written.

    ``hidden_fixtures`` grows as tests start (common/plugin/report.py adds the fixtures no test file defines)."""

    def __init__(self, sandbox: bool) -> None:
        self.sandbox = sandbox
        self.hidden_fixtures: set[str] = set()
        self.current_test_id = ""
        """The running test's id as the replay command takes it (set when each test starts)."""
        self.titles: dict[str, str] = {}
        """Titles by test id for tests that fail before they could set theirs (invalid cases)."""

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: TestResultContainer) -> None:
        container.befores = [fixture for fixture in container.befores if not self._hidden(fixture.name)]
        container.afters = [fixture for fixture in container.afters if not self._hidden(fixture.name)]

    def _hidden(self, name: str | None) -> bool:
        return (name or "").split("::", 1)[0] in self.hidden_fixtures

    def curl_attachment(self, curl: str) -> str:
        """A (masked) curl line as the running test's ``curl`` attachment shows it: see ``curl_text``."""
        return curl_text(curl, self.current_test_id, self.sandbox) if self.current_test_id else curl

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: TestResult) -> None:
        tidy_labels(result)
        result.parameters = [_readable(p) for p in result.parameters]
        test_id = next((str(p.value) for p in result.parameters if p.name == TEST_ID), "")
        if test_id:  # one test case per YAML case, its history kept when the case moves in its file
            result.parameters = [p for p in result.parameters if p.name != CASE_PARAMETER]
            result.testCaseId = result.historyId = md5(result.fullName or "", test_id)
            result.fullName = test_id  # what the report shows to copy: the replay command takes it
            if test_id in self.titles:
                result.name = self.titles.pop(test_id)
        test_id = test_id or self.current_test_id
        if result.statusDetails is not None:
            core = _core(result.statusDetails.message or "")
            result.statusDetails = tidy_details(result.statusDetails, test_id)
            _place_error(result.steps, core, result.statusDetails.message or "")


def tidy_labels(result: TestResult) -> None:
    """No ``host``/``thread``, no framework markers as tags, each label once."""
    seen = set()
    kept = []
    for label in result.labels:
        key = (label.name, label.value)
        internal = label.name in HIDDEN_LABELS or (
            label.name == "tag" and FRAMEWORK_MARKERS.fullmatch(str(label.value)) is not None
        )
        if not internal and key not in seen:
            seen.add(key)
            kept.append(label)
    result.labels = kept


def tidy_details(details: StatusDetails, test_id: str) -> StatusDetails:
    """The message without pytest's ``Failed:``, its trace only when it says more, a dead curl line replaced by
    the replay command."""
    message = (details.message or "").removeprefix(PYTEST_FAIL)
    if test_id:
        message = CURL_LINE.sub(lambda match: match[1] + replay_command(test_id), message)
    trace = details.trace
    if trace is not None and (trace.strip() == (details.message or "").removeprefix(PYTEST_FAIL).strip()):
        trace = None
    details.message = message
    details.trace = trace
    return details


def _readable(parameter: Parameter) -> Parameter:
    """A text parameter as written, not as Python's repr (allure-pytest quotes every string)."""
    value = parameter.value
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return parameter
        if isinstance(literal, str):
            parameter.value = literal
    return parameter


def _core(message: str) -> str:
    """The error text itself: without pytest's or an exception's prefix, and blanks squeezed."""
    return " ".join(EXCEPTION_PREFIX.sub("", message.removeprefix(PYTEST_FAIL)).split())


def _place_error(steps: Iterable[Any], core: str, message: str) -> bool:
    """The step where the test's error happened (the deepest that failed with it) carries exactly the test's
    message, so the report shows the error in that step and nowhere else in the body (Allure 3 otherwise adds it
    after the last step, as a step of its own); its ancestors, and its Python trace, lose their copy."""
    placed = False
    for step in steps:
        below = _place_error(step.steps, core, message)
        details = step.statusDetails
        if details is not None and core:
            own = _core(details.message or "")
            if below:
                step.statusDetails = None
            elif own and (own in core or core in own):
                step.statusDetails = StatusDetails(message=message)
                below = True
        placed = placed or below
    return placed


SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")
WHERE = re.compile(r"^(\S+?\.ya?ml(?::\d+)?)\b")


def invalid_case_labels(test_id: str, message: str, data_dir: Path) -> dict[str, str]:
    """Where an invalid case belongs in the report, as far as its YAML says: ``title``, ``epic``, ``feature``,
    ``story``, ``severity`` and ``location`` (each only when readable)."""
    labels: dict[str, str] = {}
    where = WHERE.match(message)
    if where:
        labels["location"] = where[1]
    stem, _, name = test_id.partition(":")
    case_id = name.split("[", 1)[0]
    path = next(
        (data_dir / f"{stem}{suffix}" for suffix in (".yaml", ".yml") if (data_dir / f"{stem}{suffix}").is_file()), None
    )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path is not None else None
    except (OSError, ValueError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        return labels
    for key in ("epic", "feature"):
        if isinstance(data.get(key), str) and data[key]:
            labels[key] = data[key]
    cases = data.get("cases")
    raw = (
        next((c for c in cases if isinstance(c, dict) and c.get("id") == case_id), None)
        if isinstance(cases, list)
        else None
    )
    if raw is None:
        return labels
    if isinstance(raw.get("title"), str) and raw["title"]:
        labels["title"] = raw["title"]
    labels["severity"] = raw["severity"] if raw.get("severity") in SEVERITIES else "normal"
    story = raw.get("story") or _first_path(raw)
    if isinstance(story, str) and story:
        labels["story"] = story
    return labels


def _first_path(raw: dict[str, Any]) -> Any:
    request = raw.get("request")
    if not isinstance(request, dict):
        steps = raw.get("steps")
        first = steps[0] if isinstance(steps, list) and steps else None
        request = first.get("request") if isinstance(first, dict) else None
    return request.get("path") if isinstance(request, dict) else None
