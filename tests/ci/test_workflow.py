"""The GitHub Actions workflow users get: valid for GitHub, and its shards, merge and report line up."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.dingtalk.settings import RobotSettings, load_settings
from tests.ci.workflow import (
    PROJECT_ROOT,
    ROBOT_SECRETS,
    WORKFLOW_PATH,
    chain_problems,
    load_workflow,
    notify_step,
    shard_command,
    shard_job_name,
    splits,
)

# check-jsonschema's own copies: SchemaStore's GitHub workflow schema, and its rule that every job has a timeout.
WORKFLOW_SCHEMAS = ("vendor.github-workflows", "custom.github-workflows-require-timeout")
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
NODE_ID = re.compile(r"testcases/test_\w+\.py::test_\w+\[[^\]]+\]")
DINGTALK_QPS_PER_API = 20  # per app per API, standard edition (docs/dingtalk-api.md)
APP_SECRETS = ("DINGTALK_APPKEY", "DINGTALK_APPSECRET")
PLAIN_SETTING = re.compile(r"\$\{\{ (secrets|vars)\.(\w+) \}\}")

Workflow = dict[str, Any]


def check_workflow(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    """check-jsonschema on ``path`` with a built-in schema, every download pointed at a closed port."""
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")} | NO_NETWORK
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("schema", WORKFLOW_SCHEMAS)
def test_the_workflow_is_valid_offline(schema: str) -> None:
    checked = check_workflow(WORKFLOW_PATH, schema)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("schema", "edit", "complaint"),
    [
        ("vendor.github-workflows", ("runs-on:", "run-on:"), "'runs-on' is a required property"),
        ("vendor.github-workflows", ("contents: read", "contents: reed"), "'reed'"),
        ("custom.github-workflows-require-timeout", ("timeout-minutes: 15", "continue-on-error: false"), "timeout"),
    ],
)
def test_the_schema_check_rejects_a_broken_workflow(
    tmp_path: Path, schema: str, edit: tuple[str, str], complaint: str
) -> None:
    text = WORKFLOW_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    broken = tmp_path / "api-tests.yml"
    broken.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    checked = check_workflow(broken, schema)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert complaint in checked.stdout


def test_shards_merge_and_report_line_up() -> None:
    assert chain_problems(load_workflow()) == []


def test_each_matrix_group_runs_its_own_share_on_all_cores() -> None:
    workflow = load_workflow()
    commands = [shard_command(workflow, group) for group in range(1, splits(workflow) + 1)]
    assert len(commands) == len(workflow["jobs"][shard_job_name(workflow)]["strategy"]["matrix"]["group"]) > 1
    for group, args in enumerate(commands, start=1):
        assert args[args.index("-n") + 1] == "auto"
        assert args[args.index("--group") + 1] == str(group)
        assert "--durations-path" not in args, "the shards read the committed .test_durations at the project root"


def _job(name: str) -> Callable[[Workflow], dict[str, Any]]:
    return lambda workflow: workflow["jobs"][name]


def _step(job: str, text: str) -> Callable[[Workflow], dict[str, Any]]:
    """The first step of ``job`` whose action or command contains ``text``."""
    return lambda workflow: next(step for step in workflow["jobs"][job]["steps"] if text in _action_or_command(step))


def _action_or_command(step: dict[str, Any]) -> str:
    return step.get("uses") or step.get("run", "")


def _matrix(workflow: Workflow) -> dict[str, Any]:
    return workflow["jobs"]["shard"]["strategy"]["matrix"]


BROKEN_EDITS: dict[str, tuple[Callable[[Workflow], dict[str, Any]], Callable[[dict[str, Any]], object], str]] = {
    "a group dropped": (_matrix, lambda matrix: matrix.update(group=[1, 2]), "needs the groups 1..3"),
    "a group added": (_matrix, lambda matrix: matrix.update(group=[1, 2, 3, 4]), "needs the groups 1..3"),
    "--splits raised": (
        _step("shard", "--splits"),
        lambda step: step.update(run=step["run"].replace("--splits 3", "--splits 4")),
        "needs the groups 1..4",
    ),
    "fixed --group": (
        _step("shard", "--splits"),
        lambda step: step.update(run=step["run"].replace("${{ matrix.group }}", "1")),
        "does not take its --group",
    ),
    "one core": (
        _step("shard", "--splits"),
        lambda step: step.update(run=step["run"].replace("-n auto", "")),
        "-n auto",
    ),
    "fail-fast": (lambda workflow: workflow["jobs"]["shard"]["strategy"], lambda s: s.pop("fail-fast"), "fail-fast"),
    "upload only on success": (_step("shard", "actions/upload-artifact"), lambda s: s.pop("if"), "after failing"),
    "one artifact name": (
        _step("shard", "actions/upload-artifact"),
        lambda step: step["with"].update(name="allure-results"),
        "would overwrite",
    ),
    "renamed artifacts": (
        _step("shard", "actions/upload-artifact"),
        lambda step: step["with"].update(name="results-${{ matrix.group }}"),
        "misses the shards' artifacts",
    ),
    "other results": (
        _step("shard", "actions/upload-artifact"),
        lambda step: step["with"].update(path="reports/"),
        "uploads",
    ),
    "merge job not needing the shards": (_job("report"), lambda job: job.pop("needs"), "needs 'shard'"),
    "report only when every shard passed": (_job("report"), lambda job: job.pop("if"), "when a shard fails"),
    "no merge": (
        _step("report", "actions/download-artifact"),
        lambda step: step["with"].pop("merge-multiple"),
        "merge-multiple",
    ),
    "merged elsewhere": (
        _step("report", "actions/download-artifact"),
        lambda step: step["with"].update(path="results/"),
        "merged into",
    ),
    "no report built": (
        _step("report", "npm"),
        lambda step: step.update(run="npm ci"),
        "npm run report",
    ),
    "report not kept": (
        _step("report", "actions/upload-artifact"),
        lambda step: step["with"].update(path="reports/allure-results/"),
        "does not keep reports/allure-report",
    ),
    "no notification": (_job("report"), lambda job: job["steps"].remove(notify_step(job)), "does not send the run"),
    "notification before the report": (
        _job("report"),
        lambda job: job["steps"].insert(0, job["steps"].pop(job["steps"].index(notify_step(job)))),
        "sent before the report is built and kept",
    ),
    "notification without python": (
        _job("report"),
        lambda job: job.update(steps=[s for s in job["steps"] if "setup-python" not in s.get("uses", "")]),
        "runs before actions/setup-python",
    ),
    "notification only on success": (_step("report", "notify"), lambda step: step.pop("if"), "when a case or"),
    "notification of other results": (
        _step("report", "notify"),
        lambda step: step.update(run=step["run"].replace("reports/allure-results", "reports/")),
        "does not read the merged results",
    ),
    "notification without the run id": (
        _step("report", "notify"),
        lambda step: step.update(run=step["run"].split(" --run-id")[0]),
        "does not name the CI run",
    ),
    "robot secret renamed": (
        _step("report", "notify"),
        lambda step: step["env"].update(DINGTALK_ROBOT_SECRET="${{ secrets.ROBOT_SECRET }}"),
        "does not get DINGTALK_ROBOT_SECRET from the repository secret",
    ),
    "robot webhook missing": (
        _step("report", "notify"),
        lambda step: step["env"].pop("DINGTALK_ROBOT_WEBHOOK"),
        "does not get DINGTALK_ROBOT_WEBHOOK from the repository secret",
    ),
    "report link elsewhere": (
        _step("report", "notify"),
        lambda step: step["env"].update(DINGTALK_REPORT_URL="reports/allure-report/index.html"),
        "is not the run's page",
    ),
}


@pytest.mark.parametrize("name", BROKEN_EDITS)
def test_a_broken_edit_is_named(name: str) -> None:
    find, change, complaint = BROKEN_EDITS[name]
    workflow = copy.deepcopy(load_workflow())
    change(find(workflow))
    problems = chain_problems(workflow)
    assert any(complaint in problem for problem in problems), problems


def test_actions_are_pinned_to_a_major_version_and_artifact_actions_agree() -> None:
    workflow = load_workflow()
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"actions/[\w-]+@v\d+", action) for action in uses), uses
    artifact_majors = {action.split("@")[1] for action in uses if action.split("@")[0].endswith("-artifact")}
    assert len(artifact_majors) == 1, f"upload and download of artifacts must share a major version: {uses}"


def _secrets_used(item: object) -> set[str]:
    return set(re.findall(r"\bsecrets\.(\w+)", json.dumps(item)))


def test_the_app_s_secrets_only_in_the_shards_the_robot_s_only_in_the_notification() -> None:
    workflow = load_workflow()
    assert "env" not in workflow
    jobs = workflow["jobs"]
    shard, report = jobs[shard_job_name(workflow)], jobs["report"]
    assert _secrets_used(shard) == set(APP_SECRETS), "the shards must not notify: one message per run, not per shard"
    notify = notify_step(report)
    assert _secrets_used(notify) == set(ROBOT_SECRETS)
    others = [job for name, job in jobs.items() if job is not shard and job is not report]
    other_steps = [step for step in report["steps"] if step is not notify]
    assert _secrets_used([others, other_steps, {k: v for k, v in report.items() if k != "steps"}]) == set()


def _notify_environ(workflow: Workflow, secrets: dict[str, str]) -> dict[str, str]:
    """The notification step's environment as GitHub renders it for the run 77 of acme/apitest."""
    github = {"server_url": "https://github.com", "repository": "acme/apitest", "run_id": "77"}
    rendered = {}
    for name, value in notify_step(workflow["jobs"]["report"])["env"].items():
        rendered[name] = re.sub(
            r"\$\{\{ (secrets|github)\.(\w+) \}\}",
            lambda m: (secrets if m[1] == "secrets" else github).get(m[2], ""),
            value,
        )
    return rendered


