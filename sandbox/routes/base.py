"""What a route is: a method and path, the API style that frames it, and a handler."""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.envelopes import Body
from sandbox.fields import Params
from sandbox.state import TenantState

Handler = Callable[[TenantState, Params], Body]


class Style(enum.Enum):
    """How a route takes its token and parameters and shapes its errors."""

    GETTOKEN = "gettoken"  # old host, GET, query parameters, no token, flat errors without request_id
    TOPAPI = "topapi"  # old host, POST JSON body, ?access_token=, errcode bodies with request_id
    ACS = "acs"  # new host, x-acs-dingtalk-access-token header, query parameters, HTTP 4xx errors


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    style: Style
    handler: Handler
