"""The report in a run: the controller writes the environment and the failure categories into the Allure results
once they are prepared (common/report/metadata.py says what they hold); every process keeps the framework's own
plumbing out of its results and gives each YAML case readable parameters (common/report/results.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import allure
import allure_commons
import pytest

from common.cases.model import Case, InvalidCase
from common.core.paths import DATA_DIR
from common.plugin.suite import SUITE
from common.report.metadata import environment, write_metadata
from common.report.results import LOCATION, TEST_ID, ResultsTidier, invalid_case_labels

_TIDIER = pytest.StashKey[ResultsTidier]()


def pytest_configure(config: pytest.Config) -> None:
    """Every process that writes Allure results tidies them as they are written."""
    results_dir = getattr(config.option, "allure_report_dir", None)
    if not results_dir or SUITE not in config.stash:
        return
    tidier = ResultsTidier(sandbox=config.stash[SUITE].settings.target == "sandbox")
    allure_commons.plugin_manager.register(tidier)
    config.stash[_TIDIER] = tidier
    config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(tidier))


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """The controller writes once per run, after every plugin has prepared (and cleaned) the results."""
    config = session.config
    results_dir = getattr(config.option, "allure_report_dir", None)
    if hasattr(config, "workerinput") or not results_dir or config.option.collectonly:
        return
    suite = config.stash[SUITE]
    workers = getattr(config.option, "numprocesses", None)
    write_metadata(Path(results_dir), environment(suite.settings, suite.run_id, suite.masker, workers))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Runs inside allure-pytest's set-up: the test's readable parameters come first, so the case's repr does not
    become one; the fixtures no test file defines (the framework's, pytest's) stay out of set-up and tear-down."""
    tidier = item.config.stash.get(_TIDIER, None)
    if tidier is None:
        return
    fixture_info = getattr(item, "_fixtureinfo", None)
    for name, definitions in getattr(fixture_info, "name2fixturedefs", {}).items():
        if all(definition.baseid == "" for definition in definitions):
            tidier.hidden_fixtures.add(name)
    case = item.config.stash[SUITE].case_of(item)
    if isinstance(case, Case):
        tidier.current_test_id = case.test_id
        _case_parameters(case.test_id, str(case.source), case.params)
    elif isinstance(case, InvalidCase):
        tidier.current_test_id = case.test_id
        _invalid_case(case, tidier)
    else:
        tidier.current_test_id = item.nodeid


def _case_parameters(test_id: str, location: str, params: dict[str, Any]) -> None:
    """The test id (what the replay command takes; the history follows it), where the case is written and its
    table row's values (neither changes the history)."""
    allure.dynamic.parameter(TEST_ID, test_id)
    if location:
        allure.dynamic.parameter(LOCATION, location, excluded=True)
    for name, value in params.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        allure.dynamic.parameter(name, shown, excluded=True)


def _invalid_case(case: InvalidCase, tidier: ResultsTidier) -> None:
    """An invalid case keeps its place in the report: its YAML's epic, feature, story, severity and title (the
    title when the result is written: allure-pytest names the test after set-up, where an invalid case fails)."""
    labels = invalid_case_labels(case.test_id, case.message, DATA_DIR)
    for key in ("epic", "feature", "story", "severity"):
        value = getattr(case, key, None) or labels.get(key)
        if value:
            getattr(allure.dynamic, key)(value)
    tidier.titles[case.test_id] = getattr(case, "title", None) or labels.get("title") or case.test_id
    _case_parameters(case.test_id, labels.get("location", ""), {})
