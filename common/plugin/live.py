"""Safe live runs (a pytest plugin): ``--allow-writes``, the check of every case against
``data/live/safety.yaml`` at collection on a live target, and at the end of a run that wrote and did not pass
cleanly (failed cases, a lost worker, an interruption), the sweep of everything carrying its run id."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from common.cases.model import Case
from common.core.errors import FrameworkError
from common.dingtalk.run_client import open_run_client
from common.live.rules import load_guard
from common.live.sweep import SPEC_FILE, Selection, Sweeper, SweepOutcome, SweepSpec, load_spec
from common.plugin.suite import PROJECT_ROOT, SUITE, Suite
from common.run.write_ledger import WriteLedger, WriteTally

RULES_FILE = "data/live/safety.yaml"
_UNSAFE = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dingtalk", "dingtalk-apitest").addoption(
        "--allow-writes",
        action="store_true",
        default=False,
        help="let cases marked writes: true run against a live tenant (same as DINGTALK_ALLOW_WRITES=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """The flag sets what the workers are handed, so only the controlling process applies it."""
    if config.getoption("allow_writes") and getattr(config, "workerinput", None) is None and SUITE in config.stash:
        suite = config.stash[SUITE]
        config.stash[SUITE] = replace(suite, settings=replace(suite.settings, allow_writes=True))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a live target, a case that breaks a rule of data/live/safety.yaml fails alone, with one line."""
    suite = config.stash.get(SUITE, None)
    if suite is None or suite.settings.target != "live":
        return
    try:
        guard = load_guard(PROJECT_ROOT / RULES_FILE, RULES_FILE, suite.profile, PROJECT_ROOT)
    except FrameworkError as exc:
        raise pytest.UsageError(str(exc)) from None
    for item in items:
        case = suite.case_of(item)
        judged = isinstance(case, Case) and case.sandbox_only is None  # a sandbox-only case never reaches the tenant
        problem = guard.problem(case) if judged else None
        if problem is not None:
            item.stash[_UNSAFE] = problem


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    problem = item.stash.get(_UNSAFE, None)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """At the end of every live run, one line says what the run created on the tenant and what it removed. When
    something may be left behind (a case failed, a worker died, the run was interrupted, or the server reported more
    created than deleted), the controlling process first sweeps what carries this run's id."""
    config = session.config
    suite = config.stash.get(SUITE, None)
    if getattr(config, "workerinput", None) is not None or suite is None or config.option.collectonly:
        return
    if suite.settings.target != "live":
        return
    tally = WriteLedger(suite.run_dir).tally()
    try:
        spec = load_spec(PROJECT_ROOT / SPEC_FILE)
    except FrameworkError as exc:
        _write_lines(config, [str(exc)])
        return
    removable = {kind.name for kind in spec.kinds}
    surplus = any(tally.created[kind] > tally.deleted[kind] for kind in removable)
    lines: list[str] = []
    swept: Counter[str] = Counter()
    if suite.settings.allow_writes and (exitstatus != pytest.ExitCode.OK or surplus):
        outcome = _sweep(suite, spec)
        swept.update(leftover.kind for leftover in outcome.removed)
        lines += [f"sweep of run {suite.run_id}: removed {leftover.describe()}" for leftover in outcome.removed]
        lines += [f"sweep of run {suite.run_id}: could not remove {failure}" for failure in outcome.failed]
    lines.append(closing_line(suite.run_id, tally, swept, removable, {name for name, _ in spec.not_removable}))
    _write_lines(config, lines)


def closing_line(
    run_id: str, tally: WriteTally, swept: Counter[str], removable: set[str], not_removable: set[str]
) -> str:
    """What the run created on the live tenant, what it deleted or swept, and what is left, per kind of object."""
    if not tally.created and not tally.deleted:
        return f"run {run_id} created nothing on the live tenant"
    said = [f"run {run_id} on the live tenant: created {_counted(tally.created)}"]
    if tally.deleted or swept:
        said.append(f"deleted {_counted(tally.deleted) or 'nothing'}" + (f", swept {_counted(swept)}" if swept else ""))
    left = Counter({kind: count - tally.deleted[kind] - swept[kind] for kind, count in tally.created.items()})
    left = +left  # only what is really left
    kept = Counter({kind: count for kind, count in left.items() if kind not in removable and kind in not_removable})
    lost = left - kept
    if lost:
        said.append(
            f"LEFT BEHIND: {_counted(lost)}: run `python -m common.live.sweep --run-id {run_id}` to remove what it can"
        )
    if kept:
        said.append(
            f"kept, as DingTalk cannot delete them ({SPEC_FILE}): {_counted(kept)} carrying 'apitest {run_id}-'"
        )
    if not left:
        said.append("nothing was left behind")
    return "; ".join(said)


def _counted(counts: Counter[str]) -> str:
    return ", ".join(f"{count} {kind}{'' if count == 1 else 's'}" for kind, count in sorted(counts.items()) if count)


def _write_lines(config: pytest.Config, lines: list[str]) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in lines:
            reporter.write_line(line)


def _sweep(suite: Suite, spec: SweepSpec) -> SweepOutcome:
    try:
        with open_run_client(suite.settings, suite.masker, suite.schemas, suite.run_dir) as client:
            return Sweeper(spec, client.send, suite.profile).sweep(Selection(run_id=suite.run_id))
    except FrameworkError as exc:
        return SweepOutcome(failed=[str(exc)])
