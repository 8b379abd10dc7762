"""Request dispatch without sockets: a `Request` in, a `Reply` out (the server only moves bytes)."""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from sandbox.envelopes import (
    BAD_CONTENT_TYPE,
    INVALID_API,
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
from sandbox.fields import Params
from sandbox.routes import Route, Style
from sandbox.state import TenantState

ACS_TOKEN_HEADER = "x-acs-dingtalk-access-token"
_log = logging.getLogger("sandbox")


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query string, as on the request line
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: Body


class App:
    """Routes requests to handlers and frames their answers and errors in each API style."""

    def __init__(self, state: TenantState, routes: dict[tuple[str, str], Route]) -> None:
        self.state = state
        self._routes = routes
        self._styles = {path: route.style for (_, path), route in routes.items()}

    def handle(self, request: Request) -> Reply:
        url = urlsplit(request.target)
        path = url.path
        if path.startswith("/__sandbox/"):
            return self._service(request.method, path)
        style = self._styles.get(path)
        if style is None:
            return self._unknown(path)
        self.state.count_call(f"{request.method} {path}")
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        try:
            route = self._routes.get((request.method, path))
            if route is None:
                raise _wrong_method(style)
            return Reply(200, route.handler(self.state, _params(route.style, request, query, self.state)))
        except OapiError as error:
            return Reply(200, _error_body(style, error))
        except AcsError as error:
            return Reply(error.status, error.body())
        except Exception:
            _log.exception("sandbox bug while answering %s %s", request.method, path)
            return Reply(500, {"errcode": SYSTEM_BUSY, "errmsg": "系统繁忙", "request_id": request_id()})

    def _service(self, method: str, path: str) -> Reply:
        """The sandbox's own endpoints under `/__sandbox/`."""
        if (method, path) == ("GET", "/__sandbox/health"):
            return Reply(200, {"status": "ok"})
        if (method, path) == ("GET", "/__sandbox/stats"):
            return Reply(200, self.state.stats())
        if (method, path) == ("POST", "/__sandbox/reset"):
            self.state.reset()
            return Reply(200, {"status": "reset"})
        return Reply(404, {"errcode": 404, "errmsg": f"no sandbox endpoint {method} {path}"})

    @staticmethod
    def _unknown(path: str) -> Reply:
        if path.startswith("/topapi/"):
            body = {"errcode": INVALID_API, "errmsg": "Invalid method[submsg=不合法ApiName]"}
            return Reply(200, {**body, "request_id": request_id()})
        return Reply(404, {"errcode": 404, "errmsg": f"no such endpoint: {path}"})


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


def _params(style: Style, request: Request, query: dict[str, str], state: TenantState) -> Params:
    """Authenticate the request as its style demands and return the parameters its handler reads."""
    if style is Style.GETTOKEN:
        return query
    if style is Style.ACS:
        token = request.headers.get(ACS_TOKEN_HEADER)
        if not token:
            raise AcsError(400, "AuthenticationFailed.MissingParameter", f"缺少 {ACS_TOKEN_HEADER} 请求头")
        if not state.token_is_valid(token):
            raise AcsError(400, "InvalidAuthentication", "不合法的access_token")
        return query
    token = query.get("access_token", "")
    if not token:
        raise wrapped_error("40000", "access_token is blank")
    if not state.token_is_valid(token):
        raise wrapped_error("40014", "不合法的access_token")
    return _json_body(request)


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
