"""Smart HR (智能人事): pre-entry and on-the-job lists on the old host, dismissions on the new host."""

from sandbox.envelopes import AcsError, Body, OapiError, invalid, ok
from sandbox.fields import Params, page_size, position, text
from sandbox.paging import cursor_page, cut
from sandbox.routes.base import Route, Style
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


def _statuses(raw: str) -> set[int]:
    """`"2,3,5,-1"` as a set of statuses."""
    try:
        statuses = {int(part) for part in raw.split(",")}
    except ValueError:
        raise invalid("status_list", f"must be numbers joined by commas, got {raw!r}") from None
    if not statuses <= ONJOB_STATUSES:
        raise invalid("status_list", f"may hold only 2, 3, 5 and -1, got {raw!r}")
    return statuses


def queryonjob(state: TenantState, body: Params) -> Body:
    statuses = _statuses(text(body, "status_list"))
    with state.lock:
        userids = [u for u, status in state.tenant.employee_status.items() if status in statuses]
    return _userid_page(body, userids)


def dismissions(state: TenantState, query: Params) -> Body:
    """`GET /v1.0/hrm/employees/dismissions?nextToken=&maxResults=`: camelCase, HTTP 400 on bad paging."""
    try:
        offset = position(query, "nextToken", default=0)
        size = page_size(query, "maxResults", MAX_SIZE, default=DISMISSION_PAGE_DEFAULT)
    except OapiError as error:
        raise AcsError(400, "invalidParameter", error.errmsg) from None
    with state.lock:
        page, next_token = cut(state.tenant.dismissed, offset, size)
    has_more = next_token is not None
    return {"nextToken": next_token if has_more else offset + len(page), "hasMore": has_more, "userIdList": page}


ROUTES = (
    Route("POST", "/topapi/smartwork/hrm/employee/querypreentry", Style.TOPAPI, querypreentry),
    Route("POST", "/topapi/smartwork/hrm/employee/queryonjob", Style.TOPAPI, queryonjob),
    Route("GET", "/v1.0/hrm/employees/dismissions", Style.ACS, dismissions),
)
