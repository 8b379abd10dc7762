"""The sandbox's front door (`GET /`), its request log, `GET /__sandbox/openapi.json`, `--verbose` and a bad start.

Most tests drive an `App` in process (no sockets); the route list comes from the route table, never a count."""

import html
import json
import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from jsonschema import Draft202012Validator

from sandbox.__main__ import main
from sandbox.app import App
from sandbox.config import SandboxConfig
from sandbox.faults import FaultSettings
from sandbox.front_door.catalog import SERVICE_ENDPOINTS, examples
from sandbox.mutants import MUTANTS
from sandbox.openapi import load_schemas, schema_files
from sandbox.process import PROJECT_ROOT
from sandbox.protocol.envelopes import Style
from sandbox.protocol.messages import Reply, Request
from sandbox.request_log import RequestLog
from sandbox.routes import build_routes, robot
from sandbox.server import SandboxServer
from sandbox.state import TenantState
from sandbox.testing import FakeClock, RecordingSleep

ROUTES = build_routes()
APPKEY, APPSECRET = "front-door-appkey", "front-door-appsecret-0123"
HOST = {"host": "127.0.0.1:8123"}
JSON = {"content-type": "application/json"}


def make_app(**config: Any) -> App:
    config.setdefault("faults", FaultSettings(qps=0))
    state = TenantState(SandboxConfig(APPKEY, APPSECRET, clock=FakeClock(), **config))
    return App(state, build_routes())


@pytest.fixture
def app() -> App:
    return make_app()


def get(app: App, path: str) -> Reply:
    reply = app.handle(Request("GET", path, HOST, b""))
    assert reply is not None
    return reply


def page(app: App, path: str = "/") -> str:
    reply = get(app, path)
    assert reply.status == 200 and isinstance(reply.body, str), reply
    return html.unescape(reply.body)


def token_of(app: App) -> str:
    reply = get(app, f"/gettoken?{urlencode({'appkey': APPKEY, 'appsecret': APPSECRET})}")
    assert reply.body["errcode"] == 0, reply
    return reply.body["access_token"]


