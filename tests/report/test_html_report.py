"""The HTML report as a reviewer sees it: a run with failures in a project copy, `npm run report` (twice, for
history), and the single file opened from disk in headless Chromium with the network blocked."""

from __future__ import annotations

import fcntl
import json
import platform
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from common.report.metadata import ENVIRONMENT_FILE, ERRCODE_OR_STATUS, SCHEMA, SETUP
from sandbox.config import DEFAULT_APPSECRET
from tests.e2e.harness import PROJECT_ROOT, Project, copy_project
from tests.report.allure_js import read_properties

WRONG_ERRCODE = "expects an errcode the answer does not have"
FAILING_CASES = f"""
  - id: wrong-errcode
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
EXPECTED_CATEGORIES = {ERRCODE_OR_STATUS: 1, SCHEMA: 1, SETUP: 1}
"""The three cases above, one per category (the misspelt one is an invalid case)."""
JUNIT = "reports/junit.xml"
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


def review(root: Path) -> ReviewedRun:
    """Run the blackboard cases and the failing ones in a project copy at ``root``, then report twice; a second
    call finds it done."""
    done = root / "reviewed"
    if not done.exists():
        if root.exists():
            pytest.fail("the worker that prepared the reviewed run failed: see its error", pytrace=False)
        root.mkdir()
        project = copy_project(root)
        project.add_cases("blackboard.yaml", FAILING_CASES)
        run = project.run("--case-file=blackboard.yaml", "-n", "2", "-q", f"--junitxml={root / JUNIT}")
        assert run.returncode == 1, run.output
        for _ in range(2):
            generated = project.generate_report()
            assert generated.returncode == 0, generated.output
        done.touch()
    return ReviewedRun(Project(root), root / JUNIT)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, worker_id: str, report_tooling: Path) -> ReviewedRun:
    """One reviewed run for the whole test session, also when xdist spreads these tests over workers."""
    if worker_id == "master":
        return review(tmp_path_factory.mktemp("report") / "run")
    shared = tmp_path_factory.getbasetemp().parent  # this session's own, common to its workers
    with (shared / "report.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return review(shared / "report")


def open_report(page: Page, report: Path) -> Page:
    page.goto(report.as_uri())
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


def test_the_report_is_one_file_that_opens_from_anywhere(
    reviewed: ReviewedRun, offline_page: Page, tmp_path: Path
) -> None:
    alone = tmp_path / "index.html"
    shutil.copy2(reviewed.report, alone)
    open_report(offline_page, alone)
    assert shown_counts(offline_page)["total"] > 0


def test_the_totals_shown_are_the_runs_own(reviewed: ReviewedRun, offline_page: Page) -> None:
    expected = junit_counts(reviewed.junit)
    assert expected["failed or broken"] == len(EXPECTED_CATEGORIES)
    assert shown_counts(open_report(offline_page, reviewed.report)) == expected


def test_a_failed_case_shows_its_response(reviewed: ReviewedRun, offline_page: Page) -> None:
    (source,) = attachments_named(result_titled(reviewed.results, WRONG_ERRCODE), "response")
    response = (reviewed.results / source).read_text(encoding="utf-8")
    page = open_report(offline_page, reviewed.report)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    header = page.get_by_test_id("test-result-attachment-header").filter(has_text="response")
    attachment = page.get_by_test_id("test-result-attachment").filter(has=header)
    attachment.get_by_test_id("test-result-attachment-header").click()
    page.get_by_text('"errcode": 0').first.wait_for()
    assert squeezed(response) in squeezed(attachment.inner_text())


def test_failures_are_sorted_into_categories(reviewed: ReviewedRun, offline_page: Page) -> None:
    page = open_report(offline_page, reviewed.report)
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


def test_cases_are_grouped_by_api_group_then_endpoint(reviewed: ReviewedRun, offline_page: Page) -> None:
    page = open_report(offline_page, reviewed.report)
    endpoint = tree_group(tree_group(page, "公告 Blackboard"), "/topapi/blackboard/category/list")
    expect(endpoint.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE)).to_have_count(1)


def test_the_environment_is_shown_without_secrets(reviewed: ReviewedRun, offline_page: Page) -> None:
    written = read_properties(reviewed.results / ENVIRONMENT_FILE)
    assert written["Target"] == "sandbox"
    assert written["Python"] == platform.python_version()
    page = open_report(offline_page, reviewed.report)
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


def test_history_is_kept_across_reports(reviewed: ReviewedRun, offline_page: Page) -> None:
    history = (reviewed.project.reports / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(history) == 2
    page = open_report(offline_page, reviewed.report)
    page.get_by_test_id("tab-failed").click()
    page.get_by_test_id("tree-leaf-title").filter(has_text=WRONG_ERRCODE).click()
    page.get_by_test_id("test-result-tab-history").click()
    expect(page.get_by_test_id("test-result-history-item")).to_have_count(1)


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
