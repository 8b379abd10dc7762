"""Fixtures for the end-to-end tests: a project copy to edit, a sandbox whose stats outlive the run (served by threads
of the test's process: the suite under test runs in a process of its own), and the shared runs of the whole API suite
that several tests read (each made once, on the one xdist worker its ``xdist_group`` sends those tests to)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import (
    FAR_FROM_CHINA,
    FLAKY_DINGTALK,
    RETRIES_UNDER_FAULTS,
    YAML_CASES,
    LiveRun,
    Project,
    RunningSandbox,
    SteppingClock,
    SuiteRun,
    copy_project,
)
from tests.e2e.suite_additions import (
    ADDED_BY_A_USER,
    BROKEN_FILE,
    FORGETS_WRITES,
    NARROW_WINDOW,
    PARALLEL_FLOWS,
    TYPO_CASE,
)


@pytest.fixture
def project(tmp_path: Path, bytecode: Path) -> Project:
    """A copy of the suite's files that the test may edit."""
    return copy_project(tmp_path, bytecode)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of this test's own."""
    with SandboxServer() as server:
        yield RunningSandbox(server.url)


@pytest.fixture(scope="session")
def sandbox_run(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> tuple[Project, SuiteRun]:
    """The README's run on the built-in sandbox, made once for several claims: every shipped case plus a case a
    user added, a case with a typo, a file with a YAML error, and a case that finds what it created in a window
    of twenty minutes, on a machine whose clock is in Los Angeles. In one process: no claim read from it is about
    several workers (those read ``live_read_only_run``)."""
    project = copy_project(tmp_path_factory.mktemp("sandbox-run"), bytecode)
    project.add_cases("blackboard.yaml", ADDED_BY_A_USER + NARROW_WINDOW + TYPO_CASE)
    (project.root / "data" / "broken.yaml").write_text(BROKEN_FILE, encoding="utf-8")
    return project, project.run(YAML_CASES, "-q", env={"TZ": FAR_FROM_CHINA})


READ_ONLY_CASE_FILES = ("auth", "blackboard", "org")
"""The case files of the live read-only run: cases that test gettoken itself, cases that write and cases that only
the sandbox judges. Its claims are about how a live run without writes goes, not about the shipped cases, which
``live_writing_run`` runs every one of on a live target."""


@pytest.fixture(scope="session")
def live_read_only_run(
    tmp_path_factory: pytest.TempPathFactory, bytecode: Path
) -> Iterator[tuple[Project, SuiteRun, dict]]:
    """The YAML cases of READ_ONLY_CASE_FILES and a create case that does not say it writes (FORGETS_WRITES) on a
    live target (a standalone sandbox) without the write opt-in, on two workers, with a debug log file; yields the
    project, the run and the sandbox's stats after it."""
    project = copy_project(tmp_path_factory.mktemp("live-read-only-run"), bytecode)
    project.keep_case_files(*READ_ONLY_CASE_FILES)
    project.add_cases("blackboard.yaml", FORGETS_WRITES)
    with SandboxServer() as server:
        sandbox = RunningSandbox(server.url)
        log = ("--log-file=reports/run.log", "--log-file-level=DEBUG")
        run = project.run(YAML_CASES, "-n", "2", "-q", "-rs", *log, env=sandbox.environ(allow_writes=False))
        yield project, run, sandbox.stats()


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


@pytest.fixture(scope="session")
def live_writing_run(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> Iterator[LiveRun]:
    """The whole suite in live mode with writes allowed, on two workers, as a new user's first live run would be
    against a flaky DingTalk: a profile that pins no counts, a robot to notify, a JUnit file, a debug log, copies of
    the announcement life cycle side by side (PARALLEL_FLOWS), and a sandbox under FLAKY_DINGTALK whose tokens
    expire every hundred or so calls."""
    project = copy_project(tmp_path_factory.mktemp("live-writing-run"), bytecode)
    profile = project.root / "data" / "profiles" / "ids-only.yaml"
    profile.write_text(_without_counts((project.root / "data/profiles/sandbox.yaml").read_text("utf-8")), "utf-8")
    assert "counts:" not in profile.read_text("utf-8")
    project.add_cases("blackboard.yaml", PARALLEL_FLOWS)
    # a token lives for 300 sandbox clock readings (about a hundred calls), so the run has to get new ones
    config = SandboxConfig(clock=SteppingClock(0.01), token_ttl=3, faults=FLAKY_DINGTALK)
    # the run's notification goes to a robot without faults: it is sent once, at the end, and not retried
    with SandboxServer(config=config) as server, SandboxServer() as robot, pytest.MonkeyPatch.context() as patch:
        issued: list[str] = []
        issue_token = server.state.issue_token

        def issue_and_record() -> str:
            issued.append(issue_token())
            return issued[-1]

        patch.setattr(server.state, "issue_token", issue_and_record)
        sandbox = RunningSandbox(server.url)
        environ = {
            **sandbox.environ(),
            **RETRIES_UNDER_FAULTS,
            "DINGTALK_PROFILE": "data/profiles/ids-only.yaml",
            "DINGTALK_ROBOT_WEBHOOK": f"{robot.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
            "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
        }
        before = sandbox.stats()["objects"]["blackboard"]
        args = ("-n", "2", "-q", "-rs", "--junitxml=reports/junit.xml", "--log-file=reports/run.log")
        run = project.run(*args, "--log-file-level=DEBUG", env=environ, timeout=400)
        robot_messages = requests.get(f"{robot.url}/__sandbox/robot/messages", timeout=5).json()["messages"]
        yield LiveRun(project, run, tuple(issued), robot_messages, sandbox.stats(), before)
