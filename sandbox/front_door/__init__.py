"""The sandbox's front door: `GET /`, a small server-rendered page (no scripts, no external assets; Chinese
first, English beside it) for people who run the sandbox to learn the DingTalk API, with

- the endpoints it emulates, grouped as DingTalk's docs group them, each with a curl line that works here;
- the tenant's people, departments, blackboard categories and report templates;
- the recent requests (`GET /__sandbox/requests/<n>`: one in detail), secrets masked;
- the faults, the QPS limit and the contract mutant in force.

`GET /__sandbox/openapi.json` is the OpenAPI 3.1 description (`sandbox/openapi.py`), `GET /__sandbox/requests`
the recent requests as JSON. `python -m sandbox.front_door --screenshot FILE` regenerates the screenshot in docs/.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from typing import Any, Protocol

from sandbox.front_door.catalog import (
    GROUPS,
    OTHER,
    SERVICE_ENDPOINTS,
    Example,
    examples,
    group_of,
)
from sandbox.protocol.envelopes import Style
from sandbox.request_log import Exchange, RequestLog
from sandbox.routes import Route
from sandbox.state import TenantState


class App(Protocol):
    """What the front door reads of the app it fronts (sandbox.app.App)."""

    @property
    def routes(self) -> Mapping[tuple[str, str], Route]: ...

    requests: RequestLog
    schemas: Mapping[str, Any]
    state: TenantState


__all__ = ["serve", "serves"]

HOME = "/"
OPENAPI_PATH = "/__sandbox/openapi.json"
REQUESTS_PATH = "/__sandbox/requests"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
CHINA = timezone(timedelta(hours=8))
LATEST = 8  # requests shown at the top of the page
FAULT_KEYS = ("latency_ms", "busy", "rate_limited", "server_error", "drop", "drop_after", "drift")
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
_DETAIL = re.compile(r"/__sandbox/requests/(\d{1,12})")
STYLE_NOTES = {
    Style.GETTOKEN: "旧域名 oapi.dingtalk.com · GET，查询参数 / old host, GET, query parameters",
    Style.TOPAPI: "旧域名 oapi.dingtalk.com · POST JSON，?access_token= / old host, POST JSON body",
    Style.TOP: "旧域名 · TOP 网关错误格式 / old host, TOP gateway error shape",
    Style.ACS: "新域名 api.dingtalk.com · x-acs-dingtalk-access-token 请求头 / new host, token in a header",
    Style.ROBOT: "自定义机器人 Webhook · 加签 / custom robot webhook, signed",
}


def serves(method: str, path: str) -> bool:
    """True for the front door's own pages (GET or HEAD): they are answered here and not logged as requests."""
    return method in ("GET", "HEAD") and (path in (HOME, OPENAPI_PATH, REQUESTS_PATH) or bool(_DETAIL.fullmatch(path)))


