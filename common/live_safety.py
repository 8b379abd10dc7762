"""Safe live runs (a pytest plugin): ``--allow-writes``, the check of every case against
``data/live/safety.yaml`` at collection on a live target, and at the end of a run that wrote and did not pass
cleanly (failed cases, a lost worker, an interruption), the sweep of everything carrying its run id."""

from __future__ import annotations

from dataclasses import replace

import pytest

from common.case_model import Case
from common.errors import FrameworkError
from common.live_guard import load_guard
from common.pytest_plugin import PROJECT_ROOT, SUITE, Suite
from common.run_client import open_run_client
from common.settings import Settings
from common.sweep import SPEC_FILE, Selection, Sweeper, SweepOutcome, load_spec

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
        case = item.callspec.params.get("case") if hasattr(item, "callspec") else None
        problem = guard.problem(case) if isinstance(case, Case) else None
        if problem is not None:
            item.stash[_UNSAFE] = problem


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    problem = item.stash.get(_UNSAFE, None)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """When something may be left behind (a case failed, a worker died, the run was interrupted), the controlling
    process sweeps what carries this run's id. A run whose cases all passed deleted what it made in teardown."""
    config = session.config
    suite = config.stash.get(SUITE, None)
    if getattr(config, "workerinput", None) is not None or suite is None or exitstatus == pytest.ExitCode.OK:
        return
    if config.option.collectonly or not _may_write(suite.settings):
        return
    outcome = _sweep(suite)
    lines = [f"sweep of run {suite.run_id}: removed {leftover.describe()}" for leftover in outcome.removed]
    lines += [f"sweep of run {suite.run_id}: could not remove {failure}" for failure in outcome.failed]
    if outcome.failed:
        lines.append(f"run `python -m common.sweep --run-id {suite.run_id}` to remove what is left")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in lines or [f"sweep of run {suite.run_id}: nothing was left behind"]:
            reporter.write_line(line)


def _may_write(settings: Settings) -> bool:
    """Only a live target outlives the run (the built-in sandbox is thrown away), and only with writes allowed."""
    return settings.target == "live" and settings.allow_writes


def _sweep(suite: Suite) -> SweepOutcome:
    try:
        spec = load_spec(PROJECT_ROOT / SPEC_FILE)
        with open_run_client(suite.settings, suite.masker, suite.schemas, suite.run_dir) as client:
            return Sweeper(spec, client.send, suite.profile).sweep(Selection(run_id=suite.run_id))
    except FrameworkError as exc:
        return SweepOutcome(failed=[str(exc)])
