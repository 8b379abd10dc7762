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
    suite_cases: int  # 5 and 6: one run at -n suite_workers
    suite_workers: int  # 5 and 6
    load_seconds: float  # 6
    memory_cases: int  # 7
    memory_workers: str  # 7: the value of -n
    repeat: int  # timed runs per contender; the best counts
    warm_up: bool  # an untimed run of each contender first (and one to compile the bytecode before benchmark 4)

    @property
    def scaling_reuses_suite_run(self) -> bool:
        """Benchmark 4's run at ``-n suite_workers`` is benchmark 5's: the same cases and workers, no latency, and
        benchmark 4 times each of its runs once (no warm-up), so the run is made once and read by both."""
        return (
            self.latency_ms == 0
            and self.repeat == 1
            and not self.warm_up
            and self.scaling_cases == self.suite_cases
            and self.suite_workers in self.scaling_workers
        )


SIZES = {
    "full": Size("full", 500, 5000, 1000, (1, 2, 4, 8), 50, 1000, 8, 5.0, 5000, "auto", 3, True),
    "small": Size("small", 4, 4, 4, (1, 2), 0, 4, 2, 0.2, 4, "1", 1, False),
}
"""``small`` is as small and as cheap as still gives every figure: one case of each of the four shapes; two
workers for benchmark 5, each handed cases (xdist gives every worker at least one), so that both need the token
and one of them must take the other's; one worker for benchmark 7, whose figure is the largest worker's. Its
benchmark 4 runs without latency, so that its run at ``-n 2`` is benchmark 5's (and 6's) run too
(``scaling_reuses_suite_run``), and its run at ``-n 1`` is benchmark 7's."""