def test_without_the_robot_secrets_the_notification_is_off(tmp_path: Path) -> None:
    assert load_settings(tmp_path, environ=_notify_environ(load_workflow(), {})).robot is None


def test_with_the_robot_secrets_the_notification_goes_to_the_robot_and_links_the_run(tmp_path: Path) -> None:
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=robot-token"
    secrets = {"DINGTALK_ROBOT_WEBHOOK": webhook, "DINGTALK_ROBOT_SECRET": "SECrobot"}
    robot = load_settings(tmp_path, environ=_notify_environ(load_workflow(), secrets)).robot
    assert robot == RobotSettings(webhook, "SECrobot", "https://github.com/acme/apitest/actions/runs/77")


def _shard_environ(workflow: Workflow, target: str, secrets: dict[str, str]) -> dict[str, str]:
    """The shard job's environment as GitHub renders it: a secret or variable that is not set is ''."""
    job_env: dict[str, str] = workflow["jobs"][shard_job_name(workflow)]["env"]
    rendered = {}
    for name, value in job_env.items():
        plain = PLAIN_SETTING.fullmatch(value)
        if plain:
            rendered[name] = secrets.get(plain[2], "") if plain[1] == "secrets" else ""
    assert set(job_env) - set(rendered) == {"DINGTALK_TARGET"}
    return rendered | {"DINGTALK_TARGET": target}


