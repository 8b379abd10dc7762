"""Live writes end to end, against a standalone sandbox as the live host: a create case that forgets `writes:`
creates nothing without the opt-in, --allow-writes is the opt-in, and a run says truthfully what it created and
removed, also when a negative create is accepted."""

from __future__ import annotations

from tests.e2e.harness import Project, RunningSandbox

CREATE_REQUEST = """
      path: /topapi/blackboard/create
      json:
        create_request:
          operation_userid: ${profile.admin_userid}
          title: apitest ${uid}
          content: apitest ${uid} an announcement
          ding: false
          push_top: false
          blackboard_receiver: {userid_list: "${profile.test_userids}"}
"""

FORGETS_WRITES = f"""
  - id: create-without-writes-key
    title: creates an announcement but does not say it writes
    request:{CREATE_REQUEST}"""

ACCEPTED_NEGATIVE = f"""
  - id: expects-a-refusal-but-is-accepted
    title: expects the create to be refused, but the server accepts it (a negative case on a lenient server)
    request:{CREATE_REQUEST}
    expect:
      errcode: {{ne: 0}}"""


def test_a_create_case_without_writes_creates_nothing_on_live_without_the_opt_in(
    project: Project, sandbox: RunningSandbox
) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", FORGETS_WRITES)

    run = project.run("-q", "-rs", "-k", "create-without-writes-key", env=sandbox.environ(allow_writes=False))

    assert run.returncode == 0, run.output
    assert "1 skipped" in run.output, run.output
    assert "writes to the live tenant: set DINGTALK_ALLOW_WRITES=1" in run.output, run.output
    assert sandbox.stats()["calls"].get("POST /topapi/blackboard/create", 0) == 0
    assert "created nothing on the live tenant" in run.output, run.output


def test_an_accepted_negative_create_is_swept_and_the_closing_line_says_so(
    project: Project, sandbox: RunningSandbox
) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", ACCEPTED_NEGATIVE)
    before = sandbox.stats()["objects"]["blackboard"]

    run = project.run("-q", "-k", "expects-a-refusal-but-is-accepted", env=sandbox.environ())

    assert run.returncode == 1, run.output  # the case failed: the server accepted what it expected refused
    assert sandbox.stats()["objects"]["blackboard"] == before
    closing = [line for line in run.output.splitlines() if " on the live tenant: created " in line]
    assert closing == [
        closing[0].split(" on the live tenant")[0]
        + " on the live tenant: created 1 announcement; deleted nothing, swept 1 announcement; nothing was left behind"
    ], run.output


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
