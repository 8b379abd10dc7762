"""Endpoints the sandbox does not emulate: answered from a recorded example when there is one, else one line.

`python -m common.cases.scaffold` saves a doc page's example request and answer under `data/spec/examples/`
(`<api><path>.json`: `{api, method, path, request: {query, json}, response}`). The sandbox loads them at start and
answers such an endpoint as DingTalk frames the API generation, with rules of its own (the doc page states none):

- the token as for any endpoint: old host `?access_token=` (none: errcode 88 sub_code 40000; a wrong one: 40014),
  new host the `x-acs-dingtalk-access-token` header (none: HTTP 400 `AuthenticationFailed.MissingParameter`;
  a wrong one: HTTP 400 `InvalidAuthentication`);
- another HTTP method than the recorded one: errcode 43002/43001, or HTTP 405 on the new host;
- a request lacking any field of the recorded request (query or body) is refused: errcode 40035 `缺少参数 NAME`,
  or HTTP 400 `MissingParameter` on the new host. The scaffold drops a field the doc page marks required;
- otherwise the recorded answer, with a fresh `request_id` when it has one. Values sent are not looked at.

Any other unknown path is answered as DingTalk answers one (errcode 22 under `/topapi/`, else HTTP 404), its
message saying that the sandbox does not emulate it and what to do; the sandbox log gets a warning line.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from sandbox.envelopes import (
    INVALID_API,
    INVALID_PARAM,
    MISSING_PARAM,
    NEED_GET,
    NEED_POST,
    AcsError,
    Body,
    OapiError,
    request_id,
    wrapped_error,
)
from sandbox.state import TenantState

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "spec" / "examples"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
HINT = (
    'record it from its DingTalk doc page with `python -m common.cases.scaffold "curl ..." --example ANSWER.json` '
    "(the sandbox then answers its example), or run that case against DingTalk"
)
_log = logging.getLogger("sandbox")
_warned: set[str] = set()


class Sent(Protocol):
    """What the sandbox received (sandbox.app.Request)."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Recording:
    """One recorded endpoint: the doc page's example request and answer."""

    api: str
    method: str
    path: str
    fields: tuple[str, ...]
    response: Any


def load(root: Path = EXAMPLES_DIR) -> dict[str, Recording]:
    """Every recorded example under ``root``, by path; a file that is not one is skipped with a warning."""
    found: dict[str, Recording] = {}
    for file in sorted(root.rglob("*.json")) if root.is_dir() else ():
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            request = data.get("request") or {}
            fields = (*(request.get("json") or {}), *(request.get("query") or {}))
            recording = Recording(data["api"], data["method"].upper(), data["path"], fields, data["response"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            _log.warning("sandbox: %s is not a recorded example (%s): fix it or remove it", file, error)
            continue
        found[recording.path] = recording
    return found


def answer(recordings: Mapping[str, Recording], state: TenantState, sent: Sent) -> tuple[int, Body]:
    """The answer to a request for a path no route serves: from its recording, or the not-emulated answer."""
    path = urlsplit(sent.target).path
    recording = recordings.get(path)
    if recording is None:
        return not_emulated(sent.method, path)
    state.count_call(f"{sent.method} {path}")
    try:
        return 200, _recorded(recording, state, sent)
    except OapiError as error:
        return 200, {**error.body(), "request_id": request_id()}
    except AcsError as error:
        return error.status, error.body()


def not_emulated(method: str, path: str) -> tuple[int, Body]:
    """DingTalk's answer to an unknown path, its message saying that the sandbox does not emulate it."""
    line = f"the sandbox does not emulate {method} {path}: {HINT}"
    if f"{method} {path}" not in _warned:
        _warned.add(f"{method} {path}")
        _log.warning("sandbox: %s %s is not emulated: %s", method, path, HINT)
    if path.startswith("/topapi/"):
        return 200, {
            "errcode": INVALID_API,
            "errmsg": f"Invalid method[submsg=不合法ApiName] ({line})",
            "request_id": request_id(),
        }
    return 404, {"errcode": 404, "errmsg": line}


def _recorded(recording: Recording, state: TenantState, sent: Sent) -> Body:
    query = dict(parse_qsl(urlsplit(sent.target).query, keep_blank_values=True))
    new_host = recording.api == "api"
    if new_host:
        token = sent.headers.get(TOKEN_HEADER, "")
        if not token:
            raise AcsError(400, "AuthenticationFailed.MissingParameter", f"缺少 {TOKEN_HEADER} 请求头")
        if not state.token_is_valid(token):
            raise AcsError(400, "InvalidAuthentication", "不合法的access_token")
    else:
        token = query.pop("access_token", "")
        if not token:
            raise wrapped_error("40000", "access_token is blank")
        if not state.token_is_valid(token):
            raise wrapped_error("40014", "不合法的access_token")
    if sent.method != recording.method:
        if new_host:
            raise AcsError(405, "MethodNotAllowed", "the HTTP method is not allowed for this API")
        raise OapiError(NEED_POST, "需要POST请求") if recording.method == "POST" else OapiError(NEED_GET, "需要GET请求")
    given = {**query, **_json_body(sent.body, new_host)}
    for name in recording.fields:
        if name not in given:
            if new_host:
                raise AcsError(400, "MissingParameter", f"缺少参数 {name}")
            raise OapiError(MISSING_PARAM, f"缺少参数 {name}")
    response = copy.deepcopy(recording.response)
    if isinstance(response, dict) and "request_id" in response:
        response["request_id"] = request_id()
    return response


def _json_body(body: bytes, new_host: bool) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        if new_host:
            raise AcsError(400, "InvalidParameter", "the request body is not a JSON object")
        raise OapiError(INVALID_PARAM, "参数错误: 请求体必须是JSON对象")
    return data
