"""Tavern's virtualenv for benchmark 2: ``bench/.venv-tavern``, git-ignored, pinned by bench/tavern-requirements.txt.

Tavern lives apart from the framework's environment so that neither's pytest and plugins affect the other.
Creating it needs PyPI; the benchmarks only use it when it is there.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

from bench.workspace import BENCH_DIR, BenchError

VENV_DIR = BENCH_DIR / ".venv-tavern"
REQUIREMENTS = BENCH_DIR / "tavern-requirements.txt"


def tavern_python() -> Path | None:
    """The virtualenv's interpreter, or None when it has not been set up with the current pins."""
    python = VENV_DIR / "bin" / "python"
    marker = VENV_DIR / "installed.txt"
    current = marker.is_file() and marker.read_text(encoding="utf-8") == REQUIREMENTS.read_text(encoding="utf-8")
    return python if python.is_file() and current else None


def setup() -> Path:
    """Create the virtualenv and install the pinned Tavern into it; its interpreter."""
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    python = VENV_DIR / "bin" / "python"
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"installing Tavern into {VENV_DIR} failed:\n{done.stderr[-2000:]}")
    (VENV_DIR / "installed.txt").write_text(REQUIREMENTS.read_text(encoding="utf-8"), encoding="utf-8")
    return python


def version(python: Path) -> str:
    """The Tavern version installed in the virtualenv."""
    code = "import importlib.metadata as m; print(m.version('tavern'), m.version('pytest'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    tavern, pytest = done.stdout.split()
    return f"Tavern {tavern} (pytest {pytest})"
