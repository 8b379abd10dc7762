"""The generated part of docs/benchmarks.md: only the text between the markers changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.measures import Figure
from bench.report import DOC, END, START, section, table, write_doc

FIGURES = [
    Figure(1, "per-case overhead", "≤ 1.2×", "1.10×", True),
    Figure(2, "Tavern", "≤ 0.3×", "not run", None),
    Figure(4, "scaling", "≥ 0.9", "0.61", False),
]


def test_the_table_has_a_row_per_figure_with_its_verdict() -> None:
    rows = table(FIGURES).splitlines()[2:]
    assert rows == [
        "| 1 | per-case overhead | ≤ 1.2× | 1.10× | met |",
        "| 2 | Tavern | ≤ 0.3× | not run | — |",
        "| 4 | scaling | ≥ 0.9 | 0.61 | **missed** |",
    ]


def test_writing_replaces_only_the_text_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\nprose before\n{START}\nold figures\n{END}\nprose after\n", encoding="utf-8")
    write_doc(section(FIGURES, "python -m bench --size full", "- machine: test"), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# Benchmarks\nprose before\n{START}\n")
    assert text.endswith(f"{END}\nprose after\n")
    assert "old figures" not in text
    assert "| 4 | scaling | ≥ 0.9 | 0.61 | **missed** |" in text
    assert "- command: `python -m bench --size full`" in text


def test_a_doc_without_markers_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        write_doc(section(FIGURES, "python -m bench", ""), doc)


def test_the_real_doc_has_its_markers() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.index(START) < text.index(END)
