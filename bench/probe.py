"""A pytest plugin for benchmark runs (copied into the workspace as ``bench_probe.py``, loaded with
``-p bench_probe``): at the end of the session each process writes its role, the run it belongs to, its
peak RSS and the monotonic times of its first and last test to ``$BENCH_PROBE_DIR/<pid>.json``."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest

_window: list[float] = []


def peak_rss_kib() -> int:
    """This process's peak resident set size (VmHWM) in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    started = time.monotonic()
    try:
        return (yield)
    finally:
        if not _window:
            _window.append(started)
        _window[1:] = [time.monotonic()]


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = os.environ.get("BENCH_PROBE_DIR")
    if not directory:
        return
    worker_input = getattr(session.config, "workerinput", {})
    record = {
        "role": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "run": worker_input.get("testrunuid", str(os.getpid())),
        "peak_rss_kib": peak_rss_kib(),
        "first_test": _window[0] if _window else None,
        "last_test": _window[-1] if _window else None,
        "tests": session.testscollected,
    }
    Path(directory, f"{os.getpid()}.json").write_text(json.dumps(record), encoding="utf-8")
