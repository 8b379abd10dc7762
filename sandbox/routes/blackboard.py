"""`/topapi/blackboard/*`: announcements (公告) and their categories."""

import secrets
from typing import Any

from sandbox.model import Blackboard, Directory, Tenant
from sandbox.protocol.envelopes import (
    DEPT_NOT_FOUND,
    NO_PERMISSION,
    Body,
    OapiError,
    invalid,
    missing,
    ok,
)
from sandbox.protocol.paging import numbered_page
from sandbox.protocol.parameters import (
    Params,
    check_max_length,
    check_one_of,
    check_window,
    flag,
    format_datetime,
    number_list,
    obj,
    optional_datetime,
    optional_number,
    optional_text,
    page_size,
    position,
    text,
    text_list,
)
from sandbox.routes.base import require_user, topapi_routes
from sandbox.state import TenantState

PRIVATE_LEVELS = (0, 20)
MAX_DEPTS = 20
MAX_USERS = 1000
MAX_PAGE_SIZE = 30
MAX_WINDOW_DAYS = 180
TOP_TEN = 10
COVER_URL = "https://static.dingtalk.com/media/{}"
DETAIL_URL = "https://h5.dingtalk.com/blackboard/detail.html?id={}"


def _require_admin(directory: Directory, userid: str) -> None:
    require_user(directory, userid)
    if not directory.is_blackboard_admin(userid):
        raise OapiError(NO_PERMISSION, f"没有权限: {userid} 不是公告管理员")


def _require_editor(directory: Directory, board: Blackboard, userid: str) -> None:
    """Only the main admin, or the sub-admin who created the announcement, may change or delete it."""
    _require_admin(directory, userid)
    if userid not in (directory.main_admin, board.created_by):
        raise OapiError(NO_PERMISSION, "没有权限: 只有主管理员或创建该公告的子管理员可以操作")


def _board(tenant: Tenant, blackboard_id: str) -> Blackboard:
    board = tenant.blackboards.get(blackboard_id)
    if board is None:
        raise invalid("blackboard_id", f"公告不存在: {blackboard_id}")
    return board


def _category(directory: Directory, category_id: str | None) -> str:
    """The given category, checked, or the tenant's first category when none is given."""
    if category_id is None:
        return next(iter(directory.categories))
    if category_id not in directory.categories:
        raise invalid("category_id", f"分类不存在: {category_id}")
    return category_id


def _cover_url(params: Params) -> str | None:
    mediaid = optional_text(params, "coverpic_mediaid")
    if mediaid is None:
        return None
    if not mediaid.startswith("@"):
        raise invalid("coverpic_mediaid", "must look like @mediaId")
    return COVER_URL.format(mediaid[1:])


def _editable_fields(params: Params) -> dict[str, Any]:
    """The fields create and update share, read and type-checked."""
    flag(params, "ding")
    return {
        "title": text(params, "title"),
        "content": text(params, "content"),
        "author": optional_text(params, "author"),
        "category_id": optional_text(params, "category_id"),
        "coverpic_url": _cover_url(params),
    }


def create(state: TenantState, body: Params) -> Body:
    request = obj(body, "create_request")
    operator = text(request, "operation_userid")
    fields = _editable_fields(request)
    receiver = obj(request, "blackboard_receiver")
    dept_ids, userids = number_list(receiver, "deptid_list"), text_list(receiver, "userid_list")
    check_max_length("deptid_list", dept_ids, MAX_DEPTS)
    check_max_length("userid_list", userids, MAX_USERS)
    if not dept_ids and not userids:
        raise missing("deptid_list or userid_list")
    private_level = check_one_of(
        "private_level", optional_number(request, "private_level", 0), PRIVATE_LEVELS, "0 or 20"
    )
    push_top = flag(request, "push_top")
    now = state.now()
    with state.lock:
        tenant = state.tenant
        directory = tenant.directory
        _require_admin(directory, operator)
        for userid in userids:
            require_user(directory, userid)
        unknown_depts = [d for d in dept_ids if d not in directory.depts]
        if unknown_depts:
            raise OapiError(DEPT_NOT_FOUND, f"部门不存在: {unknown_depts[0]}")
        board_id = secrets.token_hex(12)
        tenant.blackboards[board_id] = Blackboard(
            id=board_id,
            seq=max((b.seq for b in tenant.blackboards.values()), default=-1) + 1,
            title=fields["title"],
            content=fields["content"],
            author=fields["author"] or directory.users[operator].name,
            category_id=_category(directory, fields["category_id"]),
            private_level=private_level,
            created_by=operator,
            dept_ids=dept_ids,
            userids=userids,
            gmt_create=now,
            gmt_modified=now,
            coverpic_url=fields["coverpic_url"] or "",
            push_top=push_top,
        )
    return ok(result=True, success=True)


