"""The workflow's sharding run locally: together the shards run every case once, with the results of one run."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared_runs import SHARDED_RUN, RunResults, ShardedRun, run_with_results

pytestmark = pytest.mark.xdist_group(SHARDED_RUN)


@dataclass(frozen=True)
class DurationsRefresh:
    """The unsharded run that re-records the durations, as the workflow's comment and the README tell users to."""

    whole: RunResults
    durations: Path


@pytest.fixture(scope="module")
def refresh(sharded_run: ShardedRun, tmp_path_factory: pytest.TempPathFactory) -> DurationsRefresh:
    """`pytest -p no:xdist --store-durations --clean-durations` in the sharded run's project, after its shards."""
    output = tmp_path_factory.mktemp("whole")
    durations = output / "durations.json"
    refresh = ("-p", "no:xdist", "--store-durations", "--clean-durations", f"--durations-path={durations}")
    return DurationsRefresh(run_with_results(sharded_run.project, output, *refresh), durations)


def test_the_shards_together_run_every_case_exactly_once(sharded_run: ShardedRun, refresh: DurationsRefresh) -> None:
    shards, whole = sharded_run.shards, refresh.whole
    ran = Counter(test_id for shard in shards for test_id in shard.test_ids())
    assert [test_id for test_id, times in ran.items() if times > 1] == []
    assert set(ran) == set(whole.test_ids())
    assert len(whole.test_ids()) == len(set(whole.test_ids())) > len(shards)
    assert all(0 < len(shard.test_ids()) < len(ran) for shard in shards)
    assert "bringing up nodes" in shards[0].run.output, "the first shard's share ran on an xdist worker"


def test_the_merged_shard_results_equal_one_runs(sharded_run: ShardedRun, refresh: DurationsRefresh) -> None:
    merged = sum((shard.allure_results() for shard in sharded_run.shards), Counter())
    assert merged == refresh.whole.allure_results()
    assert merged.total() == len(refresh.whole.test_ids())
    assert len({history_id for history_id, *_ in merged}) == merged.total(), "no case shows up twice as a retry"


def test_refreshing_the_durations_records_every_case(refresh: DurationsRefresh) -> None:
    recorded = json.loads(refresh.durations.read_text(encoding="utf-8"))
    assert sorted(recorded) == sorted(refresh.whole.test_ids())
