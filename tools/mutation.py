"""Mutation testing of the core: ``python -m tools.mutation`` (docs/mutation-testing.md).

mutmut, configured under ``[tool.mutmut]`` in pyproject.toml, changes the comparators, paths, templates, checks,
masking, retry and the rate limiter one small change at a time (a mutant) and runs their unit tests against each,
in a copy of the project under mutants/ (git-ignored). A mutant is caught when a test fails: killed, or stopped by
the time limit when it makes a test hang. This prints the score, the caught mutants out of all but the equivalent
ones in ``EQUIVALENT`` (changes no input can tell apart), and every other mutant with its diff. It exits 1 when
the score is below ``TARGET`` or when an equivalent no longer matches its mutant.

    python -m tools.mutation            # a fresh run on 2 workers, then the report
    python -m tools.mutation --report   # the last run's report again
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "mutants"
WORKERS = 2
TARGET = 98.0
"""The lowest score, in percent, that passes."""
CAUGHT = frozenset({"killed", "timeout"})
"""mutmut's statuses of a mutant some test failed on; any other (survived, no tests, suspicious…) is not caught."""


@dataclass(frozen=True)
class Equivalent:
    """A mutant that behaves as the code does for every input, with the line it changes to and why."""

    mutant: str
    line: str
    why: str


_STRICT = "zip's two lists are always as long (one is built from the other), so strict= never decides anything"
_UNREAD = "a compiled call's function name, and its definition's parse and usage, are never read again"
EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(
        "common.cases.templating.x_compile_template__mutmut_14",
        "return Template(value, compiled, frozenset(references) if (references) or True else _NO_REFERENCES)",
        "an empty set of the template's own instead of the shared empty one: the same value, only more memory",
    ),
    Equivalent(
        "common.http.masking.x__names_a_secret__mutmut_1",
        "if not text.isascii() or any(char in text for char in FOLDING_TO_ASCII):",
        "every text beyond ASCII then takes the expressions' own search, which is exact; only slower",
    ),
    Equivalent(
        "common.cases.templating.x__chars__mutmut_6",
        'return ("0123456789" * (size // 10 + 2))[:size]',
        "a longer run of digits cut to the same size is the same text",
    ),
    Equivalent(
        "common.cases.templating.x__compile__mutmut_27",
        "changed = any(new is not old for new, old in zip(items_list, value, strict=None))",
        _STRICT,
    ),
    Equivalent(
        "common.cases.templating.x__compile__mutmut_30",
        "changed = any(new is not old for new, old in zip(items_list, value, ))",
        _STRICT,
    ),
    Equivalent(
        "common.cases.templating.x__compile__mutmut_31",
        "changed = any(new is not old for new, old in zip(items_list, value, strict=False))",
        _STRICT,
    ),
    Equivalent(
        "common.cases.templating.x__compile_expression__mutmut_16",
        "return _Call(None, FUNCTIONS[function].parse(argument.strip()), FUNCTIONS[function])",
        _UNREAD,
    ),
    Equivalent(
        "common.cases.templating.x__user_call__mutmut_35",
        "return _Call(None, arguments, _Function(lambda _: arguments, call, function.usage))",
        _UNREAD,
    ),
    Equivalent(
        "common.cases.templating.x__user_call__mutmut_41",
        "return _Call(function.name, arguments, _Function(None, call, function.usage))",
        _UNREAD,
    ),
    Equivalent(
        "common.cases.templating.x__user_call__mutmut_43",
        "return _Call(function.name, arguments, _Function(lambda _: arguments, call, None))",
        _UNREAD,
    ),
    Equivalent(
        "common.cases.templating.x__user_call__mutmut_47",
        "return _Call(function.name, arguments, _Function(lambda _: None, call, function.usage))",
        _UNREAD,
    ),
    Equivalent(
        "common.http.rate_limit.xǁSharedRateLimiterǁacquire__mutmut_4",
        'path = self._directory / f"rate-{hashlib.sha256(api.encode()).hexdigest()[:17]}.json"',
        "every process names an API's file the same way, one digest prefix as well as another; the name is private",
    ),
    Equivalent(
        "common.run.checks.x_check_status__mutmut_4",
        "return problems(status_outcomes(response, step, None))",
        "status_outcomes takes the context only to share the checks' signature: it never reads it",
    ),
)
"""The surviving mutants no test can kill, each with why; docs/mutation-testing.md groups them."""


