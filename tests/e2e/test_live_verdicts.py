"""The whole API suite in live mode against a sandbox, as a new user's first live run would be (the shared
``live_writing_run``): a profile that pins no counts, writes allowed, a robot to notify, a JUnit file and a debug
log, and tokens that expire every hundred or so calls.

It passes; the exact-count cases and the sandbox's own behaviour are skipped with their reasons; the closing line
says what the run created and that nothing was left behind; and no secret or token reaches the output, the
reports, the log or the JUnit file."""

from __future__ import annotations

import re

import pytest

from sandbox.config import DEFAULT_APPSECRET
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import LIVE_WRITING_RUN, LiveRun

pytestmark = pytest.mark.xdist_group(LIVE_WRITING_RUN)


def test_the_suite_passes_live_with_ids_only_and_skips_what_it_cannot_judge(live_writing_run: LiveRun) -> None:
    run = live_writing_run.run
    assert run.returncode == 0, run.output
    assert "does not pin counts." in run.output, run.output[-3000:]
    assert "the sandbox's own behaviour, not documented by DingTalk:" in run.output, run.output[-3000:]
    closing = re.search(r"run \S+ on the live tenant: created .*", run.output)
    assert closing is not None, run.output[-3000:]
    assert "LEFT BEHIND" not in closing.group(0)
    assert "announcement" in closing.group(0)
    assert live_writing_run.stats["objects"]["blackboard"] == live_writing_run.announcements_before


def test_no_secret_or_token_reaches_reports_logs_or_junit(live_writing_run: LiveRun) -> None:
    run, reports = live_writing_run.run, live_writing_run.project.reports
    assert run.returncode == 0, run.output
    tokens = set(live_writing_run.issued)
    assert len(tokens) >= 2, "the run should have refreshed its token"
    messages = live_writing_run.robot_messages
    notifications = [message for message in messages if message["message"].get("msgtype") == "markdown"]
    assert len(notifications) == 1, "the run should have notified the robot once (robot cases send text messages)"
    secrets = {"the appsecret": DEFAULT_APPSECRET, "the robot secret": DEFAULT_ROBOT_SECRET}
    secrets |= {"the robot token": DEFAULT_ROBOT_TOKEN} | {f"access token {t[:4]}…": t for t in sorted(tokens)}
    written = [path for path in reports.rglob("*") if path.is_file()]
    assert {"run.log", "junit.xml"} <= {path.name for path in written}
    log = (reports / "run.log").read_text(encoding="utf-8")
    # the debug log did record token-bearing URLs (so the scan below means something), masked
    assert re.search(r'"POST /topapi/\S+\?access_token=\*\*\* HTTP/1.1" 200', log), log[:2000]
    assert re.search(r'"GET /gettoken\?appkey=\S+&appsecret=\*\*\* HTTP/1.1"', log), log[:2000]
    for name, text in [("the run's output", run.output)] + [(str(p), p.read_text(errors="replace")) for p in written]:
        leaked = [what for what, secret in secrets.items() if secret in text]
        assert not leaked, f"{', '.join(leaked)} leaked into {name}"
