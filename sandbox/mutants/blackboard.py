"""Mutants of the announcement (公告) endpoints: state after writes, who may write, after a delete, limits,
filters, paging and field shapes."""

import copy
import re
from collections.abc import Callable
from typing import Any

from sandbox.mutants.core import (
    ADMIN,
    CATEGORY_ID,
    PLAIN_USER,
    RECEIVERS,
    SUB_ADMIN,
    TEST_DEPT,
    Apply,
    Call,
    Hooks,
    Mutant,
    before,
    clamp,
    has,
    ignore,
    probe,
    refused,
    rename,
    retype,
    set_default,
    stores_nothing,
    succeeded,
    wrap,
)
from sandbox.protocol.envelopes import Body, ok
from sandbox.protocol.parameters import Params, format_datetime, optional_datetime, parse_datetime
from sandbox.routes.base import Handler
from sandbox.state import TenantState

BB = "/topapi/blackboard"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
TITLE = "apitest mutant probe 公告"
MAX_WINDOW_MS = 180 * 86_400_000


def _create_body(**overrides: Any) -> dict[str, Any]:
    request = {
        "operation_userid": ADMIN,
        "title": TITLE,
        "content": "欢迎加入我们的大家庭",
        "blackboard_receiver": {"userid_list": RECEIVERS},
    }
    return {"create_request": {**request, **overrides}}


def _listids(**query: Any) -> Call:
    return Call(f"{BB}/listids", {"query_request": {"operation_userid": ADMIN, "page": 1, "page_size": 30, **query}})


CREATE = Call(f"{BB}/create", _create_body())
NEWEST = Call(
    f"{BB}/listids", {"query_request": {"operation_userid": ADMIN, "page": 1, "page_size": 1}}, save={"id": "result.0"}
)


def _get(operator: str = ADMIN) -> Call:
    return Call(f"{BB}/get", {"blackboard_id": "${id}", "operation_userid": operator})


def _delete(operator: str = ADMIN) -> Call:
    return Call(f"{BB}/delete", {"blackboard_id": "${id}", "operation_userid": operator})


def _update(operator: str = ADMIN, title: str = "新标题") -> Call:
    body = {"blackboard_id": "${id}", "operation_userid": operator, "title": title, "content": "新内容"}
    return Call(f"{BB}/update", {"update_request": body})


def _is_admin(state: TenantState, userid: Any) -> bool:
    with state.lock:
        return isinstance(userid, str) and state.tenant.directory.is_blackboard_admin(userid)


def _creator(state: TenantState, blackboard_id: Any) -> str | None:
    with state.lock:
        board = state.tenant.blackboards.get(blackboard_id) if isinstance(blackboard_id, str) else None
        return None if board is None else board.created_by


# --- state after writes ---------------------------------------------------------------------------------------


def _changes_nothing(handler: Handler, state: TenantState, params: Params) -> Body:
    board_id = (params.get("update_request") or {}).get("blackboard_id") if isinstance(params, dict) else None
    with state.lock:
        board = state.tenant.blackboards.get(board_id) if isinstance(board_id, str) else None
        kept = copy.deepcopy(board)
    answer = handler(state, params)
    if kept is not None:
        with state.lock:
            if board_id in state.tenant.blackboards:
                state.tenant.blackboards[board_id] = kept
    return answer


def _keeps_it(handler: Handler, state: TenantState, params: Params) -> Body:
    board_id = params.get("blackboard_id")
    with state.lock:
        kept = state.tenant.blackboards.get(board_id) if isinstance(board_id, str) else None
    answer = handler(state, params)
    if kept is not None:
        with state.lock:
            state.tenant.blackboards[board_id] = kept
    return answer


# --- who may write --------------------------------------------------------------------------------------------


def _as_main_admin(request_key: str | None, when: Callable[[TenantState, Params], bool]) -> Apply:
    """The operator replaced by the main admin when `when(state, request)` holds (a write the docs forbid)."""

    def change(params: Params, state: TenantState) -> Params:
        request = params.get(request_key) if request_key else params
        if isinstance(request, dict) and when(state, request):
            with state.lock:
                request["operation_userid"] = state.tenant.directory.main_admin
        return params

    return before(change)


