"""Suite strength: the API suite against the faithful sandbox and against each contract mutant of it.

    python -m common.run.strength                        # every mutant, as many at once as there are cores
    python -m common.run.strength --mutants a,b --jobs 2 # some of them
    python -m common.run.strength --write                # and regenerate docs/suite-strength.md

Each run starts a sandbox of its own (``python -m sandbox --mutant NAME``) and runs this project's cases (its own
``data/``) in live mode against it, with writes allowed and the sandbox's profile, so that cases marked
``sandbox_only`` do not count: a mutant is killed only by an assertion the docs support. The faithful run must
pass; a case failing there is a false alarm, reported as one and never counted as a kill.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from common.core.paths import DOCS_DIR, PROJECT_ROOT
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.mutants import MUTANTS, Mutant
from sandbox.process import SandboxProcess, SandboxStartError

REPORT_FILE = DOCS_DIR / "suite-strength.md"
PROFILE = "data/profiles/sandbox.yaml"
FAITHFUL = "(faithful)"


@dataclass(frozen=True)
class SuiteVerdict:
    """One run of the suite against one sandbox: the cases that failed, or why the run could not be judged."""

    mutant: str
    failed: tuple[str, ...]
    passed: int
    problem: str | None = None

    @property
    def killed(self) -> bool:
        return bool(self.failed)

    def without(self, false_alarms: frozenset[str]) -> SuiteVerdict:
        """This verdict with the cases that fail against the faithful sandbox too left out: they kill nothing."""
        return replace(self, failed=tuple(case for case in self.failed if case not in false_alarms))


@dataclass(frozen=True)
class StrengthReport:
    """The faithful run and every mutant's, with the table and the lists built from them."""

    faithful: SuiteVerdict
    verdicts: tuple[tuple[Mutant, SuiteVerdict], ...]

    @property
    def survivors(self) -> list[Mutant]:
        return [mutant for mutant, verdict in self.verdicts if not verdict.killed]

    @property
    def ok(self) -> bool:
        """The faithful run passed and every mutant was killed."""
        return not self.faithful.failed and self.faithful.problem is None and not self.survivors


def judge(root: Path, mutant: Mutant | None, false_alarms: frozenset[str] = frozenset()) -> SuiteVerdict:
    """The faithful run is the whole suite. A mutant is first run against the case files that call its endpoint,
    which catch most mutants in a fraction of the time; the whole suite only when none of them fails. A case in
    ``false_alarms`` (failing against the faithful sandbox) never counts as a kill."""
    if mutant is None:
        return run_suite(root, None)
    files = _files_calling(root, mutant.path)
    if files:
        first = run_suite(root, mutant.name, [f"--case-file={name}" for name in files]).without(false_alarms)
        if first.killed or first.problem:
            return first
    return run_suite(root, mutant.name).without(false_alarms)


def _files_calling(root: Path, path: str) -> list[str]:
    """The case files of ``data/`` that send a request to ``path``."""
    pattern = re.compile(rf"path:\s*{re.escape(path)}\s*[,}}\n]")
    return [data.name for data in sorted((root / "data").glob("*.yaml")) if pattern.search(data.read_text("utf-8"))]


def run_suite(root: Path, mutant: str | None, extra_args: Sequence[str] = ()) -> SuiteVerdict:
    """Run the API suite of ``root`` (or the modules in ``extra_args``) in live mode against a sandbox of its own,
    broken by ``mutant`` (None: the faithful sandbox)."""
    name = mutant or FAITHFUL
    sandbox = SandboxProcess(["--mutant", mutant] if mutant else [])
    try:
        sandbox.start()
    except SandboxStartError as exc:
        return SuiteVerdict(name, (), 0, f"the sandbox did not start: {exc}")
    try:
        with tempfile.TemporaryDirectory(prefix="dingtalk-strength-") as folder:
            junit = Path(folder) / "junit.xml"
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-n",
                "0",
                f"--junitxml={junit}",
                f"--alluredir={Path(folder) / 'allure'}",
                "--contract-drift=off",  # a changed type or enum value fails, as the documented contract says
                *extra_args,
            ]
            done = subprocess.run(command, cwd=root, env=_live_environ(sandbox.url), capture_output=True, text=True)
            if not junit.is_file():
                tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no output"]
                return SuiteVerdict(name, (), 0, f"pytest wrote no results (exit {done.returncode}): {tail[0]}")
            failed, passed = _read_junit(junit)
    finally:
        sandbox.stop()
    return SuiteVerdict(name, failed, passed)


