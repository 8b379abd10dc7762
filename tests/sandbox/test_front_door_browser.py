"""The front door in a browser: Debian's headless Chromium, driven by Playwright, opens `GET /` and follows a
recent request to its detail. Nothing but the sandbox's loopback URL may load (every other request is aborted).
A missing Chromium skips locally and fails under CI=1 (tests/tooling.py)."""

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect

from sandbox.config import SandboxConfig
from sandbox.faults import FaultSettings
from sandbox.server import SandboxServer
from tests.conftest import BROWSER_WORKER

APPKEY, APPSECRET = "browser-appkey", "browser-appsecret-0123"
pytestmark = pytest.mark.xdist_group(BROWSER_WORKER)


@pytest.fixture
def front_door() -> Iterator[SandboxServer]:
    config = SandboxConfig(APPKEY, APPSECRET, faults=FaultSettings(qps=0))
    with SandboxServer(config=config) as server:
        yield server


@pytest.fixture
def page(browser: Browser, front_door: SandboxServer) -> Iterator[Page]:
    """A page that may load the sandbox only; what it tried to load elsewhere is in `page.blocked`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def only_the_sandbox(route: Route) -> None:
        if route.request.url.startswith(f"{front_door.url}/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_sandbox)
    page = context.new_page()
    yield page
    context.close()
    assert blocked == [], f"the front door tried to load {blocked}"


def test_the_front_door_leads_to_a_requests_masked_detail(front_door: SandboxServer, page: Page) -> None:
    url = front_door.url
    with requests.Session() as session:
        token = session.get(f"{url}/gettoken", params={"appkey": APPKEY, "appsecret": APPSECRET}).json()["access_token"]
        body = {"query_request": {"operation_userid": "manager4220", "page": 1, "page_size": 3}}
        answer = session.post(f"{url}/topapi/blackboard/listids", params={"access_token": token}, json=body).json()
    assert answer["errcode"] == 0

    page.goto(f"{url}/")
    expect(page).to_have_title("钉钉开放平台沙箱 DingTalk sandbox")
    expect(page.locator("#endpoints")).to_contain_text("/topapi/blackboard/listids")
    expect(page.locator("#tenant")).to_contain_text("manager4220")
    row = page.locator("#requests tr.request", has_text="/topapi/blackboard/listids")
    expect(row).to_contain_text("access_token=***")
    expect(row).to_contain_text("200")
    assert token not in page.content() and APPSECRET not in page.content()

    row.locator("a.request-link").click()
    expect(page).to_have_url(f"{url}/__sandbox/requests/2")
    expect(page.locator("#target")).to_have_text("POST /topapi/blackboard/listids?access_token=***")
    expect(page.locator("#request-body")).to_contain_text('"page_size": 3')
    expect(page.locator("#answer-body")).to_contain_text(answer["result"][0])
    assert token not in page.content()

    page.get_by_role("link", name="返回首页").click()
    expect(page.locator("#requests tr.request")).to_have_count(2)
