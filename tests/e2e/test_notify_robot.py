"""A real run of the API suite, and the merged results of a sharded one, notify a sandbox robot: one signed message
with the totals and the failed case."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import Project, RunningSandbox
from tests.shared_runs import FAILING_CASE, SHARDED_RUN, ShardedRun


def test_a_run_with_a_failure_posts_one_signed_message_and_never_shows_the_secret(
    project: Project, sandbox: RunningSandbox
) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", FAILING_CASE)
    environ = {
        **sandbox.environ(),
        "DINGTALK_ROBOT_WEBHOOK": f"{sandbox.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
        "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
        "DINGTALK_REPORT_URL": "https://ci.example/runs/42/report",
    }
    # in one process: one message from a run of several workers is test_live_verdicts' (its live run has two)
    run = project.run("-q", "-k", "blackboard and (category or notify-fails)", env=environ)
    assert run.returncode == 1, run.output
    closing = re.search(r"(\d+) failed, (\d+) passed", run.output)
    assert closing, run.output
    failed, passed = int(closing[1]), int(closing[2])
    assert (failed, passed > 0) == (1, True)

    # the sandbox keeps only messages whose signature and timestamp it checked
    messages = requests.get(f"{sandbox.url}/__sandbox/robot/messages", timeout=5).json()["messages"]
    assert len(messages) == 1, messages
    text = messages[0]["message"]["markdown"]["text"]
    assert f"通过 **{passed}** · 失败 **1** · 损坏 **0** · 跳过 **0**" in text
    (failure,) = [line for line in text.splitlines() if line.startswith("- ")]
    assert re.fullmatch(
        r"- 失败：testcases/test_cases\.py::test_case\[\S*notify-fails\] — "
        r"data/blackboard\.yaml:\d+ case 'notify-fails': POST /topapi/blackboard/category/list → HTTP 200",
        failure,
    ), failure
    assert text.endswith("报告：[https://ci.example/runs/42/report](https://ci.example/runs/42/report)")
    assert "dingtalk-apitest: run notification sent to the DingTalk robot at 127.0.0.1:" in run.stdout

    written = [path.read_text(errors="replace") for path in project.reports.rglob("*") if path.is_file()]
    for output in (run.stdout, run.stderr, *written):
        assert DEFAULT_ROBOT_SECRET not in output
        assert DEFAULT_ROBOT_TOKEN not in output


def _link_over(source: str, target: str) -> None:
    """Put ``source`` at ``target`` as download-artifact's merge-multiple does, replacing a file of that name (each
    shard writes e.g. its categories.json), as a hard link: cheaper than a copy, and the shards' results stay."""
    Path(target).unlink(missing_ok=True)
    os.link(source, target)


@pytest.mark.xdist_group(SHARDED_RUN)
def test_the_merged_results_of_a_sharded_run_post_one_signed_message(sharded_run: ShardedRun, tmp_path: Path) -> None:
    """As the CI workflow does: its shards on the built-in sandbox, their results merged, then the command."""
    merged = tmp_path / "merged-results"
    totals: Counter[str] = Counter()
    for shard in sharded_run.shards:
        stdout = shard.run.stdout
        totals += Counter({word: int(count) for count, word in re.findall(r"(\d+) (passed|failed)", stdout)})
        shutil.copytree(shard.allure, merged, copy_function=_link_over, dirs_exist_ok=True)
    assert totals["failed"] == 1 and totals["passed"] > 0, totals

    with SandboxServer(config=SandboxConfig()) as robot:
        robot_host = robot.url.removeprefix("http://")
        environ = {
            "DINGTALK_ROBOT_WEBHOOK": f"http://{robot_host}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
            "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
            "DINGTALK_REPORT_URL": "https://github.com/acme/apitest/actions/runs/987654321",
        }
        command = ("-m", "common.report.notify_results", "--results", str(merged), "--run-id", "987654321")
        sent = sharded_run.project.python(*command, env=environ, timeout=60)
        messages = [kept["message"] for kept in robot.state.robot_inbox.messages()]

    assert (sent.returncode, sent.stderr) == (0, ""), sent.output
    assert sent.stdout == f"dingtalk-apitest: run notification sent to the DingTalk robot at {robot_host}\n"
    assert len(messages) == 1, messages  # the sandbox keeps only messages whose signature and timestamp it checked
    text = messages[0]["markdown"]["text"]
    assert text.startswith(f"#### dingtalk-apitest：{totals.total()} 个用例中 1 个未通过\n\n")
    assert "运行 **987654321** · 目标 **沙箱（内置模拟器）**" in text
    assert f"通过 **{totals['passed']}** · 失败 **1** · 损坏 **0** · 跳过 **0**" in text
    (failure,) = [line for line in text.splitlines() if line.startswith("- ")]
    assert re.fullmatch(
        r"- 失败：a case that fails on purpose, for the run notification — "
        r"data/blackboard\.yaml:\d+ case 'notify-fails': POST /topapi/blackboard/category/list → HTTP 200",
        failure,
    ), failure
    for output in (sent.stdout, json.dumps(messages)):
        assert DEFAULT_ROBOT_SECRET not in output
        assert DEFAULT_ROBOT_TOKEN not in output