def _live_environ(url: str) -> dict[str, str]:
    """The machine's environment without any DINGTALK_* setting (no robot notification, no other tenant), pointed
    at the sandbox through the live target's settings."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("DINGTALK_", "PYTEST_"))}
    environ.update(
        {
            "DINGTALK_TARGET": "live",
            "DINGTALK_OAPI_URL": url,
            "DINGTALK_API_URL": url,
            "DINGTALK_APPKEY": DEFAULT_APPKEY,
            "DINGTALK_APPSECRET": DEFAULT_APPSECRET,
            "DINGTALK_PROFILE": PROFILE,
            "DINGTALK_ALLOW_WRITES": "1",
        }
    )
    return environ


def _read_junit(path: Path) -> tuple[tuple[str, ...], int]:
    """The ids (``file:case``) of the cases that failed or broke, and how many passed."""
    failed: list[str] = []
    passed = 0
    for case in ElementTree.parse(path).iter("testcase"):
        outcome = {child.tag for child in case}
        if outcome & {"failure", "error"}:
            failed.append(_case_id(case.get("name", "")))
        elif "skipped" not in outcome:
            passed += 1
    return tuple(sorted(set(failed))), passed


def _case_id(test_name: str) -> str:
    """``test_blackboard[blackboard:crud-flow]`` → ``blackboard:crud-flow``."""
    return test_name[test_name.find("[") + 1 : -1] if test_name.endswith("]") else test_name


def measure(
    root: Path,
    mutants: Sequence[Mutant],
    jobs: int,
    run: Callable[[Path, Mutant | None, frozenset[str]], SuiteVerdict] = judge,
    on_done: Callable[[SuiteVerdict], None] = lambda verdict: None,
) -> StrengthReport:
    """The faithful run first, then one run per mutant, ``jobs`` at a time, judged without the faithful run's
    failures."""
    faithful = run(root, None, frozenset())
    on_done(faithful)
    false_alarms = frozenset(faithful.failed)

    def one(mutant: Mutant) -> SuiteVerdict:
        verdict = run(root, mutant, false_alarms)
        on_done(verdict)
        return verdict

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, mutants))
    return StrengthReport(faithful, tuple(zip(mutants, results, strict=True)))


# ── the table ────────────────────────────────────────────────────────────────────────────────────────


def render(report: StrengthReport) -> str:
    """The Markdown report: the verdict, the kill tables per endpoint and per kind, and every mutant's catchers."""
    total, survivors = len(report.verdicts), report.survivors
    faithful = report.faithful
    lines = ["# Suite strength", "", _GENERATED, ""]
    if faithful.problem or faithful.failed:
        lines.append(
            f"**False alarm: the faithful sandbox failed {len(faithful.failed)} case(s).** These are not kills:"
        )
        lines += [f"- `{case}`" for case in faithful.failed] + ([f"- {faithful.problem}"] if faithful.problem else [])
        lines.append("")
    else:
        lines.append(f"The faithful sandbox passes ({faithful.passed} cases): no false alarm.")
    lines += [f"**{total - len(survivors)} of {total} mutants killed.**", ""]
    lines += _table("endpoint", report, lambda mutant: f"`{mutant.endpoint}`")
    lines += _table("kind", report, lambda mutant: mutant.kind)
    if survivors:
        lines += ["## Survivors: contract points no case checks", ""]
        lines += [f"- `{mutant.name}` ({mutant.endpoint}): {mutant.statement}" for mutant in survivors]
        lines.append("")
    lines += ["## Every mutant", "", "| mutant | kind | endpoint | breaks | caught by |", "|---|---|---|---|---|"]
    for mutant, verdict in report.verdicts:
        caught = _caught_by(verdict)
        lines.append(f"| `{mutant.name}` | {mutant.kind} | `{mutant.endpoint}` | {mutant.statement} | {caught} |")
    return "\n".join(lines) + "\n"


