"""Mutants of smart HR (智能人事), check-ins (签到), cooperation spaces, service accounts and the corp's info."""

from collections.abc import Mapping
from typing import Any

from sandbox.mutants.core import (
    ADMIN,
    CHECKIN_USER,
    DAY_MS,
    DISMISSIONS,
    NO_REPORTS_USER,
    PLAIN_USER,
    RECEIVERS,
    REPORT_USER,
    SUB_ADMIN,
    Call,
    Mutant,
    after,
    clamp,
    has,
    moment,
    probe,
    refused,
    rename,
    retype,
    set_default,
    substitute,
    succeeded,
    values,
    wrap,
)
from sandbox.protocol.envelopes import Body
from sandbox.protocol.parameters import Params
from sandbox.routes.base import Handler
from sandbox.state import TenantState

HRM = "/topapi/smartwork/hrm/employee"
CHECKIN = "/topapi/checkin/record/get"
UNION = "/topapi/union/cooperate/joined/list"
ACCOUNTS = "/topapi/serviceaccount/list"
AUTH_INFO = "/service/get_auth_info"
PROBATION_USER = "263968744062853"  # status 2
ALL_STATUSES = (2, 3, 5, -1)
ELEVEN_USERS = [ADMIN, SUB_ADMIN, PLAIN_USER, *RECEIVERS, REPORT_USER, CHECKIN_USER, NO_REPORTS_USER,
                "653269975892593", "109471989758792"]  # fmt: skip


def _data_list(reply: Any) -> list[Any]:
    return list(reply.body.get("result", {}).get("data_list", []))


def _no_cursor(reply: Any, saved: Mapping[str, Any]) -> bool:
    return succeeded(reply, saved) and reply.body["result"].get("next_cursor") is None


def _cursor_at_end(name: str, offset_name: str) -> Any:
    def change(body: Body, params: Params) -> Body:
        result = body.get("result")
        if isinstance(result, dict) and result.get("next_cursor") is None:
            result["next_cursor"] = int(params.get(offset_name) or 0) + len(result.get(name, []))
        return body

    return after(change)


def _cursor_moved(by: int) -> Any:
    def change(body: Body, params: Params) -> Body:
        result = body.get("result")
        if isinstance(result, dict) and isinstance(result.get("next_cursor"), int):
            result["next_cursor"] += by
        return body

    return after(change)


def _statuses_inverted(body: Params) -> str:
    given = {int(part) for part in str(body["status_list"]).split(",")}
    return ",".join(str(s) for s in ALL_STATUSES if s not in given) or str(body["status_list"])


def _onjob(status_list: str, **body: Any) -> Call:
    return Call(f"{HRM}/queryonjob", {"status_list": status_list, "offset": 0, "size": 50, **body})


def _checkin_recent(handler: Handler, state: TenantState, params: Params) -> Body:
    handler(state, params)  # every check of the request as sent
    width = int(params["end_time"]) - int(params["start_time"])
    end = int(state.now() * 1000)
    return handler(state, {**params, "start_time": end - width, "end_time": end})


def _checkin_window_cut(handler: Handler, state: TenantState, params: Params) -> Body:
    """Several users over more than one day: the window cut to its last day (so accepted)."""
    users = [u for u in str(params.get("userid_list", "")).split(",") if u.strip()]
    try:
        start, end = int(params["start_time"]), int(params["end_time"])
    except (KeyError, TypeError, ValueError):
        return handler(state, params)
    if len(users) > 1 and end - start > DAY_MS:
        params = {**params, "start_time": end - DAY_MS}
    return handler(state, params)


def _checkins(start: str, end: str, users: str = CHECKIN_USER, **body: Any) -> Call:
    return Call(CHECKIN, {"userid_list": users, "start_time": start, "end_time": end, "cursor": 0, "size": 100, **body})


def _times_within(start_days: int, end_days: int) -> Any:
    def check(reply: Any, saved: Mapping[str, Any]) -> bool:
        times = values(reply, "result.page_list.*.checkin_time")
        low, high = moment(saved, start_days), moment(saved, end_days)
        return succeeded(reply, saved) and bool(times) and all(low <= t <= high for t in times)

    return check


def _union_both(handler: Handler, state: TenantState, params: Params) -> Body:
    answer = handler(state, params)
    results = [handler(state, {**params, "status": status})["result"] for status in (0, 1)]
    answer["result"] = [item for result in results for item in result]
    return answer


