"""Safe live runs end to end: a run removes what it created even when cases fail midway, a worker dies or DingTalk is
flaky (the opt-in and the rules for writes: tests/e2e/test_live_writes.py)."""

from __future__ import annotations

import re

from sandbox.testing import SandboxFaults
from tests.e2e.harness import Project, RunningSandbox

SAFE_CREATE = """
          path: /topapi/blackboard/create
          json:
            create_request:
              operation_userid: ${profile.admin_userid}
              title: apitest ${uid}
              content: left behind by run ${run_id}
              ding: false
              push_top: false
              blackboard_receiver: {userid_list: "${profile.test_userids}"}
"""

FAILS_AFTER_CREATE = f"""
  - id: fails-after-create
    title: creates an announcement, then fails before it knows the id, so teardown cannot delete it
    writes: true
    steps:
      - request:{SAFE_CREATE}
      - request:
          path: /topapi/blackboard/listids
          json:
            query_request: {{operation_userid: "${{profile.admin_userid}}", page: 1, page_size: 30}}
        expect:
          body: {{result: {{len: 0}}}}
        save: {{ids: result}}
    teardown:
      - request:
          path: /topapi/blackboard/delete
          json: {{blackboard_id: "${{ids[0]}}", operation_userid: "${{profile.admin_userid}}"}}
"""

CRASHING_CASE = """epic: crash
feature: crash
cases:
  - id: create-then-crash
    title: creates an announcement, then its worker process dies
    writes: true
    request:""" + SAFE_CREATE.replace("\n    ", "\n")

CRASHING_MODULE = """import os

import pytest

pytestmark = pytest.mark.yaml_cases("../crash.yaml")  # outside data/, so that only this module runs it


def test_crash(case, run_case):
    run_case(case)
    os._exit(1)
"""


def test_a_run_whose_cases_fail_midway_and_whose_worker_dies_leaves_nothing(
    project: Project, sandbox: RunningSandbox
) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", FAILS_AFTER_CREATE)
    (project.root / "crash.yaml").write_text(CRASHING_CASE, encoding="utf-8")
    (project.root / "testcases" / "test_crash.py").write_text(CRASHING_MODULE, encoding="utf-8")
    before = sandbox.stats()["objects"]["blackboard"]

    # one xdist worker, which dies in test_crash after running fails-after-create (a second would only cost its start)
    run = project.run("-n", "1", "-q", "-k", "fails-after-create or crash", env=sandbox.environ())

    assert run.returncode == 1, run.output
    assert "fails-after-create" in run.output and "crashed" in run.output, run.output
    stats = sandbox.stats()
    assert stats["calls"]["POST /topapi/blackboard/create"] == 2
    # both announcements were created and neither case deleted its own: the sweep at the end removed them
    removed = re.findall(r"sweep of run (\S+): removed announcement \S+ 'apitest (\S+)", run.output)
    assert len(removed) == 2, run.output
    assert all(uid.startswith(f"{run_id}-") for run_id, uid in removed)
    assert stats["calls"]["POST /topapi/blackboard/delete"] == 2
    assert stats["objects"]["blackboard"] == before


def test_a_run_under_injected_faults_leaves_nothing(project: Project, sandbox: RunningSandbox) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", FAILS_AFTER_CREATE)
    before = sandbox.stats()["objects"]["blackboard"]
    faults = SandboxFaults(sandbox.url)
    # drop_after: a create is carried out and its answer lost, so the case cannot know it created something
    faults.set(busy=0.05, rate_limited=0.05, drop_after=0.05, qps=0, seed=7)
    # more retries than by default, so that the sweep itself gets its answers despite the faults
    env = {**sandbox.environ(), "DINGTALK_RETRIES": "8", "DINGTALK_RETRY_BACKOFF": "0.01"}

    run = project.run("-q", "-k", "blackboard and (crud or sub-admin or create)", env=env)

    hits = faults.counts()
    faults.set(busy=0, rate_limited=0, drop_after=0)
    assert "sweep of run" in run.output, run.output
    assert "could not remove" not in run.output, run.output
    assert hits["busy"] and hits["rate_limited"] and hits["drop_after"], hits
    assert sandbox.stats()["objects"]["blackboard"] == before
