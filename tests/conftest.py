"""Every test of the framework has a time limit, so that a hang fails in minutes instead of stalling CI: a unit
test gets a minute, a test that runs the whole API suite or builds the report more."""

from __future__ import annotations

import pytest

from common import require_python

require_python()

LIMITS = {"e2e": 900, "ci": 900, "report": 600, "bench": 600}
"""Seconds per test by the folder under tests/; any other folder: DEFAULT."""
DEFAULT = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            folder = item.path.parent.name
            item.add_marker(pytest.mark.timeout(LIMITS.get(folder, DEFAULT)))
