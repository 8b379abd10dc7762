"""`python -m sandbox.front_door --screenshot docs/sandbox-front-door.png`: regenerate the front door's screenshot.

Starts a sandbox in this process, makes a few example requests so the recent requests show, and photographs
`GET /` in Debian's headless Chromium driven by Playwright (no browser download; nothing but the sandbox loads).
"""

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import requests

from sandbox.protocol.parameters import ACS_TOKEN_HEADER
from sandbox.server import SandboxServer

CHROMIUM = Path("/usr/bin/chromium")
PROG = "python -m sandbox.front_door"
VIEWPORT = {"width": 1280, "height": 1500}


def make_requests(url: str) -> None:
    """A token, two reads, a refused call and a new-host call: what a first session looks like."""
    with requests.Session() as session:
        answer = session.get(f"{url}/gettoken", params={"appkey": "sandbox-appkey", "appsecret": "sandbox-appsecret"})
        token = answer.json()["access_token"]
        old = {"access_token": token}
        session.post(f"{url}/topapi/blackboard/category/list", params=old, json={"operation_userid": "manager4220"})
        page = {"query_request": {"operation_userid": "manager4220", "page": 1, "page_size": 10}}
        session.post(f"{url}/topapi/blackboard/listids", params=old, json=page)
        session.post(f"{url}/topapi/blackboard/listids", params=old, json={"query_request": {}})
        headers = {ACS_TOKEN_HEADER: token}
        session.get(f"{url}/v1.0/hrm/employees/dismissions", params={"maxResults": 5}, headers=headers)


def has_chinese_font() -> bool:
    """True when fontconfig knows a font for Chinese (or fontconfig is not there to ask)."""
    if shutil.which("fc-list") is None:
        return True
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def screenshot(url: str, file: Path, chromium: Path = CHROMIUM) -> None:
    from playwright.sync_api import Route, sync_playwright

    def only_the_sandbox(route: Route) -> None:
        if route.request.url.startswith(f"{url}/"):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--headless"])
        try:
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            context.route("**/*", only_the_sandbox)
            page = context.new_page()
            page.goto(f"{url}/")
            file.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(file))
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, required=True, metavar="FILE", help="PNG file to write")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{PROG}: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    if not has_chinese_font():
        print(
            f"{PROG}: warning: no Chinese font, the text shows as boxes (apt-get install fonts-noto-cjk)",
            file=sys.stderr,
        )
    with SandboxServer() as server:
        make_requests(server.url)
        screenshot(server.url, args.screenshot)
    print(f"wrote {args.screenshot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
