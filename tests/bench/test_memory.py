"""Benchmark 7 reads the workers' peak memory from a run of the same cases and workers made earlier in the
invocation (benchmark 4's, at the small size), and makes its own run when there is none."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measures import memory
from bench.sizes import SIZES


@dataclass
class Run:
    """A framework run that writes the probe records of a main process and ``workers`` workers when run."""

    probe: Path
    workers: int

    def run(self) -> None:
        for role in ["main", *(f"gw{n}" for n in range(self.workers))]:
            record = {"role": role, "peak_rss_kib": 50_000 if role == "main" else 40_000 + len(role)}
            (self.probe / f"{role}.json").write_text(json.dumps(record), encoding="utf-8")


@dataclass
class Bench:
    """What ``memory`` reads of a ``bench.measures.Bench``; records the runs it is asked to make."""

    root: Path
    size: Any = SIZES["full"]
    probed: dict[tuple[int, str], Path] = field(default_factory=dict)
    made: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def workspace(self) -> Bench:
        return self

    def probe_dir(self) -> Path:
        folder = self.root / f"probe-{len(self.made)}"
        folder.mkdir()
        return folder

    def framework(self, cases: int, *args: str, probe: Path) -> Run:
        self.made.append((cases, *args))
        return Run(probe, workers=2)


def test_an_earlier_run_with_the_same_cases_and_workers_serves(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    Run(earlier, workers=3).run()
    bench.probed[(bench.size.memory_cases, bench.size.memory_workers)] = earlier
    figure = memory(bench)  # type: ignore[arg-type]
    assert bench.made == []
    assert figure.values["peak_rss_mb"] == 40_003 * 1024 / 1e6  # the largest worker's, not the main process's
    assert "(3 workers)" in figure.what


def test_without_one_benchmark_7_runs_its_own(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    bench.probed[(bench.size.memory_cases + 1, bench.size.memory_workers)] = tmp_path  # other cases: no use
    figure = memory(bench)  # type: ignore[arg-type]
    assert bench.made == [(bench.size.memory_cases, "-n", bench.size.memory_workers)]
    assert "(2 workers)" in figure.what
