"""Every size keeps benchmark 5 a claim about several workers: the run that must make one gettoken call has at
least two workers, each handed a case (xdist gives every worker one when there are as many cases as workers). Benchmark
4 reads that run only where it would have made the very same run itself."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bench.sizes import SIZES, Size


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_the_token_run_has_several_workers_each_with_a_case(size: Size) -> None:
    assert size.suite_workers >= 2, size
    assert size.suite_cases >= size.suite_workers, size


@pytest.mark.parametrize(
    "change",
    [{"latency_ms": 50}, {"repeat": 3}, {"warm_up": True}, {"scaling_cases": 8}, {"scaling_workers": (1, 4)}],
    ids=str,
)
def test_benchmark_4_reads_the_token_run_only_where_it_would_make_that_same_run_once(change: dict[str, Any]) -> None:
    reusing = dataclasses.replace(SIZES["small"], latency_ms=0, repeat=1, warm_up=False, scaling_workers=(1, 2))
    assert reusing.scaling_reuses_suite_run
    assert not dataclasses.replace(reusing, **change).scaling_reuses_suite_run
