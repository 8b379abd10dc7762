"""A real run of the API suite notifies a sandbox robot: one signed message with the totals and the failed case."""

from __future__ import annotations

import re

import requests

from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import Project, RunningSandbox

FAILING_CASE = """
  - id: notify-fails
    title: a case that fails on purpose, for the run notification
    request:
      path: /topapi/blackboard/category/list
      json: {operation_userid: "${profile.admin_userid}"}
    expect:
      errcode: 60011
"""


def test_a_run_with_a_failure_posts_one_signed_message_and_never_shows_the_secret(
    project: Project, sandbox: RunningSandbox
) -> None:
    project.add_cases("blackboard.yaml", FAILING_CASE)
    environ = {
        **sandbox.environ(),
        "DINGTALK_ROBOT_WEBHOOK": f"{sandbox.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
        "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
        "DINGTALK_REPORT_URL": "https://ci.example/runs/42/report",
    }
    run = project.run("-n", "2", "-q", "-k", "blackboard and (category or notify-fails)", env=environ)
    assert run.returncode == 1, run.output
    closing = re.search(r"(\d+) failed, (\d+) passed", run.output)
    assert closing, run.output
    failed, passed = int(closing[1]), int(closing[2])
    assert (failed, passed > 0) == (1, True)

    # the sandbox keeps only messages whose signature and timestamp it checked
    messages = requests.get(f"{sandbox.url}/__sandbox/robot/messages", timeout=5).json()["messages"]
    assert len(messages) == 1, messages
    text = messages[0]["message"]["markdown"]["text"]
    assert f"passed **{passed}** · failed **1** · broken **0** · skipped **0**" in text
    (failure,) = [line for line in text.splitlines() if line.startswith("- ")]
    assert re.fullmatch(
        r"- failed: testcases/test_blackboard\.py::test_blackboard\[\S*notify-fails\] — "
        r"data/blackboard\.yaml:\d+ case 'notify-fails': POST /topapi/blackboard/category/list → HTTP 200",
        failure,
    ), failure
    assert text.endswith("report: [https://ci.example/runs/42/report](https://ci.example/runs/42/report)")
    assert "dingtalk-apitest: run notification sent to the DingTalk robot at 127.0.0.1:" in run.stdout

    written = [path.read_text(errors="replace") for path in project.reports.rglob("*") if path.is_file()]
    for output in (run.stdout, run.stderr, *written):
        assert DEFAULT_ROBOT_SECRET not in output
        assert DEFAULT_ROBOT_TOKEN not in output
