"""A test that hangs fails at its time limit instead of stalling the run (tests/conftest.py sets the limits)."""

from __future__ import annotations

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
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout=1", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout
    assert "Timeout" in done.stdout and "1 failed" in done.stdout
