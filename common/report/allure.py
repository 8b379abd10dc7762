"""Allure reporting: labels from the YAML case and, per step, the request and response, and every check with what it
expected and found: one sub-step each (failed ones failed); a step where a check failed also gets a ``checks`` JSON
attachment listing them and the request's curl line (already saying how to replay the case); all masked. A failed
case also gets the ``failure`` label its category is matched on (common/report/metadata.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import allure
import allure_commons
import orjson
from allure_commons.utils import uuid4

from common.cases.model import Case
from common.cases.problems import Outcome, Problem
from common.http.curl import to_curl
from common.http.masking import Masker
from common.http.retry import Retrying
from common.http.transport import OutgoingRequest, Response, SendFailure
from common.report.metadata import FAILURE_LABEL, category_of
from common.report.results import ResultsTidier

_SEVERITY = {level.value: level for level in allure.severity_level}
_JSON = allure.attachment_type.JSON
"""application/json, ``.json``: Allure's viewer shows the attachment as JSON."""


class _CheckFailed(AssertionError):
    """What a failed check's step ends with, so that Allure marks the step failed (never raised)."""


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

    def checks(self, outcomes: Sequence[Outcome]) -> None:
        """One sub-step per check, titled with what it expected and found, failed when it failed; when one failed,
        the ``checks`` JSON attachment listing them all (the sub-steps already show a step that held)."""
        hook = allure_commons.plugin_manager.hook  # what allure.step calls, without a context manager per check
        for outcome in outcomes:
            title = self.masker(outcome.title())
            failure = None if outcome.ok else _CheckFailed(self.masker(outcome.line()))
            failed = None if failure is None else _CheckFailed
            step = uuid4()
            hook.start_step(uuid=step, title=title, params={})
            hook.stop_step(uuid=step, title=title, exc_type=failed, exc_val=failure, exc_tb=None)
        if not all(outcome.ok for outcome in outcomes):
            listed = json.dumps([outcome.as_json() for outcome in outcomes], ensure_ascii=False, indent=2)
            allure.attach(self.masker(listed), name="checks", attachment_type=_JSON)

    def failed(self, problems: Sequence[Problem]) -> None:
        """Label a failed case with its category, computed from its problems' kinds (nothing without problems)."""
        category = category_of(problems)
        if category is not None:
            allure.dynamic.label(FAILURE_LABEL, category)

    def exchange(self, response: Response) -> None:
        """Attach a whole exchange: earlier (retried) answers first, then the request and the final answer."""
        for earlier in response.history:
            with self.step(f"answer that was retried: HTTP {earlier.status}"):
                self._attach_response(earlier)
        self.request(response.request)
        self._attach_response(response)

    def failed_exchange(self, request: OutgoingRequest) -> None:
        """Attach the curl line of a request whose answer failed its checks, after how to replay the running test
        when the process tidies its results (common/report/results.py). A passing exchange has none: its request
        and answer say what happened, and every file in the results costs the run time."""
        curl = self.masker(to_curl(request))
        tidier = next((p for p in allure_commons.plugin_manager.get_plugins() if isinstance(p, ResultsTidier)), None)
        shown = curl if tidier is None else tidier.curl_attachment(curl)
        allure.attach(shown, name="curl", attachment_type=allure.attachment_type.TEXT)

    def retry(self, retrying: Retrying[Response | SendFailure]) -> None:
        """A step for a retry, titled with its number and reason, the failed exchange attached."""
        with self.step(retrying.describe()):
            failed = retrying.failed
            if isinstance(failed, Response):
                self.exchange(failed)
            else:
                self.request(failed.request)
                self.failed_exchange(failed.request)
                allure.attach(self.masker(str(failed)), name="error", attachment_type=allure.attachment_type.TEXT)

    def request(self, request: OutgoingRequest) -> None:
        """Attach a request (JSON: ``METHOD URL``, headers, body)."""
        shown: dict[str, Any] = {"request": f"{request.method} {request.url}", "headers": dict(request.headers)}
        if request.body:
            shown["body"] = _parsed(request.body.decode("utf-8", errors="replace"))
        self._attach_json("request", shown)

    def _attach_response(self, response: Response) -> None:
        shown = {
            "status": response.status,
            "elapsed_ms": round(response.elapsed * 1000),
            "body": response.body if response.is_json else response.text,
        }
        self._attach_json("response", shown)

    def _attach_json(self, name: str, data: Any) -> None:
        allure.attach(self.masker(pretty_json(data)), name=name, attachment_type=_JSON)


def pretty_json(data: Any) -> str:
    """``data`` as ``json.dumps(data, ensure_ascii=False, indent=2)`` lays it out, written by orjson where it can:
    the standard library indents in pure Python, the largest cost of attaching an answer. orjson writes an exponent
    without its plus sign (``1e16``, not ``1e+16``); what it refuses (an integer beyond 64 bits, a key that is not a
    text, a lone surrogate) the standard library writes."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(data, ensure_ascii=False, indent=2)


def _parsed(text: str) -> Any:
    """A JSON text as data, any other text as it is."""
    try:
        return json.loads(text)
    except ValueError:
        return text
