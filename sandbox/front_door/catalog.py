"""What the front door and the OpenAPI document say about each route: its group (as DingTalk's docs group the
APIs), its doc page title (from the project's schemas), and an example request that works against the tenant.

Examples are built from the tenant as it is now (ids of people, categories, templates and reports picked from
it, time windows ending now), so each one is accepted by the sandbox it is shown on.
"""

import json
import shlex
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sandbox.protocol.envelopes import Style
from sandbox.protocol.parameters import ACS_TOKEN_HEADER
from sandbox.routes import Route
from sandbox.seed.people import CORP_ID
from sandbox.state import TenantState

TOKEN = "${ACCESS_TOKEN}"
ROBOT_TOKEN = "${ROBOT_TOKEN}"
TIMESTAMP = "${TIMESTAMP}"
SIGN = "${SIGN}"
APPSECRET = "${APPSECRET}"
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Group:
    key: str
    chinese: str
    english: str
    prefixes: tuple[str, ...]


GROUPS = (
    Group("auth", "鉴权", "Access token", ("/gettoken",)),
    Group("blackboard", "公告", "Announcements (blackboard)", ("/topapi/blackboard/",)),
    Group("report", "日志", "Reports", ("/topapi/report/",)),
    Group("hrm", "智能人事", "Smart HR (hrm)", ("/topapi/smartwork/hrm/", "/v1.0/hrm/")),
    Group("checkin", "签到", "Check-in", ("/topapi/checkin/",)),
    Group(
        "org",
        "互联 · 服务号 · 应用",
        "Cooperation spaces, service accounts, app auth",
        ("/topapi/union/", "/topapi/serviceaccount/", "/service/"),
    ),
    Group("robot", "机器人", "Custom group robot", ("/robot/",)),
)
OTHER = Group("other", "其他", "Other", ())


def group_of(path: str) -> Group:
    return next((g for g in GROUPS if any(path.startswith(p) for p in g.prefixes)), OTHER)


@dataclass(frozen=True)
class ServiceEndpoint:
    """One of the sandbox's own endpoints (not DingTalk's)."""

    method: str
    path: str
    chinese: str
    english: str
    html: bool = False


SERVICE_ENDPOINTS = (
    ServiceEndpoint("GET", "/", "沙箱首页（本页）", "this front door", html=True),
    ServiceEndpoint("GET", "/__sandbox/openapi.json", "OpenAPI 3.1 描述", "OpenAPI 3.1 description"),
    ServiceEndpoint("GET", "/__sandbox/requests", "最近的请求（JSON，已脱敏）", "recent requests (JSON, masked)"),
    ServiceEndpoint("GET", "/__sandbox/requests/{number}", "单个请求详情", "one request in detail", html=True),
    ServiceEndpoint("GET", "/__sandbox/health", "健康检查", "health check"),
    ServiceEndpoint("GET", "/__sandbox/stats", "调用与故障计数", "call and fault counts"),
    ServiceEndpoint("POST", "/__sandbox/reset", "恢复初始租户数据", "back to the seeded tenant"),
    ServiceEndpoint("GET", "/__sandbox/faults", "故障与限流设置", "fault and QPS settings"),
    ServiceEndpoint("POST", "/__sandbox/faults", "修改故障与限流设置", "change fault and QPS settings"),
    ServiceEndpoint("GET", "/__sandbox/robot/messages", "机器人收到的消息", "messages the robots accepted"),
    ServiceEndpoint("POST", "/__sandbox/robot/reset", "清空机器人消息", "forget the robots' messages"),
)


