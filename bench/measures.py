"""The seven benchmarks of issue 6; each returns one ``Figure``, a ratio or count measured in this invocation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bench import loadgen, tavern_env
from bench.cases import bench_cases
from bench.sandbox_control import BenchSandbox
from bench.sizes import Size
from bench.timing import Contender, Timing, best_of, timed
from bench.workspace import Workspace, clean_environ, execution_windows, probe_records, pytest_command

GETTOKEN = "GET /gettoken"
LOAD_CONNECTIONS = 8


@dataclass(frozen=True)
class Figure:
    """One benchmark's outcome: the figure as shown, whether it meets its target (None: not judged)."""

    number: int
    what: str
    target: str
    result: str
    met: bool | None
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteRun:
    """The framework's run at ``-n suite_workers`` without latency: its time, its probe records, its gettoken calls
    and request rate (at the small size also benchmark 4's run at that ``-n``)."""

    timing: Timing
    probe: Path
    gettoken_calls: int
    requests: int
    window: float

    @property
    def per_second(self) -> float:
        return self.requests / self.window


class Bench:
    """Everything the benchmarks of one invocation share: size, workspace, sandbox and runs done once."""

    def __init__(self, size: Size, workspace: Workspace, sandbox: BenchSandbox, selected: set[int]) -> None:
        self.size = size
        self.workspace = workspace
        self.sandbox = sandbox
        self.selected = selected
        self.probed: dict[tuple[int, str], Path] = {}
        """The probe folders of the framework's runs made so far, by case count and ``-n``."""

    def framework(self, cases: int, *args: str, name: str = "framework", probe: Path | None = None) -> Contender:
        """The framework's suite over ``cases`` generated cases, pointed at the bench sandbox."""
        folder = self.workspace.framework_cases(cases)
        env = self.sandbox.framework_environ()
        plugin: tuple[str, ...] = ()  # the probe only where a benchmark reads it: the other contenders load none
        if probe is not None:
            env["BENCH_PROBE_DIR"] = str(probe)
            plugin = ("-p", "bench_probe")
        return Contender(name, pytest_command(*plugin, *args), folder, clean_environ(env))

    def baseline_env(self) -> dict[str, str]:
        return clean_environ(self.sandbox.baseline_environ(str(self.workspace.schema_dir)))

    @cached_property
    def tavern_python(self) -> Path | None:
        return tavern_env.tavern_python()

    @cached_property
    def overhead(self) -> dict[str, Timing]:
        """Benchmarks 1 and 2: the same cases by the framework, by hand and (for 2) by Tavern, all with Allure."""
        count = self.size.overhead_cases
        results = ("--alluredir", str(self.workspace.root / "allure-results"), "--clean-alluredir")
        contenders = [
            self.framework(count, *results),
            Contender("hand-written", pytest_command(*results), self.workspace.handwritten(count), self.baseline_env()),
        ]
        if 2 in self.selected and self.tavern_python is not None:
            command = pytest_command(*results, python=str(self.tavern_python))
            contenders.append(Contender("Tavern", command, self.workspace.tavern(count), self.baseline_env()))
        return best_of(contenders, self.size.repeat, warm_up=self.size.warm_up)

    @cached_property
    def suite_run(self) -> SuiteRun:
        """Benchmarks 5 and 6 (and 4 where ``Size.scaling_reuses_suite_run``): one run at ``-n suite_workers``,
        counted by the sandbox and timed by the probe plugin."""
        probe = self.workspace.probe_dir()
        contender = self.framework(self.size.suite_cases, "-n", str(self.size.suite_workers), probe=probe)
        before = self.sandbox.calls()
        wall, cpu = timed(contender)
        after = self.sandbox.calls()
        (window,) = execution_windows(probe_records(probe))
        calls = {key: after.get(key, 0) - before.get(key, 0) for key in after}
        return SuiteRun(Timing(wall, cpu, runs=1), probe, calls.get(GETTOKEN, 0), sum(calls.values()), window)


def per_case_overhead(bench: Bench) -> Figure:
    what = (
        f"per-case overhead: {bench.size.overhead_cases} single-request cases, framework vs hand-written "
        "(requests + jsonschema), Allure on, serial"
    )
    return _time_ratio(1, what, bench.overhead, "hand-written", 1.05)  # issue 12: at most 1.05×


def versus_tavern(bench: Bench) -> Figure:
    what = f"the same {bench.size.overhead_cases} cases in Tavern (own virtualenv), Allure on, serial"
    if bench.tavern_python is None:
        reason = f"not run: no Tavern virtualenv at bench/{tavern_env.VENV_DIR.name} (python -m bench --setup-tavern)"
        return Figure(2, what, "≤ 0.3× Tavern's time", reason, None)
    return _time_ratio(2, f"{what}: {tavern_env.version(bench.tavern_python)}", bench.overhead, "Tavern", 0.3)


def _time_ratio(number: int, what: str, times: dict[str, Timing], other: str, limit: float) -> Figure:
    """The framework's time over ``other``'s, which must be at most ``limit``."""
    ours, theirs = times["framework"], times[other]
    ratio = ours.wall / theirs.wall
    return Figure(
        number,
        what,
        f"≤ {limit:g}× {other}'s time",
        f"{ratio:.2f}× ({ours.wall:.2f} s vs {theirs.wall:.2f} s; "
        f"CPU {ours.cpu / theirs.cpu:.2f}×: {ours.cpu:.2f} s vs {theirs.cpu:.2f} s)",
        ratio <= limit,
        {"ratio": ratio, "framework_s": ours.wall, f"{other.lower()}_s": theirs.wall},
    )


