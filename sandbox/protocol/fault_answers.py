"""The answers of injected faults and of the QPS limit, in each API style's own envelope."""

from http import HTTPStatus

from sandbox.faults import Fault
from sandbox.protocol.envelopes import BUSY_MESSAGE, SYSTEM_BUSY, AcsError, Body, Style, request_id, status_error

RATE_LIMITED = 90018
_OLD_HOST = {
    Fault.BUSY: (SYSTEM_BUSY, BUSY_MESSAGE),
    Fault.RATE_LIMITED: (RATE_LIMITED, "当前应用调用该接口超过每秒调用上限"),
}
_NEW_HOST = {
    Fault.BUSY: AcsError(429, "system.busy", BUSY_MESSAGE),
    Fault.RATE_LIMITED: AcsError(
        403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "当前应用调用该接口超过每秒调用上限"
    ),
    Fault.SERVER_ERROR: AcsError(500, "systemError", "系统错误"),
}


def fault_answer(style: Style, fault: Fault, server_status: int = 500) -> tuple[int, Body]:
    """HTTP status and body of a busy, rate-limited or server-error answer (`server_status` for the old host).

    The old host answers HTTP 200 with errcode -1 or 90018: flat with `request_id` on `/topapi`, flat without it
    on `/gettoken`, and in `error_response.code` for the TOP gateway (so every client reads the same errcode).
    A server error there is the bare HTTP status with `{"errcode": status, "errmsg": reason}`.
    """
    if style is Style.ACS:
        error = _NEW_HOST[fault]
        return error.status, error.body()
    if fault is Fault.SERVER_ERROR:
        return status_error(server_status, HTTPStatus(server_status).phrase)
    errcode, errmsg = _OLD_HOST[fault]
    if style is Style.TOP:
        return 200, {"error_response": {"code": errcode, "msg": errmsg, "sub_code": str(errcode), "sub_msg": errmsg}}
    if style is Style.GETTOKEN:
        return 200, {"errcode": errcode, "errmsg": errmsg}
    return 200, {"errcode": errcode, "errmsg": errmsg, "request_id": request_id()}
