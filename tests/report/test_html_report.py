"""The HTML report as a reviewer sees it: a run with failures in a project copy, `npm run report` (twice, for
history), and the single file opened from disk in headless Chromium with the network blocked."""

from __future__ import annotations

import base64
import io
import json
import platform
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from common.cases.problems import shown
from common.live.drift import RECORD_ATTACHMENT, attach_to_run
from common.report import replay
from common.report.metadata import CONTENT, ENVIRONMENT_FILE, ERRCODE_OR_STATUS, SCHEMA, SETUP
from sandbox.config import DEFAULT_APPSECRET
from tests.conftest import BROWSER_WORKER
from tests.e2e.harness import PROJECT_ROOT, Project, copy_project
from tests.report.allure_js import read_properties

pytestmark = pytest.mark.xdist_group(BROWSER_WORKER)  # also the one worker that makes the reviewed run they read

WRONG_ERRCODE = "expects an errcode the answer does not have"
WRONG_ERRCODE_ID = "wrong-errcode"
FAILING_CASES = f"""
  - id: {WRONG_ERRCODE_ID}
    title: {WRONG_ERRCODE}
    request:
      path: /topapi/blackboard/category/list
      json: {{operation_userid: "${{profile.admin_userid}}"}}
    expect: {{errcode: 40035}}
  - id: wrong-shape
    title: checked against another endpoint's schema
    request:
      path: /topapi/blackboard/category/list
      json: {{operation_userid: "${{profile.admin_userid}}"}}
    expect: {{schema: oapi/topapi/blackboard/get}}
  - id: misspelt
    title: a case with a misspelt key
    request: {{path: /topapi/blackboard/category/list}}
    expct: {{errcode: 0}}
"""
CHECKS_PASSED = "every check of a passed two-step case is shown"
CHECKS_FAILED = "every check of a failed two-step case is shown"
LIST_CATEGORIES = """
        request:
          path: /topapi/blackboard/category/list
          json: {operation_userid: "${profile.admin_userid}"}"""
CHECKED_CASES = f"""
  - id: checks-passed
    title: {CHECKS_PASSED}
    steps:
      - name: list the categories{LIST_CATEGORIES}
        expect: {{body: {{result: {{len_ge: 1}}}}}}
        save: {{first_id: "result[0].id"}}
      - name: list them again{LIST_CATEGORIES}
        expect: {{body: {{"result[0].id": "${{first_id}}", "result[0].name": {{type: string}}}}}}
  - id: checks-failed
    title: {CHECKS_FAILED}
    steps:
      - name: list the categories{LIST_CATEGORIES}
        expect: {{body: {{result: {{len_ge: 1}}}}}}
      - name: expect a category that is not there{LIST_CATEGORIES}
        expect: {{body: {{"result[0].id": no-such-category, "result[0].name": {{type: string}}}}}}
"""
"""A passed and a failed case of two steps each, to show every check of every step."""
EXPECTED_CATEGORIES = {ERRCODE_OR_STATUS: 1, SCHEMA: 1, SETUP: 1, CONTENT: 1}
"""The failing cases above, one per category (the misspelt one is an invalid case, checks-failed a body
assertion)."""
JUNIT = "reports/junit.xml"
DRIFT_RECORD = {"run_id": "reviewed", "new": 0, "drift": []}
"""The contract-drift record a live run attaches to itself (``attach_to_run``), here of a run where nothing drifted: the
reviewed run reads no drift (on the sandbox, a case's wrong schema fails, as the failure categories need)."""
STATUSES = ("total", "passed", "failed", "broken", "skipped", "unknown")


@dataclass(frozen=True)
class ReviewedRun:
    """A run with failures and its report, generated twice."""

    project: Project
    junit: Path

    @property
    def results(self) -> Path:
        return self.project.reports / "allure-results"

    @property
    def report(self) -> Path:
        return self.project.reports / "allure-report" / "index.html"


