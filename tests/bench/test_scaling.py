"""Benchmark 4 makes its own runs with latency, except where the size lets its run at ``-n suite_workers`` be
benchmark 5's (the small size's): then that one run serves benchmarks 4, 5 and 6, and is made without latency."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import measures
from bench.measures import GETTOKEN, scaling, token_calls
from bench.sizes import SIZES, Size
from bench.workspace import Run

SECONDS_PER_WORKER_COUNT = {1: 8.0, 2: 2.0, 4: 1.0, 8: 0.5}
"""How long a fake run at each ``-n`` takes: -n 2 four times as fast as -n 1, i.e. an efficiency of 2.0."""


@dataclass
class Sandbox:
    """The bench sandbox's latency setting and its calls so far, which the fake runs below make."""

    latency_ms: int = 0
    served: Counter[str] = field(default_factory=Counter)

    def set_faults(self, latency_ms: int) -> None:
        self.latency_ms = latency_ms

    def calls(self) -> dict[str, int]:
        return dict(self.served)


@dataclass(frozen=True)
class FakeRun:
    """A framework run (``args`` as given to ``Bench.framework``): with ``-n``, one gettoken call and a request per
    case, and a probe record per process."""

    name: str
    sandbox: Sandbox
    cases: int
    args: tuple[str, ...]
    probe: Path | None
    made: list[tuple[str, int]]

    def run(self) -> Run:
        self.made.append((" ".join(self.args), self.sandbox.latency_ms))
        if "-n" not in self.args:
            return Run(1.0, "")
        assert self.probe is not None, "every run of benchmarks 4 and 5 is probed"
        workers = int(self.args[self.args.index("-n") + 1])
        self.sandbox.served.update({GETTOKEN: 1, "GET /topapi/blackboard/listtopten": self.cases})
        for role in ["main", *(f"gw{n}" for n in range(workers))]:
            record = {"role": role, "run": str(len(self.made)), "first_test": None}
            if role != "main":
                record |= {"first_test": 0.0, "last_test": 1.0}
            (self.probe / f"{len(self.made)}-{role}.json").write_text(json.dumps(record), encoding="utf-8")
        return Run(SECONDS_PER_WORKER_COUNT[workers], "")


@dataclass(frozen=True)
class Workspace:
    """The probe folders of a ``bench.workspace.Workspace``."""

    root: Path

    def probe_dir(self) -> Path:
        folder = self.root / f"probe-{len(list(self.root.iterdir()))}"
        folder.mkdir()
        return folder


class Bench(measures.Bench):
    """``measures.Bench`` with fake framework runs; ``made`` lists each run's arguments and the latency it ran at."""

    def __init__(self, size: Size, root: Path) -> None:
        self.fake_sandbox = Sandbox()
        super().__init__(size, Workspace(root), self.fake_sandbox, set())  # type: ignore[arg-type]
        self.made: list[tuple[str, int]] = []

    def framework(self, cases: int, *args: str, name: str = "framework", probe: Path | None = None) -> Any:
        return FakeRun(name, self.fake_sandbox, cases, args, probe, self.made)


def run_at(workers: int, latency_ms: int) -> tuple[str, int]:
    """A framework run at ``-n workers`` made at ``latency_ms``, as ``Bench.made`` lists it."""
    return (f"-n {workers}", latency_ms)


def test_at_the_small_size_benchmark_5s_run_is_benchmark_4s_run_at_its_workers(tmp_path: Path) -> None:
    size = SIZES["small"]
    bench = Bench(size, tmp_path)
    scaling_figure = scaling(bench)
    token_figure = token_calls(bench)
    assert sorted(bench.made) == sorted(run_at(n, 0) for n in size.scaling_workers)  # one run per -n, no more
    assert token_figure.values == {"gettoken_calls": 1}
    assert scaling_figure.values[f"efficiency_n{size.suite_workers}"] == 2.0  # the suite run's time
    assert bench.probed[(size.suite_cases, str(size.suite_workers))] == bench.suite_run.probe


def test_with_latency_benchmark_4_makes_its_own_runs_and_benchmark_5_one_without(tmp_path: Path) -> None:
    size = dataclasses.replace(SIZES["small"], latency_ms=50)
    bench = Bench(size, tmp_path)
    scaling(bench)
    token_calls(bench)
    assert bench.made == [*(run_at(n, 50) for n in size.scaling_workers), run_at(size.suite_workers, 0)]


def test_the_full_size_times_its_scaling_runs_with_latency_and_apart_from_the_token_run(tmp_path: Path) -> None:
    size = SIZES["full"]
    bench = Bench(size, tmp_path)
    scaling(bench)
    token_calls(bench)
    compiling, *scaling_runs, token_run = bench.made
    assert compiling == ("--collect-only", 0)
    assert Counter(scaling_runs) == {run_at(n, size.latency_ms): size.repeat + 1 for n in size.scaling_workers}
    assert token_run == run_at(size.suite_workers, 0)
