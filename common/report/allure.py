"""Allure reporting: labels from the YAML case and, per step, the request, response and curl (masked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import allure

from common.cases.model import Case
from common.http.curl import to_curl
from common.http.masking import Masker
from common.http.retry import Retrying
from common.http.transport import OutgoingRequest, Response, SendFailure

_SEVERITY = {level.value: level for level in allure.severity_level}


class AllureReporter:
    """Writes to the Allure results of the current test; every text passes through the masker first."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker

    def label(self, case: Case) -> None:
        """Epic, feature, story, title, severity and tags from the YAML."""
        allure.dynamic.epic(case.epic)
        allure.dynamic.feature(case.feature)
        allure.dynamic.story(case.story)
        allure.dynamic.title(case.title)
        allure.dynamic.severity(_SEVERITY[case.severity])
        if case.tags:
            allure.dynamic.tag(*case.tags)
        allure.dynamic.description(f"Case `{case.id}` from `{case.source}`")

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """An Allure step around whatever happens inside."""
        with allure.step(self.masker(title)):
            yield

    def exchange(self, response: Response) -> None:
        """Attach a whole exchange: earlier (retried) answers first, then the final one."""
        for earlier in response.history:
            with self.step(f"answer that was retried: HTTP {earlier.status}"):
                self._attach_response(earlier)
        self.request(response.request)
        self._attach_response(response)

    def retry(self, retrying: Retrying[Response | SendFailure]) -> None:
        """A step for a retry, titled with its number and reason, the failed exchange attached."""
        with self.step(retrying.describe()):
            failed = retrying.failed
            if isinstance(failed, Response):
                self.exchange(failed)
            else:
                self.request(failed.request)
                allure.attach(self.masker(str(failed)), name="error", attachment_type=allure.attachment_type.TEXT)

    def request(self, request: OutgoingRequest) -> None:
        """Attach a request and its curl line (also when no answer came)."""
        text = f"{request.method} {request.url}\n"
        text += "".join(f"{name}: {value}\n" for name, value in request.headers.items())
        if request.body:
            text += "\n" + _pretty(request.body.decode("utf-8", errors="replace"))
        allure.attach(self.masker(text), name="request", attachment_type=allure.attachment_type.TEXT)
        allure.attach(self.masker(to_curl(request)), name="curl", attachment_type=allure.attachment_type.TEXT)

    def _attach_response(self, response: Response) -> None:
        text = json.dumps(response.body, ensure_ascii=False, indent=2) if response.is_json else response.text
        body = self.masker(f"HTTP {response.status} ({response.elapsed * 1000:.0f} ms)\n\n{text}")
        allure.attach(body, name="response", attachment_type=allure.attachment_type.TEXT)


def _pretty(text: str) -> str:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return text
    return json.dumps(data, ensure_ascii=False, indent=2)
