"""The users' GitHub Actions workflow as data: its shard command and what breaks its shard → merge → report chain."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from common.plugin.suite import DEFAULT_ALLURE_DIR, PROJECT_ROOT

WORKFLOW_PATH = PROJECT_ROOT / ".github" / "workflows" / "api-tests.yml"
RESULTS_DIR = DEFAULT_ALLURE_DIR.relative_to(PROJECT_ROOT).as_posix()
REPORT_DIR = "reports/allure-report"
GROUP = "${{ matrix.group }}"
RUNS_AFTER_FAILURES = ("!cancelled()", "always()")
NOTIFY_COMMAND = "python -m common.report.notify_results"
ROBOT_SECRETS = ("DINGTALK_ROBOT_WEBHOOK", "DINGTALK_ROBOT_SECRET")
RUN_PAGE = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"

Job = dict[str, Any]
Step = dict[str, Any]


def load_workflow(path: Path = WORKFLOW_PATH) -> dict[str, Any]:
    """The workflow file as a dict (PyYAML reads the key `on` as True; nothing here needs it)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def shard_job_name(workflow: dict[str, Any]) -> str:
    """The job that runs pytest with ``--splits``; there must be exactly one."""
    names = [name for name, job in workflow["jobs"].items() if _pytest_step(job) is not None]
    if len(names) != 1:
        raise AssertionError(f"expected one job running pytest with --splits, found {names or 'none'}")
    return names[0]


def splits(workflow: dict[str, Any]) -> int:
    """The ``--splits`` value of the shard job's pytest command."""
    args = shard_command(workflow, group=1)
    return int(args[args.index("--splits") + 1])


def shard_command(workflow: dict[str, Any], group: int) -> list[str]:
    """The shard job's pytest arguments (after ``python -m pytest``) as matrix group ``group`` runs them."""
    step = _pytest_step(workflow["jobs"][shard_job_name(workflow)])
    assert step is not None
    words = shlex.split(step["run"].replace(GROUP, str(group)))
    return words[words.index("pytest") + 1 :]


def chain_problems(workflow: dict[str, Any]) -> list[str]:
    """Every way the shards, the merge and the report fail to line up; empty when they do."""
    shard_name = shard_job_name(workflow)
    shard = workflow["jobs"][shard_name]
    problems: list[str] = []
    upload = _only_step(shard, "actions/upload-artifact", problems, shard_name)
    problems += _shard_problems(shard, upload)
    groups = shard.get("strategy", {}).get("matrix", {}).get("group", [])
    count = splits(workflow)
    if groups != list(range(1, count + 1)):
        problems.append(f"matrix.group is {groups}, but --splits {count} needs the groups 1..{count}")
    artifact_names = [_with(upload, "name").replace(GROUP, str(group)) for group in groups] if upload else []

    merging = [name for name, job in workflow["jobs"].items() if shard_name in _needs(job)]
    if len(merging) != 1:
        return [*problems, f"expected one job that needs {shard_name!r}, found {merging or 'none'}"]
    return problems + _merge_problems(merging[0], workflow["jobs"][merging[0]], artifact_names)


def _shard_problems(shard: Job, upload: Step | None) -> list[str]:
    problems = []
    run = _pytest_step(shard)["run"]
    if _option(shlex.split(run), "-n") != "auto":
        problems.append("the shard's pytest does not run on all cores (-n auto)")
    if not re.search(r"--group[= ]" + re.escape(GROUP), run):
        problems.append(f"the shard's pytest does not take its --group from {GROUP}")
    if shard.get("strategy", {}).get("fail-fast", True):
        problems.append("strategy.fail-fast is not false: one failing shard would cancel the others' results")
    if upload:
        if GROUP not in _with(upload, "name"):
            problems.append(f"the shards' artifact name does not contain {GROUP}: the shards would overwrite it")
        if _with(upload, "path").rstrip("/") != RESULTS_DIR:
            problems.append(f"the shard uploads {_with(upload, 'path')!r}, not the suite's results {RESULTS_DIR}")
        if not _runs_after_failures(upload):
            problems.append("the shard's upload does not run after failing tests (if: ${{ !cancelled() }})")
    return problems


