"""Runs of the API suite that tests in several modules read, each made once per test session (a plugin of
tests/conftest.py). A test that reads one is marked ``@pytest.mark.xdist_group`` with the run's group, so that
under xdist (``--dist loadgroup`` in tests/pytest.ini) all its readers go to the one worker that makes it."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ci.workflow import load_workflow, shard_command, splits
from tests.e2e.harness import PROJECT_ROOT, Project, SuiteRun, copy_project

SHARDED_RUN = "sharded-run"
"""The xdist group of the tests that read the ``sharded_run`` fixture."""

FAILING_CASE = """
  - id: notify-fails
    title: a case that fails on purpose, for the run notification
    request:
      path: /topapi/blackboard/category/list
      json: {operation_userid: "${profile.admin_userid}"}
    expect:
      errcode: 60011
"""
"""A case appended to data/blackboard.yaml that fails against the sandbox, so that a run has a failure to show."""


@dataclass(frozen=True)
class RunResults:
    """One pytest run of the API suite: its output and the JUnit XML and Allure results it wrote."""

    run: SuiteRun
    junit: Path
    allure: Path

    def test_ids(self) -> list[str]:
        """The cases this run ran, as pytest node ids (from the JUnit XML)."""
        cases = ET.parse(self.junit).getroot().iter("testcase")
        return [f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}" for case in cases]

    def allure_results(self) -> Counter[tuple[str, str, str, str]]:
        """Each Allure result as what a report shows of it: history id, full name, title and status."""
        results = [json.loads(path.read_text(encoding="utf-8")) for path in self.allure.glob("*-result.json")]
        return Counter((r["historyId"], r["fullName"], r["name"], r["status"]) for r in results)


def run_with_results(project: Project, output: Path, *args: str, env: dict[str, str] | None = None) -> RunResults:
    """``pytest *args`` in ``project`` (with ``env``), its JUnit XML and Allure results written under ``output``; a
    run whose cases fail (exit 1) counts, one that could not run does not."""
    junit, allure = output / "junit.xml", output / "allure-results"
    done = project.run(*args, f"--alluredir={allure}", f"--junitxml={junit}", "-q", env=env)
    assert done.returncode in (0, 1), done.output
    return RunResults(done, junit, allure)


@dataclass(frozen=True)
class ShardedRun:
    """The CI workflow's shard command run for each of its matrix groups, in one project."""

    project: Project
    shards: list[RunResults]


ONE_CORE_RUNNER = {"PYTEST_XDIST_AUTO_NUM_WORKERS": "1"}
"""The first shard's ``-n auto`` as on a runner of one core (pytest-xdist's own setting): one worker, so that the
share pytest-split picks is shown to hold under xdist."""
IN_PROCESS = {"PYTEST_XDIST_AUTO_NUM_WORKERS": "0"}
"""The other shards' ``-n auto`` with xdist's workers off: pytest-split's sharing out is the same on any number of
workers, and a worker process each would only add its start-up."""
SHARDED_CASE_FILES = ("auth", "blackboard", "robot")
"""The case files the sharded run keeps: the claims on it are about sharding, not about the shipped cases (the
README's whole run is ``sandbox_run``'s); with the hand-written tests, enough to share out, some of them in the
committed .test_durations and some not."""


@pytest.fixture(scope="session")
def sharded_run(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> ShardedRun:
    """The workflow's shards on the built-in sandbox, on the SHARDED_CASE_FILES with FAILING_CASE added and the
    committed .test_durations; side by side, as CI's matrix runs them (each with its own sandbox and results), the
    first on one xdist worker and the others without (ONE_CORE_RUNNER, IN_PROCESS)."""
    project = copy_project(tmp_path_factory.mktemp("sharded-project"), bytecode)
    project.keep_case_files(*SHARDED_CASE_FILES)
    shutil.copy2(PROJECT_ROOT / ".test_durations", project.root)
    project.add_cases("blackboard.yaml", FAILING_CASE)
    output = tmp_path_factory.mktemp("shards")
    workflow = load_workflow()

    def shard(group: int) -> RunResults:
        environ = ONE_CORE_RUNNER if group == 1 else IN_PROCESS
        return run_with_results(project, output / f"shard-{group}", *shard_command(workflow, group), env=environ)

    with ThreadPoolExecutor() as pool:
        shards = list(pool.map(shard, range(1, splits(workflow) + 1)))
    return ShardedRun(project, shards)