def serve(app: App, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    """(status, body): a `str` body is an HTML page, a dict is JSON."""
    base_url = base_url_of(headers)
    if path == OPENAPI_PATH:
        from sandbox.openapi import document  # here: sandbox.openapi imports this package's catalog

        recorded = app_recorded(getattr(app, "recorded", None))
        return 200, document(app.routes, examples(app.state, app.routes), app.schemas, base_url, recorded)
    if path == REQUESTS_PATH:
        recent = app.requests.recent()
        return 200, {"capacity": app.requests.capacity, "requests": [item.as_json() for item in recent]}
    detail = _DETAIL.fullmatch(path)
    if detail:
        exchange = app.requests.get(int(detail.group(1)))
        if exchange is None:
            return 404, _page("未找到 Not found", _not_found(int(detail.group(1)), app.requests.capacity))
        return 200, _page(f"请求 #{exchange.number} Request", _detail(exchange))
    return 200, _page("钉钉开放平台沙箱 DingTalk sandbox", home(app, base_url))


def base_url_of(headers: dict[str, str]) -> str:
    """`http://` and the request's Host header (the sandbox's own address as the client sees it)."""
    host = headers.get("host", "")
    return f"http://{host}" if _HOST.fullmatch(host) else DEFAULT_BASE_URL


# --- the home page --------------------------------------------------------------------------------------------


def home(app: App, base_url: str) -> str:
    routes = app.routes
    shown = examples(app.state, routes)
    sections = [
        _summary(app, base_url),
        _nav(),
        '<div class="grid">',
        _index(routes, app.schemas),
        f"<div>{_quick_start(app, base_url)}\n{_recent(app, LATEST, 'latest')}\n{_faults(app)}</div>",
        "</div>",
        _endpoints(routes, shown, app.schemas, base_url, getattr(app, "recorded", None)),
        _recent(app, app.requests.capacity, "requests"),
        _tenant(app),
        _service_endpoints(base_url),
    ]
    return "\n".join(sections)


def _summary(app: App, base_url: str) -> str:
    config = app.state.config
    faults = config.faults
    active = [f"{key}={_setting_text(value)}" for key, value in _changed_settings(app).items() if key in FAULT_KEYS]
    mutant = f'<span class="badge warn">变异体 mutant: {escape(config.mutant)}</span>' if config.mutant else ""
    fault_text = escape(", ".join(active)) if active else "无 none"
    qps = f"{faults.qps} 次/秒 per second" if faults.qps else "不限 no limit"
    return (
        f"<h1>钉钉开放平台沙箱 <small>DingTalk Open API sandbox</small></h1>\n"
        f'<p class="lead">本地模拟的钉钉开放平台：一个租户、固定种子数据，旧域名与新域名的接口都在 '
        f"<code>{escape(base_url)}</code> 上。<br>A local emulator of the DingTalk Open API: one seeded tenant, "
        f"old-host and new-host endpoints on one port.</p>\n"
        f'<p><span class="badge">接口 endpoints: {len(app.routes)}</span> '
        f'<span class="badge">QPS 限制 limit: {escape(qps)}</span> '
        f'<span class="badge{" warn" if active else ""}">故障 faults: {fault_text}</span> {mutant}</p>'
    )


def _index(routes: dict[tuple[str, str], Route], schemas: dict) -> str:
    """Every route on one screen, grouped, each linking to its example."""
    from sandbox.openapi import doc_title, schema_files

    parts = ['<div><h2>接口一览 <small>Endpoints at a glance</small></h2><table class="index">']
    for group in (*GROUPS, OTHER):
        keys = [key for key in routes if group_of(key[1]) == group]
        if not keys:
            continue
        parts.append(f'<tr><th colspan="3">{escape(group.chinese)} <small>{escape(group.english)}</small></th></tr>')
        for key in keys:
            title = doc_title(schemas.get(schema_files(routes[key])[0]))
            parts.append(
                f'<tr><td class="method">{escape(key[0])}</td><td><a href="#ep-{escape(_anchor(key))}">'
                f"<code>{escape(key[1]).replace('/', '/<wbr>')}</code></a></td><td>{escape(title)}</td></tr>"
            )
    parts.append("</table></div>")
    return "\n".join(parts)


def _nav() -> str:
    links = [
        ("endpoints", "接口 Endpoints"),
        ("requests", "最近请求 Recent requests"),
        ("tenant", "租户数据 Tenant"),
        ("faults", "故障与限流 Faults & QPS"),
        ("sandbox", "沙箱接口 Sandbox endpoints"),
    ]
    items = " · ".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in links)
    return f'<nav>{items} · <a href="{OPENAPI_PATH}">OpenAPI</a></nav>'


