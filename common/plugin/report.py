"""The report's metadata in a run: the controller writes the environment and the failure categories into the
Allure results once they are prepared (common/report/metadata.py says what they hold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.plugin.suite import SUITE
from common.report.metadata import environment, write_metadata


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
