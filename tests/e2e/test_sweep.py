"""`python -m common.live.sweep` against a sandbox holding what a crashed run left behind."""

from __future__ import annotations

import re

import requests

from sandbox.testing import SandboxClient
from tests.e2e.harness import Project, RunningSandbox

CRASHED_RUN = "20240101000000-dead"
OTHER_RUN = "20240102000000-beef"


def _plant(client: SandboxClient, title: str) -> None:
    body = {
        "create_request": {
            "operation_userid": "manager4220",
            "title": title,
            "content": "planted by the test",
            "ding": False,
            "push_top": False,
            "blackboard_receiver": {"userid_list": ["626116675269872"]},
        }
    }
    assert client.post("/topapi/blackboard/create", body)["result"] is True


def test_the_sweep_removes_what_a_crashed_run_left_and_nothing_else(project: Project, sandbox: RunningSandbox) -> None:
    client = SandboxClient(sandbox.url, requests.Session())
    client.login()
    crashed = [f"apitest {CRASHED_RUN}-000001", f"apitest {CRASHED_RUN}-000002 edited"]
    kept = [f"apitest {OTHER_RUN}-000003", f"a note about run {CRASHED_RUN}-000004", "入职须知"]
    for title in crashed + kept:
        _plant(client, title)
    before = sandbox.stats()["objects"]["blackboard"]

    # what any run left: the titles that start with apitest and a run id, whoever made them
    dry = project.python("-m", "common.live.sweep", "--older-than", "0s", "--dry-run", env=sandbox.environ())
    assert dry.returncode == 0, dry.output
    listed = re.findall(r"^would remove announcement \S+ '(.*)' \(run ", dry.stdout, re.M)
    assert sorted(listed) == sorted([*crashed, kept[0]]), dry.stdout
    assert sandbox.stats()["objects"]["blackboard"] == before

    young = project.python("-m", "common.live.sweep", "--older-than", "1h", env=sandbox.environ())
    assert young.returncode == 0, young.output
    assert "sweep: removed 0," in young.stdout
    assert sandbox.stats()["objects"]["blackboard"] == before

    swept = project.python("-m", "common.live.sweep", "--run-id", CRASHED_RUN, env=sandbox.environ())
    assert swept.returncode == 0, swept.output
    assert sorted(re.findall(r"^removed announcement \S+ '(.*)' \(run ", swept.stdout, re.M)) == sorted(crashed), (
        swept.stdout
    )
    assert "not removable: report: DingTalk has no report (日志) delete API" in swept.stdout
    assert sandbox.stats()["objects"]["blackboard"] == before - len(crashed)


def test_the_sweep_needs_a_live_target_and_a_selection(project: Project) -> None:
    no_target = project.python("-m", "common.live.sweep", "--run-id", CRASHED_RUN)
    no_selection = project.python("-m", "common.live.sweep", env={"DINGTALK_TARGET": "live"})

    assert no_target.returncode == 2
    assert no_target.stderr.strip().splitlines() == [
        "sweep: DINGTALK_TARGET is not live: the built-in sandbox is thrown away after each run, so there is "
        "nothing to sweep; set DINGTALK_TARGET=live and the tenant's settings as for a live run"
    ]
    assert no_selection.returncode == 2
    assert "say what to remove: --run-id ID, --older-than DURATION, or both" in no_selection.stderr
    assert "Traceback" not in no_target.output + no_selection.output
