"""Smart HR (智能人事): pre-entry and on-the-job lists on the old host, dismissions on the new host."""

from sandbox.protocol.envelopes import Body, Style, invalid, ok, request_errors
from sandbox.protocol.paging import cursor_page, token_page
from sandbox.protocol.parameters import Params, comma_numbers, page_size, position
from sandbox.routes.base import Route
from sandbox.state import TenantState

MAX_SIZE = 50
ONJOB_STATUSES = frozenset({2, 3, 5, -1})  # probation, regular, leaving, none
DISMISSION_PAGE_DEFAULT = 30


def _userid_page(body: Params, userids: list[str]) -> Body:
    offset, size = position(body, "offset"), page_size(body, "size", MAX_SIZE)
    return ok(result=cursor_page("data_list", userids, offset, size, has_more=False), success=True, errmsg="ok")


def querypreentry(state: TenantState, body: Params) -> Body:
    with state.lock:
        userids = list(state.tenant.preentry)
    return _userid_page(body, userids)


def queryonjob(state: TenantState, body: Params) -> Body:
    statuses = set(comma_numbers(body, "status_list"))
    if not statuses <= ONJOB_STATUSES:
        raise invalid("status_list", f"may hold only 2, 3, 5 and -1, got {body['status_list']!r}")
    with state.lock:
        userids = [u for u, status in state.tenant.employee_status.items() if status in statuses]
    return _userid_page(body, userids)


def dismissions(state: TenantState, query: Params) -> Body:
    """`GET /v1.0/hrm/employees/dismissions?nextToken=&maxResults=`: camelCase, HTTP 400 on bad paging."""
    with request_errors(Style.ACS, "invalidParameter"):
        offset = position(query, "nextToken", default=0)
        size = page_size(query, "maxResults", MAX_SIZE, default=DISMISSION_PAGE_DEFAULT)
    with state.lock:
        return token_page("userIdList", state.tenant.dismissed, offset, size)


ROUTES = (
    Route("POST", "/topapi/smartwork/hrm/employee/querypreentry", Style.TOPAPI, querypreentry),
    Route("POST", "/topapi/smartwork/hrm/employee/queryonjob", Style.TOPAPI, queryonjob),
    Route("GET", "/v1.0/hrm/employees/dismissions", Style.ACS, dismissions),
)
