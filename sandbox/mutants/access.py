"""Mutants of tokens, error envelopes, HTTP methods, the new host's error shape and the robot webhook."""

import json
from dataclasses import replace
from typing import Any

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.mutants.core import (
    ADMIN,
    CHECKIN_USER,
    DISMISSIONS,
    Call,
    Mutant,
    Next,
    around,
    before,
    current_token,
    drop,
    errcode,
    has,
    probe,
    refused,
    reply_after,
    retype,
    with_query,
    wrap,
)
from sandbox.protocol.envelopes import Body
from sandbox.protocol.messages import Reply, Request
from sandbox.protocol.parameters import ACS_TOKEN_HEADER, Params, query_of
from sandbox.routes.base import Handler
from sandbox.routes.robot import MAX_MESSAGE_BYTES, ROBOTS, TIMESTAMP_TOLERANCE_MS, signature
from sandbox.state import TenantState

GETTOKEN = "GET /gettoken"
CATEGORIES = "/topapi/blackboard/category/list"
APP = {"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}
ROBOT_SEND = "POST /robot/send"
TEXT = {"msgtype": "text", "text": {"content": "apitest mutant probe"}}
CATEGORY_BODY = {"operation_userid": ADMIN}


def _token_accepted(when_missing: bool) -> Any:
    """An old-host path that lets a bad (or a missing) `access_token` through as the app's valid one."""

    def function(request: Request, state: TenantState, next_: Next) -> Reply | None:
        token = query_of(request.target).get("access_token", "")
        if (not token) == when_missing and not (token and state.token_is_valid(token)):
            request = with_query(request, access_token=current_token(state))
        return next_(request)

    return around(function)


def _acs_token_accepted(when_missing: bool) -> Any:
    def function(request: Request, state: TenantState, next_: Next) -> Reply | None:
        token = request.headers.get(ACS_TOKEN_HEADER, "")
        if (not token) == when_missing and not (token and state.token_is_valid(token)):
            headers = {**request.headers, ACS_TOKEN_HEADER: current_token(state)}
            request = replace(request, headers=headers)
        return next_(request)

    return around(function)


def _error_changed(change: Any) -> Any:
    """An error reply (nonzero errcode or HTTP 4xx/5xx) changed; successes stay."""

    def function(reply: Reply) -> Reply:
        failed = reply.status >= 400 or reply.body.get("errcode") not in (0, None)
        return change(reply) if failed else reply

    return reply_after(function)


def _without(*keys: str) -> Any:
    return lambda reply: Reply(reply.status, {k: v for k, v in reply.body.items() if k not in keys})


def _get_as_post(request: Request, state: TenantState, next_: Next) -> Reply | None:
    """GET served as POST, the query parameters (but the token) taken as the JSON body."""
    if request.method != "GET":
        return next_(request)
    body: dict[str, Any] = {k: v for k, v in query_of(request.target).items() if k != "access_token"}
    if request.body.strip():
        try:
            sent = json.loads(request.body)
        except ValueError:
            sent = None
        if isinstance(sent, dict):
            body.update(sent)
    headers = {**request.headers, "content-type": "application/json"}
    return next_(replace(request, method="POST", headers=headers, body=json.dumps(body).encode()))


def _post_as_get(request: Request, state: TenantState, next_: Next) -> Reply | None:
    return next_(replace(request, method="GET") if request.method == "POST" else request)


def _new_token_each_call(handler: Handler, state: TenantState, params: Params) -> Body:
    with state.lock:
        state._token = None  # the valid token is forgotten: issue_token makes a new one
    return handler(state, params)


def _any_secret(params: Params, state: TenantState) -> Params:
    if params.get("appkey") == state.config.appkey and params.get("appsecret"):
        params["appsecret"] = state.config.appsecret
    return params


def _robot_resigned(condition: Any) -> Any:
    """The robot's query re-signed with a fresh timestamp (and its own token) when `condition(query, now)` holds."""

    def change(params: Params, state: TenantState) -> Params:
        query = dict(params["query"])
        if condition(query, state.now() * 1000):
            token = query.get("access_token", "")
            token = token if token in ROBOTS else next(iter(ROBOTS))
            stamp = str(int(state.now() * 1000))
            query.update(access_token=token, timestamp=stamp, sign=signature(ROBOTS[token], stamp))
        params["query"] = query
        return params

    return before(change)


def _signed_right(query: dict[str, str]) -> bool:
    secret = ROBOTS.get(query.get("access_token", ""))
    stamp = query.get("timestamp", "")
    return secret is not None and query.get("sign") == signature(secret, stamp)


def _fresh(query: dict[str, str], now_ms: float) -> bool:
    stamp = query.get("timestamp", "")
    return stamp.isdigit() and abs(int(stamp) - now_ms) <= TIMESTAMP_TOLERANCE_MS


def _cut_to_limit(params: Params, state: TenantState) -> Params:
    """A message over the byte limit cut (its text or markdown text) until it fits, then sent on as if fine."""
    raw = params["body"]
    if len(raw) <= MAX_MESSAGE_BYTES:
        return params
    try:
        message = json.loads(raw)
        content = message[message["msgtype"]]
        key = "content" if "content" in content else "text"
        over = len(raw) - MAX_MESSAGE_BYTES
        content[key] = content[key].encode()[: max(0, len(content[key].encode()) - over - 16)].decode(errors="ignore")
    except (ValueError, KeyError, TypeError, AttributeError):
        return params
    params["body"] = json.dumps(message, ensure_ascii=False).encode()
    return params


def _robot_call(auth: str, raw: bytes | None = None) -> Call:
    return Call("/robot/send", auth=auth, raw=json.dumps(TEXT).encode() if raw is None else raw)


def _sub_code_number(reply: Reply) -> Reply:
    body = dict(reply.body)
    if isinstance(body.get("sub_code"), str) and body["sub_code"].isdigit():
        body["sub_code"] = int(body["sub_code"])
    return Reply(reply.status, body)


def _acs_200(reply: Reply) -> Reply:
    return Reply(200, reply.body)


def _acs_renamed(reply: Reply) -> Reply:
    body = dict(reply.body)
    if "requestid" in body:
        body["requestId"] = body.pop("requestid")
    return Reply(reply.status, body)


MUTANTS = (
    Mutant(
        "gettoken-new-token-each-call",
        "auth",
        GETTOKEN,
        "获取企业内部应用的access_token: asking again while the token is valid answers the same token "
        "(its expiry renewed); a new one only after it expired",
        wrap(_new_token_each_call),
        probe(
            Call("/gettoken", query=APP, auth="none", save={"first": "access_token"}),
            Call("/gettoken", query=APP, auth="none"),
            check=lambda reply, saved: reply.body.get("access_token") == saved["first"],
            expect="the second gettoken answers the first token",
        ),
    ),
    Mutant(
        "gettoken-wrong-secret-accepted",
        "auth",
        GETTOKEN,
        "获取企业内部应用的access_token: a wrong appsecret is refused with errcode 40096 (不合法的appKey或appSecret)",
        before(_any_secret),
        probe(
            Call("/gettoken", query={**APP, "appsecret": "wrong-secret"}, auth="none"),
            check=lambda reply, saved: errcode(reply) == 40096,
            expect="errcode 40096",
        ),
    ),
    Mutant(
        "gettoken-without-expires-in",
        "field",
        GETTOKEN,
        "获取企业内部应用的access_token: the answer has expires_in (Number, seconds)",
        drop("expires_in"),
        probe(Call("/gettoken", query=APP, auth="none"), check=has("expires_in", int), expect="expires_in a number"),
    ),
    Mutant(
        "gettoken-expires-in-string",
        "type",
        GETTOKEN,
        "获取企业内部应用的access_token: expires_in is a Number (real answers send JSON numbers)",
        retype("expires_in"),
        probe(Call("/gettoken", query=APP, auth="none"), check=has("expires_in", int), expect="expires_in a number"),
    ),
    Mutant(
        "gettoken-post-accepted",
        "method",
        GETTOKEN,
        "获取企业内部应用的access_token: the request method is GET (a POST is refused, errcode 43001)",
        around(_post_as_get),
        probe(Call("/gettoken", method="POST", query=APP, auth="none"), check=refused, expect="a nonzero errcode"),
    ),
    Mutant(
        "topapi-bad-token-accepted",
        "auth",
        f"POST {CATEGORIES}",
        "获取公告分类列表 (and every /topapi call): access_token is a valid app token; a bad one is refused "
        "with errcode 88, sub_code 40014",
        _token_accepted(when_missing=False),
        probe(
            Call(CATEGORIES, CATEGORY_BODY, auth="invalid"),
            check=lambda reply, saved: errcode(reply) == 88 and reply.body.get("sub_code") == "40014",
            expect="errcode 88, sub_code 40014",
        ),
    ),
    Mutant(
        "topapi-missing-token-accepted",
        "auth",
        "POST /topapi/report/list",
        "获取用户发出的日志列表: access_token is required (Query, 必填); without it errcode 88, sub_code 40000",
        _token_accepted(when_missing=True),
        probe(
            Call(
                "/topapi/report/list",
                {"start_time": 0, "end_time": 86_400_000, "cursor": 0, "size": 10},
                auth="none",
            ),
            check=lambda reply, saved: errcode(reply) == 88 and reply.body.get("sub_code") == "40000",
            expect="errcode 88, sub_code 40000",
        ),
    ),
    Mutant(
        "topapi-88-without-sub-code",
        "envelope",
        "POST /topapi/checkin/record/get",
        "获取用户签到记录 (and every /topapi call): an auth failure is wrapped in errcode 88 with its cause in "
        "sub_code and sub_msg",
        _error_changed(_without("sub_code")),
        probe(
            Call("/topapi/checkin/record/get", {"userid_list": CHECKIN_USER}, auth="invalid"),
            check=lambda reply, saved: errcode(reply) == 88 and isinstance(reply.body.get("sub_code"), str),
            expect="errcode 88 with a string sub_code",
        ),
    ),
    Mutant(
        "topapi-88-sub-code-number",
        "type",
        "POST /topapi/union/cooperate/joined/list",
        "获取企业已经加入或申请加入的合作空间的信息 (and every /topapi call): the 88 wrapper's sub_code is a "
        "string, the one string-typed code",
        _error_changed(_sub_code_number),
        probe(
            Call("/topapi/union/cooperate/joined/list", {"status": 1}, auth="invalid"),
            check=has("sub_code", str),
            expect="sub_code a string",
        ),
    ),
    Mutant(
        "topapi-error-without-request-id",
        "envelope",
        "POST /topapi/smartwork/hrm/employee/queryonjob",
        "获取在职员工列表 lists request_id among the answer's fields; the 88 wrapper carries it too",
        _error_changed(_without("request_id")),
        probe(
            Call("/topapi/smartwork/hrm/employee/queryonjob", {"status_list": "2"}, auth="invalid"),
            check=has("request_id", str),
            expect="request_id in the error answer",
        ),
    ),
    Mutant(
        "topapi-success-without-request-id",
        "envelope",
        "POST /topapi/blackboard/listids",
        "获取公告ID列表: the answer has request_id (String) next to errcode, success and result",
        reply_after(lambda reply: _without("request_id")(reply) if reply.body.get("errcode") == 0 else reply),
        probe(
            Call(
                "/topapi/blackboard/listids", {"query_request": {"operation_userid": ADMIN, "page": 1, "page_size": 5}}
            ),
            check=has("request_id", str),
            expect="request_id in the answer",
        ),
    ),
    Mutant(
        "topapi-get-accepted",
        "method",
        f"POST {CATEGORIES}",
        "获取公告分类列表: the request method is POST (a GET is refused, errcode 43002 需要POST请求)",
        around(_get_as_post),
        probe(Call(CATEGORIES, CATEGORY_BODY, method="GET"), check=refused, expect="a nonzero errcode"),
    ),
    Mutant(
        "get-auth-info-bad-token-accepted",
        "auth",
        "POST /service/get_auth_info",
        "获取企业基本信息: the call needs a valid access_token; a bad one is an error_response",
        _token_accepted(when_missing=False),
        probe(
            Call("/service/get_auth_info", {}, auth="invalid"),
            check=lambda reply, saved: "error_response" in reply.body or refused(reply, saved),
            expect="an error_response",
        ),
    ),
    Mutant(
        "dismissions-missing-token-accepted",
        "auth",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: the x-acs-dingtalk-access-token header is required; without it HTTP 400 "
        "AuthenticationFailed.MissingParameter",
        _acs_token_accepted(when_missing=True),
        probe(
            Call(DISMISSIONS, query={"maxResults": 5}, auth="none"),
            check=lambda r, s: r.status == 400,
            expect="HTTP 400",
        ),
    ),
    Mutant(
        "dismissions-bad-token-accepted",
        "auth",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: a bad x-acs-dingtalk-access-token is refused, HTTP 400 InvalidAuthentication",
        _acs_token_accepted(when_missing=False),
        probe(
            Call(DISMISSIONS, query={"maxResults": 5}, auth="invalid"),
            check=lambda reply, saved: reply.status == 400 and reply.body.get("code") == "InvalidAuthentication",
            expect="HTTP 400 InvalidAuthentication",
        ),
    ),
    Mutant(
        "dismissions-error-http-200",
        "envelope",
        f"GET {DISMISSIONS}",
        "New host (获取离职员工列表): errors are HTTP 4xx/5xx with {requestid, code, message}, never HTTP 200",
        _error_changed(_acs_200),
        probe(
            Call(DISMISSIONS, query={"maxResults": 5}, auth="invalid"),
            check=lambda r, s: r.status >= 400,
            expect="HTTP 4xx",
        ),
    ),
    Mutant(
        "dismissions-error-requestid-renamed",
        "envelope",
        f"GET {DISMISSIONS}",
        "New host (获取离职员工列表): an error body names its id requestid, in lower case",
        _error_changed(_acs_renamed),
        probe(
            Call(DISMISSIONS, query={"maxResults": 5}, auth="invalid"), check=has("requestid", str), expect="requestid"
        ),
    ),
    Mutant(
        "robot-wrong-sign-accepted",
        "auth",
        ROBOT_SEND,
        "Custom robot webhook (自定义机器人 加签): sign is base64(HMAC-SHA256(secret, timestamp\\nsecret)); a wrong "
        "sign is refused with errcode 310000",
        _robot_resigned(lambda query, now: _fresh(query, now) and not _signed_right(query)),
        probe(_robot_call("robot_wrong_sign"), check=lambda r, s: errcode(r) == 310000, expect="errcode 310000"),
    ),
    Mutant(
        "robot-stale-timestamp-accepted",
        "auth",
        ROBOT_SEND,
        "Custom robot webhook (自定义机器人 加签): the timestamp must be within one hour of the server's time; "
        "an older one is refused with errcode 310000",
        _robot_resigned(lambda query, now: _signed_right(query) and not _fresh(query, now)),
        probe(_robot_call("robot_stale_timestamp"), check=lambda r, s: errcode(r) == 310000, expect="errcode 310000"),
    ),
    Mutant(
        "robot-unknown-token-accepted",
        "auth",
        ROBOT_SEND,
        "Custom robot webhook: a robot access_token that does not exist is refused with errcode 300005",
        _robot_resigned(lambda query, now: query.get("access_token", "") not in ROBOTS),
        probe(_robot_call("robot_unknown"), check=lambda r, s: errcode(r) == 300005, expect="errcode 300005"),
    ),
    Mutant(
        "robot-message-over-limit-accepted",
        "limit",
        ROBOT_SEND,
        "Custom robot webhook: a message over 20,000 bytes is refused with errcode 460101",
        before(_cut_to_limit),
        probe(
            _robot_call("robot", json.dumps({"msgtype": "text", "text": {"content": "x" * 20_001}}).encode()),
            check=lambda r, s: errcode(r) == 460101,
            expect="errcode 460101",
        ),
    ),
)
