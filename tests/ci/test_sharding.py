"""The workflow's sharding run locally: together the shards run every case once, with the results of one run."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ci.workflow import load_workflow, shard_command, splits
from tests.e2e.harness import PROJECT_ROOT, Project, copy_project


@dataclass(frozen=True)
class Run:
    """What one pytest run of the API suite left behind."""

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


@dataclass(frozen=True)
class ShardedAndWhole:
    shards: list[Run]
    whole: Run
    refreshed_durations: Path


def _run(project: Project, output: Path, *args: str) -> Run:
    run = Run(output / "junit.xml", output / "allure-results")
    done = project.run(*args, f"--alluredir={run.allure}", f"--junitxml={run.junit}", "-q")
    assert done.returncode in (0, 1), done.output  # 1: some case failed; the results still compare
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> ShardedAndWhole:
    """The workflow's shard command for each matrix group, then one unsharded run that refreshes the durations."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    shutil.copy2(PROJECT_ROOT / ".test_durations", project.root)
    output = tmp_path_factory.mktemp("runs")
    workflow = load_workflow()
    shards = [
        _run(project, output / f"shard-{group}", *shard_command(workflow, group))
        for group in range(1, splits(workflow) + 1)
    ]
    durations = output / "durations.json"
    refresh = ("-p", "no:xdist", "--store-durations", "--clean-durations", f"--durations-path={durations}")
    return ShardedAndWhole(shards, _run(project, output / "whole", *refresh), durations)


def test_the_shards_together_run_every_case_exactly_once(runs: ShardedAndWhole) -> None:
    ran = Counter(test_id for shard in runs.shards for test_id in shard.test_ids())
    assert [test_id for test_id, times in ran.items() if times > 1] == []
    assert set(ran) == set(runs.whole.test_ids())
    assert len(runs.whole.test_ids()) == len(set(runs.whole.test_ids())) > len(runs.shards)
    assert all(0 < len(shard.test_ids()) < len(ran) for shard in runs.shards)


def test_the_merged_shard_results_equal_one_runs(runs: ShardedAndWhole) -> None:
    merged = sum((shard.allure_results() for shard in runs.shards), Counter())
    assert merged == runs.whole.allure_results()
    assert merged.total() == len(runs.whole.test_ids())
    assert len({history_id for history_id, *_ in merged}) == merged.total(), "no case shows up twice as a retry"


def test_refreshing_the_durations_records_every_case(runs: ShardedAndWhole) -> None:
    recorded = json.loads(runs.refreshed_durations.read_text(encoding="utf-8"))
    assert sorted(recorded) == sorted(runs.whole.test_ids())
