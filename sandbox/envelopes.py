"""DingTalk response bodies: successes, flat old-host errors, new-host errors, and their codes."""

import secrets
import string
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

_REQUEST_ID_ALPHABET = string.ascii_lowercase + string.digits


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


def top_error(error: OapiError) -> Body:
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