def _plain_user(state: TenantState, request: Params) -> bool:
    operator = request.get("operation_userid")
    with state.lock:
        known = operator in state.tenant.directory.users
    return known and not _is_admin(state, operator)


def _sub_admin_on_others(state: TenantState, request: Params) -> bool:
    operator = request.get("operation_userid")
    with state.lock:
        is_sub = operator in state.tenant.directory.sub_admins
    creator = _creator(state, request.get("blackboard_id"))
    return is_sub and creator is not None and creator != operator


# --- after a delete -------------------------------------------------------------------------------------------


def _after_delete(kind: str) -> Apply:
    """Remember what the faithful delete removed; then `kind` (update, delete or get) of it answers ok."""

    def build() -> Hooks:
        deleted: dict[str, Body] = {}  # id -> the announcement's `get` result, taken just before its delete
        faithful_get: list[Handler] = []

        def watch_delete(handler: Handler) -> Handler:
            def deleting(state: TenantState, params: Params) -> Body:
                board_id = params.get("blackboard_id")
                detail = None
                if faithful_get and isinstance(board_id, str) and _creator(state, board_id) is not None:
                    with state.lock:
                        admin = state.tenant.directory.main_admin
                    detail = faithful_get[0](state, {"blackboard_id": board_id, "operation_userid": admin})
                answer = handler(state, params)
                deleted[board_id] = detail["result"] if detail else {}
                return answer

            return deleting

        def mutated(handler: Handler) -> Handler:
            if kind == "get":
                faithful_get.append(handler)

            def answering(state: TenantState, params: Params) -> Body:
                request = params.get("update_request", params) if isinstance(params, dict) else params
                board_id = request.get("blackboard_id") if isinstance(request, dict) else None
                if board_id not in deleted or _creator(state, board_id) is not None:
                    return handler(state, params)
                if kind == "get":
                    return ok(result=deleted[board_id], success=True)
                if kind == "delete":
                    return ok(result=True, success=True, errmsg="ok")
                return ok(result=True, success=True)

            return answering

        if kind == "delete":
            return Hooks(handler=lambda handler: mutated(watch_delete(handler)))
        return Hooks(handler=mutated, others={f"POST {BB}/delete": watch_delete})

    return build


# --- limits, filters and paging -------------------------------------------------------------------------------


def _window_cut(params: Params, state: TenantState) -> Params:
    """A listids window over 180 days shortened to 180 days (so accepted)."""
    query = params.get("query_request")
    if isinstance(query, dict):
        try:
            start, end = optional_datetime(query, "start_time"), optional_datetime(query, "end_time")
        except Exception:
            return params
        if start is not None and end is not None and (end - start) * 1000 > MAX_WINDOW_MS:
            query["start_time"] = format_datetime(end - MAX_WINDOW_MS / 1000)
    return params


def _page_of(handler: Handler, state: TenantState, params: Params, page: int) -> list[str]:
    changed = copy.deepcopy(dict(params))
    changed["query_request"]["page"] = page
    return list(handler(state, changed)["result"])


def _repeats_at_boundary(handler: Handler, state: TenantState, params: Params) -> Body:
    """Page n > 1 starts with the last id of page n - 1 (and loses its own last)."""
    answer = handler(state, params)
    page = int(params["query_request"]["page"])
    previous = _page_of(handler, state, params, page - 1) if page > 1 else []
    if previous and answer["result"]:
        answer["result"] = [previous[-1], *answer["result"][:-1]]
    return answer


def _skips_at_boundary(handler: Handler, state: TenantState, params: Params) -> Body:
    """Page n > 1 loses its first id (and takes the first of page n + 1)."""
    answer = handler(state, params)
    page = int(params["query_request"]["page"])
    if page > 1 and answer["result"]:
        answer["result"] = [*answer["result"][1:], *_page_of(handler, state, params, page + 1)[:1]]
    return answer


