"""Timing whole pytest runs: each contender once to warm up, then every contender in turn, ``repeat`` times.

A contender's time is its best (lowest) wall-clock time: on a shared machine other work only ever makes a
run slower, so the best run is the one closest to the contender's own cost. CPU time (user + system of the
run and its worker processes) is kept beside it, since it hardly depends on what else the machine does.
"""

from __future__ import annotations

import resource
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.workspace import Run, run_command


@dataclass(frozen=True)
class Contender:
    """One way of running the same cases: the command, where and with which environment."""

    name: str
    command: list[str]
    cwd: Path
    env: Mapping[str, str]

    def run(self) -> Run:
        return run_command(self.command, self.cwd, self.env)


@dataclass(frozen=True)
class Timing:
    """A contender's best wall-clock time and its CPU time in that run, over ``runs`` runs."""

    wall: float
    cpu: float
    runs: int


def cpu_of_children() -> float:
    """User + system seconds of every child process this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(contender: Contender) -> tuple[float, float]:
    """One run of ``contender``: its wall-clock and CPU seconds."""
    cpu_before = cpu_of_children()
    run = contender.run()
    return run.seconds, cpu_of_children() - cpu_before


def best_of(contenders: list[Contender], repeat: int, warm_up: bool = True) -> dict[str, Timing]:
    """Warm every contender up once (unless told not to), then time them in turn ``repeat`` times; the best run
    of each."""
    for contender in contenders if warm_up else ():
        contender.run()
    runs: dict[str, list[tuple[float, float]]] = {contender.name: [] for contender in contenders}
    for _ in range(repeat):
        for contender in contenders:
            runs[contender.name].append(timed(contender))
    return {name: Timing(*min(measured), runs=len(measured)) for name, measured in runs.items()}
