"""The API suite run end to end, as the README runs it: results, token use, errors and report content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from tests.e2e.harness import (
    LIVE_READ_ONLY_RUN,
    LIVE_WRITING_RUN,
    PROJECT_ROOT,
    SANDBOX_RUN,
    LiveRun,
    Project,
    SuiteRun,
)
from tests.e2e.suite_additions import PARALLEL_COPIES

REQUEST_LINE = re.compile(r'"(GET|POST) (/[^?\s]*)\S* HTTP/1\.1" \d{3} ')
"""A request line of the sandbox's access log, as the debug log file records it."""


def _project_cases(root: Path = PROJECT_ROOT) -> list[Case]:
    """The cases of ``root``'s data/ (by default the shipped ones), all valid."""
    profile = load_profile(root / "data/profiles/sandbox.yaml", "sandbox.yaml")
    loader = CaseLoader(SchemaStore(root / "schemas"), profile, root)
    cases = [case for path in sorted((root / "data").glob("*.yaml")) for case in loader.load(path)]
    assert all(isinstance(case, Case) for case in cases), f"the cases of {root / 'data'} must all be valid"
    return cases  # type: ignore[return-value]


def _summary(run_output: str) -> dict[str, int]:
    """Counts from pytest's closing line, e.g. {'passed': 45, 'failed': 1}."""
    last = [line for line in run_output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)][-1]
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", last)}


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_default_run_uses_the_embedded_sandbox_and_every_valid_case_passes(
    sandbox_run: tuple[Project, SuiteRun],
) -> None:
    project, run = sandbox_run
    added = 2  # the user's case and the narrow window, besides the typo and the broken file
    assert _summary(run.output) == {"passed": len(_project_cases()) + added, "errors": 2}, run.output[-3000:]
    assert len(project.allure_results()) == len(_project_cases()) + added + 2


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_malformed_cases_are_one_line_each_and_the_rest_still_run(sandbox_run: tuple[Project, SuiteRun]) -> None:
    project, run = sandbox_run
    assert run.returncode == 1
    # a new data file runs with no Python added; its YAML error fails it alone
    last_line = len((project.root / "data" / "blackboard.yaml").read_text().splitlines())
    assert f"data/blackboard.yaml:{last_line} case 'typo' reqest: unknown key 'reqest': did you mean 'request'?" in (
        run.output
    )
    assert "data/broken.yaml:6: not valid YAML" in run.output
    assert "Traceback" not in run.output
    # the two bad ones are reported beside the results of the cases that ran
    not_passed = [result["fullName"] for result in project.allure_results() if result["status"] != "passed"]
    assert sorted(not_passed) == ["blackboard:typo", "broken:<file>"]


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_a_new_yaml_case_shows_up_in_the_report_with_its_labels_and_exchanges(
    sandbox_run: tuple[Project, SuiteRun],
) -> None:
    project, _ = sandbox_run
    [result] = [result for result in project.allure_results() if result["name"] == "用户新加的用例"]
    labels = {(label["name"], label["value"]) for label in result["labels"]}
    assert result["status"] == "passed"
    assert {
        ("epic", "公告 Blackboard"),
        ("feature", "blackboard"),
        ("story", "/topapi/blackboard/category/list"),
        ("severity", "minor"),
    } <= labels
    attachments = [a["name"] for step in result["steps"] for a in _all_attachments(step)]
    assert {"request", "response"} <= set(attachments)
    assert "curl" not in attachments  # a passing step's exchange has no curl line: only a failed one does


@pytest.mark.xdist_group(LIVE_READ_ONLY_RUN)
def test_a_parallel_run_requests_one_token(live_read_only_run: tuple[Project, SuiteRun, dict]) -> None:
    project, run, stats = live_read_only_run
    assert run.returncode == 0, run.output
    gettoken_cases = sum(
        1
        for case in _project_cases(project.root)
        if not (case.writes or case.sandbox_only is not None)
        for step in case.steps
        if (step.request.method, step.request.path) == ("GET", "/gettoken")
    )
    assert gettoken_cases > 0
    # every call to /gettoken beyond the cases that test gettoken itself is the run's own token request
    assert stats["calls"]["GET /gettoken"] - gettoken_cases == 1


@pytest.mark.xdist_group(LIVE_READ_ONLY_RUN)
def test_writes_are_skipped_on_a_live_target_unless_allowed(live_read_only_run: tuple[Project, SuiteRun, dict]) -> None:
    project, run, stats = live_read_only_run
    assert run.returncode == 0, run.output
    cases = _project_cases(project.root)
    skipped = sum(1 for case in cases if case.writes or case.sandbox_only is not None)
    assert any(case.writes for case in cases) and any(case.sandbox_only for case in cases)  # both kinds are skipped
    assert _summary(run.output) == {"passed": len(cases) - skipped, "skipped": skipped}
    assert "DINGTALK_ALLOW_WRITES=1" in run.output
    assert stats["calls"].get("POST /topapi/blackboard/create", 0) == 0


@pytest.mark.xdist_group(LIVE_READ_ONLY_RUN)
def test_the_log_file_holds_every_request_of_every_worker(live_read_only_run: tuple[Project, SuiteRun, dict]) -> None:
    project, run, stats = live_read_only_run
    assert run.returncode == 0, run.output
    logged = REQUEST_LINE.findall((project.reports / "run.log").read_text(encoding="utf-8"))
    # the sandbox counts the calls of the endpoints it emulates (a case also calls one it does not)
    emulated = [f"{method} {path}" for method, path in logged if f"{method} {path}" in stats["calls"]]
    assert len(emulated) == stats["total"] > 20


@pytest.mark.xdist_group(LIVE_WRITING_RUN)
def test_parallel_flows_run_side_by_side_and_leave_nothing_behind(live_writing_run: LiveRun) -> None:
    """Copies of one announcement life cycle, on two workers among the whole live run's cases."""
    project, run = live_writing_run.project, live_writing_run.run
    assert run.returncode == 0, run.output[-3000:]
    copies = [result for result in project.allure_results() if result["fullName"].startswith("blackboard:crud-copy-")]
    assert sorted(result["status"] for result in copies) == ["passed"] * PARALLEL_COPIES
    assert live_writing_run.stats["objects"]["blackboard"] == live_writing_run.announcements_before


def _all_attachments(step: dict) -> list[dict]:
    found = list(step.get("attachments", []))
    for child in step.get("steps", []):
        found += _all_attachments(child)
    return found
