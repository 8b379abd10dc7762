"""The pytest side of the framework: settings at start-up, cases at collection, a runner per worker.

The controlling process (the only one without xdist) resolves settings, starts the target and
chooses the run id and the token file; xdist workers receive them through ``workerinput``, so a
run makes one sandbox and one gettoken call however many workers it has.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import Case, InvalidCase
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.cases.yaml_cache import ParseCache
from common.core.errors import FrameworkError
from common.core.paths import DATA_DIR, DEFAULT_ALLURE_DIR, PROJECT_ROOT, SCHEMA_DIR, YAML_CACHE_DIR
from common.dingtalk.run_client import open_run_client
from common.dingtalk.settings import Settings, load_settings
from common.http.masking import Masker, install_log_masking
from common.plugin import hookspecs
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner, stop_reason, stops_the_run
from common.run.write_ledger import WriteLedger

_WORKER_KEY = "dingtalk"


@dataclass(frozen=True)
class Suite:
    """The per-process state of a run, kept in ``config.stash``."""

    settings: Settings
    profile: dict[str, Any]
    schemas: SchemaStore
    loader: CaseLoader
    masker: Masker
    run_id: str
    run_dir: Path
    collected: list[Case | InvalidCase] = field(default_factory=list)
    """Every case this process collected; a test's parameter is its index here (see ``case_of``)."""

    def collect(self, file_name: str) -> range:
        """Load the cases of ``data/<file_name>``; the indexes they are collected under."""
        start = len(self.collected)
        self.collected.extend(self.loader.load(DATA_DIR / file_name))
        return range(start, len(self.collected))

    def case_of(self, item: pytest.Item) -> Case | InvalidCase | None:
        """The YAML case a test runs (None for a test that runs none)."""
        callspec = getattr(item, "callspec", None)
        index = callspec.params.get("case") if callspec is not None else None
        return self.collected[index] if isinstance(index, int) else None

    def release_cases(self) -> None:
        """Let the cases go once the session is over, before pytest's final garbage collections: each of them
        would otherwise walk every case object again."""
        self.collected.clear()
        self.loader.forget_templates()


SUITE = pytest.StashKey[Suite]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dingtalk", "dingtalk-apitest")
    group.addoption(
        "--case-file",
        action="append",
        metavar="NAME",
        help="collect only this case file of data/ (repeatable), e.g. --case-file blackboard.yaml",
    )
    group.addoption(
        "--dingtalk-target",
        choices=("sandbox", "live"),
        help="where the cases go (default: DINGTALK_TARGET, else sandbox)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "yaml_cases(*files): run the cases of these data/ files (all of them without a file) through this test",
    )
    worker_input = getattr(config, "workerinput", None)
    try:
        if worker_input is None:
            suite = _start_run(config)
        else:
            shared = worker_input[_WORKER_KEY]
            settings = load_settings(PROJECT_ROOT, environ=shared["environ"])
            suite = _make_suite(settings, shared["run_id"], Path(shared["run_dir"]))
    except FrameworkError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SUITE] = suite
    config.add_cleanup(install_log_masking(suite.masker))
    _configure_allure(config, controller=worker_input is None)
    _share_log_file(config, controller=worker_input is None)
    collect_garbage_once_at_exit(config)


def collect_garbage_once_at_exit(config: pytest.Config) -> None:
    """pytest's unraisable-exception plugin collects garbage five times as a process ends, to find every object
    whose destructor raises; each collection walks all that is alive (about 0.1 CPU-s at 5,000 cases), in
    the controller and in every worker. One finds what a test left; an exception later still prints on stderr. The
    count is the stash key pytest's own ``pytester`` sets; a pytest without it keeps five."""
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key
    except ImportError:  # pragma: no cover - another pytest
        return
    config.stash[gc_collect_iterations_key] = 1


def _start_run(config: pytest.Config) -> Suite:
    environ = dict(os.environ)
    target = config.getoption("dingtalk_target")
    if target:
        environ["DINGTALK_TARGET"] = target
    settings = load_settings(PROJECT_ROOT, environ=environ)
    if settings.target == "sandbox":
        started = config.hook.pytest_dingtalk_start_sandbox(config=config, settings=settings)
        if started is None:
            raise FrameworkError("DINGTALK_TARGET=sandbox, but no sandbox plugin is loaded (is conftest.py there?)")
        settings = started
    run_dir = Path(tempfile.mkdtemp(prefix="dingtalk-run-"))
    config.add_cleanup(lambda: shutil.rmtree(run_dir, ignore_errors=True))
    run_id = time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(2)
    return _make_suite(settings, run_id, run_dir)


def _make_suite(settings: Settings, run_id: str, run_dir: Path) -> Suite:
    display = _display(settings.profile_path)
    profile = load_profile(settings.profile_path, display)
    schemas = SchemaStore(SCHEMA_DIR)
    masker = Masker([settings.appsecret])
    loader = CaseLoader(schemas, profile, PROJECT_ROOT, read=ParseCache(YAML_CACHE_DIR).read)
    return Suite(settings, profile, schemas, loader, masker, run_id, run_dir)


def _share_log_file(config: pytest.Config, controller: bool) -> None:
    """With xdist every process writes --log-file: the controller empties it once, then all of them append."""
    log_file = config.getoption("log_file", None) or config.getini("log_file")
    if not log_file:
        return
    if controller:
        path = Path(log_file).absolute()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    config.option.log_file_mode = "a"


