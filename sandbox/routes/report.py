"""`/topapi/report/*`: reports (日志), their templates, receivers, readers, comments and likes."""

import secrets

from sandbox.model import Directory, Report, ReportContent, ReportTemplate, Tenant
from sandbox.protocol.envelopes import NO_PERMISSION, Body, OapiError, invalid, ok
from sandbox.protocol.paging import cursor_page
from sandbox.protocol.parameters import (
    Params,
    check_max_length,
    check_one_of,
    format_datetime,
    millis_window,
    number,
    obj,
    object_list,
    optional_epoch_millis,
    optional_text,
    page_size,
    position,
    required_flag,
    text,
    text_list,
)
from sandbox.routes.base import require_user, topapi_routes
from sandbox.seed.people import CORP_ID
from sandbox.state import TenantState

MAX_CONTENT_CHARS = 1000
MAX_LIST_SIZE = 20
MAX_WINDOW_DAYS = 180
MAX_USER_PAGE = 100
MAX_COMMENT_PAGE = 20
STAT_TYPES = {0: "read", 1: "commented", 2: "liked"}
TEMPLATE_URL = "https://landray.dingtalkapps.com/alid/app/report/createReport_new.html?skip=0&corpid={}&id={}"


def _report(tenant: Tenant, report_id: str) -> Report:
    report = tenant.reports.get(report_id)
    if report is None:
        raise invalid("report_id", f"日志不存在: {report_id}")
    return report


def _visible(directory: Directory, template: ReportTemplate, userid: str) -> bool:
    return not template.dept_ids or directory.users[userid].dept_id in template.dept_ids


def _contents(param: Params) -> list[ReportContent]:
    """Text items only: `type` 1, `content_type` "markdown", `content` at most 1000 characters."""
    contents = []
    for item in object_list(param, "contents"):
        key, sort, kind = text(item, "key"), number(item, "sort"), number(item, "type")
        content_type, content = text(item, "content_type"), text(item, "content")
        check_one_of("type", kind, (1,), "1 (text)")
        check_one_of("content_type", content_type, ("markdown",), '"markdown"')
        check_max_length("content", content, MAX_CONTENT_CHARS, unit="characters")
        contents.append(ReportContent(key, str(sort), str(kind), content))
    return contents


def create(state: TenantState, body: Params) -> Body:
    param = obj(body, "create_report_param")
    contents = _contents(param)
    template_id, userid = text(param, "template_id"), text(param, "userid")
    text(param, "dd_from")
    required_flag(param, "to_chat")
    to_userids = text_list(param, "to_userids")
    text_list(param, "to_cids")
    now = state.now()
    with state.lock:
        tenant = state.tenant
        for person in (userid, *to_userids):
            require_user(tenant.directory, person)
        template = tenant.templates.get(template_id)
        if template is None:
            raise invalid("template_id", f"模板不存在: {template_id}")
        unknown = {c.key for c in contents} - {f.field_name for f in template.fields}
        if unknown:
            raise invalid("key", f"不是模板 {template.name} 的字段: {sorted(unknown)[0]}")
        report_id = secrets.token_hex(10)
        seq = max((r.seq for r in tenant.reports.values()), default=-1) + 1
        tenant.reports[report_id] = Report(report_id, seq, template_id, userid, contents, now, now, to_userids)
    return ok(result=report_id, errmsg="ok")


def _item(tenant: Tenant, report: Report, with_contents: bool) -> Body:
    creator = tenant.directory.users[report.creator]
    item: Body = {
        "create_time": int(report.create_time * 1000),
        "modified_time": int(report.modified_time * 1000),
        "creator_id": creator.userid,
        "creator_name": creator.name,
        "dept_name": tenant.directory.depts[creator.dept_id].name,
        "remark": report.remark,
        "report_id": report.id,
        "template_name": tenant.templates[report.template_id].name,
    }
    if with_contents:
        item["contents"] = [{"key": c.key, "sort": c.sort, "type": c.type, "value": c.value} for c in report.contents]
    return item


def _sent(state: TenantState, body: Params, with_contents: bool) -> Body:
    """`list` and `simplelist`: reports created in the window, newest first, optionally by user and template
    (and, for `list`, last modified in the modified window)."""
    start, end = millis_window(body, MAX_WINDOW_DAYS)
    cursor, size = position(body, "cursor"), page_size(body, "size", MAX_LIST_SIZE)
    userid, template_name = optional_text(body, "userid"), optional_text(body, "template_name")
    modified_start = optional_epoch_millis(body, "modified_start_time") if with_contents else None
    modified_end = optional_epoch_millis(body, "modified_end_time") if with_contents else None
    with state.lock:
        tenant = state.tenant
        if userid:
            require_user(tenant.directory, userid)
        reports = [
            r
            for r in tenant.reports.values()
            if start <= r.create_time * 1000 <= end
            and (not userid or r.creator == userid)
            and (not template_name or tenant.templates[r.template_id].name == template_name)
            and (modified_start is None or r.modified_time * 1000 >= modified_start)
            and (modified_end is None or r.modified_time * 1000 <= modified_end)
        ]
        reports.sort(key=lambda r: (r.create_time, r.seq), reverse=True)
        page = cursor_page("data_list", [_item(tenant, r, with_contents) for r in reports], cursor, size)
    return ok(result={**page, "size": size}, errmsg="ok")