def update(state: TenantState, body: Params) -> Body:
    request = obj(body, "update_request")
    operator = text(request, "operation_userid")
    blackboard_id = text(request, "blackboard_id")
    fields = _editable_fields(request)
    flag(request, "notify")
    now = state.now()
    with state.lock:
        directory = state.tenant.directory
        board = _board(state.tenant, blackboard_id)
        _require_editor(directory, board, operator)
        board.category_id = _category(directory, fields["category_id"] or board.category_id)
        board.title, board.content = fields["title"], fields["content"]
        board.author = fields["author"] or board.author
        board.coverpic_url = fields["coverpic_url"] or board.coverpic_url
        board.gmt_modified = now
    return ok(result=True, success=True)


def delete(state: TenantState, body: Params) -> Body:
    blackboard_id = text(body, "blackboard_id")
    operator = text(body, "operation_userid")
    with state.lock:
        board = _board(state.tenant, blackboard_id)
        _require_editor(state.tenant.directory, board, operator)
        del state.tenant.blackboards[blackboard_id]
    return ok(result=True, success=True, errmsg="ok")


def _detail(directory: Directory, board: Blackboard) -> Body:
    users = [directory.users[u] for u in board.userids]
    depts = [directory.depts[d] for d in board.dept_ids]
    reach = len(directory.receivers(board.dept_ids, board.userids))
    return {
        "id": board.id,
        "author": board.author,
        "title": board.title,
        "content": board.content,
        "category_id": board.category_id,
        "private_level": board.private_level,
        "depname_list": [d.name for d in depts],
        "username_list": [u.name for u in users],
        "gmt_create": format_datetime(board.gmt_create),
        "gmt_modified": format_datetime(board.gmt_modified),
        "read_count": board.read_count,
        "unread_count": reach - board.read_count,
        "coverpic_url": board.coverpic_url,
        "user_list": [{"staff_id": u.userid, "name": u.name} for u in users],
        "deptList": [{"dept_id": str(d.dept_id), "name": d.name} for d in depts],
    }


def get(state: TenantState, body: Params) -> Body:
    """Admins may read every announcement, other people only those they receive."""
    blackboard_id = text(body, "blackboard_id")
    operator = text(body, "operation_userid")
    with state.lock:
        directory = state.tenant.directory
        require_user(directory, operator)
        board = _board(state.tenant, blackboard_id)
        receivers = directory.receivers(board.dept_ids, board.userids)
        if not directory.is_blackboard_admin(operator) and operator not in receivers:
            raise OapiError(NO_PERMISSION, f"没有权限: {operator} 不是公告管理员或接收人")
        result = _detail(directory, board)
    return ok(result=result, success=True)


def _newest_first(boards: list[Blackboard]) -> list[Blackboard]:
    return sorted(boards, key=lambda b: (b.gmt_create, b.seq), reverse=True)


def listids(state: TenantState, body: Params) -> Body:
    query = obj(body, "query_request")
    operator = text(query, "operation_userid")
    page = position(query, "page", first=1)
    size = page_size(query, "page_size", MAX_PAGE_SIZE)
    start, end = optional_datetime(query, "start_time"), optional_datetime(query, "end_time")
    check_window(start, end, MAX_WINDOW_DAYS)
    category_id = optional_text(query, "category_id")
    with state.lock:
        _require_admin(state.tenant.directory, operator)
        boards = [
            b
            for b in state.tenant.blackboards.values()
            if (start is None or b.gmt_create >= start)
            and (end is None or b.gmt_create <= end)
            and (not category_id or b.category_id == category_id)
        ]
    return ok(result=[b.id for b in numbered_page(_newest_first(boards), page, size)], success=True)


def category_list(state: TenantState, body: Params) -> Body:
    operator = text(body, "operation_userid")
    with state.lock:
        directory = state.tenant.directory
        _require_admin(directory, operator)
        result = [{"id": c.id, "name": c.name} for c in directory.categories.values()]
    return ok(result=result, success=True)


def listtopten(state: TenantState, body: Params) -> Body:
    """The ten newest announcements the user receives, directly or through a department."""
    userid = text(body, "userid")
    with state.lock:
        directory = state.tenant.directory
        require_user(directory, userid)
        boards = [b for b in state.tenant.blackboards.values() if userid in directory.receivers(b.dept_ids, b.userids)]
    return ok(
        blackboard_list=[
            {
                "gmt_create": format_datetime(b.gmt_create),
                "title": b.title,
                "url": DETAIL_URL.format(b.id),
                "categoryId": b.category_id,
                "id": b.id,
            }
            for b in _newest_first(boards)[:TOP_TEN]
        ]
    )


ROUTES = topapi_routes(
    "/topapi/blackboard",
    {
        "create": create,
        "update": update,
        "delete": delete,
        "get": get,
        "listids": listids,
        "category/list": category_list,
        "listtopten": listtopten,
    },
)
