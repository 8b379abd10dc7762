"""A test that hangs fails at its time limit instead of stalling the run (tests/conftest.py sets the limits)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HANGS = """
import threading


def test_hangs():
    threading.Event().wait()
"""


def test_a_hanging_test_fails_at_its_limit(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(HANGS, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "pytest_timeout", "--timeout=1"]
    # the time limits' plugin alone: the other installed plugins would cost the run a second and serve nothing here
    environ = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run([*command, str(tmp_path)], env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout
    assert "Timeout" in done.stdout and "1 failed" in done.stdout
