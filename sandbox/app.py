"""Request dispatch without sockets: a `Request` in, a `Reply` out (the server only moves bytes)."""

import json
import logging
from urllib.parse import parse_qsl, urlsplit

from sandbox import front_door, recorded
from sandbox.drift import drifted
from sandbox.envelopes import (
    BAD_CONTENT_TYPE,
    INVALID_PARAM,
    NEED_GET,
    NEED_POST,
    SYSTEM_BUSY,
    AcsError,
    Body,
    OapiError,
    request_id,
    top_error,
    wrapped_error,
)
from sandbox.fault_answers import fault_answer
from sandbox.faults import Fault, convert_all
from sandbox.fields import Params
from sandbox.messages import Reply, Request
from sandbox.openapi import load_schemas
from sandbox.request_log import Exchange, RequestLog
from sandbox.routes import Route, Style, robot
from sandbox.state import TenantState

ACS_TOKEN_HEADER = "x-acs-dingtalk-access-token"
_log = logging.getLogger("sandbox")


class App:
    """Routes requests to handlers and frames their answers and errors in each API style.

    `handle` answers None when the connection is to be closed without an answer (a dropped connection).
    `requests` holds the recent exchanges, masked, for the front door (sandbox/front_door).
    """

    def __init__(self, state: TenantState, routes: dict[tuple[str, str], Route]) -> None:
        self.state = state
        self._mutant = None
        if state.config.mutant:  # a contract mutant (sandbox/mutants): wrappers around one endpoint
            from sandbox.mutants import install  # here: sandbox.mutants imports this module

            routes, self._mutant = install(state.config.mutant, routes)
        self._routes = routes
        self._styles = {path: route.style for (_, path), route in routes.items()}
        self.requests = RequestLog()
        self.schemas = load_schemas()  # the answer schemas the OpenAPI document embeds
        self.recorded = recorded.load()  # recorded examples of endpoints not emulated (sandbox/recorded.py)

    @property
    def routes(self) -> dict[tuple[str, str], Route]:
        return self._routes

    def handle(self, request: Request) -> Reply | None:
        """Answer a request; every one but the front door's own pages goes into `requests`."""
        path = urlsplit(request.target).path
        if front_door.serves(request.method, path):
            return Reply(*front_door.serve(self, request.method, path, dict(request.headers)))
        reply = self._handle(request)
        exchange = self.describe(request, reply, self.requests.next_number())
        self.requests.add(exchange)
        return reply

    def describe(self, request: Request, reply: Reply | None, number: int = 0) -> Exchange:
        """The exchange as shown and logged: secrets masked."""
        known = (self.state.config.appsecret, *robot.ROBOTS, *robot.ROBOTS.values())
        status, answer = (None, None) if reply is None else (reply.status, reply.body)
        return Exchange(
            number,
            self.state.now(),
            request.method,
            request.target,
            request.headers,
            request.body,
            status,
            answer,
            known,
        )

    def _handle(self, request: Request) -> Reply | None:
        url = urlsplit(request.target)
        path = url.path
        if path.startswith("/__sandbox/"):
            return self._service(request, path)
        style = self._styles.get(path)
        if style is None:
            return Reply(*recorded.answer(self.recorded, self.state, request))
        self.state.count_call(f"{request.method} {path}")
        injection = self.state.draw_fault()
        latency_ms = self.state.config.faults.latency_ms
        if latency_ms:
            self.state.config.sleep(latency_ms / 1000)
        if injection is not None and injection.fault is Fault.DROP:
            return None
        if injection is not None and injection.fault is not Fault.DROP_AFTER:
            return Reply(*fault_answer(style, injection.fault, injection.status))
        reply = self._answer(request, style, path)
        drift = self.state.config.faults.drift
        if reply is not None and drift:  # contract drift on request (sandbox/drift.py)
            reply = Reply(reply.status, drifted(path, reply.body, drift))
        return None if injection is not None else reply

    def _answer(self, request: Request, style: Style, path: str) -> Reply | None:
        """The dispatched answer, through the contract mutant's exchange wrapper when there is one."""

        def dispatch(sent: Request) -> Reply:
            query = dict(parse_qsl(urlsplit(sent.target).query, keep_blank_values=True))
            return self._dispatch(sent, style, path, query)

        return dispatch(request) if self._mutant is None else self._mutant(request, self.state, dispatch)

    def _dispatch(self, request: Request, style: Style, path: str, query: dict[str, str]) -> Reply:
        """Authenticate, apply the QPS limit, run the handler; errors framed in the path's style."""
        try:
            route = self._routes.get((request.method, path))
            if route is None:
                raise _wrong_method(style)
            appkey, params = _authenticated(route.style, request, query, self.state)
            if appkey is not None and not self.state.admit(appkey, path):
                return Reply(*fault_answer(style, Fault.RATE_LIMITED))
            return Reply(200, route.handler(self.state, params))
        except OapiError as error:
            return Reply(200, _error_body(style, error))
        except AcsError as error:
            return Reply(error.status, error.body())
        except Exception:
            _log.exception("sandbox bug while answering %s %s", request.method, path)
            return Reply(500, {"errcode": SYSTEM_BUSY, "errmsg": "系统繁忙", "request_id": request_id()})

    def _service(self, request: Request, path: str) -> Reply:
        """The sandbox's own endpoints under `/__sandbox/`."""
        method = request.method
        if (method, path) == ("GET", "/__sandbox/health"):
            return Reply(200, {"status": "ok"})
        if (method, path) == ("GET", "/__sandbox/stats"):
            return Reply(200, self.state.stats())
        if (method, path) == ("POST", "/__sandbox/reset"):
            self.state.reset()
            return Reply(200, {"status": "reset"})
        if (method, path) == ("GET", "/__sandbox/faults"):
            return Reply(200, self.state.config.settings())
        if (method, path) == ("POST", "/__sandbox/faults"):
            return self._set_faults(request.body)
        if path.startswith(robot.SERVICE_PREFIX):
            return Reply(*robot.service(self.state, method, path))
        return Reply(404, {"errcode": 404, "errmsg": f"no sandbox endpoint {method} {path}"})

    def _set_faults(self, body: bytes) -> Reply:
        """`POST /__sandbox/faults`: apply a JSON object of settings; HTTP 400 with one line if it is bad."""
        try:
            settings = json.loads(body or b"{}")
            if not isinstance(settings, dict):
                raise ValueError("expected a JSON object of settings")
            config = self.state.config.with_settings(convert_all(settings))
        except (ValueError, RecursionError) as error:
            return Reply(400, {"errcode": 400, "errmsg": f"POST /__sandbox/faults: {error}"})
        self.state.configure(config)
        return Reply(200, config.settings())