def _merge_problems(name: str, job: Job, artifact_names: list[str]) -> list[str]:
    problems = []
    if not _runs_after_failures(job):
        problems.append(f"job {name!r} does not run when a shard fails (if: ${{{{ !cancelled() }}}})")
    download = _only_step(job, "actions/download-artifact", problems, name)
    if download:
        pattern = _with(download, "pattern")
        missed = [artifact for artifact in artifact_names if not fnmatch.fnmatchcase(artifact, pattern)]
        if missed or not artifact_names:
            problems.append(f"the download pattern {pattern!r} misses the shards' artifacts {missed}")
        if download["with"].get("merge-multiple") is not True:
            problems.append("the download does not merge the shards' artifacts into one directory (merge-multiple)")
        if _with(download, "path").rstrip("/") != RESULTS_DIR:
            problems.append(f"the shards' results are merged into {_with(download, 'path')!r}, not {RESULTS_DIR}")
    steps = job.get("steps", [])
    builds = [index for index, step in enumerate(steps) if re.search(r"\bnpm run report\b", step.get("run", ""))]
    installs = [index for index, step in enumerate(steps) if re.search(r"\bnpm ci\b", step.get("run", ""))]
    if not builds or not installs:
        problems.append(f"job {name!r} does not build the report with `npm ci` and `npm run report`")
    elif download and steps.index(download) > builds[0]:
        problems.append("the report is built before the shards' results are downloaded")
    kept = [step for step in _steps_using(job, "actions/upload-artifact") if REPORT_DIR in _with(step, "path")]
    if not kept or (builds and steps.index(kept[0]) < builds[0]):
        problems.append(f"job {name!r} does not keep {REPORT_DIR} as an artifact after building it")
    report_steps = [*builds, *(steps.index(step) for step in kept)]
    return problems + _notify_problems(name, steps, max(report_steps, default=-1))


def notify_step(job: Job) -> Step | None:
    """The step that sends the run notification from the merged results."""
    steps = [step for step in job.get("steps", []) if NOTIFY_COMMAND in step.get("run", "")]
    return steps[0] if steps else None


def _notify_problems(name: str, steps: list[Step], last_report_step: int) -> list[str]:
    """The notification: after the report is built and kept, even when a shard failed, with the robot's secrets."""
    notify = notify_step({"steps": steps})
    if notify is None:
        return [f"job {name!r} does not send the run notification ({NOTIFY_COMMAND})"]
    problems = []
    index = steps.index(notify)
    if index < last_report_step:
        problems.append("the run notification is sent before the report is built and kept")
    if not any(step.get("uses", "").startswith("actions/setup-python@") for step in steps[:index]):
        problems.append("the run notification runs before actions/setup-python")
    if not _runs_after_failures(notify):
        problems.append("the run notification is not sent when a case or the report fails (if: ${{ !cancelled() }})")
    args = shlex.split(notify["run"])
    if (_option(args, "--results") or "").rstrip("/") != RESULTS_DIR:
        problems.append(f"the run notification does not read the merged results ({RESULTS_DIR})")
    if not re.search(r"--run-id[= ]" + re.escape("${{ github.run_id }}"), notify["run"]):
        problems.append("the run notification does not name the CI run (--run-id ${{ github.run_id }})")
    env = notify.get("env") or {}
    for secret in ROBOT_SECRETS:
        if env.get(secret) != f"${{{{ secrets.{secret} }}}}":
            problems.append(f"the run notification does not get {secret} from the repository secret of that name")
    if env.get("DINGTALK_REPORT_URL") != RUN_PAGE:
        problems.append(f"the run notification's DINGTALK_REPORT_URL is not the run's page {RUN_PAGE}")
    return problems


def _pytest_step(job: Job) -> Step | None:
    steps = [step for step in job.get("steps", []) if "pytest" in step.get("run", "") and "--splits" in step["run"]]
    return steps[0] if steps else None


def _steps_using(job: Job, action: str) -> list[Step]:
    return [step for step in job.get("steps", []) if step.get("uses", "").split("@")[0] == action]


def _only_step(job: Job, action: str, problems: list[str], job_name: str) -> Step | None:
    steps = _steps_using(job, action)
    if len(steps) != 1:
        problems.append(f"job {job_name!r} should use {action} once, uses it {len(steps)} times")
        return None
    return steps[0]


def _with(step: Step, name: str) -> str:
    """An input of an action step, as text ('' when not given)."""
    return str((step.get("with") or {}).get(name, ""))


def _option(args: list[str], name: str) -> str | None:
    """The value after option ``name`` in a command line."""
    index = args.index(name) + 1 if name in args else len(args)
    return args[index] if index < len(args) else None


def _needs(job: Job) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _runs_after_failures(item: Job | Step) -> bool:
    condition = str(item.get("if", "")).replace(" ", "")
    return any(word in condition for word in RUNS_AFTER_FAILURES)