def _quick_start(app: App, base_url: str) -> str:
    appkey = app.state.config.appkey
    line = (
        f'ACCESS_TOKEN=$(curl -s "{base_url}/gettoken?appkey={appkey}&appsecret=${{APPSECRET}}" \\\n'
        "  | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    from sandbox.config import DEFAULT_APPSECRET

    default = (
        "（默认 <code>sandbox-appsecret</code> / default <code>sandbox-appsecret</code>）"
        if app.state.config.appsecret == DEFAULT_APPSECRET
        else "（<code>--appsecret</code> 的值 / the value of <code>--appsecret</code>）"
    )
    return (
        '<section id="start"><h2>快速开始 <small>Quick start</small></h2>\n'
        f"<p>先取 access_token，下面的示例都用 <code>${{ACCESS_TOKEN}}</code>。APPSECRET {default}。<br>"
        "Get a token first; every example below uses <code>${ACCESS_TOKEN}</code>.</p>\n"
        f"<pre>{escape(line)}</pre></section>"
    )


def _endpoints(
    routes: dict[tuple[str, str], Route],
    shown: dict[tuple[str, str], Example],
    schemas: dict,
    base_url: str,
    recorded: Any = None,
) -> str:
    from sandbox.openapi import doc_title, schema_files

    parts = ['<section id="endpoints"><h2>接口 <small>Endpoints</small></h2>']
    for group in (*GROUPS, OTHER):
        keys = [key for key in routes if group_of(key[1]) == group]
        if not keys:
            continue
        parts.append(f'<h3 id="group-{group.key}">{escape(group.chinese)} <small>{escape(group.english)}</small></h3>')
        if group.key == "robot":
            parts.append(_robot_note())
        for key in keys:
            route = routes[key]
            title = doc_title(schemas.get(schema_files(route)[0]))
            parts.append(
                f'<div class="endpoint" id="ep-{escape(_anchor(key))}">'
                f'<p><span class="method">{escape(route.method)}</span> <code class="path">{escape(route.path)}</code>'
                f' <span class="title">{escape(title)}</span><br><span class="note">'
                f"{escape(STYLE_NOTES.get(route.style, ''))}</span></p>"
                f"<pre>{escape(shown[key].curl(base_url))}</pre></div>"
            )
    parts.append(_recorded(app_recorded(recorded), base_url))
    parts.append("</section>")
    return "\n".join(parts)


def app_recorded(recorded: Any) -> list[Any]:
    """The endpoints answered from recorded doc examples (sandbox/recorded.py), if the sandbox has any."""
    return sorted(getattr(recorded, "values", dict)(), key=lambda r: (r.path, r.method))


def _recorded(recordings: list[Any], base_url: str) -> str:
    if not recordings:
        return ""
    rows = "".join(
        f'<tr><td class="method">{escape(r.method)}</td><td><code class="path">{escape(r.path)}</code></td>'
        f"<td>{escape(', '.join(r.fields))}</td></tr>"
        for r in recordings
    )
    return (
        f'<h3 id="group-recorded">录制的接口 <small>Recorded from doc examples ({len(recordings)})</small></h3>'
        "<p>沙箱不模拟这些接口，只回放文档页的示例响应（<code>data/spec/examples/</code>）。"
        "Not emulated: answered with the doc page's example answer (<code>sandbox/recorded.py</code>).</p>"
        f"<table><tr><th>方法 method</th><th>路径 path</th><th>必填字段 fields</th></tr>{rows}</table>"
    )


def _robot_note() -> str:
    sign = (
        "TIMESTAMP=$(date +%s000)\n"
        "SIGN=$(python3 -c 'import base64,hashlib,hmac,sys,urllib.parse; t,s=sys.argv[1:]; "
        'print(urllib.parse.quote_plus(base64.b64encode(hmac.new(s.encode(), f"{t}\\n{s}".encode(), '
        'hashlib.sha256).digest()).decode()))\' "$TIMESTAMP" "$ROBOT_SECRET")'
    )
    return (
        "<p>ROBOT_TOKEN、ROBOT_SECRET：见 <code>data/profiles/sandbox.yaml</code>（robot_token, robot_secret）。"
        "签名按钉钉文档计算 / sign as DingTalk documents it:</p>"
        f"<pre>{escape(sign)}</pre>"
    )


def _anchor(key: tuple[str, str]) -> str:
    return f"{key[0]}{key[1]}".lower().replace("/", "-")


def _recent(app: App, limit: int, anchor: str) -> str:
    everything = app.requests.recent()
    recent = everything[:limit]
    if anchor == "requests":
        intro = (
            f"<p>最近 {app.requests.capacity} 个请求，新的在前；密钥已打码。点编号看请求体与响应体。<br>"
            f"The last {app.requests.capacity} requests, newest first, secrets masked; "
            "follow a number for the request and answer bodies. "
            f'<a href="/#requests">刷新 refresh</a> · <a href="{REQUESTS_PATH}">JSON</a></p>'
        )
    else:
        intro = (
            f"<p>最新 {limit} 个，点编号看详情 / the newest {limit}; follow a number for the bodies. "
            f'<a href="#requests">全部 all ({len(everything)})</a> · <a href="/">刷新 refresh</a></p>'
        )
    parts = [f'<section id="{anchor}"><h2>最近请求 <small>Recent requests</small></h2>', intro]
    if not recent:
        parts.append("<p><em>还没有请求 / no requests yet.</em></p></section>")
        return "\n".join(parts)
    rows = [
        f'<tr class="request"><td><a class="request-link" href="{REQUESTS_PATH}/{item.number}">#{item.number}</a></td>'
        f"<td>{escape(_time(item.time)[11:])}</td><td>{escape(item.method)}</td>"
        f'<td><code>{escape(item.target)}</code></td><td class="{_status_class(item)}">{_status(item)}</td></tr>'
        for item in recent
    ]
    parts.append(
        "<table><thead><tr><th>#</th><th>时间 time</th><th>方法 method</th><th>路径 path</th>"
        "<th>状态 status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )
    return "\n".join(parts)


def _time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _status(item: Exchange) -> str:
    return "断开 dropped" if item.status is None else str(item.status)


def _status_class(item: Exchange) -> str:
    if item.status is None or item.status >= 400:
        return "bad"
    return "bad" if item.errcode not in (None, 0) else "ok"


def _tenant(app: App) -> str:
    state = app.state
    with state.lock:
        tenant = state.tenant
        directory = tenant.directory
        users = sorted(directory.users.values(), key=lambda u: (u.dept_id, u.userid))
        depts = list(directory.depts.values())
        dept_names = {d.dept_id: d.name for d in depts}
        categories = list(directory.categories.values())
        templates = list(tenant.templates.values())
        admins = (directory.main_admin, *directory.sub_admins)
        counts = tenant.object_counts()
        admin_names = {a: directory.users[a].name for a in admins if a in directory.users}
    admin_text = "、".join(f"<code>{escape(a)}</code> {escape(admin_names.get(a, ''))}" for a in admins)
    user_rows = "".join(
        f"<tr><td><code>{escape(u.userid)}</code></td><td>{escape(u.name)}</td>"
        f"<td>{escape(dept_names.get(u.dept_id, ''))} <code>{u.dept_id}</code></td></tr>"
        for u in users
    )
    dept_rows = "".join(
        f"<tr><td><code>{d.dept_id}</code></td><td>{escape(d.name)}</td>"
        f"<td>{'' if d.parent_id is None else d.parent_id}</td></tr>"
        for d in depts
    )
    category_rows = "".join(
        f"<tr><td><code>{escape(c.id)}</code></td><td>{escape(c.name)}</td></tr>" for c in categories
    )
    template_rows = "".join(
        f"<tr><td><code>{escape(t.id)}</code></td><td>{escape(t.name)}</td>"
        f"<td>{escape('、'.join(f.field_name for f in t.fields))}</td>"
        f"<td>{escape('、'.join(dept_names.get(d, str(d)) for d in t.dept_ids) or '全员 everyone')}</td></tr>"
        for t in templates
    )
    count_text = " · ".join(f"{escape(k)}: {v}" for k, v in counts.items())
    return (
        '<section id="tenant"><h2>租户数据 <small>Tenant</small></h2>\n'
        "<p>用例可以使用的对象（<code>data/profiles/sandbox.yaml</code> 引用其中的一些）。"
        "<code>POST /__sandbox/reset</code> 恢复初始数据。<br>What cases may use; reset brings it back.</p>\n"
        f"<p>公告管理员 blackboard admins: {admin_text}（第一个是主管理员 / the first is the main admin）</p>\n"
        f'<p class="note">{count_text}</p>\n'
        f"<h3>部门 <small>Departments ({len(depts)})</small></h3>"
        f"<table><tr><th>dept_id</th><th>名称 name</th><th>上级 parent</th></tr>{dept_rows}</table>\n"
        f"<h3>公告分类 <small>Blackboard categories ({len(categories)})</small></h3>"
        f"<table><tr><th>category_id</th><th>名称 name</th></tr>{category_rows}</table>\n"
        f"<h3>日志模板 <small>Report templates ({len(templates)})</small></h3>"
        "<table><tr><th>template_id</th><th>名称 name</th><th>字段 fields</th><th>可见范围 visible to</th></tr>"
        f"{template_rows}</table>\n"
        f"<details><summary>用户 Users ({len(users)})</summary>"
        f"<table><tr><th>userid</th><th>姓名 name</th><th>部门 department</th></tr>{user_rows}</table></details>"
        "</section>"
    )


def _changed_settings(app: App) -> dict[str, Any]:
    from sandbox.config import SandboxConfig

    defaults = SandboxConfig().settings()
    return {k: v for k, v in app.state.config.settings().items() if k != "seed" and v != defaults.get(k)}


def _faults(app: App) -> str:
    config = app.state.config
    changed = _changed_settings(app)
    rows = "".join(
        f'<tr class="{"changed" if key in changed else ""}"><td><code>{escape(key)}</code></td>'
        f"<td>{escape(_setting_text(value))}</td></tr>"
        for key, value in config.settings().items()
    )
    parts = [
        '<section id="faults"><h2>故障与限流 <small>Faults and the QPS limit</small></h2>',
        "<p>当前设置（改过的高亮），<code>POST /__sandbox/faults</code> 可在运行时修改。"
        "The settings in force (changed ones highlighted); <code>POST /__sandbox/faults</code> changes them.</p>",
        f"<table><tr><th>设置 setting</th><th>值 value</th></tr>{rows}</table>",
    ]
    if config.mutant:
        parts.append(_mutant(config.mutant))
    parts.append("</section>")
    return "\n".join(parts)


def _setting_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


def _mutant(name: str) -> str:
    from sandbox.mutants import MUTANTS  # here: sandbox.mutants imports sandbox.app

    mutant = MUTANTS.get(name)
    if mutant is None:
        return f'<p class="warn">变异体 mutant: <code>{escape(name)}</code></p>'
    return (
        '<div class="warn"><h3>变异体 <small>Contract mutant</small></h3>'
        f"<p>这个沙箱故意违反一条文档约定 / this sandbox breaks one documented point on purpose: "
        f"<code>{escape(mutant.name)}</code> ({escape(mutant.kind)}) · <code>{escape(mutant.endpoint)}</code></p>"
        f"<p>{escape(mutant.statement)}</p></div>"
    )


def _service_endpoints(base_url: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(e.method)}</td><td><code>{escape(e.path)}</code></td><td>{escape(e.chinese)}</td>"
        f"<td>{escape(e.english)}</td></tr>"
        for e in SERVICE_ENDPOINTS
    )
    return (
        '<section id="sandbox"><h2>沙箱接口 <small>Sandbox endpoints</small></h2>'
        "<p>沙箱自身的接口（钉钉没有）。The sandbox's own endpoints (not DingTalk's).</p>"
        f"<table><tr><th>方法 method</th><th>路径 path</th><th>说明</th><th>what</th></tr>{rows}</table>"
        f"<pre>{escape(f'curl -s {base_url}/__sandbox/stats')}</pre></section>"
    )


# --- one request ----------------------------------------------------------------------------------------------


def _detail(item: Exchange) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in item.request_headers.items())
    return (
        f'<p><a href="/#requests">← 返回首页 back to the front door</a></p>\n'
        f"<h1>请求 #{item.number} <small>Request</small></h1>\n"
        "<table>"
        f"<tr><th>时间 time (UTC+8)</th><td>{escape(_time(item.time))}</td></tr>"
        f'<tr><th>请求 request</th><td><code id="target">{escape(item.method)} {escape(item.target)}</code></td></tr>'
        f'<tr><th>状态 status</th><td class="{_status_class(item)}" id="status">{_status(item)}</td></tr>'
        "</table>\n"
        f'<h2>请求头 <small>Request headers</small></h2><pre id="request-headers">{escape(headers)}</pre>\n'
        '<h2>请求体 <small>Request body</small></h2><pre id="request-body">'
        f"{escape(item.request_body or '（空 empty）')}</pre>\n"
        f'<h2>响应体 <small>Answer body</small></h2><pre id="answer-body">'
        f"{escape(item.answer_body or '（无响应 no answer: the connection was closed）')}</pre>"
    )


