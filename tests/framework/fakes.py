"""Hand-made stand-ins for the framework's collaborators: a clock moved by hand, canned responses, a
scripted client and transport, a fixed token. Nothing here opens a socket."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from common.cases.model import Case, InvalidCase
from common.dingtalk.api import ApiRequest, AuthFlow, with_token
from common.http.requests_transport import HandlerTransport
from common.http.transport import OutgoingRequest, Response

PROJECT = Path(__file__).resolve().parents[2]
LoadText = Callable[[str], list[Case | InvalidCase]]
"""Loads a YAML text as a case file (the ``load_text`` fixture)."""

START = 1_700_000_000.0
"""2023-11-14 22:13:20 UTC: a well-known instant, so expected times can be worked out by hand."""


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def outgoing(url: str = "https://oapi.dingtalk.com/x", method: str = "GET") -> OutgoingRequest:
    """A request as it would have been sent."""
    return OutgoingRequest(method, url, {}, None)


def response(
    body: Any = None, status: int = 200, text: str | None = None, request: OutgoingRequest | None = None
) -> Response:
    """A response whose text is the JSON of ``body`` unless ``text`` is given."""
    if text is None:
        text = "" if body is None else json.dumps(body)
    return Response(status, {}, body, text, 0.01, request or outgoing())


def ok(**fields: Any) -> Response:
    """An old-host /topapi success: ``errcode`` 0, ``request_id``, ``success`` plus ``fields``."""
    return response({"errcode": 0, "errmsg": "ok", "request_id": "r0a1b2c3d4e5", "success": True, **fields})


def blackboard_result(bb_id: str, title: str) -> dict[str, Any]:
    """A blackboard/get ``result`` with every field DingTalk's page 获取公告详情 lists."""
    return {
        "id": bb_id,
        "title": title,
        "content": "c",
        "author": "a",
        "category_id": "cat",
        "private_level": 0,
        "depname_list": [],
        "username_list": [],
        "gmt_create": "2023-11-14 22:13:20",
        "gmt_modified": "2023-11-14 22:13:20",
        "read_count": 0,
        "unread_count": 0,
        "coverpic_url": "",
        "user_list": [],
        "deptList": [],
    }


def blackboard(bb_id: str, title: str) -> Response:
    """A blackboard/get success answering ``blackboard_result``."""
    return ok(result=blackboard_result(bb_id, title))


def oapi_error(code: int, **fields: Any) -> Response:
    """An old-host error: HTTP 200 with a nonzero errcode."""
    return response({"errcode": code, "errmsg": "error", **fields})


@dataclass
class ScriptedClient:
    """Answers ``send`` from a script, in order, and records every request (the runner's view of a client)."""

    answers: list[Response]
    sent: list[ApiRequest] = field(default_factory=list)

    def send(self, request: ApiRequest) -> Response:
        self.sent.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected extra request: {request.method} {request.path}")
        answer = self.answers.pop(0)
        url = "https://oapi.dingtalk.com" + request.path
        if request.params:
            url += "?" + "&".join(f"{key}={value}" for key, value in request.params.items())
        return Response(answer.status, answer.headers, answer.body, answer.text, answer.elapsed, outgoing(url))


@dataclass(frozen=True)
class FixedToken:
    """The token flow of a client whose token is known: every request goes out once with ``value``; no gettoken,
    no replay (the run's real flow: common/dingtalk/run_token.py)."""

    value: str

    def flow(self, request: ApiRequest) -> AuthFlow:
        return (yield with_token(request, self.value))


class ScriptedTransport(HandlerTransport):
    """A ``HandlerTransport`` that answers from a script, each answer carrying the request as it went out, and
    records each call's arguments."""

    def __init__(self, answers: list[Response]) -> None:
        super().__init__(self._next_answer)
        self.answers = answers
        self.calls: list[dict[str, Any]] = []

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        call = {"method": method, "url": url, "params": dict(params or {}), "json": json_body}
        self.calls.append({**call, "headers": dict(headers or {})})
        return super().send(method, url, params, json_body, headers)

    def _next_answer(self, request: OutgoingRequest) -> Response:
        return replace(self.answers.pop(0), request=request)
