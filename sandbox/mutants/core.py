"""What a contract mutant is, the hooks it may use, the helpers that build them, and the probes that show them.

A mutant never edits a route: it wraps one endpoint's faithful handler (parameters in, answer out, or both) or
the whole exchange of one path (request in, reply out), so the route code stays the single source of behaviour.
"""

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox.model import Tenant
from sandbox.protocol.envelopes import Body, request_id
from sandbox.protocol.messages import Reply, Request
from sandbox.protocol.parameters import ACS_TOKEN_HEADER, Params, format_datetime, query_of
from sandbox.routes.base import Handler
from sandbox.state import TenantState

Next = Callable[[Request], Reply | None]
Around = Callable[[Request, TenantState, Next], Reply | None]
HandlerWrap = Callable[[Handler], Handler]

# Ids of the seeded tenant (the seed is fixed; data/profiles/sandbox.yaml names the same ones).
ADMIN = "manager4220"  # the main blackboard admin
SUB_ADMIN = "manager7078"  # a blackboard sub-admin
PLAIN_USER = "686442273757209"  # not a blackboard admin
RECEIVERS = ["626116675269872", "460488771035786", "150884337879179"]
CATEGORY_ID = "c3eb5394daa22129"
TEST_DEPT = 721956631
REPORT_USER = "672518765764248"  # a 日报 every day and a 周报 every 7th day
REPORT_ID = "52dff9e78a3576c84df2"  # 35 receivers, 25 readers, 23 comments (20 commenters), 14 likes
TEMPLATE_NAME = "日报"
TEMPLATE_ID = "e2c41cfda78bb71c"
TEMPLATE_FIELD = "今日完成工作"
HIDDEN_TEMPLATE = "研发周报"  # 研发部 only
CHECKIN_USER = "972316068050880"  # twelve check-ins a day over 30 days
NO_REPORTS_USER = "494628694891635"  # receives no seeded report
DISMISSIONS = "/v1.0/hrm/employees/dismissions"
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Hooks:
    """Where one sandbox's mutant acts. `handler` wraps the mutant's endpoint's handler; `others` wraps
    handlers of other endpoints (`"POST /path"` keys) it must watch; `around` wraps whole exchanges on the
    mutant's path (authentication, envelopes and methods happen there)."""

    handler: HandlerWrap | None = None
    others: Mapping[str, HandlerWrap] = field(default_factory=dict)
    around: Around | None = None


Apply = Callable[[], Hooks]
"""Builds a fresh set of hooks for one sandbox (a mutant that remembers something keeps it per sandbox)."""


@dataclass(frozen=True)
class Call:
    """One request of a probe. `body` and `query` values that are exactly `"${name}"` take a saved value;
    `save` maps names to dotted paths in the answer (`result.0`). `auth`: token, none, invalid (old host
    `?access_token=`, new host header), robot, robot_wrong_sign, robot_stale_timestamp, robot_unknown."""

    path: str
    body: Any = None
    query: Mapping[str, Any] = field(default_factory=dict)
    method: str = ""  # default: GET for /gettoken and the new host, else POST
    auth: str = "token"
    save: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a body sent as is (robot messages)