def _to_epoch(value: Any) -> Any:
    return int(parse_datetime(value) * 1000)


def _title_is(title: str) -> Callable[[Any, Any], bool]:
    return lambda reply, saved: succeeded(reply, saved) and reply.body["result"].get("title") == title


MUTANTS = (
    Mutant(
        "blackboard-create-stores-nothing",
        "state",
        f"POST {BB}/create",
        "创建公告: result true means the announcement was created: it is then the newest in 获取公告ID列表 and "
        "获取公告详情 answers it",
        stores_nothing(lambda tenant: tenant.blackboards),
        probe(CREATE, NEWEST, _get(), check=_title_is(TITLE), expect="get of the newest id answers the new title"),
    ),
    Mutant(
        "blackboard-create-by-plain-user",
        "permission",
        f"POST {BB}/create",
        "创建公告: operation_userid must be a blackboard admin (必须是公告管理员)",
        _as_main_admin("create_request", _plain_user),
        probe(Call(f"{BB}/create", _create_body(operation_userid=PLAIN_USER)), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-create-title-not-required",
        "required",
        f"POST {BB}/create",
        "创建公告: title is required (必填)",
        set_default("create_request.title", "无标题"),
        probe(
            Call(
                f"{BB}/create",
                {"create_request": {k: v for k, v in _create_body()["create_request"].items() if k != "title"}},
            ),
            check=refused,
            expect="refused",
        ),
    ),
    Mutant(
        "blackboard-create-receiver-not-required",
        "required",
        f"POST {BB}/create",
        "创建公告: blackboard_receiver is required (必填)",
        set_default("create_request.blackboard_receiver", {"userid_list": [ADMIN]}),
        probe(
            Call(
                f"{BB}/create",
                {
                    "create_request": {
                        k: v for k, v in _create_body()["create_request"].items() if k != "blackboard_receiver"
                    }
                },
            ),
            check=refused,
            expect="refused",
        ),
    ),
    Mutant(
        "blackboard-create-userid-list-over-1000-accepted",
        "limit",
        f"POST {BB}/create",
        "创建公告: userid_list holds at most 1000 userids (最大的列表长度为1000)",
        clamp("create_request.blackboard_receiver.userid_list", 1000),
        probe(
            Call(f"{BB}/create", _create_body(blackboard_receiver={"userid_list": [RECEIVERS[0]] * 1001})),
            check=refused,
            expect="refused",
        ),
    ),
    Mutant(
        "blackboard-create-deptid-list-over-20-accepted",
        "limit",
        f"POST {BB}/create",
        "创建公告: deptid_list holds at most 20 departments (最大的列表长度为20)",
        clamp("create_request.blackboard_receiver.deptid_list", 20),
        probe(
            Call(f"{BB}/create", _create_body(blackboard_receiver={"deptid_list": [TEST_DEPT] * 21})),
            check=refused,
            expect="refused",
        ),
    ),
    Mutant(
        "blackboard-create-result-string",
        "type",
        f"POST {BB}/create",
        "创建公告: result is a Boolean (true), not a string",
        retype("result", lambda value: str(value).lower()),
        probe(CREATE, check=has("result", bool), expect="result a Boolean"),
    ),
    Mutant(
        "blackboard-update-changes-nothing",
        "state",
        f"POST {BB}/update",
        "更新公告: result true means the announcement now has the new title and content (获取公告详情 shows them)",
        wrap(_changes_nothing),
        probe(
            CREATE,
            NEWEST,
            _update(title="新标题"),
            _get(),
            check=_title_is("新标题"),
            expect="get answers the new title",
        ),
    ),
    Mutant(
        "blackboard-update-by-sub-admin-of-main-admins",
        "permission",
        f"POST {BB}/update",
        "更新公告: only the main admin, or the sub-admin who created it, may change an announcement",
        _as_main_admin("update_request", _sub_admin_on_others),
        probe(CREATE, NEWEST, _update(SUB_ADMIN), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-update-after-delete-ok",
        "after-delete",
        f"POST {BB}/update",
        "更新公告: blackboard_id names an existing announcement; a deleted one cannot be updated",
        _after_delete("update"),
        probe(CREATE, NEWEST, _delete(), _update(), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-delete-keeps-it",
        "state",
        f"POST {BB}/delete",
        "删除公告: result true means it was deleted: 获取公告详情 then refuses its id",
        wrap(_keeps_it),
        probe(CREATE, NEWEST, _delete(), _get(), check=refused, expect="get refused after the delete"),
    ),
    Mutant(
        "blackboard-delete-by-plain-user",
        "permission",
        f"POST {BB}/delete",
        "删除公告: operation_userid must be a blackboard admin (必须是公告管理员)",
        _as_main_admin(None, _plain_user),
        probe(CREATE, NEWEST, _delete(PLAIN_USER), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-delete-by-sub-admin-of-main-admins",
        "permission",
        f"POST {BB}/delete",
        "删除公告: only the main admin, or the sub-admin who created it, may delete an announcement",
        _as_main_admin(None, _sub_admin_on_others),
        probe(CREATE, NEWEST, _delete(SUB_ADMIN), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-second-delete-ok",
        "after-delete",
        f"POST {BB}/delete",
        "删除公告: blackboard_id names an existing announcement; deleting it a second time is refused",
        _after_delete("delete"),
        probe(CREATE, NEWEST, _delete(), _delete(), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-get-after-delete-ok",
        "after-delete",
        f"POST {BB}/get",
        "获取公告详情: a deleted (or unknown) announcement id is refused",
        _after_delete("get"),
        probe(CREATE, NEWEST, _delete(), _get(), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-get-operation-userid-not-required",
        "required",
        f"POST {BB}/get",
        "获取公告详情: operation_userid is required (必填)",
        set_default("operation_userid", ADMIN),
        probe(NEWEST, Call(f"{BB}/get", {"blackboard_id": "${id}"}), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-get-read-count-string",
        "type",
        f"POST {BB}/get",
        "获取公告详情: read_count is a Number",
        retype("result.read_count"),
        probe(NEWEST, _get(), check=has("result.read_count", int), expect="read_count a number"),
    ),
    Mutant(
        "blackboard-get-staff-id-renamed",
        "field",
        f"POST {BB}/get",
        "获取公告详情: each user_list item has staff_id and name",
        rename("result.user_list.*", "staff_id", "userid"),
        probe(CREATE, NEWEST, _get(), check=has("result.user_list.*.staff_id", str), expect="user_list[].staff_id"),
    ),
    Mutant(
        "blackboard-get-deptlist-renamed",
        "field",
        f"POST {BB}/get",
        "获取公告详情: the receiving departments are deptList, items {dept_id, name}",
        rename("result", "deptList", "dept_list"),
        probe(
            Call(f"{BB}/create", _create_body(blackboard_receiver={"deptid_list": [TEST_DEPT]})),
            NEWEST,
            _get(),
            check=has("result.deptList.*.dept_id", str),
            expect="deptList[].dept_id",
        ),
    ),
    Mutant(
        "blackboard-get-gmt-create-epoch",
        "type",
        f"POST {BB}/get",
        "获取公告详情: gmt_create is a String like 2019-10-22 14:43:07",
        retype("result.gmt_create", _to_epoch),
        probe(
            NEWEST,
            _get(),
            check=lambda reply, saved: DATETIME.fullmatch(str(reply.body["result"].get("gmt_create"))) is not None,
            expect="gmt_create yyyy-MM-dd HH:mm:ss",
        ),
    ),
    Mutant(
        "blackboard-listids-page-size-31-accepted",
        "limit",
        f"POST {BB}/listids",
        "获取公告ID列表: page_size is from 1 to at most 30 (从1开始不超过30)",
        clamp("query_request.page_size", 30),
        probe(_listids(page_size=31), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-listids-window-over-180-days-accepted",
        "limit",
        f"POST {BB}/listids",
        "获取公告ID列表 (and the facts): start_time and end_time are at most 180 days apart",
        before(_window_cut),
        probe(_listids(start_time="${datetime-200d}", end_time="${datetime}"), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-listids-ignores-time-window",
        "filter",
        f"POST {BB}/listids",
        "获取公告ID列表: start_time and end_time limit the announcements listed",
        ignore("query_request.start_time", "query_request.end_time"),
        probe(
            _listids(start_time="${datetime-170d}", end_time="${datetime-160d}"),
            check=lambda reply, saved: succeeded(reply, saved) and reply.body["result"] == [],
            expect="no announcement in a window before the tenant's first",
        ),
    ),
    Mutant(
        "blackboard-listids-ignores-category",
        "filter",
        f"POST {BB}/listids",
        "获取公告ID列表: category_id lists that category's announcements only",
        ignore("query_request.category_id"),
        probe(
            Call(f"{BB}/listids", _listids().body, save={"all": "result"}),
            _listids(category_id=CATEGORY_ID),
            check=lambda reply, saved: succeeded(reply, saved) and not set(saved["all"]) <= set(reply.body["result"]),
            expect="the category's first page is not the first page of all",
        ),
    ),
    Mutant(
        "blackboard-listids-page-repeats-item",
        "paging",
        f"POST {BB}/listids",
        "获取公告ID列表: page n (从1开始) is the next page_size ids: consecutive pages share no id",
        wrap(_repeats_at_boundary),
        probe(
            Call(f"{BB}/listids", _listids(page_size=10).body, save={"first": "result"}),
            _listids(page=2, page_size=10),
            check=lambda reply, saved: not set(saved["first"]) & set(reply.body["result"]),
            expect="pages 1 and 2 disjoint",
        ),
    ),
    Mutant(
        "blackboard-listids-page-skips-item",
        "paging",
        f"POST {BB}/listids",
        "获取公告ID列表: pages 1 and 2 of size n hold the ids of page 1 of size 2n",
        wrap(_skips_at_boundary),
        probe(
            Call(f"{BB}/listids", _listids(page_size=20).body, save={"twenty": "result"}),
            Call(f"{BB}/listids", _listids(page_size=10).body, save={"first": "result"}),
            _listids(page=2, page_size=10),
            check=lambda reply, saved: saved["first"] + reply.body["result"] == saved["twenty"],
            expect="page 1 + page 2 of 10 == page 1 of 20",
        ),
    ),
    Mutant(
        "blackboard-listids-page-not-required",
        "required",
        f"POST {BB}/listids",
        "获取公告ID列表: page is required (必填)",
        set_default("query_request.page", 1),
        probe(
            Call(f"{BB}/listids", {"query_request": {"operation_userid": ADMIN, "page_size": 10}}),
            check=refused,
            expect="refused",
        ),
    ),
    Mutant(
        "blackboard-listids-plain-user-accepted",
        "permission",
        f"POST {BB}/listids",
        "获取公告ID列表: operation_userid must be a blackboard admin (必须是公告管理员)",
        _as_main_admin("query_request", _plain_user),
        probe(_listids(operation_userid=PLAIN_USER), check=refused, expect="refused"),
    ),
    Mutant(
        "blackboard-listtopten-category-id-renamed",
        "field",
        f"POST {BB}/listtopten",
        "获取用户可查看的公告: blackboard_list items have categoryId (camelCase)",
        rename("blackboard_list.*", "categoryId", "category_id"),
        probe(
            Call(f"{BB}/listtopten", {"userid": RECEIVERS[0]}),
            check=has("blackboard_list.*.categoryId", str),
            expect="blackboard_list[].categoryId",
        ),
    ),
    Mutant(
        "blackboard-category-list-name-renamed",
        "field",
        f"POST {BB}/category/list",
        "获取公告分类列表: result items are {id, name}",
        rename("result.*", "name", "category_name"),
        probe(
            Call(f"{BB}/category/list", {"operation_userid": ADMIN}),
            check=has("result.*.name", str),
            expect="result[].name",
        ),
    ),
)
