"""Contract drift in a run (see common/live/drift.py): on a live target, or on the sandbox with ``--contract-drift on``.

Every process checks answers through ``DriftReadingSchemas`` (a new enum value, a changed type or a null is then
a warning, not a schema failure) and notes what it read in the run directory; at the end the controller merges
the notes into ``reports/drift.json``, compares them with ``reports/drift-history.json``, and shows what is new:
one line each under the summary, the record attached to the Allure run (``*-globals.json``: Allure 3's report
shows it on its front page under "Global Attachments"), and a block in the run notification. Drift never fails a
test or the run; whatever goes wrong while recording it is one warning line.

A CI shard (``--drift-notes-only``) only leaves its notes in the Allure results (``drift-notes-<run id>.json``);
the job that merges the shards' results records the whole run with ``python -m common.live.drift --merge``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from common.live.drift import (
    HISTORY_FILE,
    MAX_NOTIFIED,
    NOTES_PREFIX,
    PROJECT_ROOT,
    RECORD_FILE,
    DriftLog,
    DriftReadingSchemas,
    RunDrift,
    describe,
    finish,
    merge_processes,
    notes_json,
    process_file,
    summary_lines,
    write_json,
)
from common.plugin.suite import SCHEMA_DIR, SUITE

DRIFT = pytest.StashKey[RunDrift]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dingtalk")
    group.addoption(
        "--contract-drift",
        choices=("auto", "on", "off"),
        default="auto",
        help="read answers for contract drift: auto (default) on a live target only, on (the sandbox too), off "
        "(never: a new enum value or a changed type then fails the schema check, as on the sandbox)",
    )
    group.addoption(
        "--drift-notes-only",
        action="store_true",
        help=f"a CI shard: leave the drift notes in the Allure results ({NOTES_PREFIX}<run id>.json) for "
        "python -m common.live.drift --merge, instead of recording and showing them",
    )


def reads_drift(config: pytest.Config) -> bool:
    """True when this run reads drift: a live target (unless ``--contract-drift off``), or ``--contract-drift on``."""
    if SUITE not in config.stash:
        return False
    choice = config.getoption("contract_drift", "auto")
    return choice == "on" or (choice == "auto" and config.stash[SUITE].settings.target == "live")


def record_files(config: pytest.Config) -> tuple[Path, Path]:
    """The record and the history: next to the Allure results (``reports/drift.json``, ``reports/drift-history.json``
    by default; beside ``--alluredir`` when given, so that a run with results elsewhere leaves reports/ alone)."""
    results = getattr(config.option, "allure_report_dir", None)
    if not results:
        return RECORD_FILE, HISTORY_FILE
    folder = Path(results).absolute().parent
    return folder / RECORD_FILE.name, folder / HISTORY_FILE.name


def pytest_configure(config: pytest.Config) -> None:
    """Every process checks answers through the drift-reading schemas; the controller also records the run."""
    if not reads_drift(config):
        return
    suite = config.stash[SUITE]
    worker = getattr(config, "workerinput", None)
    process = worker["workerid"] if worker is not None else "controller"
    log = DriftLog(process_file(suite.run_dir, process))
    config.stash[SUITE] = replace(suite, schemas=DriftReadingSchemas(SCHEMA_DIR, log))
    if worker is None:
        config.pluginmanager.register(DriftRecorder(), "dingtalk-contract-drift")


class DriftRecorder:
    """The controller's part: merge, compare, write, show."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []
        """What the summary shows, each with whether it is highlighted."""

    @pytest.hookimpl(tryfirst=True)  # before the notifier sends its message
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if config.option.collectonly:
            return
        suite = config.stash[SUITE]
        results = getattr(config.option, "allure_report_dir", None)
        record_file, history_file = record_files(config)
        try:
            merged = merge_processes(suite.run_dir)
            if config.getoption("drift_notes_only"):
                notes = Path(results or record_file.parent) / f"{NOTES_PREFIX}{suite.run_id}.json"
                write_json(notes, notes_json(merged))
                self.lines = [(f"contract drift: this shard's notes are in {_shown(notes)}", False)]
                return
            drift = finish(merged, suite.run_id, record_file, history_file, Path(results) if results else None)
        except (OSError, ValueError, KeyError) as exc:
            self.lines = [(f"contract drift: not recorded: {exc}", True)]
            return
        config.stash[DRIFT] = drift
        self.lines = [(f"contract drift (warning), new: {describe(entry)}", True) for entry in drift.new]
        hint = "; python -m common.live.drift proposes the schema changes" if drift.entries else ""
        self.lines.append((f"{summary_lines(drift)[0]}: {_shown(record_file)}{hint}", bool(drift.new)))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for line, highlighted in self.lines:
            terminalreporter.write_line(line, yellow=highlighted)


def notification_lines(config: pytest.Config) -> tuple[str, ...]:
    """What the run notification says about drift: ``contract drift: N new (...)`` and the first few new ones;
    nothing when the run saw no drift at all."""
    drift = config.stash.get(DRIFT, None)
    return () if drift is None or not drift.entries else tuple(summary_lines(drift, limit=MAX_NOTIFIED))


def _shown(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)
