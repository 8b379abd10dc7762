"""Fixtures of the report tests: the npm report tooling, and Debian's Chromium driven by Playwright with every
request that is not to a file blocked. CI installs both (.ci/run); elsewhere a missing one skips, saying how
to get it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.e2e.harness import PROJECT_ROOT
from tests.framework.conftest import load_text, profile, schemas  # noqa: F401 - fixtures shared with tests/framework
from tests.tooling import require

ALLURE_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "allure"


@pytest.fixture(scope="session")
def report_tooling() -> Path:
    """The Allure 3 command line from the checkout's node_modules."""
    require(ALLURE_CLI.exists(), "the npm report tooling", "run `npm ci` in the project root")
    return ALLURE_CLI


@pytest.fixture(scope="module")
def offline_page(browser: Browser) -> Iterator[Page]:
    """A page that can load files only: every other request is aborted, as on a machine without network. One per
    module: the tests of a report share the page that has it open (loading the single-file report is its parse)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_files)
    yield context.new_page()
    context.close()