def send(app: App, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> Reply:
    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    target = f"{path}?{urlencode(query)}" if query else path
    reply = app.handle(Request(method, target, {**HOST, **JSON, **headers}, data))
    assert reply is not None
    return reply


def filled(app: App, token: str, values: dict[str, str]) -> dict[str, str]:
    """An example's query or headers with its `${PLACEHOLDERS}` replaced by working values."""
    now_ms = str(int(app.state.now() * 1000))
    known = {
        "${ACCESS_TOKEN}": token,
        "${APPSECRET}": APPSECRET,
        "${ROBOT_TOKEN}": robot.DEFAULT_ROBOT_TOKEN,
        "${TIMESTAMP}": now_ms,
        "${SIGN}": robot.signature(robot.DEFAULT_ROBOT_SECRET, now_ms),
    }
    return {key: known.get(value, value) for key, value in values.items()}


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_page_lists_every_route_with_an_example(app: App) -> None:
    text = page(app)
    for (method, path), example in examples(app.state, app.routes).items():
        assert f">{path}<" in get(app, "/").body, f"{method} {path} is not on the page"
        assert example.curl("http://127.0.0.1:8123") in text, f"the example of {method} {path} is not on the page"
    for endpoint in SERVICE_ENDPOINTS:
        assert endpoint.path in text


@pytest.mark.parametrize("key", list(ROUTES), ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_example_is_accepted_by_the_seeded_tenant(key: tuple[str, str]) -> None:
    app = make_app()
    token = token_of(app)
    example = examples(app.state, app.routes)[key]
    query, headers = filled(app, token, dict(example.query)), filled(app, token, dict(example.headers))
    reply = send(app, example.method, example.path, query, headers, example.body)
    assert reply.status == 200, reply
    if ROUTES[key].style is not Style.ACS:
        assert reply.body.get("errcode") == 0, reply.body


def test_the_page_lists_the_tenants_people_departments_categories_and_templates(app: App) -> None:
    text = page(app)
    tenant = app.state.tenant
    for user in tenant.directory.users.values():
        assert user.userid in text and user.name in text
    for dept in tenant.directory.depts.values():
        assert str(dept.dept_id) in text and dept.name in text
    for category in tenant.directory.categories.values():
        assert category.id in text and category.name in text
    for template in tenant.templates.values():
        assert template.id in text and template.name in text


def test_the_page_lists_recent_requests_and_their_details_with_every_secret_masked(app: App) -> None:
    token = token_of(app)
    board = {"operation_userid": "manager4220"}
    send(app, "POST", "/topapi/blackboard/category/list", {"access_token": token}, {}, board)
    acs = {"x-acs-dingtalk-access-token": token}
    send(app, "GET", "/v1.0/hrm/employees/dismissions", {"maxResults": "2"}, acs, None)
    now_ms = str(int(app.state.now() * 1000))
    sign = robot.signature(robot.DEFAULT_ROBOT_SECRET, now_ms)
    query = {"access_token": robot.DEFAULT_ROBOT_TOKEN, "timestamp": now_ms, "sign": sign}
    send(app, "POST", "/robot/send", query, {}, {"msgtype": "text", "text": {"content": "来自测试的消息"}})
    secrets = (token, APPSECRET, sign, robot.DEFAULT_ROBOT_TOKEN, robot.DEFAULT_ROBOT_SECRET)

    recent = app.requests.recent()
    assert [item.path for item in recent] == [
        "/robot/send",
        "/v1.0/hrm/employees/dismissions",
        "/topapi/blackboard/category/list",
        "/gettoken",
    ]
    home = page(app)
    details = {item.path: page(app, f"/__sandbox/requests/{item.number}") for item in recent}
    listing = json.dumps(get(app, "/__sandbox/requests").body, ensure_ascii=False)
    for text in (home, listing, *details.values()):
        for secret in secrets:
            assert secret not in text
    for item in recent:
        assert f'href="/__sandbox/requests/{item.number}"' in get(app, "/").body
    assert "/topapi/blackboard/category/list?access_token=***" in home
    category_list = details["/topapi/blackboard/category/list"]
    assert '"operation_userid": "manager4220"' in category_list  # the request body
    assert '"name": "公司新闻"' in category_list  # the answer body
    assert '"access_token": "***"' in details["/gettoken"] and "appsecret=***" in details["/gettoken"]
    assert "x-acs-dingtalk-access-token: ***" in details["/v1.0/hrm/employees/dismissions"]
    assert "来自测试的消息" in details["/robot/send"] and "sign=***" in details["/robot/send"]


def test_the_front_doors_own_pages_are_not_recorded_and_a_forgotten_request_is_404(app: App) -> None:
    app.requests = RequestLog(capacity=2)
    for _ in range(3):
        get(app, "/__sandbox/health")
    for path in ("/", "/__sandbox/openapi.json", "/__sandbox/requests", "/__sandbox/requests/3"):
        get(app, path)
    assert [item.number for item in app.requests.recent()] == [3, 2]
    assert get(app, "/__sandbox/requests/1").status == 404
    assert get(app, "/__sandbox/requests/4").status == 404


def test_a_dropped_call_is_listed_without_an_answer() -> None:
    app = make_app(faults=FaultSettings(drop=1.0, qps=0))
    assert app.handle(Request("GET", "/gettoken?appkey=a&appsecret=b", HOST, b"")) is None
    (item,) = app.requests.recent()
    assert item.status is None and "断开 dropped" in page(app)


def test_the_page_shows_the_faults_and_the_qps_limit_in_force() -> None:
    faults = FaultSettings(busy=0.25, latency_ms=5, qps=7)
    text = page(make_app(faults=faults, sleep=RecordingSleep()))
    assert "busy=0.25" in text and "latency_ms=5" in text and "7 次/秒" in text
    assert "不限 no limit" in page(make_app(faults=FaultSettings(qps=0)))
    assert "故障 faults: 无 none" in page(make_app())


def test_the_page_names_the_mutant_that_runs() -> None:
    mutant = next(iter(MUTANTS.values()))
    text = page(make_app(mutant=mutant.name))
    assert mutant.name in text and mutant.statement in text and mutant.endpoint in text


def test_every_sandbox_endpoint_the_page_lists_is_served(app: App) -> None:
    get(app, "/__sandbox/health")
    for endpoint in SERVICE_ENDPOINTS:
        path = endpoint.path.replace("{number}", "1")
        body = b"{}" if endpoint.method == "POST" else b""
        reply = app.handle(Request(endpoint.method, path, {**HOST, **JSON}, body))
        assert reply is not None and reply.status == 200, (endpoint, reply)


def test_what_a_request_sends_is_shown_as_text_never_as_markup(app: App) -> None:
    script = "<script>alert(1)</script>"
    send(app, "POST", f"/topapi/no/such/{script}", {"access_token": "x"}, {"user-agent": script}, {"name": script})
    (item,) = app.requests.recent()
    for path in ("/", f"/__sandbox/requests/{item.number}"):
        body = get(app, path).body
        assert "<script" not in body and "&lt;script&gt;" in body


def test_a_bad_host_header_does_not_reach_the_examples(app: App) -> None:
    reply = app.handle(Request("GET", "/", {"host": "x$(rm -rf ~)"}, b""))
    assert reply is not None and "$(rm" not in reply.body and "http://127.0.0.1:8000/gettoken" in reply.body


# --- the OpenAPI document ----------------------------------------------------------------------------------------


def openapi(app: App) -> dict[str, Any]:
    reply = get(app, "/__sandbox/openapi.json")
    assert reply.status == 200 and isinstance(reply.body, dict)
    return reply.body


def test_the_openapi_document_lists_every_route_and_sandbox_endpoint(app: App) -> None:
    document = openapi(app)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://127.0.0.1:8123"}]
    served = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert set(ROUTES) <= served
    assert {(e.method, e.path) for e in SERVICE_ENDPOINTS} <= served
    assert served == set(ROUTES) | {(e.method, e.path) for e in SERVICE_ENDPOINTS}


def test_the_openapi_document_embeds_the_projects_answer_schemas(app: App) -> None:
    document = openapi(app)
    schemas = load_schemas()
    components = document["components"]["schemas"]
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: Any = document
        for step in ref.removeprefix("#/").split("/"):
            node = node[step]  # every reference resolves inside the document
    for (method, path), route in ROUTES.items():
        success = schema_files(route)[0]
        assert success in schemas, f"{method} {path}: no schema {success} in schemas/"
        answer = document["paths"][path][method.lower()]["responses"]["200"]["content"]["application/json"]
        assert success.removesuffix(".json").replace("/", ".") in json.dumps(answer)
        assert all("$id" not in schema for schema in components.values())


def test_the_openapi_document_is_valid() -> None:
    """Checked by hand where openapi-spec-validator (not a requirement) is missing; by it where it is there."""
    document = openapi(make_app())
    assert {"openapi", "info", "paths", "components"} <= set(document) and document["info"]["title"]
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # OpenAPI 3.1 schemas are JSON Schema 2020-12
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in ("get", "post", "put", "delete", "patch", "head", "options")
            assert operation["responses"] and operation["operationId"]
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_endpoints_answered_from_recorded_doc_examples_are_listed_too(app: App) -> None:
    """sandbox/recorded.py: what the page and the document read of a recording (method, path, fields, response)."""
    path = "/topapi/front-door/recorded/example"
    response = {"errcode": 0, "result": {"value": "录制"}}
    app.recorded = {path: SimpleNamespace(api="oapi", method="POST", path=path, fields=("userid",), response=response)}
    assert path in page(app)
    document = openapi(app)
    assert document["paths"][path]["post"]["tags"] == ["recorded"]
    validator = pytest.importorskip("openapi_spec_validator")
    # the others, and every answer schema it does not refer to: the test above
    alone = {"paths": {path: document["paths"][path]}, "components": {**document["components"], "schemas": {}}}
    validator.validate({**document, **alone})


# --- --verbose and a bad start -----------------------------------------------------------------------------------


@pytest.fixture
def verbose_sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(APPKEY, APPSECRET, verbose=True, faults=FaultSettings(qps=0))
    with SandboxServer(config=config) as server:
        yield server


def test_verbose_logs_each_request_and_its_bodies_masked(
    verbose_sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = verbose_sandbox.url
    with requests.Session() as session:
        token = session.get(f"{url}/gettoken", params={"appkey": APPKEY, "appsecret": APPSECRET}).json()["access_token"]
        body = {"operation_userid": "manager4220"}
        session.post(f"{url}/topapi/blackboard/category/list", params={"access_token": token}, json=body)
    logged = capsys.readouterr().err
    assert token not in logged and APPSECRET not in logged
    lines = logged.splitlines()
    assert any("GET /gettoken?appkey=front-door-appkey&appsecret=*** 200" in line for line in lines)
    assert '    answer body: {"errcode":0,"access_token":"***","errmsg":"ok","expires_in":7200}' in lines
    assert "POST /topapi/blackboard/category/list?access_token=*** 200" in logged
    assert '    request body: {"operation_userid":"manager4220"}' in lines
    assert any(line.startswith('    answer body: {"errcode":0,"result":[{"id":') for line in lines)


def test_a_port_in_use_is_one_line_and_exit_code_2(verbose_sandbox: SandboxServer) -> None:
    port = verbose_sandbox.url.rsplit(":", 1)[1]
    second = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", port],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 2
    assert second.stderr == f"python -m sandbox: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert second.stdout == ""


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--host", "no-such-host.invalid", "--port", "0"], "no-such-host.invalid:0: "),
        (["--port", "70000"], "127.0.0.1:70000: "),
        (["--host", "203.0.113.7", "--port", "0"], "203.0.113.7:0: Cannot assign requested address"),
    ],
)
def test_any_other_bad_start_is_one_line_and_exit_code_2(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, environ={}) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"python -m sandbox: cannot listen on {reason}")