def _error_body(style: Style, error: OapiError) -> Body:
    if style is Style.TOP:
        return top_error(error)
    if style is Style.GETTOKEN:
        return error.body()
    return {**error.body(), "request_id": request_id()}


def _wrong_method(style: Style) -> Exception:
    if style is Style.ACS:
        return AcsError(405, "MethodNotAllowed", "the HTTP method is not allowed for this API")
    if style is Style.GETTOKEN:
        return OapiError(NEED_GET, "需要GET请求")
    return OapiError(NEED_POST, "需要POST请求")


def _authenticated(
    style: Style, request: Request, query: dict[str, str], state: TenantState
) -> tuple[str | None, Params]:
    """Authenticate the request as its style demands: the calling appkey and the parameters its handler reads.

    The appkey is `/gettoken`'s `appkey` parameter (None without one), else the app the token was issued to:
    the sandbox has one app, so a valid token means `config.appkey`.
    """
    if style is Style.GETTOKEN:
        return query.get("appkey") or None, query
    if style is Style.ROBOT:
        return None, {"query": query, "body": request.body}
    if style is Style.ACS:
        token = request.headers.get(ACS_TOKEN_HEADER)
        if not token:
            raise AcsError(400, "AuthenticationFailed.MissingParameter", f"缺少 {ACS_TOKEN_HEADER} 请求头")
        if not state.token_is_valid(token):
            raise AcsError(400, "InvalidAuthentication", "不合法的access_token")
        return state.config.appkey, query
    token = query.get("access_token", "")
    if not token:
        raise wrapped_error("40000", "access_token is blank")
    if not state.token_is_valid(token):
        raise wrapped_error("40014", "不合法的access_token")
    return state.config.appkey, _json_body(request)


def _json_body(request: Request) -> Params:
    """The request's JSON object; an empty body counts as `{}`."""
    if not request.body.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise OapiError(BAD_CONTENT_TYPE, f"无效的HTTP HEADER Content-Type: {content_type or '(none)'}")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OapiError(INVALID_PARAM, "参数错误: 请求体不是合法的JSON") from None
    if not isinstance(body, dict):
        raise OapiError(INVALID_PARAM, "参数错误: 请求体必须是JSON对象")
    return body
