"""Collecting the cases imports nothing of a run: the HTTP stack, jsonschema and the sandbox's starter and emulator
load when a run first needs them (each API-suite process, every xdist worker too, pays for what it imports)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from common.core.paths import PROJECT_ROOT

_PLUGINS = """
import sys
import conftest
for name in conftest.pytest_plugins:
    __import__(name)
print(" ".join(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def imported() -> set[str]:
    """The modules loaded once conftest.py and the API suite's plugins are imported, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PLUGINS], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "module", ["requests", "urllib3", "jsonschema", "sandbox.process", "sandbox.server", "urllib.request"]
)
def test_the_plugins_do_not_import(imported: set[str], module: str) -> None:
    assert module not in imported


def test_the_plugins_are_imported(imported: set[str]) -> None:
    assert {"common.plugin.suite", "sandbox.pytest_plugin", "yaml"} <= imported
