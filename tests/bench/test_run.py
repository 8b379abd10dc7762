"""`python -m bench --size small` works: every benchmark produces its figure. Times are never asserted here;
that one run on several workers (`-n 2` at this size, `-n 8` at full) makes exactly one gettoken call is a fact
of correctness, and is."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import tavern_env
from tests.tooling import require

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.xdist_group("bench-small")  # both tests read the one run of the benchmarks


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    """Every benchmark's figure from one `python -m bench --size small` (benchmarks 1 and 2 share their runs)."""
    figures_file = tmp_path_factory.mktemp("bench") / "figures.json"
    command = [sys.executable, "-m", "bench", "--size", "small", "--json", str(figures_file)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "| # | what | target | result |" in done.stdout
    return {figure["number"]: figure for figure in json.loads(figures_file.read_text(encoding="utf-8"))}


def test_every_benchmark_but_tavern_produces_its_figure(figures: dict[int, dict[str, Any]]) -> None:
    assert sorted(figures) == [1, 2, 3, 4, 5, 6, 7]
    for figure in (figure for number, figure in figures.items() if number != 2):  # 2 needs Tavern: the test below
        assert figure["result"] and figure["met"] in (True, False), figure
        assert figure["values"] and all(math.isfinite(value) for value in figure["values"].values()), figure
    assert figures[1]["values"]["ratio"] > 0
    assert figures[3]["values"]["framework_s"] > 0
    assert set(figures[4]["values"]) == {"worst_efficiency", "efficiency_n1", "efficiency_n2"}
    assert figures[5]["values"] == {"gettoken_calls": 1}
    assert figures[5]["met"] is True
    assert figures[6]["values"]["sandbox_rps"] > 0
    assert figures[7]["values"]["peak_rss_mb"] > 0


def test_the_tavern_benchmark_produces_its_figure(figures: dict[int, dict[str, Any]]) -> None:
    require(tavern_env.tavern_python() is not None, "Tavern's virtualenv", "python -m bench --setup-tavern")
    figure = figures[2]
    assert figure["values"]["ratio"] > 0
    assert figure["met"] in (True, False)