@dataclass(frozen=True)
class Example:
    """One request: query parameters, headers and a JSON body (None: no body). Values may be `${PLACEHOLDERS}`."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    def url(self, base_url: str) -> str:
        query = urlencode(self.query, safe="${}")
        return f"{base_url}{self.path}" + (f"?{query}" if query else "")

    def curl(self, base_url: str) -> str:
        """A shell line: the URL in double quotes (placeholders expand), the JSON body in single quotes."""
        parts = ["curl -s"]
        if self.method != ("POST" if self.body is not None else "GET"):
            parts.append(f"-X {self.method}")
        parts.append(f'"{self.url(base_url)}"')
        for name, value in self.headers.items():
            parts.append(f'-H "{name}: {value}"')
        if self.body is not None:
            parts.append("-H 'Content-Type: application/json'")
            parts.append(f"-d {shlex.quote(json.dumps(self.body, ensure_ascii=False))}")
        return " ".join(parts)


@dataclass(frozen=True)
class _Ids:
    """Ids picked from the tenant for the examples."""

    admin: str
    user: str
    dept: int
    category: str
    blackboard: str
    template_id: str
    template_name: str
    template_field: str
    report: str
    reporter: str
    checkin_user: str
    now_ms: int


def _ids(state: TenantState) -> _Ids:
    now_ms = int(state.now() * 1000)
    with state.lock:
        tenant = state.tenant
        directory = tenant.directory
        admin = directory.main_admin
        users = [u for u in directory.users.values() if not directory.is_blackboard_admin(u.userid)]
        user = users[0] if users else directory.users[admin]
        boards = sorted(tenant.blackboards.values(), key=lambda b: (b.gmt_create, b.seq), reverse=True)
        open_templates = [t for t in tenant.templates.values() if not t.dept_ids] or list(tenant.templates.values())
        template = next((t for t in open_templates if t.name == "日报"), open_templates[0] if open_templates else None)
        reports = sorted(tenant.reports.values(), key=lambda r: (len(r.to_userids), len(r.comments)), reverse=True)
        reporters = Counter(r.creator for r in tenant.reports.values())
        checkers = Counter(c.userid for c in tenant.checkins)
        return _Ids(
            admin=admin,
            user=user.userid,
            dept=user.dept_id,
            category=next(iter(directory.categories), ""),
            blackboard=boards[0].id if boards else "",
            template_id=template.id if template else "",
            template_name=template.name if template else "",
            template_field=template.fields[0].field_name if template and template.fields else "",
            report=reports[0].id if reports else "",
            reporter=reporters.most_common(1)[0][0] if reporters else user.userid,
            checkin_user=checkers.most_common(1)[0][0] if checkers else user.userid,
            now_ms=now_ms,
        )


def _bodies(ids: _Ids) -> dict[str, Any]:
    """Example JSON bodies of the POST routes, by path."""
    week = {"start_time": ids.now_ms - 7 * DAY_MS, "end_time": ids.now_ms}
    board = "/topapi/blackboard"
    report = "/topapi/report"
    return {
        f"{board}/create": {
            "create_request": {
                "operation_userid": ids.admin,
                "title": "沙箱示例公告 sandbox example",
                "content": "来自沙箱首页的示例 / an example from the sandbox front door",
                "category_id": ids.category,
                "blackboard_receiver": {"deptid_list": [ids.dept]},
                "private_level": 0,
                "ding": False,
                "push_top": False,
            }
        },
        f"{board}/update": {
            "update_request": {
                "operation_userid": ids.admin,
                "blackboard_id": ids.blackboard,
                "title": "已更新的公告 updated",
                "content": "更新后的正文 / updated text",
                "category_id": ids.category,
                "ding": False,
            }
        },
        f"{board}/delete": {"blackboard_id": ids.blackboard, "operation_userid": ids.admin},
        f"{board}/get": {"blackboard_id": ids.blackboard, "operation_userid": ids.admin},
        f"{board}/listids": {"query_request": {"operation_userid": ids.admin, "page": 1, "page_size": 30}},
        f"{board}/category/list": {"operation_userid": ids.admin},
        f"{board}/listtopten": {"userid": ids.user},
        f"{report}/create": {
            "create_report_param": {
                "template_id": ids.template_id,
                "userid": ids.reporter,
                "dd_from": "sandbox",
                "to_chat": False,
                "to_userids": [ids.admin],
                "to_cids": [],
                "contents": [
                    {
                        "key": ids.template_field,
                        "sort": 0,
                        "type": 1,
                        "content_type": "markdown",
                        "content": "完成了示例 / did the example",
                    }
                ],
            }
        },
        f"{report}/template/getbyname": {"userid": ids.reporter, "template_name": ids.template_name},
        f"{report}/list": {**week, "userid": ids.reporter, "cursor": 0, "size": 20},
        f"{report}/simplelist": {**week, "userid": ids.reporter, "cursor": 0, "size": 20},
        f"{report}/statistics/listbytype": {"report_id": ids.report, "type": 0, "offset": 0, "size": 100},
        f"{report}/receiver/list": {"report_id": ids.report, "offset": 0, "size": 100},
        f"{report}/comment/list": {"report_id": ids.report, "offset": 0, "size": 20},
        f"{report}/getunreadcount": {"userid": ids.admin},
        f"{report}/template/listbyuserid": {"userid": ids.reporter, "offset": 0, "size": 100},
        "/topapi/smartwork/hrm/employee/querypreentry": {"offset": 0, "size": 50},
        "/topapi/smartwork/hrm/employee/queryonjob": {"status_list": "2,3", "offset": 0, "size": 50},
        "/topapi/checkin/record/get": {
            "userid_list": ids.checkin_user,
            "start_time": ids.now_ms - 3 * DAY_MS,
            "end_time": ids.now_ms,
            "cursor": 0,
            "size": 100,
        },
        "/topapi/union/cooperate/joined/list": {"status": 1},
        "/topapi/serviceaccount/list": {"pageStart": 1, "pageSize": 10},
        "/service/get_auth_info": {"auth_corpid": CORP_ID},
        "/robot/send": {"msgtype": "text", "text": {"content": "沙箱机器人示例 / sandbox robot example"}},
    }


def examples(state: TenantState, routes: Mapping[tuple[str, str], Route]) -> dict[tuple[str, str], Example]:
    """An example request for every route; a route this module does not know gets an empty JSON object."""
    bodies = _bodies(_ids(state))
    found = {}
    for (method, path), route in routes.items():
        if route.style is Style.GETTOKEN:
            example = Example(method, path, {"appkey": state.config.appkey, "appsecret": APPSECRET})
        elif route.style is Style.ACS:
            example = Example(method, path, {"nextToken": "0", "maxResults": "30"}, {ACS_TOKEN_HEADER: TOKEN})
        elif route.style is Style.ROBOT:
            query = {"access_token": ROBOT_TOKEN, "timestamp": TIMESTAMP, "sign": SIGN}
            example = Example(method, path, query, body=bodies.get(path, {}))
        else:
            example = Example(method, path, {"access_token": TOKEN}, body=bodies.get(path, {}))
        found[(method, path)] = example
    return found
