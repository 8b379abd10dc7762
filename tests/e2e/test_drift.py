"""Contract drift end to end: live runs against a sandbox told to drift (an extra field, a new enum value, a dropped
optional field) pass, show each drift once as new (terminal, reports/drift.json, the Allure run's attachments, the
robot message), and the next identical run shows nothing new."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.faults import FaultSettings
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from sandbox.testing import SandboxFaults
from tests.e2e.harness import SANDBOX_RUN, Project, RunningSandbox, SuiteRun

KINDS = "extra_field,new_enum,dropped_field"
SELECTION = "serviceaccount-list-page-size-fifty or union-joined-list-joined"
"""Two cases: one reads every service account (a disabled one among them), one the joined cooperation spaces."""
CASE_FILE = "org"
"""The case file of the cases these tests run: the only one their project copies keep."""
INJECTED = [
    ("/topapi/serviceaccount/list (oapi)", "items[*].follower_count", "unknown_field", "integer"),
    ("/topapi/serviceaccount/list (oapi)", "items[*].status", "new_enum", "archived"),
    ("/topapi/union/cooperate/joined/list (oapi)", "request_id", "missing_field", "absent"),
]
NEW_LINES = [
    "contract drift (warning), new: /topapi/serviceaccount/list (oapi) items[*].follower_count: unknown field "
    "(integer)",
    'contract drift (warning), new: /topapi/serviceaccount/list (oapi) items[*].status: new enum value "archived" '
    "(documented: normal, disabled)",
    "contract drift (warning), new: /topapi/union/cooperate/joined/list (oapi) request_id: documented field missing "
    "from every answer (earlier runs saw it)",
]


@pytest.fixture
def drifting() -> Iterator[RunningSandbox]:
    """A sandbox started drifting (as `--faults drift=...` starts one: tests/framework/test_drift_sandbox.py)."""
    with SandboxServer(config=SandboxConfig(faults=FaultSettings(drift=tuple(KINDS.split(","))))) as server:
        yield RunningSandbox(server.url)


def robot_messages(sandbox: RunningSandbox) -> list[str]:
    answer = requests.get(f"{sandbox.url}/__sandbox/robot/messages", timeout=5).json()
    return [kept["message"]["markdown"]["text"] for kept in answer["messages"]]


def run_allure_attachments(project: Project) -> dict[str, str]:
    """The run-level attachments (Allure's ``*-globals.json``) by name, with their content."""
    results = project.reports / "allure-results"
    (globals_file,) = results.glob("*-globals.json")
    attachments = json.loads(globals_file.read_text())["attachments"]
    return {item["name"]: (results / item["source"]).read_text() for item in attachments}


def drift_block(message: str) -> list[str]:
    return next(part for part in message.split("\n\n") if part.startswith("contract drift")).splitlines()


def test_a_drifting_live_api_passes_shows_each_drift_once_and_then_nothing_new(
    project: Project, drifting: RunningSandbox
) -> None:
    project.keep_case_files(CASE_FILE)
    assert SandboxFaults(drifting.url).get()["drift"] == KINDS.split(",")
    robot = {
        "DINGTALK_ROBOT_WEBHOOK": f"{drifting.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
        "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
    }
    environ = {**drifting.environ(), **robot}

    def run(env: dict[str, str], *options: str) -> tuple[SuiteRun, dict[str, Any]]:
        done = project.run(*options, "-q", "-k", SELECTION, env=env)
        assert done.returncode == 0, done.output
        assert re.search(r"\b2 passed\b", done.stdout), done.output
        return done, json.loads((project.reports / "drift.json").read_text())

    # an earlier run, before the API drifted: on the built-in sandbox, which reads drift when asked to, it sees every
    # field the cases' answers carry
    baseline, record = run(robot, "--contract-drift", "on")
    assert record["drift"] == [], record
    assert "contract drift: 0 new (0 in the record): reports/drift.json" in baseline.stdout
    assert "contract drift" not in robot_messages(drifting)[-1]

    drifted, record = run(environ, "-n", "2")  # a case on each worker: the workers' notes make one record
    found = [(entry["endpoint"], entry["path"], entry["kind"], entry["seen"]) for entry in record["drift"]]
    assert sorted(found) == sorted(INJECTED), record
    assert record["new"] == 3 and all(entry["new"] for entry in record["drift"])
    assert {entry["first_seen"]["run_id"] for entry in record["drift"]} == {record["run_id"]}
    assert [line for line in drifted.stdout.splitlines() if "contract drift (warning)" in line] == NEW_LINES
    assert "contract drift: 3 new (3 in the record): reports/drift.json; python -m common.live.drift proposes" in (
        drifted.stdout
    )
    attachments = run_allure_attachments(project)
    assert set(attachments) == {"contract drift: 3 new (3 in the record)", "contract drift record (drift.json)"}
    assert json.loads(attachments["contract drift record (drift.json)"]) == record
    table = attachments["contract drift: 3 new (3 in the record)"]
    for _, path, _, _ in INJECTED:
        assert table.count(f"`{path}`") == 1, table
    message = robot_messages(drifting)[-1]
    assert drift_block(message) == [
        "contract drift: 3 new (3 in the record)",
        *(f"- {line.removeprefix('contract drift (warning), new: ')}" for line in NEW_LINES),
    ]

    again, record = run(environ)
    assert sorted((e["endpoint"], e["path"], e["kind"], e["seen"]) for e in record["drift"]) == sorted(INJECTED)
    assert record["new"] == 0 and not any(entry["new"] for entry in record["drift"])
    assert {entry["first_seen"]["run_id"] for entry in record["drift"]} != {record["run_id"]}
    assert "contract drift (warning)" not in again.stdout
    assert "contract drift: 0 new (3 in the record)" in again.stdout
    assert set(run_allure_attachments(project)) == {
        "contract drift: 0 new (3 in the record)",
        "contract drift record (drift.json)",
    }
    assert drift_block(robot_messages(drifting)[-1]) == ["contract drift: 0 new (3 in the record)"]

    proposal = project.python("-m", "common.live.drift", env=environ, timeout=60)
    assert proposal.returncode == 0, proposal.output
    assert "--- a/schemas/oapi/topapi/serviceaccount/list.json" in proposal.stdout
    assert '+              "archived"' in proposal.stdout
    assert '+          "follower_count": {' in proposal.stdout
    assert "union/cooperate" not in proposal.stdout.split("--- a/", 1)[1]  # a missing field proposes no change


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_a_sandbox_run_reads_no_drift_unless_asked(sandbox_run: tuple[Project, SuiteRun]) -> None:
    """The README's whole run on the built-in sandbox reads no drift (a run asked to reads it: the first run of
    test_a_drifting_live_api_passes_shows_each_drift_once_and_then_nothing_new)."""
    project, run = sandbox_run
    assert "contract drift" not in run.output
    assert not (project.reports / "drift.json").exists()


def test_sharded_live_runs_leave_notes_that_the_report_job_records_and_notifies(
    project: Project, drifting: RunningSandbox, tmp_path: Path
) -> None:
    """As the CI workflow does: shards with --drift-notes-only, their results merged, then --merge and the message."""
    project.keep_case_files(CASE_FILE)
    merged = tmp_path / "merged-results"
    for shard, selection in (("1", "serviceaccount-list-page-size-fifty"), ("2", "union-joined-list-joined")):
        results = tmp_path / f"shard-{shard}"
        run = project.run("-q", "-k", selection, "--drift-notes-only", f"--alluredir={results}", env=drifting.environ())
        assert run.returncode == 0, run.output
        assert "contract drift: this shard's notes are in " in run.stdout, run.output
        assert list(results.glob("*-globals.json")) == []  # nothing shown or attached by a shard
        shutil.copytree(results, merged, dirs_exist_ok=True)  # as download-artifact's merge-multiple does
    assert not (project.reports / "drift.json").exists()

    command = ("-m", "common.live.drift", "--new", "--merge", str(merged), "--results", str(merged), "--run-id", "4242")
    recorded = project.python(*command, timeout=60)
    assert recorded.returncode == 0, recorded.output
    assert "contract drift: 2 new (2 in the record), from 2 shard(s)" in recorded.stdout, recorded.output
    record = json.loads((project.reports / "drift.json").read_text())
    assert record["run_id"] == "4242"
    assert sorted((entry["path"], entry["kind"]) for entry in record["drift"]) == [
        ("items[*].follower_count", "unknown_field"),
        ("items[*].status", "new_enum"),
    ]

    environ = {
        "DINGTALK_ROBOT_WEBHOOK": f"{drifting.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
        "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
    }
    sent = project.python("-m", "common.report.notify_results", "--results", str(merged), env=environ, timeout=60)
    assert sent.returncode == 0, sent.output
    assert drift_block(robot_messages(drifting)[-1]) == [
        "contract drift: 2 new (2 in the record)",
        *(f"- {line.removeprefix('contract drift (warning), new: ')}" for line in NEW_LINES[:2]),
    ]
