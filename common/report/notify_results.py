"""The run notification from a directory of Allure results, such as the merged results of a sharded CI run.

    python -m common.report.notify_results --results reports/allure-results --run-id 9876543210

The same message as the end of a pytest run (common/plugin/notify.py), with the same settings
(``DINGTALK_ROBOT_*``, ``DINGTALK_REPORT_URL``): off when no robot is configured, and whatever goes wrong is one
masked line; the command always exits 0. Each ``*-result.json`` is one test as the Allure report counts it (of a
test run again, the latest); the run id and target come from ``environment.properties`` unless ``--run-id`` is given.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from common.core.errors import FrameworkError
from common.core.paths import DEFAULT_ALLURE_DIR, PROJECT_ROOT
from common.dingtalk.settings import Settings, load_settings
from common.http.masking import Masker, install_log_masking
from common.live.drift import MAX_NOTIFIED, record_in_results, summary_lines
from common.report.metadata import ENVIRONMENT_FILE
from common.report.notify import STATUSES, RunInfo, RunOutcome, first_line, target_text
from common.report.robot import NOTICE, mask_robot, notify, one_line

RESULT_FILES = "*-result.json"
UNKNOWN = "unknown"
# the keys common/report/metadata.py writes into environment.properties
TARGET_KEY = "Target"
OAPI_KEY = "Old host (oapi)"
RUN_ID_KEY = "Run id"
PYTEST_FAIL = "Failed: "
"""How allure-pytest's message starts for ``pytest.fail``; the message alone is the reason, as in the plugin's."""


@dataclass(frozen=True)
class TestResult:
    """One ``*-result.json``: what identifies the test across retries, how it is named, its status and why."""

    key: str
    name: str
    status: str
    reason: str
    start: int
    stop: int


@dataclass(frozen=True)
class ReadResults:
    """What a results directory holds: the outcome, its environment, and the files that could not be read."""

    outcome: RunOutcome
    environment: dict[str, str]
    unreadable: list[str]
    """``file name: why`` for each result file that is not counted."""


def read_results(results_dir: Path) -> ReadResults:
    """Every test in ``results_dir`` once (the latest of its retries, as Allure shows it), in the order they ran."""
    latest: dict[str, TestResult] = {}
    unreadable = []
    for path in sorted(results_dir.glob(RESULT_FILES)):
        try:
            result = parse_result(path)
        except ValueError as exc:
            unreadable.append(f"{path.name}: {exc}")
            continue
        kept = latest.get(result.key)
        if kept is None or (result.stop, result.start) >= (kept.stop, kept.start):
            latest[result.key] = result
    outcome = RunOutcome()
    for result in sorted(latest.values(), key=lambda r: (r.start, r.name)):
        outcome.record(result.key, result.status, result.reason, name=result.name)
    return ReadResults(outcome, read_environment(results_dir / ENVIRONMENT_FILE), unreadable)


def parse_result(path: Path) -> TestResult:
    """One Allure result file; ValueError saying why it cannot be counted."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError(f"not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    status = data.get("status")
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    name = _text(data.get("name")) or _text(data.get("fullName")) or path.name
    details = data.get("statusDetails")
    details = details if isinstance(details, dict) else {}
    reason = first_line(_text(details.get("message")) or _text(details.get("trace"))).removeprefix(PYTEST_FAIL)
    key = _text(data.get("historyId")) or _text(data.get("uuid")) or path.name
    return TestResult(key, name, status, reason, _number(data.get("start")), _number(data.get("stop")))


def read_environment(path: Path) -> dict[str, str]:
    """``environment.properties`` as written by common/report/metadata.py ({} without one)."""
    try:
        return read_properties(path.read_text(encoding="latin-1"))
    except OSError:
        return {}


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_CONTROL = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}


def read_properties(text: str) -> dict[str, str]:
    """The entries of a Java properties file, one line each as the suite writes them (no continuation lines)."""
    values = {}
    for raw in text.splitlines():
        line = raw.lstrip()
        if line and line[0] not in "#!":
            key, value = _split_entry(line)
            values[_unescape(key)] = _unescape(value)
    return values


def _split_entry(line: str) -> tuple[str, str]:
    """The key (up to the first unescaped ``=``, ``:`` or blank) and the value after the separator."""
    end = 0
    while end < len(line) and not (line[end] in "=:" or line[end].isspace()):
        end += 2 if line[end] == "\\" else 1
    rest = line[end:].lstrip()
    return line[:end], rest[1:].lstrip() if rest[:1] in ("=", ":") else rest


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match[1]
        return chr(int(code[1:], 16)) if len(code) == 5 else _CONTROL.get(code, code)

    # a character outside the BMP is written as two \uXXXX (UTF-16 surrogates): join them again
    return _ESCAPE.sub(one, text).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def run_info(environment: dict[str, str], run_id: str | None, report_url: str) -> RunInfo:
    """The run as the results tell it; ``run_id`` (e.g. the CI run's), when given, wins over theirs."""
    target = environment.get(TARGET_KEY)
    shown_target = target_text(target, environment.get(OAPI_KEY, UNKNOWN)) if target else UNKNOWN
    return RunInfo(run_id or environment.get(RUN_ID_KEY) or UNKNOWN, shown_target, report_url)


def notify_results(results_dir: Path, run_id: str | None, settings: Settings) -> list[str]:
    """Send the message for ``results_dir`` to the configured robot; the lines to show (never an exception)."""
    robot = settings.robot
    if robot is None:
        return [f"{NOTICE} off: no robot configured (DINGTALK_ROBOT_WEBHOOK or DINGTALK_ROBOT_TOKEN)"]
    masker = Masker([settings.appsecret])
    mask_robot(masker, robot)
    read = read_results(results_dir)
    lines = []
    if read.unreadable:
        first = read.unreadable[0]
        more = f" and {len(read.unreadable) - 1} more" if len(read.unreadable) > 1 else ""
        lines.append(one_line(masker, f"{NOTICE}: not counted, not an Allure result: {first}{more}"))
    if not sum(read.outcome.totals().values()):
        return [
            *lines,
            f"{NOTICE} not sent: no Allure results ({RESULT_FILES}) in {results_dir}: "
            "give --results the directory the run (or the merged shards) wrote",
        ]
    info = run_info(read.environment, run_id, robot.report_url)
    record = record_in_results(results_dir)  # attached by the run, or by python -m common.live.drift --merge
    if record is not None and record["drift"]:
        info = replace(info, drift=tuple(summary_lines(record, limit=MAX_NOTIFIED)))
    remove_log_masking = install_log_masking(masker)
    try:
        return [*lines, notify(robot, read.outcome, info, masker, settings.timeout)]
    finally:
        remove_log_masking()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.report.notify_results",
        description="Post the run notification for a directory of Allure results (settings as for a run).",
    )
    parser.add_argument(
        "--results", type=Path, default=DEFAULT_ALLURE_DIR, help="the Allure results (default: reports/allure-results)"
    )
    parser.add_argument("--run-id", help="the run id the message shows (default: the one in environment.properties)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(PROJECT_ROOT)
    except FrameworkError as exc:
        lines = [one_line(Masker(), f"{NOTICE} not sent: {exc}")]
    else:
        lines = notify_results(args.results, args.run_id, settings)
    for line in lines:
        print(line)
    return 0


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


if __name__ == "__main__":
    sys.exit(main())