_GENERATED = (
    "Generated by `python -m common.run.strength --write`: the API suite run in live mode against the faithful "
    "sandbox and against each contract mutant (`python -m sandbox --list-mutants`), each breaking one documented "
    "contract point. A mutant is killed when a case that passes on the faithful sandbox fails against it; it is "
    "first run against the case files that call its endpoint, and against the whole suite only when none of them "
    "fails, so the catchers listed are those of the first run that failed."
)


def _table(title: str, report: StrengthReport, key: Callable[[Mutant], str]) -> list[str]:
    rows: dict[str, list[bool]] = {}
    for mutant, verdict in report.verdicts:
        rows.setdefault(key(mutant), []).append(verdict.killed)
    lines = [f"## Per {title}", "", f"| {title} | mutants | killed | survived |", "|---|---:|---:|---:|"]
    for name, kills in sorted(rows.items()):
        lines.append(f"| {name} | {len(kills)} | {sum(kills)} | {len(kills) - sum(kills)} |")
    return [*lines, ""]


def _caught_by(verdict: SuiteVerdict) -> str:
    if verdict.problem:
        return f"not judged: {verdict.problem}"
    if not verdict.failed:
        return "**survived**"
    shown = ", ".join(f"`{case}`" for case in verdict.failed[:3])
    more = len(verdict.failed) - 3
    return shown + (f" and {more} more" if more > 0 else "")


# ── the command ──────────────────────────────────────────────────────────────────────────────────────


def select(names: str | None, registry: Iterable[Mutant] = MUTANTS.values()) -> list[Mutant]:
    """The mutants named in a comma list (all of them without one); ValueError naming an unknown one."""
    mutants = list(registry)
    if not names:
        return mutants
    by_name = {mutant.name: mutant for mutant in mutants}
    chosen = []
    for name in (part.strip() for part in names.split(",") if part.strip()):
        if name not in by_name:
            raise ValueError(f"no mutant named {name!r}: `python -m sandbox --list-mutants` lists them")
        chosen.append(by_name[name])
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.run.strength", description=__doc__.split("\n")[0])
    parser.add_argument("--mutants", help="a comma list of mutant names (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once (default: the cores)")
    parser.add_argument("--write", action="store_true", help=f"write the report to {REPORT_FILE.name} in docs/")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project to measure (default: here)")
    args = parser.parse_args(argv)
    try:
        mutants = select(args.mutants)
    except ValueError as exc:
        print(f"suite_strength: {exc}", file=sys.stderr)
        return 2
    print(f"running the suite against the faithful sandbox and {len(mutants)} mutants, {args.jobs} at a time")
    report = measure(args.root, mutants, args.jobs, on_done=_print_progress)
    text = render(report)
    print(text)
    if args.write:
        REPORT_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {REPORT_FILE.relative_to(PROJECT_ROOT)}")
    return 0 if report.ok else 1


def _print_progress(verdict: SuiteVerdict) -> None:
    if verdict.mutant == FAITHFUL:
        state = "false alarm" if verdict.failed or verdict.problem else "passes"
    else:
        state = "killed" if verdict.killed else ("not judged" if verdict.problem else "SURVIVED")
    print(f"  {verdict.mutant}: {state}" + (f" ({verdict.problem})" if verdict.problem else ""), flush=True)


if __name__ == "__main__":
    sys.exit(main())
