"""Organisation-level endpoints: cooperation spaces (互联平台), service accounts (服务窗), the corp's auth info."""

from dataclasses import asdict

from sandbox.protocol.envelopes import Body, Style, invalid, ok
from sandbox.protocol.paging import numbered_page
from sandbox.protocol.parameters import Params, check_one_of, number, optional_text, page_size, position
from sandbox.routes.base import Route
from sandbox.seed.people import CORP_ID
from sandbox.state import TenantState

SPACE_STATUSES = (0, 1)  # applying, joined
MAX_ACCOUNT_PAGE = 50
ACCOUNT_PAGE_DEFAULT = 10


def cooperate_joined_list(state: TenantState, body: Params) -> Body:
    status = check_one_of("status", number(body, "status"), SPACE_STATUSES, "0 (applying) or 1 (joined)")
    with state.lock:
        spaces = [s for s in state.tenant.spaces if s.status == status]
    result = [
        {"belong_org_name": s.belong_org_name, "belong_corp_id": s.belong_corp_id, "org_name": s.org_name,
         "corp_id": s.corp_id}
        for s in spaces
    ]  # fmt: skip
    return ok(result=result, success=True, errmsg="ok")


def serviceaccount_list(state: TenantState, body: Params) -> Body:
    """Page `pageStart` (from 1) of `pageSize` (1..50) service accounts."""
    page = position(body, "pageStart", first=1, default=1)
    size = page_size(body, "pageSize", MAX_ACCOUNT_PAGE, default=ACCOUNT_PAGE_DEFAULT)
    with state.lock:
        accounts = state.tenant.service_accounts
        items = [asdict(a) for a in numbered_page(accounts, page, size)]
        total = len(accounts)
    return ok(errmsg="ok", total_count=total, item_count=len(items), items=items)


def get_auth_info(state: TenantState, body: Params) -> Body:
    """The corp's auth info; an `auth_corpid` other than this corp's is an error in the TOP gateway's shape."""
    optional_text(body, "suite_key")
    corp_id = optional_text(body, "auth_corpid")
    if corp_id and corp_id != CORP_ID:
        raise invalid("auth_corpid", "非法参数")
    with state.lock:
        info = state.tenant.auth_info
    return ok(**info, errmsg="ok")


ROUTES = (
    Route("POST", "/topapi/union/cooperate/joined/list", Style.TOPAPI, cooperate_joined_list),
    Route("POST", "/topapi/serviceaccount/list", Style.TOPAPI, serviceaccount_list),
    Route("POST", "/service/get_auth_info", Style.TOP, get_auth_info),
)