def list_reports(state: TenantState, body: Params) -> Body:
    return _sent(state, body, with_contents=True)


def simplelist(state: TenantState, body: Params) -> Body:
    return _sent(state, body, with_contents=False)


def _people(report: Report, kind: str) -> list[str]:
    """The report's receivers, readers, likers, or commenters (each once, in order of first comment)."""
    people = {
        "receiver": report.to_userids,
        "read": report.readers,
        "liked": report.likers,
        "commented": [c.userid for c in report.comments],
    }[kind]
    return list(dict.fromkeys(people))


def _userid_page(state: TenantState, body: Params, kind: str) -> Body:
    report_id = text(body, "report_id")
    offset, size = position(body, "offset", default=0), page_size(body, "size", MAX_USER_PAGE, default=100)
    with state.lock:
        people = _people(_report(state.tenant, report_id), kind)
    return cursor_page("userid_list", people, offset, size)


def statistics_listbytype(state: TenantState, body: Params) -> Body:
    """Who read (type 0), commented on (1) or liked (2) a report."""
    kind = check_one_of("type", number(body, "type"), STAT_TYPES, "0, 1 or 2")
    return ok(result=_userid_page(state, body, STAT_TYPES[kind]), success=True)


def receiver_list(state: TenantState, body: Params) -> Body:
    return ok(result=_userid_page(state, body, "receiver"), success=True, errmsg="ok")


def comment_list(state: TenantState, body: Params) -> Body:
    report_id = text(body, "report_id")
    offset = position(body, "offset", default=0)
    size = page_size(body, "size", MAX_COMMENT_PAGE, default=MAX_COMMENT_PAGE)
    with state.lock:
        comments = [
            {"userid": c.userid, "content": c.content, "create_time": format_datetime(c.create_time)}
            for c in _report(state.tenant, report_id).comments
        ]
    return ok(result=cursor_page("comments", comments, offset, size), success=True)


def getunreadcount(state: TenantState, body: Params) -> Body:
    """Reports sent to the user that they have not read."""
    userid = text(body, "userid")
    with state.lock:
        require_user(state.tenant.directory, userid)
        count = sum(userid in r.to_userids and userid not in r.readers for r in state.tenant.reports.values())
    return ok(count=count, errmsg="ok")


def template_listbyuserid(state: TenantState, body: Params) -> Body:
    """The templates a user may use (all of them without `userid`); `next_cursor` only while more remain."""
    userid = optional_text(body, "userid")
    offset, size = position(body, "offset", default=0), page_size(body, "size", MAX_USER_PAGE, default=100)
    with state.lock:
        directory = state.tenant.directory
        if userid:
            require_user(directory, userid)
        templates = [t for t in state.tenant.templates.values() if not userid or _visible(directory, t, userid)]
    items = [
        {"name": t.name, "icon_url": t.icon_url, "report_code": t.report_code,
         "url": TEMPLATE_URL.format(CORP_ID, t.report_code)}
        for t in templates
    ]  # fmt: skip
    return ok(result=cursor_page("template_list", items, offset, size, has_more=False), errmsg="ok")


def template_getbyname(state: TenantState, body: Params) -> Body:
    userid, name = text(body, "userid"), text(body, "template_name")
    with state.lock:
        directory = state.tenant.directory
        require_user(directory, userid)
        template = next((t for t in state.tenant.templates.values() if t.name == name), None)
        if template is None:
            raise invalid("template_name", f"模板不存在: {name}")
        if not _visible(directory, template, userid):
            raise OapiError(NO_PERMISSION, f"没有权限: {userid} 不能使用模板 {name}")
        result: Body = {
            "id": template.id,
            "name": template.name,
            "userid": userid,
            "user_name": directory.users[userid].name,
            "fields": [{"field_name": f.field_name, "sort": f.sort, "type": f.type} for f in template.fields],
            "default_receivers": [
                {"userid": u, "user_name": directory.users[u].name} for u in template.default_receivers
            ],
        }
    if template.default_convs:
        result["default_received_convs"] = [{"conversation_id": c, "title": t} for c, t in template.default_convs]
    return ok(result=result, errmsg="ok")


ROUTES = topapi_routes(
    "/topapi/report",
    {
        "create": create,
        "template/getbyname": template_getbyname,
        "list": list_reports,
        "simplelist": simplelist,
        "statistics/listbytype": statistics_listbytype,
        "receiver/list": receiver_list,
        "comment/list": comment_list,
        "getunreadcount": getunreadcount,
        "template/listbyuserid": template_listbyuserid,
    },
)