def test_without_secrets_or_variables_the_shards_run_against_the_sandbox(tmp_path: Path) -> None:
    workflow = load_workflow()
    assert "DINGTALK_PROFILE" not in workflow["jobs"][shard_job_name(workflow)]["env"], (
        "an empty DINGTALK_PROFILE stops a sandbox run: set it for live runs only"
    )
    settings = load_settings(tmp_path, environ=_shard_environ(workflow, "sandbox", {}))
    assert settings.target == "sandbox"
    assert settings.profile_path == tmp_path / "data" / "profiles" / "sandbox.yaml"


def test_live_shards_together_keep_to_dingtalks_qps_limit(tmp_path: Path) -> None:
    workflow = load_workflow()
    shard = workflow["jobs"][shard_job_name(workflow)]
    [live_step] = [step for step in shard["steps"] if step.get("if") == "env.DINGTALK_TARGET == 'live'"]
    assert live_step["env"]["SHARDS"] == "${{ strategy.job-total }}"
    shards = len(shard["strategy"]["matrix"]["group"])
    github_env = tmp_path / "github-env"
    step_env = {"PROFILE": "data/profiles/mine.yaml", "QPS": "", "SHARDS": str(shards), "GITHUB_ENV": str(github_env)}
    subprocess.run(["bash", "-euo", "pipefail", "-c", live_step["run"]], env=step_env, check=True, timeout=30)
    written = dict(line.split("=", 1) for line in github_env.read_text(encoding="utf-8").splitlines())
    secrets = {"DINGTALK_APPKEY": "ding-key", "DINGTALK_APPSECRET": "ding-secret"}
    settings = load_settings(tmp_path, environ=_shard_environ(workflow, "live", secrets) | written)
    assert settings.profile_path == tmp_path / "data" / "profiles" / "mine.yaml"
    assert 0 < settings.qps * shards <= DINGTALK_QPS_PER_API


def test_the_committed_durations_name_the_suites_cases() -> None:
    durations = json.loads((PROJECT_ROOT / ".test_durations").read_text(encoding="utf-8"))
    assert durations
    misnamed = [node_id for node_id in durations if not NODE_ID.fullmatch(node_id)]
    assert misnamed == [], "record durations from the project root: pytest -p no:xdist --store-durations"
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in durations.values())


def test_the_report_job_has_what_npm_ci_and_npm_run_report_need() -> None:
    package = json.loads((PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))
    assert "report" in package["scripts"]
    assert (PROJECT_ROOT / "package-lock.json").is_file(), "npm ci and setup-node's npm cache need the lockfile"
