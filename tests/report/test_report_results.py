"""What the Allure results keep of a run (common/report/results.py) and the replay command's pytest line
(common/report/replay.py), without a run: the report-level checks are in test_html_report.py."""

from __future__ import annotations

from pathlib import Path

from allure_commons import model2
from allure_commons.model2 import Label, Parameter, StatusDetails

from common.report.replay import pytest_args
from common.report.results import (
    LOCATION,
    TEST_ID,
    ResultsTidier,
    curl_text,
    invalid_case_labels,
    replay_command,
)

MESSAGE = "data/x.yaml:4 case 'x': POST /x → HTTP 200\n  - errcode: expected 1, got 0\n  replay:\n    curl -X POST 'http://127.0.0.1:5/x'"


def failed_result() -> model2.TestResult:
    step = model2.TestStepResult(
        name="POST /x",
        status="failed",
        statusDetails=StatusDetails(message=f"common.core.errors.CheckFailure: {MESSAGE.removeprefix('Failed: ')}\n"),
    )
    check = model2.TestStepResult(
        name="✗ errcode", status="failed", statusDetails=StatusDetails(message=MESSAGE, trace="  File x")
    )
    step.steps.append(check)
    return model2.TestResult(
        name="t",
        fullName="testcases.test_cases#test_case",
        status="failed",
        statusDetails=StatusDetails(message=f"Failed: {MESSAGE}", trace=MESSAGE),
        steps=[step],
        parameters=[
            Parameter(name=TEST_ID, value="'x:x'"),
            Parameter(name=LOCATION, value="'data/x.yaml:4'", excluded=True),
            Parameter(name="case", value="0"),  # the case's index among those collected
        ],
        labels=[
            Label("epic", "E"),
            Label("host", "vm"),
            Label("thread", "1-MainThread"),
            Label("tag", "yaml_cases"),
            Label("tag", "feature_x"),
            Label("tag", "smoke"),
            Label("tag", "smoke"),
        ],
    )


def test_a_result_keeps_the_case_and_loses_the_plumbing() -> None:
    result = failed_result()
    ResultsTidier(sandbox=True).report_result(result)
    assert [(label.name, label.value) for label in result.labels] == [("epic", "E"), ("tag", "smoke")]
    assert [(p.name, p.value) for p in result.parameters] == [(TEST_ID, "x:x"), (LOCATION, "data/x.yaml:4")]
    assert result.fullName == "x:x"
    assert result.statusDetails.trace is None
    assert result.statusDetails.message == MESSAGE.replace("curl -X POST 'http://127.0.0.1:5/x'", replay_command("x:x"))
    (step,) = result.steps
    assert step.statusDetails is None  # the error stays where it happened, once
    assert step.steps[0].statusDetails == StatusDetails(message=result.statusDetails.message)


def test_a_test_that_runs_no_yaml_case_keeps_a_parameter_named_case() -> None:
    result = model2.TestResult(name="test_own", parameters=[Parameter(name="case", value="'mine'")])
    ResultsTidier(sandbox=True).report_result(result)
    assert [(p.name, p.value) for p in result.parameters] == [("case", "mine")]


def test_the_history_follows_the_test_id_not_the_line() -> None:
    moved = failed_result()
    moved.parameters[1].value = "'data/x.yaml:40'"
    tidied = []
    for result in (failed_result(), moved):
        ResultsTidier(sandbox=True).report_result(result)
        tidied.append((result.testCaseId, result.historyId))
    assert tidied[0] == tidied[1]


def test_framework_fixtures_leave_set_up_and_tear_down() -> None:
    tidier = ResultsTidier(sandbox=True)
    tidier.hidden_fixtures.update({"case_runner", "pytestconfig"})
    container = model2.TestResultContainer(
        befores=[model2.TestStepResult(name="pytestconfig"), model2.TestStepResult(name="tenant_data")],
        afters=[model2.TestStepResult(name="case_runner::0"), model2.TestStepResult(name="tenant_data::0")],
    )
    tidier.report_container(container)
    assert [item.name for item in container.befores + container.afters] == ["tenant_data", "tenant_data::0"]


def test_the_curl_line_says_how_to_replay() -> None:
    curl = "curl -X POST 'http://127.0.0.1:5/x?access_token=***'\n"
    assert curl_text(curl, "hrm:size[max]", sandbox=False) == (
        f"# 重放（新 token，发往当前目标）：python -m common.report.replay 'hrm:size[max]'\n{curl}"
    )
    on_sandbox = curl_text(curl, "a:b", sandbox=True).splitlines()
    assert on_sandbox[0].endswith("python -m common.report.replay a:b")
    assert on_sandbox[-1] == f"# {curl.strip()}"


def test_an_invalid_case_is_placed_from_its_yaml(tmp_path: Path) -> None:
    (tmp_path / "hrm.yaml").write_text(
        "epic: 智能人事 HRM\nfeature: hrm\ncases:\n"
        "  - id: bad\n    title: 一个坏用例\n    severity: critical\n    steps:\n      - request: {path: /topapi/x}\n"
        "  - id: bare\n    request: {path: /topapi/y}\n",
        encoding="utf-8",
    )
    assert invalid_case_labels("hrm:bad", "data/hrm.yaml:4 case 'bad' expct: unknown key", tmp_path) == {
        "location": "data/hrm.yaml:4",
        "epic": "智能人事 HRM",
        "feature": "hrm",
        "title": "一个坏用例",
        "severity": "critical",
        "story": "/topapi/x",
    }
    assert invalid_case_labels("hrm:bare[0]", "", tmp_path)["story"] == "/topapi/y"
    (tmp_path / "broken.yaml").write_text("cases: [", encoding="utf-8")
    assert invalid_case_labels("broken:<file>", "data/broken.yaml:1 not valid YAML", tmp_path) == {
        "location": "data/broken.yaml:1"
    }


def test_the_replay_runs_one_test_alone_and_keeps_the_runs_results(tmp_path: Path) -> None:
    assert pytest_args("blackboard:crud-flow", tmp_path)[:2] == [
        "testcases/test_cases.py::test_case[blackboard:crud-flow]",
        "--case-file=blackboard.yaml",
    ]
    node = "testcases/test_handwritten_example.py::test_x"
    args = pytest_args(node, tmp_path)
    assert args[0] == node
    assert f"--alluredir={tmp_path}" in args and "no:xdist" in args
