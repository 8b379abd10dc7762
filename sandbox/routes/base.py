"""What a route is (a method and path, the API style that frames it, a handler), and checks all groups share."""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.envelopes import USER_NOT_FOUND, Body, OapiError
from sandbox.fields import Params
from sandbox.model import Directory
from sandbox.state import TenantState

Handler = Callable[[TenantState, Params], Body]


class Style(enum.Enum):
    """How a route takes its token and parameters and shapes its errors."""

    GETTOKEN = "gettoken"  # old host, GET, query parameters, no token, flat errors without request_id
    TOPAPI = "topapi"  # old host, POST JSON body, ?access_token=, errcode bodies with request_id
    TOP = "top"  # like TOPAPI, but errors in the TOP gateway's {"error_response": {...}} shape
    ACS = "acs"  # new host, x-acs-dingtalk-access-token header, query parameters, HTTP 4xx errors
    ROBOT = "robot"  # group robot webhook: robot token and signature in the query, raw JSON body, flat errors


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    style: Style
    handler: Handler


def topapi_routes(prefix: str, handlers: dict[str, Handler]) -> tuple[Route, ...]:
    """POST `/topapi/` routes: `{prefix}/{name}` for each name and handler."""
    return tuple(Route("POST", f"{prefix}/{name}", Style.TOPAPI, handler) for name, handler in handlers.items())


def require_user(directory: Directory, userid: str) -> None:
    if userid not in directory.users:
        raise OapiError(USER_NOT_FOUND, f"找不到该用户: {userid}")
