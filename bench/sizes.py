"""How big each benchmark is: ``full`` is the issue's table, ``small`` proves in CI that every benchmark works."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """Case counts, worker counts and repetitions of one benchmark invocation."""

    name: str
    overhead_cases: int  # benchmarks 1 and 2
    collection_cases: int  # 3
    scaling_cases: int  # 4
    scaling_workers: tuple[int, ...]  # 4; the first is the reference
    latency_ms: int  # 4
    suite_cases: int  # 5 and 6: one run at -n 8
    load_seconds: float  # 6
    memory_cases: int  # 7
    repeat: int  # timed runs per contender; the best counts
    warm_up: bool  # an untimed run of each contender first


SIZES = {
    "full": Size("full", 500, 5000, 1000, (1, 2, 4, 8), 50, 1000, 5.0, 5000, 3, True),
    "small": Size("small", 4, 4, 4, (1, 2), 50, 8, 0.2, 4, 1, False),
}
"""``small`` is as small as still gives every figure: one case of each of the four shapes, and at least one case
for each worker (xdist hands out fewer than two per worker one by one), so that at -n 8 every worker needs the
token."""
