"""Live writes end to end, against a standalone sandbox as the live host: a create case that forgets `writes:`
creates nothing without the opt-in, --allow-writes is the opt-in, a write case that breaks a rule of
data/live/safety.yaml fails alone and is never sent, and a run says truthfully what it created and removed, also
when a negative create is accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox import SandboxServer
from tests.e2e.harness import LIVE_READ_ONLY_RUN, Project, RunningSandbox, SuiteRun, copy_project
from tests.e2e.suite_additions import CREATE_REQUEST, FORGETS_WRITES_ID

ACCEPTED_NEGATIVE = f"""
  - id: expects-a-refusal-but-is-accepted
    title: expects the create to be refused, but the server accepts it (a negative case on a lenient server)
    request:{CREATE_REQUEST}
    expect:
      errcode: {{ne: 0}}"""

UNSAFE_CASE = """
  - id: pinned-to-the-top
    title: a create that would pin the announcement for everyone
    writes: true
    request:
      path: /topapi/blackboard/create
      json:
        create_request:
          operation_userid: ${profile.admin_userid}
          title: apitest ${uid}
          content: never sent
          ding: false
          push_top: true
          blackboard_receiver: {userid_list: "${profile.test_userids}"}
"""

GUARDED_RUN = "guarded-live-writes-run"
"""The xdist group of the tests reading ``guarded_run``."""


def _creates(stats: dict) -> int:
    return stats["calls"].get("POST /topapi/blackboard/create", 0)


@dataclass(frozen=True)
class GuardedRun:
    """One live run with writes allowed: its output, the line of the unsafe case's ``push_top`` in
    data/blackboard.yaml, and the sandbox's stats before and after it."""

    run: SuiteRun
    push_top_line: int
    before: dict
    after: dict


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> GuardedRun:
    """The category cases, a negative create the server accepts (ACCEPTED_NEGATIVE) and a create that breaks a live
    rule (UNSAFE_CASE, the last case of data/blackboard.yaml), with writes allowed, on a sandbox of the module's."""
    project = copy_project(tmp_path_factory.mktemp("guarded-run"), bytecode)
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", ACCEPTED_NEGATIVE + UNSAFE_CASE)
    last_line = len((project.root / "data" / "blackboard.yaml").read_text(encoding="utf-8").splitlines())
    selection = "expects-a-refusal-but-is-accepted or pinned-to-the-top or category-list"
    with SandboxServer() as server:
        sandbox = RunningSandbox(server.url)
        before = sandbox.stats()
        run = project.run("-q", "-k", selection, env=sandbox.environ())
        return GuardedRun(run, last_line - 1, before, sandbox.stats())


@pytest.mark.xdist_group(LIVE_READ_ONLY_RUN)
def test_a_create_case_without_writes_creates_nothing_on_live_without_the_opt_in(
    live_read_only_run: tuple[Project, SuiteRun, dict],
) -> None:
    """FORGETS_WRITES is among the cases of the shared live run without the opt-in."""
    project, run, stats = live_read_only_run
    assert run.returncode == 0, run.output
    [result] = [found for found in project.allure_results() if found["fullName"] == f"blackboard:{FORGETS_WRITES_ID}"]
    assert result["status"] == "skipped", result
    assert "writes to the live tenant: set DINGTALK_ALLOW_WRITES=1" in result["statusDetails"]["message"], result
    assert _creates(stats) == 0
    assert "created nothing on the live tenant" in run.output, run.output


@pytest.mark.xdist_group(GUARDED_RUN)
def test_an_accepted_negative_create_is_swept_and_the_closing_line_says_so(guarded_run: GuardedRun) -> None:
    run = guarded_run.run
    # the case failed: the server accepted what it expected refused
    assert "FAILED testcases/test_cases.py::test_case[blackboard:expects-a-refusal-but-is-accepted]" in run.output
    assert guarded_run.after["objects"]["blackboard"] == guarded_run.before["objects"]["blackboard"]
    closing = [line for line in run.output.splitlines() if " on the live tenant: created " in line]
    assert closing == [
        closing[0].split(" on the live tenant")[0]
        + " on the live tenant: created 1 announcement; deleted nothing, swept 1 announcement; nothing was left behind"
    ], run.output


@pytest.mark.xdist_group(GUARDED_RUN)
def test_an_unsafe_write_case_fails_alone_with_one_line_and_is_never_sent(guarded_run: GuardedRun) -> None:
    run = guarded_run.run
    assert run.returncode == 1, run.output
    # the category cases passed and the accepted negative failed on its own account: the unsafe case alone is an error
    assert re.search(r"\b1 failed, \d+ passed, \d+ deselected, 1 error\b", run.output), run.output
    line = f"data/blackboard.yaml:{guarded_run.push_top_line} case 'pinned-to-the-top' request.json.create_request."
    assert f"{line}push_top: must be false, not true (a rule for live tenants in data/live/safety.yaml" in run.output
    assert "Traceback" not in run.output
    # the one create the sandbox received is the accepted negative case's
    assert _creates(guarded_run.after) - _creates(guarded_run.before) == 1


def test_a_clean_writing_run_counts_its_creates_and_deletes(project: Project, sandbox: RunningSandbox) -> None:
    """Allowed by --allow-writes, which is DINGTALK_ALLOW_WRITES=1 (without either, the write case is skipped: the live
    read-only run of tests/e2e/test_api_suite.py runs none)."""
    project.keep_case_files("blackboard")
    run = project.run("-q", "-k", "crud-flow", "--allow-writes", env=sandbox.environ(allow_writes=False))

    assert run.returncode == 0, run.output
    assert "1 passed" in run.output, run.output
    assert sandbox.stats()["calls"]["POST /topapi/blackboard/create"] == 1
    assert "created 1 announcement; deleted 1 announcement; nothing was left behind" in run.output, run.output
    assert "sweep of run" not in run.output, run.output