@dataclass(frozen=True)
class Score:
    """Caught mutants out of the counted ones (all but the equivalent)."""

    caught: int
    counted: int

    @property
    def percent(self) -> float:
        return 100.0 * self.caught / self.counted if self.counted else 100.0


def added_lines(diff: str) -> str:
    """What a mutant's diff puts in, its ``+`` lines stripped and joined by a space."""
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " ".join(added)


def score(statuses: Mapping[str, str], equivalent: Iterable[str]) -> Score:
    counted = {name: status for name, status in statuses.items() if name not in set(equivalent)}
    return Score(sum(status in CAUGHT for status in counted.values()), len(counted))


def stale_equivalents(
    equivalents: Iterable[Equivalent], statuses: Mapping[str, str], diffs: Mapping[str, str]
) -> list[str]:
    """What no longer holds of the listed equivalents: a mutant gone, caught, or now changing another line."""
    stale = []
    for equivalent in equivalents:
        status = statuses.get(equivalent.mutant)
        if status is None:
            stale.append(f"{equivalent.mutant}: no such mutant any more; remove it from EQUIVALENT")
        elif status in CAUGHT:
            stale.append(f"{equivalent.mutant}: {status}, so not equivalent; remove it from EQUIVALENT")
        elif (line := added_lines(diffs.get(equivalent.mutant, ""))) != equivalent.line:
            stale.append(
                f"{equivalent.mutant}: now changes the code to {line!r}, not {equivalent.line!r}; "
                "check it again and update EQUIVALENT"
            )
    return stale


def _mutmut() -> str:
    executable = shutil.which("mutmut")
    if executable is None:
        sys.exit("mutmut is not installed: pip install -r requirements-dev.txt")
    return executable


def run() -> None:
    """A fresh mutmut run: the copy under mutants/ is made again, so no result of an older tree stays."""
    shutil.rmtree(WORKDIR, ignore_errors=True)
    finished = subprocess.run([_mutmut(), "run", "--max-children", str(WORKERS)], cwd=ROOT, check=False)
    if finished.returncode != 0:
        sys.exit(f"mutmut run failed (exit {finished.returncode}): the unit tests must pass on the code first")


def read_results() -> tuple[dict[str, str], dict[str, str]]:
    """Each mutant's status, and the diff of each one not caught, read from mutants/ as ``mutmut show`` reads them."""
    if not WORKDIR.is_dir():
        sys.exit(f"no results in {WORKDIR.relative_to(ROOT)}/: run python -m tools.mutation first")
    _mutmut()
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    os.chdir(ROOT)  # mutmut reads its configuration and mutants/ from the working directory
    statuses, diffs = {}, {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in data.exit_code_by_key.items():
            statuses[name] = status_by_exit_code[exit_code]
            if statuses[name] not in CAUGHT:
                diffs[name] = get_diff_for_mutant(name, path=path)
    return statuses, diffs


def report() -> int:
    """Print every uncaught mutant that is not equivalent, then the score; 1 when the score or the list fails."""
    statuses, diffs = read_results()
    listed = {equivalent.mutant for equivalent in EQUIVALENT} & statuses.keys()
    for name, diff in sorted(diffs.items()):
        if name not in listed:
            print(f"── {name}: {statuses[name]}\n{diff}")
    for equivalent in EQUIVALENT:
        print(f"equivalent, not counted: {equivalent.mutant}: {equivalent.why}")
    stale = stale_equivalents(EQUIVALENT, statuses, diffs)
    for line in stale:
        print(f"stale equivalent: {line}")
    result = score(statuses, listed)
    counts = ", ".join(f"{count} {status}" for status, count in sorted(Counter(statuses.values()).items()))
    print(
        f"mutation score {result.percent:.1f}%: {result.caught} of {result.counted} mutants caught "
        f"({len(statuses)} in all: {counts}; {len(listed)} equivalent); target {TARGET:.0f}%"
    )
    return 0 if result.percent >= TARGET and not stale else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="report the last run's results without running")
    arguments = parser.parse_args(argv)
    if not arguments.report:
        run()
    return report()


if __name__ == "__main__":
    sys.exit(main())
