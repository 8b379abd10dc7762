"""The screenshots of the HTML report in docs/, made again: `python tools/report_screenshots.py`.

In a throwaway copy of the project it runs the blackboard cases twice against the built-in sandbox, with one case
that fails on purpose (so the pictures show a failure and its replay line), builds the report after each run
(`npm run report`, so the trend has two runs), opens it in headless Chromium with the network blocked and writes:

- docs/report-overview.png: the report as it opens (in Chinese), the cases grouped by API group and endpoint
- docs/report-failed-case.png: the failed case: its error with the YAML line, parameters, steps and checks
- docs/report-trend.png: the status trend of the two runs

Needs `npm ci` (the report tooling), Playwright (`pip install -r requirements.txt`) and Chromium at
/usr/bin/chromium (or CHROMIUM=path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PARTS = ("common", "sandbox", "schemas", "data", "testcases", "conftest.py", "pytest.ini")
REPORT_PARTS = ("package.json", "package-lock.json", "allurerc.mjs", "tools")
FAILING_TITLE = "示例：期望的 errcode 与钉钉的回答不符"
FAILING_CASE = f"""
  - id: demo-wrong-errcode
    title: "{FAILING_TITLE}"
    severity: critical
    request:
      path: /topapi/blackboard/category/list
      json: {{operation_userid: "${{profile.admin_userid}}"}}
    expect: {{errcode: 40035}}
"""
VIEWPORT = {"width": 1400, "height": 1000}


def prepare(root: Path) -> None:
    """A copy of the project in ``root`` with the failing case, run twice and reported after each run."""
    for part in (*PARTS, *REPORT_PARTS):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
        else:
            shutil.copy2(source, root / part)
    (root / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    cases = root / "data" / "blackboard.yaml"
    cases.write_text(cases.read_text(encoding="utf-8") + FAILING_CASE, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DINGTALK_", "PYTEST_"))}
    for _ in range(2):
        command = [
            sys.executable,
            "-m",
            "pytest",
            "--case-file=blackboard.yaml",
            "-n",
            "2",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        subprocess.run(command, cwd=root, env=environ, capture_output=True, check=False)
        subprocess.run(["npm", "run", "report"], cwd=root, capture_output=True, check=True)


def open_report(page: Page, report: Path) -> None:
    page.goto(report.as_uri())
    page.get_by_test_id("metadata-item-total").wait_for()


def shoot(report: Path) -> list[Path]:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport=VIEWPORT)
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort()
        )
        page = context.new_page()

        open_report(page, report)
        page.wait_for_timeout(500)
        written.append(DOCS / "report-overview.png")
        page.screenshot(path=written[-1])

        page.get_by_test_id("tab-failed").click()
        page.get_by_test_id("tree-leaf-title").filter(has_text=FAILING_TITLE).click()
        page.get_by_test_id("test-result-error").wait_for()
        page.wait_for_timeout(500)
        written.append(DOCS / "report-failed-case.png")
        page.screenshot(path=written[-1], full_page=True)

        open_report(page, report)
        page.get_by_role("button", name="Report", exact=True).click()
        page.get_by_text("图形", exact=True).click()
        title = "状态趋势（历次运行）"
        chart = page.locator(f"xpath=//*[contains(@class,'widget')][.//*[normalize-space(text())='{title}']]")
        chart.get_by_test_id("group").first.wait_for()
        page.wait_for_timeout(500)
        written.append(DOCS / "report-trend.png")
        chart.screenshot(path=written[-1])
        browser.close()
    return written


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="report-screenshots-") as scratch:
        root = Path(scratch)
        prepare(root)
        for path in shoot(root / "reports" / "allure-report" / "index.html"):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