Check = Callable[[Reply, Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Probe:
    """Requests at the mutant's point and the documented statement about the last answer, as a predicate:
    true on the faithful sandbox, false on the mutant."""

    calls: tuple[Call, ...]
    check: Check
    expect: str


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    endpoint: str  # "METHOD /path", an endpoint of data/spec/endpoints.yaml
    statement: str  # the documented contract point it breaks, citing DingTalk's page
    apply: Apply
    probe: Probe

    @property
    def method(self) -> str:
        return self.endpoint.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.endpoint.split(" ", 1)[1]


# --- paths in JSON bodies --------------------------------------------------------------------------------------


def dig(value: Any, path: str) -> Any:
    """`result.data_list.0.report_id`; KeyError/IndexError when it is not there."""
    for part in path.split(".") if path else ():
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def nodes(value: Any, path: str) -> Iterator[Any]:
    """Every value at `path`, where `*` stands for each item of a list."""
    if not path:
        yield value
        return
    head, _, rest = path.partition(".")
    if head == "*":
        for item in value if isinstance(value, list) else ():
            yield from nodes(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from nodes(value[head], rest)


def _split(path: str) -> tuple[str, str]:
    parent, _, key = path.rpartition(".")
    return parent, key


# --- handler-level helpers -------------------------------------------------------------------------------------


def wrap(
    function: Callable[[Handler, TenantState, Params], Body], others: Mapping[str, HandlerWrap] | None = None
) -> Apply:
    """The endpoint's handler replaced by `function(faithful_handler, state, params)`."""

    def handler_wrap(handler: Handler) -> Handler:
        return lambda state, params: function(handler, state, params)

    return lambda: Hooks(handler=handler_wrap, others=dict(others or {}))


def before(function: Callable[[Params, TenantState], Params]) -> Apply:
    """Parameters changed (a deep copy) before the faithful handler reads them."""
    return wrap(lambda handler, state, params: handler(state, function(copy.deepcopy(dict(params)), state)))


def after(function: Callable[[Body, Params], Body]) -> Apply:
    """A successful answer changed after the faithful handler made it (errors are raised, so untouched)."""
    return wrap(lambda handler, state, params: function(handler(state, params), params))


def set_default(path: str, value: Any) -> Apply:
    """A required parameter not enforced: when missing or empty it is taken as `value`."""

    def change(params: Params, state: TenantState) -> Params:
        parent, key = _split(path)
        for holder in nodes(params, parent):
            if isinstance(holder, dict) and holder.get(key) in (None, ""):
                holder[key] = value
        return params

    return before(change)


def clamp(path: str, limit: int) -> Apply:
    """A limit not enforced: a number over `limit` is taken as `limit`, a longer list is cut to `limit`."""

    def change(params: Params, state: TenantState) -> Params:
        parent, key = _split(path)
        for holder in nodes(params, parent):
            if not isinstance(holder, dict) or key not in holder:
                continue
            value = holder[key]
            if isinstance(value, list) and len(value) > limit:
                holder[key] = value[:limit]
            elif isinstance(value, str) and "," in value and len(value.split(",")) > limit:
                holder[key] = ",".join(value.split(",")[:limit])
            elif isinstance(value, int | str) and str(value).strip().isdigit() and int(value) > limit:
                holder[key] = limit
        return params

    return before(change)


def ignore(*paths: str, unless_invalid: bool = True) -> Apply:
    """A filter ignored: the parameters are checked as sent, then the answer is that of the request without them."""

    def function(handler: Handler, state: TenantState, params: Params) -> Body:
        if unless_invalid:
            handler(state, params)  # every check of the request as sent (reads only)
        stripped = copy.deepcopy(dict(params))
        for path in paths:
            parent, key = _split(path)
            for holder in nodes(stripped, parent):
                if isinstance(holder, dict):
                    holder.pop(key, None)
        return handler(state, stripped)

    return wrap(function)


def substitute(path: str, value: Callable[[Params], Any]) -> Apply:
    """A parameter replaced after the request as sent passed every check (a filter ignored or inverted)."""

    def function(handler: Handler, state: TenantState, params: Params) -> Body:
        handler(state, params)
        changed = copy.deepcopy(dict(params))
        parent, key = _split(path)
        for holder in nodes(changed, parent):
            holder[key] = value(holder)
        return handler(state, changed)

    return wrap(function)


def rename(path: str, old: str, new: str) -> Apply:
    """A (nested) answer field renamed: `path` selects the objects (`result.data_list.*`)."""

    def function(body: Body, params: Params) -> Body:
        for holder in nodes(body, path):
            if isinstance(holder, dict) and old in holder:
                holder[new] = holder.pop(old)
        return body

    return after(function)


def retype(path: str, convert: Callable[[Any], Any] = str) -> Apply:
    """A (nested) answer field of another type: `path` ends with the field's name."""

    def function(body: Body, params: Params) -> Body:
        parent, key = _split(path)
        for holder in nodes(body, parent):
            if isinstance(holder, dict) and key in holder:
                holder[key] = convert(holder[key])
        return body

    return after(function)


def drop(path: str) -> Apply:
    """A documented answer field left out."""

    def function(body: Body, params: Params) -> Body:
        parent, key = _split(path)
        for holder in nodes(body, parent):
            if isinstance(holder, dict):
                holder.pop(key, None)
        return body

    return after(function)


def stores_nothing(objects: Callable[[Tenant], dict[str, Any]]) -> Apply:
    """A create answered as the faithful handler answers it, and what it added to `objects(tenant)` taken away."""

    def function(handler: Handler, state: TenantState, params: Params) -> Body:
        with state.lock:
            before_ids = set(objects(state.tenant))
        answer = handler(state, params)
        with state.lock:
            stored = objects(state.tenant)
            for new_id in set(stored) - before_ids:
                del stored[new_id]
        return answer

    return wrap(function)


# --- exchange-level helpers ------------------------------------------------------------------------------------


def around(function: Around) -> Apply:
    return lambda: Hooks(around=function)


def reply_after(function: Callable[[Reply], Reply]) -> Apply:
    """The reply (status and body) on the mutant's path changed after the faithful sandbox made it."""

    def function_around(request: Request, state: TenantState, next_: Next) -> Reply | None:
        reply = next_(request)
        return None if reply is None else function(reply)

    return around(function_around)


def current_token(state: TenantState) -> str:
    """The app's valid token, issuing one (as /gettoken would) when there is none."""
    with state.lock:
        token = state._token if state.now() < state._token_expiry else None
    return token or state.issue_token()


def with_query(request: Request, **changes: str | None) -> Request:
    """The request with query parameters set (None removes one)."""
    query = query_of(request.target)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return replace(request, target=f"{urlsplit(request.target).path}?{urlencode(query)}")


def fresh_request_id(body: Body) -> Body:
    return {**body, "request_id": request_id()} if "request_id" in body else dict(body)


# --- probes ----------------------------------------------------------------------------------------------------


_MOMENT = re.compile(r"\$\{(now|datetime)(?:([+-]\d+)d)?\}")


def moment(saved: Mapping[str, Any], days: int = 0) -> int:
    """The probe's start (the sandbox clock) moved by `days`, in epoch milliseconds."""
    return int(saved["now"]) + days * DAY_MS


def _substituted(value: Any, saved: Mapping[str, Any]) -> Any:
    """`${name}` (a saved value), `${now-3d}` (epoch ms), `${datetime-3d}` (China time, yyyy-MM-dd HH:mm:ss)."""
    if isinstance(value, str) and (match := _MOMENT.fullmatch(value)):
        millis = moment(saved, int(match.group(2) or 0))
        return millis if match.group(1) == "now" else format_datetime(millis / 1000)
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return saved[value[2:-1]]
    if isinstance(value, dict):
        return {key: _substituted(item, saved) for key, item in value.items()}
    if isinstance(value, list):
        return [_substituted(item, saved) for item in value]
    return value


def _robot_query(state: TenantState, call: Call, query: dict[str, Any]) -> None:
    from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN, signature

    stamp = int(state.now() * 1000) - (7_200_000 if call.auth == "robot_stale_timestamp" else 0)
    secret = "SECsome-other-secret" if call.auth == "robot_wrong_sign" else DEFAULT_ROBOT_SECRET
    token = "no-such-robot" if call.auth == "robot_unknown" else DEFAULT_ROBOT_TOKEN
    query.update(access_token=token, timestamp=str(stamp), sign=signature(secret, str(stamp)))


def request_of(call: Call, token: str, state: TenantState, saved: Mapping[str, Any]) -> Request:
    """The probe call as the sandbox receives it."""
    acs = call.path.startswith("/v1.0/")
    method = call.method or ("GET" if acs or call.path == "/gettoken" else "POST")
    query = {key: str(value) for key, value in _substituted(dict(call.query), saved).items()}
    headers = {"content-type": "application/json"}
    if call.auth.startswith("robot"):
        _robot_query(state, call, query)
    elif call.auth in ("token", "invalid") and call.path != "/gettoken":
        sent = token if call.auth == "token" else "0123456789abcdef0123456789abcdef"
        if acs:
            headers[ACS_TOKEN_HEADER] = sent
        else:
            query["access_token"] = sent
    if call.raw is not None:
        body = call.raw
    elif call.body is None:
        body = b""
    else:
        body = json.dumps(_substituted(call.body, saved), ensure_ascii=False).encode()
    target = f"{call.path}?{urlencode(query)}" if query else call.path
    return Request(method, target, headers, body)


def run_probe(app: Any, probe: Probe) -> tuple[Reply, dict[str, Any]]:
    """Send the probe's calls to an in-process `sandbox.app.App`: the last reply and the values saved."""
    config = app.state.config
    login = Request("GET", f"/gettoken?{urlencode({'appkey': config.appkey, 'appsecret': config.appsecret})}", {}, b"")
    login_reply = app.handle(login)
    token = login_reply.body["access_token"] if login_reply is not None else ""
    saved: dict[str, Any] = {"now": int(app.state.now() * 1000)}
    reply: Reply | None = None
    for call in probe.calls:
        reply = app.handle(request_of(call, token, app.state, saved))
        if reply is None:
            raise AssertionError(f"{call.path}: the sandbox dropped the connection")
        for name, path in call.save.items():
            saved[name] = dig(reply.body, path)
    assert reply is not None, "a probe has at least one call"
    return reply, saved


def probe(*calls: Call, check: Check, expect: str) -> Probe:
    return Probe(tuple(calls), check, expect)


# --- checks ----------------------------------------------------------------------------------------------------


def errcode(reply: Reply) -> Any:
    return reply.body.get("errcode")


def refused(reply: Reply, saved: Mapping[str, Any]) -> bool:
    """An old-host refusal: a nonzero errcode (any, where the docs name none)."""
    return errcode(reply) not in (0, None)


def succeeded(reply: Reply, saved: Mapping[str, Any]) -> bool:
    return reply.status == 200 and errcode(reply) == 0


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    return isinstance(value, kind) and not isinstance(value, bool)


def has(path: str, kind: type | tuple[type, ...] = object) -> Check:
    """Every value at `path` (with `*`) is there and of `kind`, and there is at least one."""

    def check(reply: Reply, saved: Mapping[str, Any]) -> bool:
        parent, key = _split(path)
        holders = list(nodes(reply.body, parent))
        return bool(holders) and all(isinstance(h, dict) and key in h and _is(h[key], kind) for h in holders)

    return check


def values(reply: Reply, path: str) -> list[Any]:
    return list(nodes(reply.body, path))


def unique(items: Sequence[Any]) -> bool:
    return len(items) == len(set(items))
