"""DingTalk's API styles and response bodies: successes, flat old-host errors, new-host errors, their codes, and the
answer each style gives an error."""

import enum
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Body = dict[str, Any]

# Old-host errcodes. Documented ones first, then the sandbox's own choices (see README.md).
SYSTEM_BUSY = -1
INVALID_API = 22
WRAPPED = 88
MISSING_PARAM = 40035
INVALID_PAGE_SIZE = 40069
INVALID_CREDENTIALS = 40096
NEED_GET = 43001
NEED_POST = 43002
BAD_CONTENT_TYPE = 43004
NO_PERMISSION = 60011
USER_NOT_FOUND = 60121
INVALID_PARAM = 400002
DEPT_NOT_FOUND = 60003
BUSY_MESSAGE = "系统繁忙"

_REQUEST_ID_ALPHABET = string.ascii_lowercase + string.digits


class Style(enum.Enum):
    """How a route takes its token and parameters and shapes its errors."""

    GETTOKEN = "gettoken"  # old host, GET, query parameters, no token, flat errors without request_id
    TOPAPI = "topapi"  # old host, POST JSON body, ?access_token=, errcode bodies with request_id
    TOP = "top"  # like TOPAPI, but errors in the TOP gateway's {"error_response": {...}} shape
    ACS = "acs"  # new host, x-acs-dingtalk-access-token header, query parameters, HTTP 4xx errors
    ROBOT = "robot"  # group robot webhook: robot token and signature in the query, raw JSON body, flat errors


def request_id() -> str:
    """A random 12-character lowercase alphanumeric id, like DingTalk's `request_id`."""
    return "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(12))


class OapiError(Exception):
    """An old-host error: HTTP 200 with a nonzero `errcode` in the body."""

    def __init__(self, errcode: int, errmsg: str, **extra: Any) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.extra = extra

    def body(self) -> Body:
        return {"errcode": self.errcode, **self.extra, "errmsg": self.errmsg}


class AcsError(Exception):
    """A new-host (api.dingtalk.com) error: an HTTP 4xx/5xx status and `{requestid, code, message}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> Body:
        return {"requestid": request_id(), "code": self.code, "message": self.message}


def wrapped_error(sub_code: str, sub_msg: str) -> OapiError:
    """The errcode-88 wrapper DingTalk uses for auth and permission failures on `/topapi/*`."""
    return OapiError(
        WRAPPED,
        f"ding talk error[subcode={sub_code},submsg={sub_msg}]",
        sub_code=sub_code,
        sub_msg=sub_msg,
    )


def ok(**fields: Any) -> Body:
    """A `/topapi` success body: `errcode: 0`, the given fields, and a fresh `request_id`."""
    return {"errcode": 0, **fields, "request_id": request_id()}


def flat_ok(**fields: Any) -> Body:
    """A success without `request_id` (`/gettoken`, the robot webhook): `errcode: 0` and the given fields."""
    return {"errcode": 0, **fields}


def _top_error(error: OapiError) -> Body:
    """An error in the TOP gateway's shape (`service/get_auth_info`): `{"error_response": {...}}`."""
    if error.errcode == WRAPPED:
        code, msg = 27, "Invalid session"
        sub_code, sub_msg = error.extra["sub_code"], error.extra["sub_msg"]
    else:
        code, msg, sub_code, sub_msg = 50, "Remote service error", "isv.invalid-parameter", error.errmsg
    return {"error_response": {"msg": msg, "code": code, "sub_msg": sub_msg, "sub_code": sub_code}}


def missing(name: str) -> OapiError:
    return OapiError(MISSING_PARAM, f"缺少参数 {name}")


def invalid(name: str, reason: str) -> OapiError:
    return OapiError(INVALID_PARAM, f"参数错误: {name} {reason}")


def error_answer(style: Style, error: OapiError | AcsError) -> tuple[int, Body]:
    """HTTP status and body of an error in `style`: the new host's status, the old host's HTTP 200 with the body
    flat (`/gettoken`, the robot), flat with a fresh `request_id` (`/topapi`) or in the TOP gateway's shape."""
    if isinstance(error, AcsError):
        return error.status, error.body()
    if style is Style.TOP:
        return 200, _top_error(error)
    if style in (Style.GETTOKEN, Style.ROBOT):
        return 200, error.body()
    return 200, {**error.body(), "request_id": request_id()}


def wrong_method(style: Style, allowed: str) -> OapiError | AcsError:
    """The error for a request whose method is not `allowed`: HTTP 405 on the new host, else 43001 or 43002."""
    if style is Style.ACS:
        return AcsError(405, "MethodNotAllowed", "the HTTP method is not allowed for this API")
    return OapiError(NEED_GET, "需要GET请求") if allowed == "GET" else OapiError(NEED_POST, "需要POST请求")


@contextmanager
def request_errors(style: Style, acs_code: str) -> Iterator[None]:
    """Request errors raised inside, as `style` answers them: as raised (old host) or HTTP 400 `acs_code` (new host)."""
    try:
        yield
    except OapiError as error:
        if style is not Style.ACS:
            raise
        raise AcsError(400, acs_code, error.errmsg) from None


def status_error(status: int, message: str) -> tuple[int, Body]:
    """HTTP `status` with `{"errcode": status, "errmsg": message}`: unknown paths, unreadable HTTP, the sandbox's own
    endpoints refusing a request, and an old-host server error."""
    return status, {"errcode": status, "errmsg": message}


def sandbox_bug() -> tuple[int, Body]:
    """The answer when a handler fails: HTTP 500 with errcode -1 系统繁忙."""
    return 500, {"errcode": SYSTEM_BUSY, "errmsg": BUSY_MESSAGE, "request_id": request_id()}
