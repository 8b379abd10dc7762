"""Mutants of the report (日志) endpoints: state after create, required fields, limits, filters, paging,
counts and nested field shapes."""

import re
from collections.abc import Mapping
from typing import Any

from sandbox.mutants.core import (
    ADMIN,
    DAY_MS,
    HIDDEN_TEMPLATE,
    NO_REPORTS_USER,
    REPORT_ID,
    REPORT_USER,
    TEMPLATE_FIELD,
    TEMPLATE_ID,
    TEMPLATE_NAME,
    Call,
    Hooks,
    Mutant,
    after,
    before,
    clamp,
    has,
    ignore,
    moment,
    probe,
    refused,
    rename,
    retype,
    set_default,
    stores_nothing,
    substitute,
    succeeded,
    values,
)
from sandbox.protocol.envelopes import Body
from sandbox.protocol.parameters import Params
from sandbox.routes.base import Handler
from sandbox.state import TenantState

R = "/topapi/report"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
MAX_WINDOW_MS = 180 * DAY_MS
STAT_LIKED, STAT_COMMENTED, STAT_READ = 2, 1, 0


def _create_param(**overrides: Any) -> dict[str, Any]:
    param = {
        "contents": [{"key": TEMPLATE_FIELD, "sort": 0, "type": 1, "content_type": "markdown", "content": "apitest"}],
        "template_id": TEMPLATE_ID,
        "userid": REPORT_USER,
        "to_userids": [NO_REPORTS_USER],
        "to_chat": False,
        "dd_from": "apitest",
    }
    return {"create_report_param": {**param, **overrides}}


def _without(name: str) -> dict[str, Any]:
    return {"create_report_param": {k: v for k, v in _create_param()["create_report_param"].items() if k != name}}


def _sent(path: str = "list", **body: Any) -> Call:
    return Call(f"{R}/{path}", {"start_time": "${now-60d}", "end_time": "${now}", "cursor": 0, "size": 20, **body})


def _items(reply: Any) -> list[Body]:
    return list(reply.body.get("result", {}).get("data_list", []))


def _all_items(key: str, wanted: Any) -> Any:
    return lambda reply, saved: (
        succeeded(reply, saved) and bool(_items(reply)) and all(item.get(key) == wanted for item in _items(reply))
    )


def _window_cut(params: Params, state: TenantState) -> Params:
    start, end = params.get("start_time"), params.get("end_time")
    if isinstance(start, int) and isinstance(end, int) and end - start > MAX_WINDOW_MS:
        params["start_time"] = end - MAX_WINDOW_MS
    return params


def _result_changed(change: Any) -> Any:
    """`result` (a page) changed after the faithful handler made it."""

    def function(body: Body, params: Params) -> Body:
        if isinstance(body.get("result"), dict):
            change(body["result"], params)
        return body

    return after(function)


def _has_more_at_end(result: Body, params: Params) -> None:
    if "has_more" in result and not result.get("next_cursor"):
        result["has_more"] = True


def _cursor_at_end(name: str, offset_name: str) -> Any:
    def change(result: Body, params: Params) -> None:
        if result.get("next_cursor") is None:
            result["next_cursor"] = int(params.get(offset_name) or 0) + len(result.get(name, []))

    return _result_changed(change)


def _cursor_moved(by: int) -> Any:
    def change(result: Body, params: Params) -> None:
        if isinstance(result.get("next_cursor"), int):
            result["next_cursor"] += by

    return _result_changed(change)


def _misses_new_reports() -> Hooks:
    """`getunreadcount` leaves out the reports created through the API while this sandbox ran."""
    created: list[tuple[str, list[str]]] = []  # (report id, receivers)

    def watch_create(handler: Handler) -> Handler:
        def creating(state: TenantState, params: Params) -> Body:
            answer = handler(state, params)
            receivers = params["create_report_param"].get("to_userids") or []
            created.append((answer["result"], list(receivers)))
            return answer

        return creating

    def counting(handler: Handler) -> Handler:
        def count(state: TenantState, params: Params) -> Body:
            answer = handler(state, params)
            with state.lock:
                alive = {report_id for report_id, _ in created if report_id in state.tenant.reports}
            userid = params.get("userid")
            answer["count"] -= sum(1 for report_id, to in created if report_id in alive and userid in to)
            return answer

        return count

    return Hooks(handler=counting, others={f"POST {R}/create": watch_create})