def _configure_allure(config: pytest.Config, controller: bool) -> None:
    """Results go to reports/allure-results unless --alluredir says otherwise; only the controller cleans."""
    if not hasattr(config.option, "allure_report_dir"):
        return
    if not config.option.allure_report_dir:
        config.option.allure_report_dir = str(DEFAULT_ALLURE_DIR)
        if controller and not config.option.collectonly:
            shutil.rmtree(DEFAULT_ALLURE_DIR, ignore_errors=True)
    config.option.clean_alluredir = controller and config.option.clean_alluredir


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand each worker the run's settings, id and token file."""
    suite = node.config.stash[SUITE]
    node.workerinput[_WORKER_KEY] = {
        "environ": suite.settings.to_environ(),
        "run_id": suite.run_id,
        "run_dir": str(suite.run_dir),
    }


def case_files(config: pytest.Config) -> list[str]:
    """The case files of ``data/`` this run collects: every ``*.yaml`` there, or those ``--case-file`` names."""
    chosen = config.getoption("case_file") or []
    every = sorted(path.name for path in DATA_DIR.glob("*.yaml"))
    unknown = [name for name in chosen if name not in every]
    if unknown:
        raise pytest.UsageError(f"--case-file {unknown[0]}: no such case file in data/ (there are: {', '.join(every)})")
    return [name for name in every if not chosen or name in chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("yaml_cases")
    if marker is None:
        return
    config = metafunc.config
    suite = config.stash[SUITE]
    indexes = [index for file_name in (marker.args or case_files(config)) for index in suite.collect(file_name)]
    cases = suite.collected
    params = [pytest.param(i, id=cases[i].test_id, marks=_marks(config, cases[i])) for i in indexes]
    metafunc.parametrize("case", params, indirect=True)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    suite = config.stash.get(SUITE, None)
    if suite is not None:
        suite.release_cases()


def _marks(config: pytest.Config, case: Case | InvalidCase) -> list[pytest.MarkDecorator]:
    """A case's pytest markers: its tags, ``feature_<feature>`` and ``severity_<severity>``, so that ``-m smoke``,
    ``-m feature_blackboard`` or ``-m severity_critical`` select it. Each marker is made once per run and shared
    by every case that has it."""
    if not isinstance(case, Case):
        return []
    made = config.stash.setdefault(_CASE_MARKERS, {})
    marks = []
    for name in (*case.tags, f"feature_{case.feature}", f"severity_{case.severity}"):
        mark = made.get(name)
        if mark is None:
            known = _registered(config)
            if name not in known:
                config.addinivalue_line("markers", f"{name}: a tag, feature or severity of the YAML cases")
                known.add(name)
            mark = made[name] = getattr(pytest.mark, name)
        marks.append(mark)
    return marks


_MARKERS = pytest.StashKey[set[str]]()
_CASE_MARKERS = pytest.StashKey[dict[str, pytest.MarkDecorator]]()


def _registered(config: pytest.Config) -> set[str]:
    if _MARKERS not in config.stash:
        config.stash[_MARKERS] = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    return config.stash[_MARKERS]


_MARKER_WORD = re.compile(r"\b(?!(?:and|or|not)\b)[A-Za-z_]\w*")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``-m`` names only markers the run knows: a misspelt tag is an error, not an empty run."""
    expression = config.getoption("markexpr", "")
    if not expression or SUITE not in config.stash:
        return
    known = _registered(config) | {mark.name for item in items for mark in item.iter_markers()}
    unknown = sorted({word for word in _MARKER_WORD.findall(expression) if word not in known})
    if unknown:
        cases = sorted(config.stash.get(_CASE_MARKERS, {}))
        raise pytest.UsageError(
            f"-m {expression!r}: no marker {unknown[0]!r}; the cases' markers are their tags, feature_<feature> "
            f"and severity_<severity>: {', '.join(cases)}"
        )


@pytest.fixture
def case(request: pytest.FixtureRequest) -> Case:
    """The YAML case of this test; an invalid one fails here with its one-line error."""
    suite = request.config.stash[SUITE]
    value = suite.collected[request.param]
    if isinstance(value, InvalidCase):
        pytest.fail(value.message, pytrace=False)
    live = suite.settings.target == "live"
    if value.sandbox_only is not None and live:
        pytest.skip(f"the sandbox's own behaviour, not documented by DingTalk: {value.sandbox_only}")
    if value.skip_reason is not None:
        pytest.skip(value.skip_reason)
    if value.writes and live and not suite.settings.allow_writes:
        pytest.skip("writes to the live tenant: set DINGTALK_ALLOW_WRITES=1 to run it")
    return value


@pytest.fixture(scope="session")
def case_runner(pytestconfig: pytest.Config) -> Iterator[CaseRunner]:
    """One runner per process: one HTTP session, one token cache."""
    suite = pytestconfig.stash[SUITE]
    settings = suite.settings
    reporter = AllureReporter(suite.masker)
    with open_run_client(settings, suite.masker, suite.schemas, suite.run_dir, reporter, suite.profile) as client:
        builtins = {"run_id": suite.run_id, "profile": suite.profile, "appkey": settings.appkey}
        yield CaseRunner(client, suite.schemas, reporter, suite.masker, builtins, ledger=WriteLedger(suite.run_dir))


@pytest.fixture(scope="session")
def run_case(case_runner: CaseRunner, request: pytest.FixtureRequest) -> Callable[[Case], None]:
    """Runs a case; a failure is reported as its message alone (the YAML step and the problems). One per process:
    it holds nothing of a test, so pytest sets it up once instead of once per case."""

    def run(case: Case) -> None:
        __tracebackhide__ = True
        uid = f"{case_runner.builtins['run_id']}-{secrets.token_hex(3)}"
        message = None
        try:
            case_runner.run(case, uid)
        except (AssertionError, FrameworkError) as exc:
            message = "\n".join([str(exc), *getattr(exc, "__notes__", ())])
            if stops_the_run(exc):
                request.session.shouldstop = stop_reason(exc)
        if message is not None:
            pytest.fail(message, pytrace=False)

    return run


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
