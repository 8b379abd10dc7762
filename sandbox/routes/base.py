"""What a route is (a method and path, the API style that frames it, a handler), and checks all groups share."""

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.model import Directory
from sandbox.protocol.envelopes import USER_NOT_FOUND, Body, OapiError, Style
from sandbox.protocol.parameters import Params
from sandbox.state import TenantState

Handler = Callable[[TenantState, Params], Body]


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