def _accounts_repeat(handler: Handler, state: TenantState, params: Params) -> Body:
    """Page n > 1 starts with the last item of page n - 1 (and loses its own last)."""
    answer = handler(state, params)
    page = int(params.get("pageStart") or 1)
    if page > 1 and answer["items"]:
        previous = handler(state, {**params, "pageStart": page - 1})["items"]
        answer["items"] = [previous[-1], *answer["items"][:-1]]
    return answer


def _dismissions_back(body: Body, params: Params) -> Body:
    if body.get("hasMore") and isinstance(body.get("nextToken"), int):
        body["nextToken"] -= 1
    return body


def _spaces(status: int, **extra: Any) -> Call:
    return Call(UNION, {"status": status}, **extra)


MUTANTS = (
    Mutant(
        "hrm-queryonjob-ignores-status-list",
        "filter",
        f"POST {HRM}/queryonjob",
        "获取在职员工列表: status_list selects the statuses listed (2 试用期, 3 正式, 5 待离职, -1 无状态)",
        substitute("status_list", lambda body: ",".join(map(str, ALL_STATUSES))),
        probe(
            Call(f"{HRM}/queryonjob", _onjob("2").body, save={"probation": "result.data_list"}),
            _onjob("3"),
            check=lambda reply, saved: succeeded(reply, saved) and not set(saved["probation"]) & set(_data_list(reply)),
            expect="status 2 and status 3 share nobody",
        ),
    ),
    Mutant(
        "hrm-queryonjob-status-inverted",
        "filter",
        f"POST {HRM}/queryonjob",
        "获取在职员工列表: status_list 2 lists the employees in probation (试用期)",
        substitute("status_list", _statuses_inverted),
        probe(
            _onjob("2"),
            check=lambda reply, saved: PROBATION_USER in _data_list(reply),
            expect="a probation employee is listed",
        ),
    ),
    Mutant(
        "hrm-queryonjob-size-51-accepted",
        "limit",
        f"POST {HRM}/queryonjob",
        "获取在职员工列表: size is at most 50 (最大50)",
        clamp("size", 50),
        probe(_onjob("2,3,5,-1", size=51), check=refused, expect="refused"),
    ),
    Mutant(
        "hrm-queryonjob-cursor-at-end",
        "paging",
        f"POST {HRM}/queryonjob",
        "获取在职员工列表: no next_cursor in the answer means the end of paging",
        _cursor_at_end("data_list", "offset"),
        probe(_onjob("2"), check=_no_cursor, expect="no next_cursor on the only page"),
    ),
    Mutant(
        "hrm-queryonjob-status-list-not-required",
        "required",
        f"POST {HRM}/queryonjob",
        "获取在职员工列表: status_list is required (是)",
        set_default("status_list", "2,3,5,-1"),
        probe(Call(f"{HRM}/queryonjob", {"offset": 0, "size": 10}), check=refused, expect="refused"),
    ),
    Mutant(
        "hrm-querypreentry-cursor-points-back",
        "paging",
        f"POST {HRM}/querypreentry",
        "获取待入职员工列表: next_cursor is the offset of the next page: pages share no userid",
        _cursor_moved(-1),
        probe(
            Call(
                f"{HRM}/querypreentry",
                {"offset": 0, "size": 10},
                save={"first": "result.data_list", "next": "result.next_cursor"},
            ),
            Call(f"{HRM}/querypreentry", {"offset": "${next}", "size": 10}),
            check=lambda reply, saved: succeeded(reply, saved) and not set(saved["first"]) & set(_data_list(reply)),
            expect="pages 1 and 2 disjoint",
        ),
    ),
    Mutant(
        "hrm-querypreentry-offset-not-required",
        "required",
        f"POST {HRM}/querypreentry",
        "获取待入职员工列表: offset is required (是)",
        set_default("offset", 0),
        probe(Call(f"{HRM}/querypreentry", {"size": 10}), check=refused, expect="refused"),
    ),
    Mutant(
        "hrm-querypreentry-size-51-accepted",
        "limit",
        f"POST {HRM}/querypreentry",
        "获取待入职员工列表: size is at most 50 (最大50)",
        clamp("size", 50),
        probe(Call(f"{HRM}/querypreentry", {"offset": 0, "size": 51}), check=refused, expect="refused"),
    ),
    Mutant(
        "hrm-dismissions-has-more-on-last-page",
        "paging",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: hasMore says whether to query the next page; false on the last one",
        after(lambda body, params: {**body, "hasMore": True}),
        probe(
            Call(DISMISSIONS, query={"nextToken": 50, "maxResults": 50}),
            check=lambda reply, saved: reply.status == 200 and reply.body.get("hasMore") is False,
            expect="hasMore false",
        ),
    ),
    Mutant(
        "hrm-dismissions-max-results-51-accepted",
        "limit",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: maxResults is at most 50 (最大值50)",
        clamp("maxResults", 50),
        probe(Call(DISMISSIONS, query={"maxResults": 51}), check=lambda r, s: r.status == 400, expect="HTTP 400"),
    ),
    Mutant(
        "hrm-dismissions-user-id-list-renamed",
        "field",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: the userids are userIdList (Array of String)",
        rename("", "userIdList", "userIds"),
        probe(Call(DISMISSIONS, query={"maxResults": 5}), check=has("userIdList", list), expect="userIdList"),
    ),
    Mutant(
        "hrm-dismissions-next-token-string",
        "type",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: nextToken is a Long (a JSON number)",
        retype("nextToken"),
        probe(Call(DISMISSIONS, query={"maxResults": 5}), check=has("nextToken", int), expect="nextToken a number"),
    ),
    Mutant(
        "hrm-dismissions-token-points-back",
        "paging",
        f"GET {DISMISSIONS}",
        "获取离职员工列表: nextToken is the cursor of the next page: pages share no userid",
        after(_dismissions_back),
        probe(
            Call(DISMISSIONS, query={"maxResults": 10}, save={"first": "userIdList", "next": "nextToken"}),
            Call(DISMISSIONS, query={"maxResults": 10, "nextToken": "${next}"}),
            check=lambda reply, saved: not set(saved["first"]) & set(reply.body.get("userIdList", [])),
            expect="pages 1 and 2 disjoint",
        ),
    ),
    Mutant(
        "checkin-ignores-time-window",
        "filter",
        f"POST {CHECKIN}",
        "获取用户签到记录: start_time and end_time bound the check-ins answered",
        wrap(_checkin_recent),
        probe(
            _checkins("${now-25d}", "${now-20d}"),
            check=_times_within(-25, -20),
            expect="every checkin_time in the window",
        ),
    ),
    Mutant(
        "checkin-eleven-users-accepted",
        "limit",
        f"POST {CHECKIN}",
        "获取用户签到记录: userid_list holds at most 10 users (最大列表长度为10)",
        clamp("userid_list", 10),
        probe(_checkins("${now-1d}", "${now}", ",".join(ELEVEN_USERS)), check=refused, expect="refused"),
    ),
    Mutant(
        "checkin-several-users-over-one-day-accepted",
        "limit",
        f"POST {CHECKIN}",
        "获取用户签到记录 (facts): the window is at most 10 days for one user and 1 day for several",
        wrap(_checkin_window_cut),
        probe(_checkins("${now-3d}", "${now}", f"{CHECKIN_USER},{ADMIN}"), check=refused, expect="refused"),
    ),
    Mutant(
        "checkin-size-101-accepted",
        "limit",
        f"POST {CHECKIN}",
        "获取用户签到记录: size is at most 100 (最大100)",
        clamp("size", 100),
        probe(_checkins("${now-1d}", "${now}", size=101), check=refused, expect="refused"),
    ),
    Mutant(
        "checkin-cursor-at-end",
        "paging",
        f"POST {CHECKIN}",
        "获取用户签到记录: next_cursor null (or absent) means there is no more data",
        _cursor_at_end("page_list", "cursor"),
        probe(_checkins("${now-1d}", "${now}"), check=_no_cursor, expect="no next_cursor on the only page"),
    ),
    Mutant(
        "checkin-time-string",
        "type",
        f"POST {CHECKIN}",
        "获取用户签到记录: checkin_time is a Number (milliseconds)",
        retype("result.page_list.*.checkin_time"),
        probe(_checkins("${now-1d}", "${now}"), check=has("result.page_list.*.checkin_time", int), expect="a number"),
    ),
    Mutant(
        "union-status-ignored",
        "filter",
        f"POST {UNION}",
        "获取企业已经加入或申请加入的合作空间的信息: status selects the spaces: 0 applying, 1 joined",
        wrap(_union_both),
        probe(
            Call(UNION, {"status": 0}, save={"applying": "result"}),
            _spaces(1),
            check=lambda reply, saved: (
                succeeded(reply, saved)
                and not {s["corp_id"] for s in saved["applying"]} & {s["corp_id"] for s in reply.body["result"]}
            ),
            expect="joined and applying spaces disjoint",
        ),
    ),
    Mutant(
        "union-status-not-required",
        "required",
        f"POST {UNION}",
        "获取企业已经加入或申请加入的合作空间的信息: status is required (必需)",
        set_default("status", 1),
        probe(Call(UNION, {}), check=refused, expect="refused"),
    ),
    Mutant(
        "union-corp-id-renamed",
        "field",
        f"POST {UNION}",
        "获取企业已经加入或申请加入的合作空间的信息: result items carry corp_id",
        rename("result.*", "corp_id", "corpid"),
        probe(_spaces(1), check=has("result.*.corp_id", str), expect="result[].corp_id"),
    ),
    Mutant(
        "serviceaccount-total-count-off-by-one",
        "count",
        f"POST {ACCOUNTS}",
        "查询服务号列表: total_count is the number of service accounts (总记录数)",
        after(lambda body, params: {**body, "total_count": body["total_count"] + 1}),
        probe(
            Call(ACCOUNTS, {"pageStart": 1, "pageSize": 50}),
            check=lambda reply, saved: reply.body.get("total_count") == len(reply.body.get("items", [])),
            expect="total_count == the items of the only page",
        ),
    ),
    Mutant(
        "serviceaccount-item-count-wrong",
        "count",
        f"POST {ACCOUNTS}",
        "查询服务号列表: item_count is the number of items in this answer (当前记录数)",
        after(lambda body, params: {**body, "item_count": int(params.get("pageSize") or 10)}),
        probe(
            Call(ACCOUNTS, {"pageStart": 1, "pageSize": 50}),
            check=lambda reply, saved: reply.body.get("item_count") == len(reply.body.get("items", [])),
            expect="item_count == len(items)",
        ),
    ),
    Mutant(
        "serviceaccount-page-repeats-item",
        "paging",
        f"POST {ACCOUNTS}",
        "查询服务号列表: pageStart is the page number (从1开始): consecutive pages share no account",
        wrap(_accounts_repeat),
        probe(
            Call(ACCOUNTS, {"pageStart": 1, "pageSize": 10}, save={"first": "items"}),
            Call(ACCOUNTS, {"pageStart": 2, "pageSize": 10}),
            check=lambda reply, saved: (
                not {a["unionid"] for a in saved["first"]} & {a["unionid"] for a in reply.body.get("items", [])}
            ),
            expect="pages 1 and 2 disjoint",
        ),
    ),
    Mutant(
        "serviceaccount-page-size-51-accepted",
        "limit",
        f"POST {ACCOUNTS}",
        "查询服务号列表 (facts): pageSize is 1..50",
        clamp("pageSize", 50),
        probe(Call(ACCOUNTS, {"pageStart": 1, "pageSize": 51}), check=refused, expect="refused"),
    ),
    Mutant(
        "serviceaccount-status-boolean",
        "type",
        f"POST {ACCOUNTS}",
        "查询服务号列表 (facts): items[].status is a string, normal or disabled",
        retype("items.*.status", lambda value: value == "normal"),
        probe(
            Call(ACCOUNTS, {"pageStart": 1, "pageSize": 5}), check=has("items.*.status", str), expect="status a string"
        ),
    ),
    Mutant(
        "get-auth-info-corpid-renamed",
        "field",
        f"POST {AUTH_INFO}",
        "获取企业基本信息: auth_corp_info has corpid",
        rename("auth_corp_info", "corpid", "corp_id"),
        probe(Call(AUTH_INFO, {}), check=has("auth_corp_info.corpid", str), expect="auth_corp_info.corpid"),
    ),
    Mutant(
        "get-auth-info-agentid-string",
        "type",
        f"POST {AUTH_INFO}",
        "获取企业基本信息: auth_info.agent[].agentid is a Number",
        retype("auth_info.agent.*.agentid"),
        probe(Call(AUTH_INFO, {}), check=has("auth_info.agent.*.agentid", int), expect="agentid a number"),
    ),
)