def review(root: Path, bytecode: Path) -> ReviewedRun:
    """In a project copy at ``root``: an earlier run of WRONG_ERRCODE alone, then the reviewed run of the blackboard
    cases and the failing ones, reporting after each run and once more on the reviewed run's results (as a rebuilt
    report does); the reviewed run with DRIFT_RECORD attached to it. Serial: no claim here is about workers
    (tests/report/test_report_metadata.py has what the controller and the workers each write)."""
    project = copy_project(root, bytecode)
    project.add_cases("blackboard.yaml", FAILING_CASES + CHECKED_CASES)
    for selection, reports in ((("-k", WRONG_ERRCODE_ID), 1), ((), 2)):
        run = project.run("--case-file=blackboard.yaml", *selection, "-n", "0", "-q", f"--junitxml={root / JUNIT}")
        assert run.returncode == 1, run.output
        if not selection:
            attach_to_run(project.reports / "allure-results", DRIFT_RECORD)
        for _ in range(reports):
            generated = project.generate_report()
            assert generated.returncode == 0, generated.output
    return ReviewedRun(project, root / JUNIT)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, bytecode: Path, report_tooling: Path) -> ReviewedRun:
    """One reviewed run for the module: under xdist its tests all go to one worker (``BROWSER_WORKER``)."""
    return review(tmp_path_factory.mktemp("report"), bytecode)


@pytest.fixture(scope="module")
def report_page(reviewed: ReviewedRun, offline_page: Page, tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The report, copied alone to a folder of its own and opened from there, once for the module's tests."""
    alone = tmp_path_factory.mktemp("alone") / "index.html"
    shutil.copy2(reviewed.report, alone)
    offline_page.goto(alone.as_uri())
    return offline_page


BACK_TO_START = (
    "() => { history.pushState(null, '', location.pathname); dispatchEvent(new PopStateEvent('popstate')); }"
)
"""The report's view is in its URL (a status filter, a tab, a test result): its own address, navigated to in the page
as its links navigate, shows its start again without loading the file again."""


def open_report(page: Page) -> Page:
    """The report's start page, whatever view an earlier test left."""
    page.evaluate(BACK_TO_START)
    page.get_by_test_id("metadata-item-total").wait_for()
    return page


def junit_counts(junit: Path) -> dict[str, int]:
    """The run's own counts in the report's terms: a pytest failure or error is a failed or broken test."""
    suites = ET.parse(junit).getroot()
    suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
    assert suite is not None
    tests, failures, errors, skipped = (
        int(suite.get(name, "0")) for name in ("tests", "failures", "errors", "skipped")
    )
    return {
        "total": tests,
        "passed": tests - failures - errors - skipped,
        "failed or broken": failures + errors,
        "skipped": skipped,
    }


def shown_counts(page: Page) -> dict[str, int]:
    """The totals at the top of the report (a status with no tests is not shown)."""
    shown = dict.fromkeys(STATUSES, 0)
    for status in STATUSES:
        item = page.get_by_test_id(f"metadata-item-{status}")
        if item.count():
            shown[status] = int(item.get_by_test_id("metadata-value").inner_text())
    return {
        "total": shown["total"],
        "passed": shown["passed"],
        "failed or broken": shown["failed"] + shown["broken"],
        "skipped": shown["skipped"],
    }


def result_titled(results: Path, title: str) -> dict[str, Any]:
    found = [data for path in results.glob("*-result.json") if (data := json.loads(path.read_text()))["name"] == title]
    assert len(found) == 1, f"{len(found)} results titled {title!r}"
    return found[0]


def attachments_named(node: dict[str, Any], name: str) -> list[str]:
    """The files of every attachment called ``name`` in a result and its steps, in order."""
    own = [item["source"] for item in node.get("attachments", []) if item["name"] == name]
    return own + [source for step in node.get("steps", []) for source in attachments_named(step, name)]


def squeezed(text: str) -> str:
    return " ".join(text.split())


def test_the_report_is_one_file_that_opens_from_anywhere(reviewed: ReviewedRun, report_page: Page) -> None:
    assert report_page.url != reviewed.report.as_uri()  # a copy alone in another folder, as every test here opens
    assert shown_counts(open_report(report_page))["total"] > 0


def test_the_totals_shown_are_the_runs_own(reviewed: ReviewedRun, report_page: Page) -> None:
    expected = junit_counts(reviewed.junit)
    assert expected["failed or broken"] == len(EXPECTED_CATEGORIES)
    assert shown_counts(open_report(report_page)) == expected


def test_a_failed_case_shows_its_response(reviewed: ReviewedRun, report_page: Page) -> None:
    (source,) = attachments_named(result_titled(reviewed.results, WRONG_ERRCODE), "response")
    response = (reviewed.results / source).read_text(encoding="utf-8")
    page = open_report(report_page)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    header = page.get_by_test_id("test-result-attachment-header").filter(has_text="response")
    attachment = page.get_by_test_id("test-result-attachment").filter(has=header)
    attachment.get_by_test_id("test-result-attachment-header").click()
    page.get_by_text('"errcode": 0').first.wait_for()
    assert squeezed(response) in squeezed(attachment.inner_text())


def test_failures_are_sorted_into_categories(reviewed: ReviewedRun, report_page: Page) -> None:
    page = open_report(report_page)
    page.get_by_test_id("nav-tab-categories").click()
    sections = page.get_by_test_id("tree-section")
    sections.first.wait_for()
    shown = {}
    for index in range(sections.count()):
        title, count = sections.nth(index).inner_text().split("\n")[:2]
        shown[title] = int(count)
    assert shown == EXPECTED_CATEGORIES


def tree_group(scope: Page | Locator, title: str) -> Locator:
    """The group of the report's tree whose heading is ``title`` (its heading and everything under it)."""
    heading = f"*[@data-testid='tree-section']/*[@data-testid='tree-section-title'][normalize-space()='{title}']"
    return scope.locator(f"xpath=.//*[./{heading}]")


def test_cases_are_grouped_by_api_group_then_endpoint(reviewed: ReviewedRun, report_page: Page) -> None:
    page = open_report(report_page)
    endpoint = tree_group(tree_group(page, "公告 Blackboard"), "/topapi/blackboard/category/list")
    expect(endpoint.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE)).to_have_count(1)


