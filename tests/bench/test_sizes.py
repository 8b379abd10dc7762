"""Every size keeps benchmark 5 a claim about several workers: the run that must make one gettoken call has at
least two workers, each handed a case (xdist gives every worker one when there are as many cases as workers)."""

from __future__ import annotations

import pytest

from bench.sizes import SIZES, Size


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_the_token_run_has_several_workers_each_with_a_case(size: Size) -> None:
    assert size.suite_workers >= 2, size
    assert size.suite_cases >= size.suite_workers, size