def _not_found(number: int, capacity: int) -> str:
    return (
        '<p><a href="/#requests">← 返回首页 back to the front door</a></p>'
        f"<h1>没有请求 #{number} <small>No request #{number}</small></h1>"
        f"<p>只保留最近 {capacity} 个请求。Only the last {capacity} requests are kept.</p>"
    )


STYLE_SHEET = """
body{font-family:"PingFang SC","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Zen Hei",system-ui,sans-serif;
margin:0 auto;max-width:1240px;padding:1rem 1.5rem;color:#1f2329;line-height:1.5}
h1{font-size:1.6rem;margin:.4rem 0}h2{border-bottom:2px solid #3370ff;padding-bottom:.2rem;margin-top:2rem}
h3{margin:1.2rem 0 .4rem}small{color:#646a73;font-weight:normal}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f5f6f7;border:1px solid #dee0e3;border-radius:4px;padding:.5rem .7rem;overflow-x:auto;
white-space:pre-wrap;word-break:break-all;font-size:.85rem;margin:.3rem 0}
table{border-collapse:collapse;margin:.4rem 0;font-size:.9rem}
td,th{border:1px solid #dee0e3;padding:.2rem .5rem;text-align:left;vertical-align:top}th{background:#f5f6f7}
nav{background:#f0f4ff;padding:.5rem .8rem;border-radius:4px;margin:.6rem 0}
a{color:#245bdb}.badge{display:inline-block;background:#e1eaff;border-radius:10px;padding:.1rem .6rem;
margin-right:.3rem;font-size:.85rem}.warn{background:#fff3e8}.badge.warn{background:#ffe0c2}
div.warn{border:1px solid #ff8800;border-radius:4px;padding:.2rem .8rem;margin-top:.6rem}
.method{display:inline-block;min-width:3.2rem;font-weight:bold;color:#245bdb}.path{font-weight:bold}
.note{color:#646a73;font-size:.85rem}.endpoint{margin:.6rem 0 1rem}
.ok{color:#2ea121}.bad{color:#d83931;font-weight:bold}tr.changed td{background:#fff3e8}
.lead{font-size:1rem}.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.5rem}
table.index{width:100%}table.index td,table.index th{border:none;
border-bottom:1px solid #eff0f1;padding:.1rem .4rem}
table.index th{background:none;padding-top:.6rem}.grid h2{margin-top:1rem}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{STYLE_SHEET}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
