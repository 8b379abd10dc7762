"""Fixtures for the end-to-end tests: a project copy to edit, a sandbox whose stats outlive the run, and the
shared runs of the whole API suite that several tests read (each made once, on the one xdist worker its
``xdist_group`` sends those tests to)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import SandboxProcess
from tests.e2e.harness import FAR_FROM_CHINA, YAML_CASES, Project, RunningSandbox, SuiteRun, copy_project
from tests.e2e.suite_additions import ADDED_BY_A_USER, BROKEN_FILE, NARROW_WINDOW, TYPO_CASE


@pytest.fixture
def project(tmp_path: Path, bytecode: Path) -> Project:
    """A copy of the suite's files that the test may edit."""
    return copy_project(tmp_path, bytecode)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox process of this test's own."""
    process = SandboxProcess().start()
    try:
        yield RunningSandbox(process.url)
    finally:
        process.stop()


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


@pytest.fixture(scope="session")
def live_read_only_run(
    tmp_path_factory: pytest.TempPathFactory, bytecode: Path
) -> Iterator[tuple[Project, SuiteRun, dict]]:
    """Every YAML case on a live target (a standalone sandbox) without the write opt-in, on two workers, with a
    debug log file; yields the project, the run and the sandbox's stats after it."""
    project = copy_project(tmp_path_factory.mktemp("live-read-only-run"), bytecode)
    process = SandboxProcess().start()
    try:
        sandbox = RunningSandbox(process.url)
        log = ("--log-file=reports/run.log", "--log-file-level=DEBUG")
        run = project.run(YAML_CASES, "-n", "2", "-q", "-rs", *log, env=sandbox.environ(allow_writes=False))
        yield project, run, sandbox.stats()
    finally:
        process.stop()
