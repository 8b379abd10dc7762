"""The run notification's content: each test's outcome as Allure counts it, and the DingTalk markdown message.

Two sources feed the same ``RunOutcome``: the pytest run itself (common/plugin/notify.py) and a directory of
Allure results, such as a sharded CI run's merged ones (common/report/notify_results.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from common.http.masking import Masker

STATUSES = ("passed", "failed", "broken", "skipped")
STATUS_TEXT = {"passed": "通过", "failed": "失败", "broken": "损坏", "skipped": "跳过"}
"""Each status as the Chinese Allure report names it."""
NOT_PASSED = ("failed", "broken")
MAX_LISTED_FAILURES = 15
MAX_REASON_CHARS = 200
MAX_LINE_CHARS = 500
MAX_MESSAGE_BYTES = 16_000
"""The message's JSON body as sent; DingTalk refuses bodies over 20,000 bytes (460101)."""


@dataclass(frozen=True)
class Failure:
    """A test that did not pass: how the message names it, ``failed`` or ``broken``, and the first line of why."""

    name: str
    status: str
    reason: str


def failure_status(excinfo: pytest.ExceptionInfo[BaseException] | None, when: str) -> str:
    """``failed`` for a failed check in the test itself, ``broken`` for anything else (Allure's rule)."""
    if when == "call" and (excinfo is None or isinstance(excinfo.value, AssertionError | pytest.fail.Exception)):
        return "failed"
    return "broken"


def failure_reason(excinfo: pytest.ExceptionInfo[BaseException] | None, fallback: str) -> str:
    """The first line of why a test failed: pytest.fail's message, else the exception as pytest shows it."""
    if excinfo is None:
        text = fallback
    elif isinstance(excinfo.value, pytest.fail.Exception):
        text = str(excinfo.value)
    else:
        text = excinfo.exconly(tryshort=True)
    return first_line(text)


def first_line(text: str) -> str:
    """The first non-blank line, cut to ``MAX_REASON_CHARS``."""
    return _cut(next((line.strip() for line in text.splitlines() if line.strip()), ""), MAX_REASON_CHARS)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RunOutcome:
    """Each test's status: the first of its phases that did not pass decides, as in the Allure report."""

    def __init__(self) -> None:
        self._statuses: dict[str, str] = {}
        self._failures: dict[str, Failure] = {}

    def record(self, test_id: str, status: str, reason: str = "", name: str = "") -> None:
        """A phase of ``test_id`` ended with ``status``; a test that already did not pass keeps its status.

        ``name`` is how the message names the test (default: its id)."""
        if self._statuses.get(test_id, "passed") != "passed":
            return
        self._statuses[test_id] = status
        if status in NOT_PASSED:
            self._failures[test_id] = Failure(name or test_id, status, reason)

    def totals(self) -> dict[str, int]:
        """How many tests ended in each of ``STATUSES``."""
        counts = dict.fromkeys(STATUSES, 0)
        for status in self._statuses.values():
            counts[status] += 1
        return counts

    def failures(self) -> list[Failure]:
        """The tests that failed or broke, in the order they did."""
        return list(self._failures.values())


def target_text(target: str, oapi_url: str) -> str:
    """The run's target as the message shows it: the sandbox, or live DingTalk and its old host."""
    return "沙箱（内置模拟器）" if target == "sandbox" else f"线上钉钉（{oapi_url}）"


@dataclass(frozen=True)
class RunInfo:
    """What the message says about the run besides its outcome."""

    run_id: str
    target: str
    report: str
    interrupted: bool = False
    drift: tuple[str, ...] = ()
    """Contract drift (common/plugin/drift.py): ``contract drift: N new (...)``, then the first new ones."""


def markdown_message(outcome: RunOutcome, info: RunInfo, masker: Masker) -> dict[str, Any]:
    """The robot message: totals, the failures that fit (at most ``MAX_LISTED_FAILURES``), run, target, report.

    Every text passes through ``masker``; the JSON body stays within ``MAX_MESSAGE_BYTES``."""
    totals = outcome.totals()
    failures = outcome.failures()
    total = sum(totals.values())
    verdict = f"{total} 个用例中 {len(failures)} 个未通过" if failures else f"全部 {total} 个用例通过"
    if info.interrupted:
        verdict += "（运行被中断）"
    head = [
        f"#### dingtalk-apitest：{verdict}",
        f"运行 **{info.run_id}** · 目标 **{info.target}**",
        " · ".join(f"{STATUS_TEXT[status]} **{totals[status]}**" for status in STATUSES),
        *_drift_block(info.drift),
    ]
    tail = [f"报告：{_link(info.report)}"]
    listed: list[str] = []
    for failure in failures[:MAX_LISTED_FAILURES]:
        line = f"- {STATUS_TEXT.get(failure.status, failure.status)}：{failure.name} — {failure.reason}"
        candidate = [*listed, _cut(line, MAX_LINE_CHARS)]
        if _size(head, _with_more(candidate, len(failures)), tail, masker) > MAX_MESSAGE_BYTES:
            break
        listed = candidate
    return _message(head, _with_more(listed, len(failures)), tail, masker)


def _drift_block(lines: tuple[str, ...]) -> list[str]:
    """The drift lines as one block: the count, then the new drift listed (each cut to ``MAX_LINE_CHARS``)."""
    if not lines:
        return []
    head, *listed = lines
    return ["\n".join([head, *(_cut(f"- {line}", MAX_LINE_CHARS) for line in listed)])]


def _with_more(listed: list[str], failures: int) -> list[str]:
    """The listed failures and, when some are not listed, how many more there are."""
    return [*listed, f"- …… 另有 {failures - len(listed)} 个"] if failures > len(listed) else listed


def _message(head: list[str], listed: list[str], tail: list[str], masker: Masker) -> dict[str, Any]:
    blocks = [*head, "\n".join(listed), *tail] if listed else [*head, *tail]
    markdown = {"title": masker(head[0].lstrip("# ")), "text": masker("\n\n".join(blocks))}
    return {"msgtype": "markdown", "markdown": markdown}


def _size(head: list[str], listed: list[str], tail: list[str], masker: Masker) -> int:
    """The body's size as requests sends it (ASCII JSON)."""
    return len(json.dumps(_message(head, listed, tail, masker)).encode())


def _link(report: str) -> str:
    return f"[{report}]({report})" if report.startswith(("http://", "https://")) else report