def _in_window(reply: Any, saved: Mapping[str, Any], start_days: int, end_days: int) -> bool:
    start, end = moment(saved, start_days), moment(saved, end_days)
    times = [item.get("create_time") for item in _items(reply)]
    return succeeded(reply, saved) and bool(times) and all(start <= t <= end for t in times)


def _userids(reply: Any) -> list[str]:
    return list(reply.body.get("result", {}).get("userid_list", []))


def _stat(kind: int, **body: Any) -> Call:
    return Call(f"{R}/statistics/listbytype", {"report_id": REPORT_ID, "type": kind, **body})


MUTANTS = (
    Mutant(
        "report-create-stores-nothing",
        "state",
        f"POST {R}/create",
        "创建日志: result is the new report's id: the report exists (获取日志接收人员列表 answers its receivers)",
        stores_nothing(lambda tenant: tenant.reports),
        probe(
            Call(f"{R}/create", _create_param(), save={"id": "result"}),
            Call(f"{R}/receiver/list", {"report_id": "${id}"}),
            check=lambda reply, saved: succeeded(reply, saved) and _userids(reply) == [NO_REPORTS_USER],
            expect="receiver/list of the new id answers its receiver",
        ),
    ),
    Mutant(
        "report-create-to-chat-not-required",
        "required",
        f"POST {R}/create",
        "创建日志: to_chat is required (是)",
        set_default("create_report_param.to_chat", False),
        probe(Call(f"{R}/create", _without("to_chat")), check=refused, expect="refused"),
    ),
    Mutant(
        "report-create-dd-from-not-required",
        "required",
        f"POST {R}/create",
        "创建日志: dd_from is required (是)",
        set_default("create_report_param.dd_from", "report"),
        probe(Call(f"{R}/create", _without("dd_from")), check=refused, expect="refused"),
    ),
    Mutant(
        "report-list-ignores-userid",
        "filter",
        f"POST {R}/list",
        "获取用户发出的日志列表: userid lists that employee's reports only",
        ignore("userid"),
        probe(
            _sent(userid=REPORT_USER), check=_all_items("creator_id", REPORT_USER), expect="every creator_id is userid"
        ),
    ),
    Mutant(
        "report-list-ignores-template-name",
        "filter",
        f"POST {R}/list",
        "获取用户发出的日志列表: template_name lists that template's reports only",
        ignore("template_name"),
        probe(
            _sent(userid=REPORT_USER, template_name="周报"),
            check=_all_items("template_name", "周报"),
            expect="every template_name is 周报",
        ),
    ),
    Mutant(
        "report-simplelist-ignores-userid",
        "filter",
        f"POST {R}/simplelist",
        "获取用户发送日志的概要信息: userid lists that employee's reports only",
        ignore("userid"),
        probe(
            _sent("simplelist", userid=REPORT_USER),
            check=_all_items("creator_id", REPORT_USER),
            expect="every creator_id is userid",
        ),
    ),
    Mutant(
        "report-simplelist-ignores-time-window",
        "filter",
        f"POST {R}/simplelist",
        "获取用户发送日志的概要信息: start_time and end_time bound the reports' create_time",
        substitute("start_time", lambda body: int(body["end_time"]) - MAX_WINDOW_MS),
        probe(
            _sent("simplelist", start_time="${now-3d}"),
            check=lambda reply, saved: _in_window(reply, saved, -3, 0),
            expect="every create_time in the window",
        ),
    ),
    Mutant(
        "report-list-contents-value-renamed",
        "field",
        f"POST {R}/list",
        "获取用户发出的日志列表: contents items are {key, sort, type, value}",
        rename("result.data_list.*.contents.*", "value", "val"),
        probe(
            _sent(userid=REPORT_USER, size=5),
            check=has("result.data_list.*.contents.*.value", str),
            expect="contents[].value",
        ),
    ),
    Mutant(
        "report-list-contents-sort-number",
        "type",
        f"POST {R}/list",
        "获取用户发出的日志列表: contents[].sort is a String",
        retype("result.data_list.*.contents.*.sort", int),
        probe(
            _sent(userid=REPORT_USER, size=5),
            check=has("result.data_list.*.contents.*.sort", str),
            expect="sort a string",
        ),
    ),
    Mutant(
        "report-list-create-time-string",
        "type",
        f"POST {R}/list",
        "获取用户发出的日志列表: create_time is a Number (epoch milliseconds)",
        retype("result.data_list.*.create_time"),
        probe(_sent(userid=REPORT_USER, size=5), check=has("result.data_list.*.create_time", int), expect="a number"),
    ),
    Mutant(
        "report-list-size-21-accepted",
        "limit",
        f"POST {R}/list",
        "获取用户发出的日志列表: size is at most 20 (最大值为20)",
        clamp("size", 20),
        probe(_sent(size=21), check=refused, expect="refused"),
    ),
    Mutant(
        "report-list-window-over-180-days-accepted",
        "limit",
        f"POST {R}/list",
        "获取用户发出的日志列表: start_time and end_time are at most 180 days apart (最多相隔180天)",
        before(_window_cut),
        probe(_sent(start_time="${now-181d}"), check=refused, expect="refused"),
    ),
    Mutant(
        "report-list-has-more-on-last-page",
        "paging",
        f"POST {R}/list",
        "获取用户发出的日志列表: has_more tells whether another page follows; the last page says false",
        _result_changed(_has_more_at_end),
        probe(
            _sent(userid=REPORT_USER, template_name="周报"),
            check=lambda reply, saved: succeeded(reply, saved) and reply.body["result"].get("has_more") is False,
            expect="has_more false on the only page",
        ),
    ),
    Mutant(
        "report-simplelist-cursor-points-back",
        "paging",
        f"POST {R}/simplelist",
        "获取用户发送日志的概要信息: next_cursor is where the next page starts: pages share no report",
        _cursor_moved(-1),
        probe(
            Call(
                f"{R}/simplelist",
                _sent(userid=REPORT_USER, size=5).body,
                save={"first": "result.data_list", "next": "result.next_cursor"},
            ),
            _sent("simplelist", userid=REPORT_USER, size=5, cursor="${next}"),
            check=lambda reply, saved: (
                not {i["report_id"] for i in saved["first"]} & {i["report_id"] for i in _items(reply)}
            ),
            expect="pages 1 and 2 disjoint",
        ),
    ),
    Mutant(
        "report-listbytype-type-ignored",
        "filter",
        f"POST {R}/statistics/listbytype",
        "获取日志相关人员列表: type selects who is listed: 0 readers, 1 commenters, 2 likers",
        substitute("type", lambda body: STAT_READ),
        probe(
            Call(_stat(STAT_READ).path, _stat(STAT_READ).body, save={"read": "result.userid_list"}),
            _stat(STAT_LIKED),
            check=lambda reply, saved: succeeded(reply, saved) and set(_userids(reply)) != set(saved["read"]),
            expect="the likers are not the readers",
        ),
    ),
    Mutant(
        "report-listbytype-comment-like-swapped",
        "filter",
        f"POST {R}/statistics/listbytype",
        "获取日志相关人员列表: type 1 lists commenters and type 2 likers (not the other way round)",
        substitute("type", lambda body: {1: 2, 2: 1}.get(int(body["type"]), body["type"])),
        probe(
            Call(_stat(STAT_COMMENTED).path, _stat(STAT_COMMENTED).body, save={"commented": "result.userid_list"}),
            _stat(STAT_LIKED),
            check=lambda reply, saved: len(_userids(reply)) == 14 and len(saved["commented"]) == 20,
            expect="20 commenters and 14 likers of the seeded report",
        ),
    ),
    Mutant(
        "report-listbytype-size-101-accepted",
        "limit",
        f"POST {R}/statistics/listbytype",
        "获取日志相关人员列表: size is at most 100 (最多传100)",
        clamp("size", 100),
        probe(_stat(STAT_READ, size=101), check=refused, expect="refused"),
    ),
    Mutant(
        "report-listbytype-has-more-on-last-page",
        "paging",
        f"POST {R}/statistics/listbytype",
        "获取日志相关人员列表: has_more is false on the last page",
        _result_changed(_has_more_at_end),
        probe(
            _stat(STAT_LIKED),
            check=lambda reply, saved: succeeded(reply, saved) and reply.body["result"].get("has_more") is False,
            expect="has_more false",
        ),
    ),
    Mutant(
        "report-receiver-list-cursor-skips",
        "paging",
        f"POST {R}/receiver/list",
        "获取日志接收人员列表: next_cursor is the offset of the next page: pages of 10 and 10 hold the first 20",
        _cursor_moved(+1),
        probe(
            Call(f"{R}/receiver/list", {"report_id": REPORT_ID, "size": 20}, save={"twenty": "result.userid_list"}),
            Call(
                f"{R}/receiver/list",
                {"report_id": REPORT_ID, "size": 10},
                save={"first": "result.userid_list", "next": "result.next_cursor"},
            ),
            Call(f"{R}/receiver/list", {"report_id": REPORT_ID, "size": 10, "offset": "${next}"}),
            check=lambda reply, saved: saved["first"] + _userids(reply) == saved["twenty"],
            expect="page 1 + page 2 of 10 == page 1 of 20",
        ),
    ),
    Mutant(
        "report-receiver-list-report-id-not-required",
        "required",
        f"POST {R}/receiver/list",
        "获取日志接收人员列表: report_id is required (是)",
        set_default("report_id", REPORT_ID),
        probe(Call(f"{R}/receiver/list", {"size": 10}), check=refused, expect="refused"),
    ),
    Mutant(
        "report-comment-list-size-21-accepted",
        "limit",
        f"POST {R}/comment/list",
        "获取日志评论详情: size is at most 20 (最多传20)",
        clamp("size", 20),
        probe(Call(f"{R}/comment/list", {"report_id": REPORT_ID, "size": 21}), check=refused, expect="refused"),
    ),
    Mutant(
        "report-comment-list-create-time-epoch",
        "type",
        f"POST {R}/comment/list",
        "获取日志评论详情: comments[].create_time is a date like 2020-09-08 00:26:37",
        retype("result.comments.*.create_time", lambda value: 1_600_000_000_000),
        probe(
            Call(f"{R}/comment/list", {"report_id": REPORT_ID, "size": 5}),
            check=lambda reply, saved: (
                bool(values(reply, "result.comments.*.create_time"))
                and all(DATETIME.fullmatch(str(v)) for v in values(reply, "result.comments.*.create_time"))
            ),
            expect="create_time yyyy-MM-dd HH:mm:ss",
        ),
    ),
    Mutant(
        "report-comment-list-has-more-on-last-page",
        "paging",
        f"POST {R}/comment/list",
        "获取日志评论详情: has_more (是否还有下一页) is false on the last page",
        _result_changed(_has_more_at_end),
        probe(
            Call(f"{R}/comment/list", {"report_id": REPORT_ID, "offset": 20, "size": 20}),
            check=lambda reply, saved: succeeded(reply, saved) and reply.body["result"].get("has_more") is False,
            expect="has_more false",
        ),
    ),
    Mutant(
        "report-getunreadcount-off-by-one",
        "count",
        f"POST {R}/getunreadcount",
        "获取用户日志未读数: count is the employee's unread reports: 0 for one who received none",
        after(lambda body, params: {**body, "count": body["count"] + 1}),
        probe(
            Call(f"{R}/getunreadcount", {"userid": NO_REPORTS_USER}),
            check=lambda reply, saved: reply.body.get("count") == 0,
            expect="count 0",
        ),
    ),
    Mutant(
        "report-getunreadcount-misses-new-reports",
        "count",
        f"POST {R}/getunreadcount",
        "获取用户日志未读数: a report sent to the employee (创建日志 to_userids) adds one to their unread count",
        _misses_new_reports,
        probe(
            Call(f"{R}/getunreadcount", {"userid": NO_REPORTS_USER}, save={"before": "count"}),
            Call(f"{R}/create", _create_param()),
            Call(f"{R}/getunreadcount", {"userid": NO_REPORTS_USER}),
            check=lambda reply, saved: reply.body.get("count") == saved["before"] + 1,
            expect="count one more after the create",
        ),
    ),
    Mutant(
        "report-getunreadcount-count-string",
        "type",
        f"POST {R}/getunreadcount",
        "获取用户日志未读数: count is a Number",
        retype("count"),
        probe(Call(f"{R}/getunreadcount", {"userid": REPORT_USER}), check=has("count", int), expect="count a number"),
    ),
    Mutant(
        "report-template-listbyuserid-ignores-userid",
        "filter",
        f"POST {R}/template/listbyuserid",
        "获取用户可见的日志模板: with userid, only the templates that employee may use are listed",
        ignore("userid"),
        probe(
            Call(f"{R}/template/listbyuserid", {"userid": REPORT_USER}),
            check=lambda reply, saved: (
                succeeded(reply, saved) and HIDDEN_TEMPLATE not in values(reply, "result.template_list.*.name")
            ),
            expect="a template of another department not listed",
        ),
    ),
    Mutant(
        "report-template-listbyuserid-cursor-at-end",
        "paging",
        f"POST {R}/template/listbyuserid",
        "获取用户可见的日志模板: no next_cursor in the answer means the last page",
        _cursor_at_end("template_list", "offset"),
        probe(
            Call(f"{R}/template/listbyuserid", {"size": 100}),
            check=lambda reply, saved: succeeded(reply, saved) and reply.body["result"].get("next_cursor") is None,
            expect="no next_cursor on the only page",
        ),
    ),
    Mutant(
        "report-template-listbyuserid-size-101-accepted",
        "limit",
        f"POST {R}/template/listbyuserid",
        "获取用户可见的日志模板: size is at most 100 (最大可设置成100)",
        clamp("size", 100),
        probe(Call(f"{R}/template/listbyuserid", {"size": 101}), check=refused, expect="refused"),
    ),
    Mutant(
        "report-template-getbyname-field-name-renamed",
        "field",
        f"POST {R}/template/getbyname",
        "获取模板详情: fields items are {field_name, sort, type}",
        rename("result.fields.*", "field_name", "name"),
        probe(
            Call(f"{R}/template/getbyname", {"userid": ADMIN, "template_name": TEMPLATE_NAME}),
            check=has("result.fields.*.field_name", str),
            expect="fields[].field_name",
        ),
    ),
    Mutant(
        "report-template-getbyname-sort-string",
        "type",
        f"POST {R}/template/getbyname",
        "获取模板详情: fields[].sort is a Number",
        retype("result.fields.*.sort"),
        probe(
            Call(f"{R}/template/getbyname", {"userid": ADMIN, "template_name": TEMPLATE_NAME}),
            check=has("result.fields.*.sort", int),
            expect="fields[].sort a number",
        ),
    ),
    Mutant(
        "report-template-getbyname-receiver-name-renamed",
        "field",
        f"POST {R}/template/getbyname",
        "获取模板详情: default_receivers items are {userid, user_name}",
        rename("result.default_receivers.*", "user_name", "name"),
        probe(
            Call(f"{R}/template/getbyname", {"userid": ADMIN, "template_name": TEMPLATE_NAME}),
            check=has("result.default_receivers.*.user_name", str),
            expect="default_receivers[].user_name",
        ),
    ),
    Mutant(
        "report-template-getbyname-userid-not-required",
        "required",
        f"POST {R}/template/getbyname",
        "获取模板详情: userid is required (是)",
        set_default("userid", ADMIN),
        probe(Call(f"{R}/template/getbyname", {"template_name": TEMPLATE_NAME}), check=refused, expect="refused"),
    ),
)
