"""`python -m bench`: run the benchmarks side by side against one sandbox and print their figures.

    python -m bench --size full --write     # the figures in docs/benchmarks.md
    python -m bench --only 1,3              # some of them, at the small size
    python -m bench --setup-tavern          # create bench/.venv-tavern for benchmark 2 (needs PyPI)

Missing a target is a finding, not a failure: the exit code is 0 when every selected benchmark produced
its figure, 1 when one could not be carried out.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import report, tavern_env
from bench.measures import BENCHMARKS, Bench, Figure
from bench.sandbox_control import BenchSandbox
from bench.sizes import SIZES
from bench.workspace import BenchError, Workspace


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small", help="case counts (default: small)")
    parser.add_argument("--only", type=_numbers, default=sorted(BENCHMARKS), help="e.g. 1,3 (default: all)")
    parser.add_argument("--write", action="store_true", help="update the figures in docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--setup-tavern", action="store_true", help="(re)create Tavern's virtualenv first")
    return parser.parse_args(argv)


def _numbers(text: str) -> list[int]:
    numbers = sorted({int(part) for part in text.split(",") if part.strip()})
    unknown = [number for number in numbers if number not in BENCHMARKS]
    if unknown or not numbers:
        raise argparse.ArgumentTypeError(f"benchmarks are numbered 1 to {len(BENCHMARKS)}, got {text!r}")
    return numbers


def run(size_name: str, selected: list[int]) -> list[Figure]:
    """Run the selected benchmarks in order; their figures."""
    size = SIZES[size_name]
    workspace = Workspace()
    try:
        with BenchSandbox() as sandbox:
            bench = Bench(size, workspace, sandbox, set(selected))
            figures = []
            for number in selected:
                print(f"benchmark {number} ...", file=sys.stderr, flush=True)
                figures.append(BENCHMARKS[number](bench))
            return figures
    finally:
        workspace.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m bench --size " + args.size
    if args.only != sorted(BENCHMARKS):
        command += " --only " + ",".join(map(str, args.only))
    try:
        if args.setup_tavern or (args.size == "full" and 2 in args.only and tavern_env.tavern_python() is None):
            print(f"creating {tavern_env.VENV_DIR} ...", file=sys.stderr, flush=True)
            tavern_env.setup()
        load_before = report.load_average()
        figures = run(args.size, args.only)
    except BenchError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 1
    machine = report.machine(load_before, report.load_average())
    print(report.table(figures))
    print()
    print(machine)
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(figure) for figure in figures], indent=2), "utf-8")
    if args.write:
        report.write_doc(report.section(figures, command, machine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
