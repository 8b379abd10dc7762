"""The throwaway projects a benchmark runs: the framework with generated cases, the hand-written module,
Tavern's file and pytest's trivial tests, each in its own folder of one temporary directory.

Nothing generated here is ever written into the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cases import bench_cases, framework_yaml, handwritten_table, tavern_yaml
from common.cases.profile import load_profile

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
CONTENDERS = BENCH_DIR / "contenders"
FRAMEWORK_PARTS = ("common", "sandbox", "schemas", "data", "conftest.py", "pytest.ini")
PROFILE = "data/profiles/sandbox.yaml"
CASE_FILE = "bench.yaml"
TEST_MODULE = '''"""The benchmark's generated cases."""

import pytest

pytestmark = pytest.mark.yaml_cases("bench.yaml")


def test_bench(case, run_case):
    run_case(case)
'''
TRIVIAL_MODULE = """import pytest


@pytest.mark.parametrize("number", range({count}))
def test_trivial(number):
    pass
"""
COMMON_ARGS = ("-q", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:hypothesispytest")
"""pytest-benchmark's and hypothesis' plugins, when installed, cost every pytest process about two seconds at
start-up: off in every contender alike, as the API suite's pytest.ini has them."""
JUNIT_XML = "--junitxml=reports/junit.xml"
"""What the framework's pytest.ini writes on every run, as a CI job reads it: the suites it is compared with write
it too, so that every contender produces the same outputs (Allure results and JUnit XML)."""


class BenchError(RuntimeError):
    """A benchmark could not be carried out (a run failed, a tool is missing): one line and the output's end."""


@dataclass(frozen=True)
class Run:
    """One finished subprocess: its wall-clock time and its output."""

    seconds: float
    output: str


def run_command(command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 900) -> Run:
    """Run ``command`` to its end and time it by the wall clock; BenchError unless it exits 0."""
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        tail = "\n".join(output.splitlines()[-25:])
        raise BenchError(f"`{' '.join(command)}` in {cwd} exited {done.returncode}:\n{tail}")
    return Run(seconds, output)


def clean_environ(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without DINGTALK_*, PYTEST_* and BENCH_* settings and without
    PYTHONDONTWRITEBYTECODE, plus ``extra``.

    Every contender runs in the throwaway workspace, so it may write bytecode there: the warm-up run compiles the
    workspace's copy of the framework once and the timed runs read it, as a checkout's runs do. With
    PYTHONDONTWRITEBYTECODE every timed run of the framework would compile ``common/`` again, while the
    hand-written side is one small module."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DINGTALK_", "PYTEST_", "BENCH_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    return {**environ, **extra}


class Workspace:
    """A temporary directory holding one folder per contender; ``close()`` removes it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dingtalk-bench-"))
        self.framework = self.root / "framework"
        self.profile = load_profile(REPO_ROOT / PROFILE, PROFILE)
        for part in FRAMEWORK_PARTS:
            source = REPO_ROOT / part
            if source.is_dir():
                shutil.copytree(source, self.framework / part, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, self.framework / part)
        (self.framework / "testcases").mkdir()
        (self.framework / "testcases" / "test_bench.py").write_text(TEST_MODULE, encoding="utf-8")
        shutil.copy2(BENCH_DIR / "probe.py", self.framework / "bench_probe.py")

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def schema_dir(self) -> Path:
        return self.framework / "schemas"

    def framework_cases(self, count: int) -> Path:
        """Write ``count`` generated cases as the framework's only data file; the project folder."""
        text = framework_yaml(bench_cases(count))
        (self.framework / "data" / CASE_FILE).write_text(text, encoding="utf-8")
        return self.framework

    def handwritten(self, count: int) -> Path:
        """A folder with the hand-written module and its table of ``count`` cases."""
        folder = self._contender("handwritten", {"test_handwritten.py": "handwritten_module.py"})
        table = handwritten_table(bench_cases(count), self.profile)
        (folder / "cases.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        return folder

    def tavern(self, count: int) -> Path:
        """A folder with the cases as one Tavern file and its fixtures."""
        folder = self._contender("tavern", {"conftest.py": "tavern_fixtures.py"})
        text = tavern_yaml(bench_cases(count), self.profile)
        (folder / "test_bench.tavern.yaml").write_text(text, encoding="utf-8")
        return folder

    def trivial(self, count: int) -> Path:
        """A folder with ``count`` trivial tests: one parametrized function that does nothing."""
        folder = self._folder("trivial")
        (folder / "test_trivial.py").write_text(TRIVIAL_MODULE.format(count=count), encoding="utf-8")
        return folder

    def probe_dir(self) -> Path:
        """An empty folder for the probe plugin's records of one run."""
        return Path(tempfile.mkdtemp(prefix="probe-", dir=self.root))

    def _contender(self, name: str, files: dict[str, str]) -> Path:
        """A folder for a suite compared with the framework's: it writes the JUnit XML the framework writes."""
        folder = self._folder(name, addopts=JUNIT_XML)
        shutil.copy2(CONTENDERS / "bench_checks.py", folder / "bench_checks.py")
        for target, source in files.items():
            shutil.copy2(CONTENDERS / source, folder / target)
        return folder

    def _folder(self, name: str, addopts: str = "") -> Path:
        folder = self.root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        (folder / "pytest.ini").write_text(f"[pytest]\naddopts = {addopts}\n", encoding="utf-8")
        return folder


def pytest_command(*args: str, python: str = sys.executable) -> list[str]:
    """``python -m pytest`` with the options every benchmark run shares."""
    return [python, "-m", "pytest", *COMMON_ARGS, *args]


def probe_records(directory: Path) -> list[dict[str, Any]]:
    """What the probe plugin wrote: a record per pytest process of every run that used ``directory``."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def execution_windows(records: list[dict[str, Any]]) -> list[float]:
    """Per run, the seconds from its first test's start to its last test's end, over all its workers."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record["first_test"] is not None:
            runs.setdefault(record["run"], []).append(record)
    return [max(r["last_test"] for r in run) - min(r["first_test"] for r in run) for run in runs.values()]
