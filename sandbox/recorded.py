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
from typing import Any
from urllib.parse import urlsplit

from sandbox.protocol.envelopes import (
    INVALID_API,
    AcsError,
    Body,
    OapiError,
    Style,
    error_answer,
    missing,
    request_errors,
    request_id,
    status_error,
    wrong_method,
)
from sandbox.protocol.messages import Request
from sandbox.protocol.parameters import json_object, query_of, require_token
from sandbox.state import TenantState

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "spec" / "examples"
HINT = (
    'record it from its DingTalk doc page with `python -m common.cases.scaffold "curl ..." --example ANSWER.json` '
    "(the sandbox then answers its example), or run that case against DingTalk"
)
_log = logging.getLogger("sandbox")
_warned: set[str] = set()


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


def answer(recordings: Mapping[str, Recording], state: TenantState, sent: Request) -> tuple[int, Body]:
    """The answer to a request for a path no route serves: from its recording, or the not-emulated answer."""
    path = urlsplit(sent.target).path
    recording = recordings.get(path)
    if recording is None:
        return not_emulated(sent.method, path)
    state.count_call(f"{sent.method} {path}")
    style = Style.ACS if recording.api == "api" else Style.TOPAPI
    try:
        return 200, _recorded(recording, style, state, sent)
    except (OapiError, AcsError) as error:
        return error_answer(style, error)


def not_emulated(method: str, path: str) -> tuple[int, Body]:
    """DingTalk's answer to an unknown path, its message saying that the sandbox does not emulate it."""
    line = f"the sandbox does not emulate {method} {path}: {HINT}"
    if f"{method} {path}" not in _warned:
        _warned.add(f"{method} {path}")
        _log.warning("sandbox: %s %s is not emulated: %s", method, path, HINT)
    if path.startswith("/topapi/"):
        return error_answer(Style.TOPAPI, OapiError(INVALID_API, f"Invalid method[submsg=不合法ApiName] ({line})"))
    return status_error(404, line)


def _recorded(recording: Recording, style: Style, state: TenantState, sent: Request) -> Body:
    query = query_of(sent.target)
    require_token(style, sent, query, state.token_is_valid)
    query.pop("access_token", None)
    if sent.method != recording.method:
        raise wrong_method(style, recording.method)
    with request_errors(style, "InvalidParameter"):
        given = {**query, **(json_object(sent.body) if sent.body.strip() else {})}
    with request_errors(style, "MissingParameter"):
        for name in recording.fields:
            if name not in given:
                raise missing(name)
    response = copy.deepcopy(recording.response)
    if isinstance(response, dict) and "request_id" in response:
        response["request_id"] = request_id()
    return response