def collection(bench: Bench) -> Figure:
    count = bench.size.collection_cases
    trivial = bench.workspace.trivial(count)
    times = best_of(
        [
            bench.framework(count, "--collect-only"),
            Contender("trivial", pytest_command("--collect-only"), trivial, bench.baseline_env()),
        ],
        bench.size.repeat,
        warm_up=bench.size.warm_up,
    )
    framework, plain = times["framework"], times["trivial"]
    beyond = framework.wall - plain.wall
    return Figure(
        3,
        f"collection of {count} generated YAML cases vs {count} trivial pytest tests (`--collect-only`)",
        "≤ 2 s beyond",
        f"{beyond:+.2f} s ({framework.wall:.2f} s vs {plain.wall:.2f} s; CPU {framework.cpu - plain.cpu:+.2f} s)",
        beyond <= 2.0,
        {"beyond_s": beyond, "framework_s": framework.wall, "trivial_s": plain.wall},
    )


def scaling(bench: Bench) -> Figure:
    """Benchmark 4; where ``Size.scaling_reuses_suite_run`` (the small size), its run at ``-n suite_workers`` is the
    suite run of benchmarks 5 and 6, made once."""
    size = bench.size
    workers = size.scaling_workers
    if size.warm_up:
        bench.framework(size.scaling_cases, "--collect-only").run()  # compiles the copy's bytecode
    from_suite_run = {size.suite_workers: bench.suite_run} if size.scaling_reuses_suite_run else {}
    probes = {n: bench.workspace.probe_dir() for n in workers if n not in from_suite_run}
    bench.sandbox.set_faults(latency_ms=size.latency_ms)
    try:
        runs = [bench.framework(size.scaling_cases, "-n", str(n), name=str(n), probe=probes[n]) for n in probes]
        times = best_of(runs, size.repeat, warm_up=size.warm_up)
    finally:
        bench.sandbox.set_faults(latency_ms=0)
    for n, run in from_suite_run.items():
        times[str(n)], probes[n] = run.timing, run.probe
    bench.probed.update({(size.scaling_cases, str(n)): probes[n] for n in workers})
    whole = {n: times[str(n)].wall for n in workers}
    tests_only = {n: min(execution_windows(probe_records(probes[n]))) for n in workers}
    efficiency = _efficiency(whole)
    worst = min(efficiency.values())
    shown = ", ".join(f"-n {n}: {whole[n]:.1f} s → {efficiency[n]:.2f}" for n in workers)
    without_startup = ", ".join(f"{value:.2f}" for value in _efficiency(tests_only).values())
    return Figure(
        4,
        f"scaling: {size.scaling_cases} cases, {size.latency_ms} ms sandbox latency, speed-up ÷ workers "
        "(whole runs, worker start-up included)",
        "≥ 0.9 × linear",
        f"worst {worst:.2f} ({shown}; from first to last test only: {without_startup})",
        worst >= 0.9,
        {"worst_efficiency": worst, **{f"efficiency_n{n}": value for n, value in efficiency.items()}},
    )


def _efficiency(seconds: dict[int, float]) -> dict[int, float]:
    """Speed-up over the first worker count, divided by the ratio of worker counts (1.0: linear)."""
    reference, reference_time = next(iter(seconds.items()))
    return {n: reference_time * reference / (n * value) for n, value in seconds.items()}


def token_calls(bench: Bench) -> Figure:
    run = bench.suite_run
    return Figure(
        5,
        f"gettoken calls in one run of {bench.size.suite_cases} cases at -n {bench.size.suite_workers}",
        "exactly 1",
        f"{run.gettoken_calls}",
        run.gettoken_calls == 1,
        {"gettoken_calls": run.gettoken_calls},
    )


def sandbox_throughput(bench: Bench) -> Figure:
    suite = bench.suite_run
    cases = bench_cases(4)
    requests = loadgen.encoded_requests(bench.sandbox.url, bench.sandbox.token(), cases, bench.workspace.profile)
    load = loadgen.measure(bench.sandbox.url, requests, LOAD_CONNECTIONS, bench.size.load_seconds)
    ratio = load.per_second / suite.per_second
    return Figure(
        6,
        f"sandbox throughput, {LOAD_CONNECTIONS} keep-alive connections, vs the suite's own rate at "
        f"-n {bench.size.suite_workers}",
        "≥ 5× the suite's rate",
        f"{ratio:.1f}× ({load.per_second:.0f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms; "
        f"suite {suite.per_second:.0f} req/s; {load.failures} non-200)",
        ratio >= 5 and load.failures == 0,
        {"ratio": ratio, "sandbox_rps": load.per_second, "suite_rps": suite.per_second, "p50_ms": load.p50_ms},
    )


def memory(bench: Bench) -> Figure:
    count, workers = bench.size.memory_cases, bench.size.memory_workers
    probe = bench.probed.get((count, workers))  # a run of benchmark 4 with these cases and workers serves (small)
    if probe is None:
        probe = bench.workspace.probe_dir()
        bench.framework(count, "-n", workers, probe=probe).run()
    records = [record for record in probe_records(probe) if record["role"].startswith("gw")]
    peak_mb = max(record["peak_rss_kib"] for record in records) * 1024 / 1e6
    return Figure(
        7,
        f"peak RSS per worker, {count} cases at -n {workers} ({len(records)} workers)",
        "≤ 150 MB",
        f"{peak_mb:.0f} MB (the largest worker's VmHWM)",
        peak_mb <= 150,
        {"peak_rss_mb": peak_mb},
    )


BENCHMARKS: dict[int, Callable[[Bench], Figure]] = {
    1: per_case_overhead,
    2: versus_tavern,
    3: collection,
    4: scaling,
    5: token_calls,
    6: sandbox_throughput,
    7: memory,
}
