"""The benchmark's output: the figures as a Markdown table, the machine they were measured on, and the
generated part of docs/benchmarks.md (between its two markers; the prose around it is written by hand)."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench.measures import Figure
from bench.workspace import REPO_ROOT

DOC = REPO_ROOT / "docs" / "benchmarks.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
PACKAGES = ("pytest", "pytest-xdist", "requests", "jsonschema", "allure-pytest", "PyYAML")
VERDICT = {True: "met", False: "**missed**", None: "—"}


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table, one row per benchmark."""
    rows = ["| # | what | target | result | |", "|---|---|---|---|---|"]
    rows += [
        f"| {figure.number} | {figure.what} | {figure.target} | {figure.result} | {VERDICT[figure.met]} |"
        for figure in figures
    ]
    return "\n".join(rows)


def machine(load_before: str, load_after: str) -> str:
    """What the figures were measured on, as Markdown bullet lines."""
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in PACKAGES)
    return "\n".join(
        [
            f"- machine: {_cpu_model()}, {os.cpu_count()} logical CPUs, {_memory_gib():.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; {versions}",
            f"- repository: {_commit()}",
            f"- load average (1, 5, 15 min) before: {load_before}; after: {load_after}",
        ]
    )


def load_average() -> str:
    """The machine's load averages, to judge how busy it was around the measurements."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "unknown"


def section(figures: Sequence[Figure], command: str, machine_lines: str) -> str:
    """The generated part of docs/benchmarks.md."""
    return "\n".join([START, "", table(figures), "", machine_lines, f"- command: `{command}`", "", END])


def write_doc(generated: str, doc: Path = DOC) -> None:
    """Replace the text between the markers of ``doc`` with ``generated`` (markers included)."""
    text = doc.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{doc}: the markers {START} and {END} are missing")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    doc.write_text(before + generated + after, encoding="utf-8")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