def test_the_environment_is_shown_without_secrets(reviewed: ReviewedRun, report_page: Page) -> None:
    written = read_properties(reviewed.results / ENVIRONMENT_FILE)
    assert written["Target"] == "sandbox"
    assert written["Python"] == platform.python_version()
    page = open_report(report_page)
    shown = {}
    items = page.get_by_test_id("metadata-item")
    for index in range(items.count()):
        item = items.nth(index)
        if item.get_by_test_id("metadata-item-key").count():
            key = item.get_by_test_id("metadata-item-key").inner_text()
            shown[key] = item.get_by_test_id("metadata-item-value").inner_text()
    for key in ("Target", "Run id", "Old host (oapi)", "Tenant profile", "Python", "pytest"):
        assert shown[key] == written[key], key
    assert DEFAULT_APPSECRET not in reviewed.report.read_text(encoding="utf-8")


def test_history_is_kept_across_runs_each_run_once(reviewed: ReviewedRun, report_page: Page) -> None:
    history = (reviewed.project.reports / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(history) == 2  # two runs; the second one reported twice
    page = open_report(report_page)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    page.get_by_test_id("test-result-tab-history").click()
    expect(page.get_by_test_id("test-result-history-item")).to_have_count(1)


def report_widget(report: Path, name: str) -> Any:
    """A data file the single-file report embeds (``d("name","<base64>")``)."""
    found = re.search(rf'd\("{re.escape(name)}","([^"]+)"\)', report.read_text(encoding="utf-8"))
    assert found, f"{name} is not in the report"
    return json.loads(base64.b64decode(found[1]))


def test_the_runs_own_attachments_are_its_global_attachments(reviewed: ReviewedRun) -> None:
    """The README's contract drift: the record attached to a run (tests/e2e/test_drift.py) is on the report's front
    page, under "Global Attachments"."""
    (globals_file,) = reviewed.results.glob("*-globals.json")
    attached = [item["name"] for item in json.loads(globals_file.read_text(encoding="utf-8"))["attachments"]]
    shown = [item["name"] for item in report_widget(reviewed.report, "widgets/globals.json")["attachments"]]
    assert RECORD_ATTACHMENT in attached
    assert shown == attached


def test_the_page_declares_its_data_store_before_the_app_starts(reviewed: ReviewedRun) -> None:
    html = reviewed.report.read_text(encoding="utf-8")
    store = html.index("<script>window.allureReportData = window.allureReportData || {};</script>")
    assert store < html.index('src="data:text/javascript')
    assert store < html.index("window.allureReportDataReady = false")


def test_a_page_without_embedded_data_is_refused_in_one_line(tmp_path: Path, report_tooling: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<!DOCTYPE html><html><head></head><body></body></html>", encoding="utf-8")
    done = subprocess.run(
        ["node", str(PROJECT_ROOT / "tools" / "report-data-first.mjs"), str(page)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr == f"{page}: no embedded report data: is the awesome plugin's singleFile option on?\n"


def check_steps(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a result that show one check each (titled ✓ or ✗), in order."""
    steps = node.get("steps", [])
    return [step for step in steps if step["name"][:1] in "✓✗"] + [
        check for step in steps if step["name"][:1] not in "✓✗" for check in check_steps(step)
    ]


@pytest.mark.parametrize("title", [CHECKS_PASSED, CHECKS_FAILED])
def test_every_check_of_every_step_is_shown_with_what_it_expected_and_found(
    reviewed: ReviewedRun, report_page: Page, title: str
) -> None:
    result = result_titled(reviewed.results, title)
    steps = check_steps(result)
    assert len(steps) == 4 + 5  # status, errcode, schema and the body's assertions of each step
    assert [step["name"].split()[1] for step in steps][:4] == ["status", "errcode", "schema", "result"]
    attached = 0
    for step in result["steps"]:  # a step where a check failed lists them all in its checks attachment
        checks = check_steps(step)
        sources = attachments_named(step, "checks")
        if all(check["status"] == "passed" for check in checks):
            assert sources == [], step["name"]  # its sub-steps show what each check expected and found
            assert all(check["name"].startswith("✓ ") and " (actual " in check["name"] for check in checks)
            continue
        (source,) = sources
        attached += 1
        listed = json.loads((reviewed.results / source).read_text(encoding="utf-8"))
        assert len(listed) == len(checks)
        for item, check in zip(listed, checks, strict=True):
            assert check["status"] == ("passed" if item["ok"] else "failed"), check["name"]
            if item["ok"]:
                assert f"{shown(item['expected'])} (actual {shown(item['actual'])})" in check["name"]
            else:
                assert check["name"] == f"✗ {item['path']}: {item['problem']}"
                assert f"expected {item['expected']!r}, got {item['actual']!r}" in check["name"]
    failed = [step["name"] for step in steps if step["status"] == "failed"]
    if title == CHECKS_PASSED:
        assert failed == [] and attached == 0
    else:
        assert len(failed) == attached == 1
        assert failed[0].startswith("✗ result[0].id: expected 'no-such-category', got ")

    page = open_report(report_page)
    page.get_by_test_id("tree-leaf-title").filter(has_text=title).click()
    titles = page.get_by_test_id("test-result-step-title")
    for step in result["steps"]:  # open each step of the case that is closed (a passed one): its checks are sub-steps
        header = page.get_by_test_id("test-result-step-header").filter(has_text=step["name"])
        shown_step = page.get_by_test_id("test-result-step").filter(has=header)
        if not shown_step.get_by_test_id("test-result-step").count():
            header.click()
    for step in steps:
        titled = titles.filter(has_text=step["name"]).first
        expect(titled).to_be_visible()
        header = titled.locator("xpath=..")
        expect(header.get_by_test_id(f"tree-leaf-status-{step['status']}")).to_have_count(1)  # marked ✓ or ✗
    attachment_headers = page.get_by_test_id("test-result-attachment-header").filter(has_text="checks")
    expect(attachment_headers).to_have_count(attached)


FRAMEWORK_FIXTURES = ("pytestconfig", "case_runner", "run_case", "case")
MISSPELT = "a case with a misspelt key"


def test_the_report_opens_in_chinese(reviewed: ReviewedRun, report_page: Page) -> None:
    page = open_report(report_page)
    expect(page.get_by_test_id("nav-tab-results")).to_contain_text("结果")
    expect(page.get_by_test_id("tab-all")).to_contain_text("总计")
    expect(page.get_by_test_id("tab-failed")).to_contain_text("失败")
    expect(page.get_by_test_id("search-input")).to_have_attribute("placeholder", "搜索测试")


def trend(page: Page) -> Locator:
    """The status trend of the report's charts: one bar group per run."""
    page.get_by_role("button", name="Report", exact=True).click()  # the report's sections
    page.get_by_text("图形", exact=True).click()
    title = "状态趋势（历次运行）"
    return page.locator(f"xpath=//*[contains(@class,'widget')][.//*[normalize-space(text())='{title}']]")


def test_the_trend_shows_each_run_once(reviewed: ReviewedRun, report_page: Page) -> None:
    chart = trend(open_report(report_page))
    expect(chart.get_by_test_id("group")).to_have_count(2)  # two runs, though the second was reported twice


def test_nothing_of_the_framework_is_shown(reviewed: ReviewedRun, report_page: Page) -> None:
    for path in reviewed.results.glob("*-container.json"):
        container = json.loads(path.read_text(encoding="utf-8"))
        fixtures = [item["name"].split("::")[0] for item in container.get("befores", []) + container.get("afters", [])]
        assert not set(fixtures) & set(FRAMEWORK_FIXTURES), path.name
    for path in reviewed.results.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        assert not {label["name"] for label in result["labels"]} & {"host", "thread"}, result["name"]
        assert not [p for p in result.get("parameters", []) if "Case(" in p["value"]], result["name"]
    page = open_report(report_page)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    page.get_by_test_id("test-result-error").wait_for()
    shown = page.inner_text("body")
    for internal in (*FRAMEWORK_FIXTURES[:3], "Case(data/", "host", "thread"):
        assert internal not in shown
    parameters = {
        page.get_by_test_id("metadata-item-key").nth(i).inner_text(): page.get_by_test_id("metadata-item-value")
        .nth(i)
        .inner_text()
        for i in range(page.get_by_test_id("metadata-item-key").count())
    }
    assert parameters["用例 ID"] == "blackboard:wrong-errcode"
    assert re.fullmatch(r"data/blackboard\.yaml:\d+", parameters["YAML 位置"])


def test_the_error_is_shown_once_with_its_yaml_place(reviewed: ReviewedRun, report_page: Page) -> None:
    result = result_titled(reviewed.results, WRONG_ERRCODE)
    message = result["statusDetails"]["message"]
    assert re.match(r"data/blackboard\.yaml:\d+ case 'wrong-errcode': ", message)
    assert "trace" not in result["statusDetails"]

    def errors(node: dict[str, Any]) -> list[str]:
        own = [step["statusDetails"].get("message", "") for step in node.get("steps", []) if step.get("statusDetails")]
        return own + [error for step in node.get("steps", []) for error in errors(step)]

    assert errors(result) == [message]  # in the step that failed, as it is, so the report puts it there
    page = open_report(report_page)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    expect(page.get_by_test_id("test-result-error-message")).to_contain_text("errcode: expected 40035, got 0")
    body = page.get_by_test_id("test-result-steps-root").locator(":scope > *")
    expect(body).to_have_count(len(result["steps"]))  # no step made up for the error after the last one
    assert "Failed: " not in page.inner_text("body")


def test_an_invalid_case_keeps_its_place(reviewed: ReviewedRun, report_page: Page) -> None:
    result = result_titled(reviewed.results, MISSPELT)
    labels = {label["name"]: label["value"] for label in result["labels"]}
    assert labels["epic"] == "公告 Blackboard"
    assert labels["story"] == "/topapi/blackboard/category/list"
    assert labels["severity"] == "normal"
    page = open_report(report_page)
    endpoint = tree_group(tree_group(page, "公告 Blackboard"), "/topapi/blackboard/category/list")
    expect(endpoint.get_by_test_id("tree-leaf-title").filter(has_text=MISSPELT)).to_have_count(1)


def test_the_curl_attachment_says_how_to_replay(reviewed: ReviewedRun) -> None:
    (source, *_) = attachments_named(result_titled(reviewed.results, WRONG_ERRCODE), "curl")
    curl = (reviewed.results / source).read_text(encoding="utf-8").splitlines()
    assert curl[0] == "# 重放（新 token，发往当前目标）：python -m common.report.replay blackboard:wrong-errcode"
    assert all(line.startswith("#") for line in curl)  # the run's sandbox is gone: its curl line is only shown
    assert any(line.startswith("# curl -X POST 'http://127.0.0.1:") for line in curl)


def test_a_failed_case_is_replayed_by_its_id(reviewed: ReviewedRun) -> None:
    before = sorted(path.name for path in reviewed.results.iterdir())
    replayed = reviewed.project.python("-m", "common.report.replay", "blackboard:wrong-errcode", timeout=120)
    assert replayed.returncode == 1, replayed.output
    assert replayed.stdout.startswith(f"重放 {WRONG_ERRCODE}（blackboard:wrong-errcode）\n")
    assert "access_token=***" in replayed.stdout  # a fresh token, never shown
    assert "appsecret=***" in replayed.stdout
    assert DEFAULT_APPSECRET not in replayed.output
    assert "\n结果：失败\n" in replayed.stdout
    assert "errcode: expected 40035, got 0" in replayed.stdout
    assert sorted(path.name for path in reviewed.results.iterdir()) == before  # the run's results are left alone


def test_an_id_pytest_does_not_find_is_said_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest's own answer to a test id it does not find (a usage error, no results), as the replay reads it."""
    not_found = "ERROR: not found: testcases/test_cases.py::test_case[blackboard:no-such-case]"

    def pytest_without_the_case(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, pytest.ExitCode.USAGE_ERROR, "", not_found)

    monkeypatch.setattr(replay.subprocess, "run", pytest_without_the_case)
    printed = io.StringIO()
    assert replay.replay("blackboard:no-such-case", out=printed) == pytest.ExitCode.USAGE_ERROR
    assert printed.getvalue().splitlines() == [
        "重放 blackboard:no-such-case：没有找到这个用例（用报告里的“用例 ID”，例如 blackboard:crud-flow）",
        not_found,
    ]
