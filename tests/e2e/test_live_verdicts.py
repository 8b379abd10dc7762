"""The whole API suite in live mode against a sandbox, made once for several claims, as a new user's first live
run would be: a profile that pins no counts, writes allowed, a robot to notify, a JUnit file and a debug log, and
tokens that expire every hundred or so calls.

It passes; the exact-count cases and the sandbox's own behaviour are skipped with their reasons; the closing line
says what the run created and that nothing was left behind; and no secret or token reaches the output, the
reports, the log or the JUnit file."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.config import DEFAULT_APPSECRET
from sandbox.faults import FaultSettings
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import Project, RunningSandbox, SuiteRun, copy_project

pytestmark = pytest.mark.xdist_group("live-run")


class SteppingClock:
    """Real time plus a small step at every reading: the sandbox's tokens expire after so many calls, not seconds."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.ahead = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.ahead += self.step
            return time.time() + self.ahead


@dataclass(frozen=True)
class LiveRun:
    """The run, the tokens the sandbox issued during it, the robot's messages, and the announcements before/after."""

    project: Project
    run: SuiteRun
    issued: tuple[str, ...]
    robot_messages: list[dict]
    announcements: tuple[int, int]


def _without_counts(profile: str) -> str:
    """The sandbox profile as a live tenant's would be written: ids only, no `counts:` block."""
    kept, inside_counts = [], False
    for line in profile.splitlines():
        if line.startswith("counts:"):
            inside_counts = True
            continue
        if inside_counts and line.startswith("  "):
            continue
        inside_counts = False
        kept.append(line)
    return "\n".join(kept) + "\n"


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> Iterator[LiveRun]:
    project = copy_project(tmp_path_factory.mktemp("live-run"), bytecode)
    profile = project.root / "data" / "profiles" / "ids-only.yaml"
    profile.write_text(_without_counts((project.root / "data/profiles/sandbox.yaml").read_text("utf-8")), "utf-8")
    assert "counts:" not in profile.read_text("utf-8")
    # a token lives for 300 sandbox clock readings (about a hundred calls), so the run has to refresh its token
    config = SandboxConfig(clock=SteppingClock(0.01), token_ttl=3, faults=FaultSettings(qps=0))
    with SandboxServer(config=config) as server, pytest.MonkeyPatch.context() as patch:
        issued: list[str] = []
        issue_token = server.state.issue_token

        def issue_and_record() -> str:
            issued.append(issue_token())
            return issued[-1]

        patch.setattr(server.state, "issue_token", issue_and_record)
        sandbox = RunningSandbox(server.url)
        environ = {
            **sandbox.environ(),
            "DINGTALK_PROFILE": "data/profiles/ids-only.yaml",
            "DINGTALK_ROBOT_WEBHOOK": f"{server.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
            "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
        }
        before = sandbox.stats()["objects"]["blackboard"]
        args = ("-n", "2", "-q", "-rs", "--junitxml=reports/junit.xml", "--log-file=reports/run.log")
        run = project.run(*args, "--log-file-level=DEBUG", env=environ)
        robot_messages = requests.get(f"{server.url}/__sandbox/robot/messages", timeout=5).json()["messages"]
        yield LiveRun(project, run, tuple(issued), robot_messages, (before, sandbox.stats()["objects"]["blackboard"]))


def test_the_suite_passes_live_with_ids_only_and_skips_what_it_cannot_judge(live_run: LiveRun) -> None:
    run = live_run.run
    assert run.returncode == 0, run.output
    assert "does not pin counts." in run.output, run.output[-3000:]
    assert "the sandbox's own behaviour, not documented by DingTalk:" in run.output, run.output[-3000:]
    closing = re.search(r"run \S+ on the live tenant: created .*", run.output)
    assert closing is not None, run.output[-3000:]
    assert "LEFT BEHIND" not in closing.group(0)
    assert "announcement" in closing.group(0)
    before, after = live_run.announcements
    assert after == before


def test_no_secret_or_token_reaches_reports_logs_or_junit(live_run: LiveRun) -> None:
    run, reports = live_run.run, live_run.project.reports
    assert run.returncode == 0, run.output
    tokens = set(live_run.issued)
    assert len(tokens) >= 2, "the run should have refreshed its token"
    notifications = [message for message in live_run.robot_messages if message["message"].get("msgtype") == "markdown"]
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
