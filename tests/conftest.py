"""Every test of the framework has a time limit, so that a hang fails in minutes instead of stalling CI: a unit
test gets a minute, a test that runs the whole API suite or builds the report more. ``-n auto`` starts two
workers per core: many tests wait for a run of the API suite in another process."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# The test processes keep their compiled Python where Python keeps it by default (``__pycache__``, git-ignored) even
# where the environment says to write none (PYTHONDONTWRITEBYTECODE): else each xdist worker compiles, and rewrites the
# asserts of, every test module and what it imports afresh at every start (about 5 CPU-seconds a worker). Beside the
# sources rather than under a prefix: a prefix would take in every installed module too, which each worker of a first
# run would then compile again instead of reading what pip compiled. Before the imports below, so that they are kept.
sys.dont_write_bytecode = False

import pytest  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from xdist.remote import Producer  # noqa: E402

from common import require_python  # noqa: E402
from common.plugin.suite import collect_garbage_once_at_exit  # noqa: E402
from tests.compile_once import compile_for_workers  # noqa: E402
from tests.scheduling import FinishedUnitsForgotten  # noqa: E402
from tests.tooling import require  # noqa: E402

require_python()

pytest_plugins = ["tests.shared_runs"]
"""Session-wide runs of the API suite that tests in several folders read."""

LIMITS = {"e2e": 900, "ci": 900, "report": 600, "bench": 600}
"""Seconds per test by the folder under tests/; any other folder: DEFAULT."""
DEFAULT = 60


WORKERS_PER_CORE = 2


def pytest_configure(config: pytest.Config) -> None:
    """pytest's last garbage collection once in each process, as in the API suite (about a second a worker)."""
    collect_garbage_once_at_exit(config)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> FinishedUnitsForgotten | None:
    """``--dist loadgroup`` (tests/pytest.ini) as xdist schedules it, without its costs that grow with the square of
    the test count: tests/scheduling.py."""
    return FinishedUnitsForgotten(config, log) if config.getvalue("dist") == "loadgroup" else None


def pytest_sessionstart(session: pytest.Session) -> None:
    """The xdist controller compiles the tests and what they import once, before it starts the workers (its own
    session start runs last): tests/compile_once.py."""
    if session.config.pluginmanager.has_plugin("dsession"):
        compile_for_workers(session.config, Path(__file__).resolve().parents[1], plugins=pytest_plugins)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core, so that a core is not idle while a test waits for a subprocess."""
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def _limit(item: pytest.Item) -> float:
    """The test's time limit: its own ``timeout`` mark's, else its folder's."""
    marker = item.get_closest_marker("timeout")
    return marker.args[0] if marker is not None else LIMITS.get(item.path.parent.name, DEFAULT)


def _shared_run(item: pytest.Item) -> str | None:
    """The xdist group of the shared run the test reads (tests/shared_runs.py, tests/e2e/conftest.py…), if any."""
    marker = item.get_closest_marker("xdist_group")
    return marker.args[0] if marker is not None else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test gets its time limit. Under xdist (``--dist loadgroup --no-loadscope-reorder``) the work goes out in
    this order: the shared runs, the one with most readers first, then the other tests by their limit, the longest
    first, so that no long test is handed out last to run on alone at the end while the many short ones fill the
    gaps wherever they come."""
    readers = Counter(group for item in items if (group := _shared_run(item)) is not None)
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(_limit(item)))

    def handed_out(item: pytest.Item) -> tuple[int, float]:
        group = _shared_run(item)
        return (0, -readers[group]) if group is not None else (1, -_limit(item))

    items.sort(key=handed_out)


@pytest.fixture(scope="session")
def bytecode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per test session, never in the checkout, for the compiled Python of the API-suite runs in project
    copies (``Project.bytecode``): under xdist it is beside the workers' own temporary folders, shared by them."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "bytecode"


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_WORKER = "browser"
"""The xdist group of every test that drives the browser: they go to one worker, which launches Chromium once."""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (no browser download), one per test process: Playwright's sync API allows one
    driver per thread, so the report and sandbox tests share it."""
    require(CHROMIUM.exists(), "Debian's chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"])
        yield chromium
        chromium.close()
