"""python -m common.cases.scaffold: reading a doc page's curl, inferring a schema, the files it writes, its one-line
refusals; and the sandbox answering a scaffolded endpoint from its recorded example (sandbox/recorded.py)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from jsonschema import Draft202012Validator

from common.cases import scaffold
from common.cases.endpoints import load_spec, writing_endpoints
from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.scaffold import Call, Options, ScaffoldError, call_from, infer, parse_curl
from common.cases.schemas import SchemaStore
from sandbox import SandboxConfig, recorded
from sandbox.app import App
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.protocol.messages import Request
from sandbox.routes import build_routes
from sandbox.state import TenantState
from tests.framework.fakes import PROJECT

USER_GET_CURL = (
    "curl -X POST 'https://oapi.dingtalk.com/topapi/v2/user/get?access_token=ACCESS_TOKEN' \\\n"
    " -H 'Content-Type: application/json' \\\n"
    ' -d \'{"userid":"zhangsan","language":"zh_CN"}\''
)
USERS_ME_CURL = "curl -X GET 'https://api.dingtalk.com/v1.0/contact/users/me' -H 'x-acs-dingtalk-access-token: String'"
USER_GET_ANSWER = {
    "errcode": 0,
    "result": {
        "userid": "zhangsan",
        "name": "张三",
        "boss": True,
        "hired_date": 1597573616828,
        "dept_id_list": [2, 3],
        "role_list": [{"id": 100, "name": "总监", "group_name": "职务"}, {"id": 101, "name": "主管"}],
        "leader_in_dept": [],
        "union_emp_ext": {},
        "remark": None,
    },
    "errmsg": "ok",
    "request_id": "abc123",
}
USERS_ME_ANSWER = {"nick": "zhangsan", "unionId": "z21Hj", "openId": "123", "stateCode": "86"}


# ── curl ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_the_old_hosts_curl_gives_method_path_and_body_without_the_token() -> None:
    call = parse_curl(USER_GET_CURL)
    assert call == Call("oapi", "POST", "/topapi/v2/user/get", {}, {"userid": "zhangsan", "language": "zh_CN"})
    assert call.fields == ["userid", "language"]


def test_the_new_hosts_curl_gives_the_api_host_and_drops_the_token_header() -> None:
    assert parse_curl(USERS_ME_CURL) == Call("api", "GET", "/v1.0/contact/users/me", {}, None)


@pytest.mark.parametrize(
    "curl",
    [
        """curl -X POST 'https://oapi.dingtalk.com/topapi/x/get' -d '{"a": 1}'""",
        """curl -X POST 'https://oapi.dingtalk.com/topapi/x/get' --data '{"a": 1}'""",
        """curl -X POST 'https://oapi.dingtalk.com/topapi/x/get' --data-raw '{"a": 1}'""",
        """curl --request POST --url https://oapi.dingtalk.com/topapi/x/get --data-raw='{"a": 1}'""",
        """curl -XPOST "https://oapi.dingtalk.com/topapi/x/get" --header "Accept: */*" -d "{\\"a\\": 1}\"""",
        """curl 'https://oapi.dingtalk.com/topapi/x/get' -s --compressed -d '{"a": 1}'""",  # POST: it has a body
    ],
)
def test_every_way_of_giving_a_body_and_quoting_reads_the_same(curl: str) -> None:
    assert parse_curl(curl) == Call("oapi", "POST", "/topapi/x/get", {}, {"a": 1})


def test_query_parameters_but_the_token_are_kept() -> None:
    call = parse_curl("curl 'https://oapi.dingtalk.com/user/get?access_token=ACCESS_TOKEN&userid=zhangsan'")
    assert call == Call("oapi", "GET", "/user/get", {"userid": "zhangsan"}, None)


def test_method_and_path_alone_guess_the_host_from_the_path() -> None:
    assert call_from("post", "/topapi/x/get", data='{"a": 1}').api == "oapi"
    assert call_from("GET", "/v1.0/contact/users/me").api == "api"
    assert call_from("GET", "https://api.dingtalk.com/v1.0/x?y=1") == Call("api", "GET", "/v1.0/x", {"y": "1"})


@pytest.mark.parametrize(
    ("curl", "problem"),
    [
        ("curl -X POST 'https://oapi.dingtalk.com/topapi/x -d '{}'", "cannot be read (No closing quotation)"),
        ("wget https://oapi.dingtalk.com/topapi/x", "not a curl command"),
        ("curl -X POST -d '{}'", "has no URL"),
        ("curl https://oapi.dingtalk.com/a https://oapi.dingtalk.com/b", "has 2 URLs"),
        ("curl https://oapi.dingtalk.cn/topapi/x", "unknown host 'oapi.dingtalk.cn'"),
        ("curl -X POST https://oapi.dingtalk.com/topapi/x -d '{userid: 1}'", "the request body is not JSON"),
        ("curl -X POST https://oapi.dingtalk.com/topapi/x -d '[1]'", "not a JSON object"),
        ("curl -X FETCH https://oapi.dingtalk.com/topapi/x", "unknown HTTP method 'FETCH'"),
        ("curl https://oapi.dingtalk.com/topapi/x -H", "ends after -H"),
    ],
)
def test_an_unreadable_curl_is_one_line_saying_what_to_do(curl: str, problem: str) -> None:
    with pytest.raises(ScaffoldError) as caught:
        parse_curl(curl)
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


# ── the schema ───────────────────────────────────────────────────────────────────────────────────────────────


def test_the_inferred_schema_has_types_required_fields_item_shapes_and_open_objects() -> None:
    schema = infer(USER_GET_ANSWER)
    result = schema["properties"]["result"]
    assert schema["required"] == ["errcode", "result", "errmsg", "request_id"]
    assert schema["additionalProperties"] is True and result["additionalProperties"] is True
    types = {key: sub.get("type") for key, sub in result["properties"].items()}
    assert types == {
        "userid": "string",
        "name": "string",
        "boss": "boolean",
        "hired_date": "integer",
        "dept_id_list": "array",
        "role_list": "array",
        "leader_in_dept": "array",
        "union_emp_ext": "object",
        "remark": "null",
    }
    assert result["properties"]["dept_id_list"]["items"] == {"type": "integer"}
    assert "items" not in result["properties"]["leader_in_dept"]  # an empty example says nothing of its items
    roles = result["properties"]["role_list"]["items"]
    assert roles["required"] == ["id", "name"]  # group_name: only in some items
    assert set(roles["properties"]) == {"id", "name", "group_name"}
    assert infer([1, 2.5])["items"] == {"type": "number"}
    assert infer(["a", 1])["items"] == {"type": ["integer", "string"]}


def test_the_draft_schema_says_it_is_a_draft_and_takes_only_success_on_the_old_host() -> None:
    call = parse_curl(USER_GET_CURL)
    schema = scaffold.schema_for(call, USER_GET_ANSWER)
    Draft202012Validator.check_schema(schema)
    assert schema["$comment"].startswith("DRAFT")
    assert schema["$id"] == "oapi/topapi/v2/user/get.json"
    validator = Draft202012Validator(schema)
    assert validator.is_valid(USER_GET_ANSWER)
    assert validator.is_valid({**USER_GET_ANSWER, "new_field": 1})  # extra fields are allowed
    assert not validator.is_valid({**USER_GET_ANSWER, "errcode": 40035})
    assert not validator.is_valid({k: v for k, v in USER_GET_ANSWER.items() if k != "result"})


# ── the files written ────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project with the real endpoint spec and the schema examples folder."""
    (tmp_path / "data" / "spec").mkdir(parents=True)
    shutil.copy(PROJECT / "data" / "spec" / "endpoints.yaml", tmp_path / "data" / "spec" / "endpoints.yaml")
    (tmp_path / "tests" / "schemas" / "examples").mkdir(parents=True)
    return tmp_path


def run(root: Path, *argv: str, stdin: str = "", capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = scaffold.main(list(argv), stdin=io.StringIO(stdin), root=root)
    out, err = capsys.readouterr()
    return code, out, err


def test_scaffolding_the_old_host_writes_spec_schema_examples_and_cases(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(USER_GET_ANSWER, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(root, USER_GET_CURL, "--example", str(answer), capsys=capsys)
    assert (code, err) == (0, "")
    assert "wrote data/user.yaml" in out and "appended to data/spec/endpoints.yaml" in out

    spec = load_spec(root / "data" / "spec" / "endpoints.yaml")
    assert spec[-1].path == "/topapi/v2/user/get" and (spec[-1].api, spec[-1].method) == ("oapi", "POST")
    assert (spec[-1].group, spec[-1].writes) == ("user", None)
    schema = json.loads((root / "schemas/oapi/topapi/v2/user/get.json").read_text(encoding="utf-8"))
    assert schema["$comment"].startswith("DRAFT")
    record = json.loads((root / "data/spec/examples/oapi/topapi/v2/user/get.json").read_text(encoding="utf-8"))
    assert record["request"] == {"query": {}, "json": {"userid": "zhangsan", "language": "zh_CN"}}
    assert record["response"] == USER_GET_ANSWER
    checked = json.loads((root / "tests/schemas/examples/oapi/topapi/v2/user/get.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    assert all(validator.is_valid(doc) for doc in checked["valid"])
    assert len(checked["invalid"]) == 2 and not any(validator.is_valid(doc) for doc in checked["invalid"])

    cases = _load(root, "user.yaml")
    assert [case.id for case in cases] == ["v2-user-get", "v2-user-get-missing-token", "v2-user-get-missing-userid"]
    assert [case.writes for case in cases] == [False, False, False]
    success, token, missing = _raw(root, "user.yaml")
    assert success["request"] == {
        "method": "POST",
        "path": "/topapi/v2/user/get",
        "json": {"userid": "zhangsan", "language": "zh_CN"},
    }
    assert "expect" not in success  # the defaults: HTTP 200, errcode 0, the endpoint's (draft) schema
    assert token["request"]["auth"] == "none"
    assert token["expect"] == {"errcode": 88, "body": {"sub_code": "40000"}}
    assert (missing["request"]["json"], missing["expect"]) == ({"language": "zh_CN"}, {"errcode": {"ne": 0}})


def test_scaffolding_the_new_host_asserts_http_400_and_has_no_missing_parameter_case_without_parameters(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(root, USERS_ME_CURL, stdin=json.dumps(USERS_ME_ANSWER), capsys=capsys)
    assert code == 0
    assert "no parameter to leave out" in out
    cases = _load(root, "contact.yaml")
    assert [case.id for case in cases] == ["contact-users-me", "contact-users-me-missing-token"]
    token = _raw(root, "contact.yaml")[1]
    assert (token["request"]["api"], token["request"]["auth"]) == ("api", "none")
    assert token["expect"] == {"status": 400, "code": "AuthenticationFailed.MissingParameter"}


def test_a_second_endpoint_of_a_group_is_appended_and_drop_chooses_the_field(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(root, USER_GET_CURL, stdin=json.dumps(USER_GET_ANSWER), capsys=capsys)
    code, out, err = run(
        root,
        "POST",
        "/topapi/v2/user/count",
        "--data",
        '{"only_active": false, "dept_id": 1}',
        "--drop",
        "dept_id",
        stdin='{"errcode": 0, "result": {"count": 3}, "errmsg": "ok"}',
        capsys=capsys,
    )
    assert (code, err) == (0, ""), err
    assert "appended to data/user.yaml" in out
    cases = _load(root, "user.yaml")
    assert [case.id for case in cases][3:] == [
        "v2-user-count",
        "v2-user-count-missing-token",
        "v2-user-count-missing-dept-id",
    ]
    assert _raw(root, "user.yaml")[-1]["request"]["json"] == {"only_active": False}


def test_a_writing_endpoint_needs_writes_and_object(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("POST", "/topapi/v2/user/create", "--data", '{"name": "x"}')
    code, _, err = run(root, *argv, stdin='{"errcode": 0}', capsys=capsys)
    assert code == 2
    assert err == (
        "scaffold: POST /topapi/v2/user/create looks like it writes: say what it does with "
        "--writes create|update|delete|send --object NAME (e.g. --object user), or --read-only if it does not\n"
    )
    code, _, err = run(root, *argv, "--writes", "create", "--object", "user", stdin='{"errcode": 0}', capsys=capsys)
    assert (code, err) == (0, "")
    assert load_spec(root / "data" / "spec" / "endpoints.yaml")[-1].writes == "create"
    assert [case.writes for case in _load(root, "user.yaml")] == [True, True, True]


@pytest.mark.parametrize(
    ("argv", "stdin", "problem"),
    [
        ((USER_GET_CURL,), "{'errcode': 0}", "stdin: the example answer is not valid JSON"),
        ((USER_GET_CURL,), '{"errcode": 40035, "errmsg": "x"}', "the example is an error answer (errcode 40035)"),
        ((USER_GET_CURL, "--example", "nosuch.json"), "", "--example nosuch.json: cannot read it"),
        ((USER_GET_CURL, "--drop", "nosuch"), "{}", "--drop nosuch: not a field of the example request"),
        ((USER_GET_CURL, "--group", "User"), "{}", "--group 'User': a group is lowercase"),
        (("GET", "/topapi/x", "/y"), "{}", "give the doc page's curl command as one quoted argument"),
        (("curl https://example.com/x",), "{}", "unknown host 'example.com'"),
        (("POST", "/topapi/blackboard/get"), "{}", "already lists oapi /topapi/blackboard/get: --force replaces"),
    ],
)
def test_every_bad_input_is_one_line_and_writes_nothing(
    root: Path, argv: tuple[str, ...], stdin: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(path for path in root.rglob("*"))
    code, out, err = run(root, *argv, stdin=stdin, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("scaffold: ") and problem in err and err.count("\n") == 1, err
    assert sorted(path for path in root.rglob("*")) == before


def test_existing_files_are_kept_unless_force(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = root / "schemas" / "oapi" / "topapi" / "v2" / "user" / "get.json"
    schema.parent.mkdir(parents=True)
    schema.write_text("{}", encoding="utf-8")
    code, _, err = run(root, USER_GET_CURL, stdin=json.dumps(USER_GET_ANSWER), capsys=capsys)
    assert (code, err) == (2, "scaffold: schemas/oapi/topapi/v2/user/get.json exists: --force overwrites it\n")
    assert schema.read_text(encoding="utf-8") == "{}"
    code, out, _ = run(root, USER_GET_CURL, "--force", stdin=json.dumps(USER_GET_ANSWER), capsys=capsys)
    assert code == 0 and "replaced schemas/oapi/topapi/v2/user/get.json" in out
    # a second run: the spec entry is replaced with --force, but cases are never duplicated
    code, _, err = run(root, USER_GET_CURL, "--force", stdin=json.dumps(USER_GET_ANSWER), capsys=capsys)
    assert code == 2 and "data/user.yaml already has case 'v2-user-get'" in err
    specs = [e for e in load_spec(root / "data" / "spec" / "endpoints.yaml") if e.path == "/topapi/v2/user/get"]
    assert len(specs) == 1


def _load(root: Path, file_name: str) -> list[Case]:
    """The data file as the suite loads it: with the project's schemas plus the scaffolded ones, and its spec."""
    merged = root.parent / "merged-schemas"
    shutil.rmtree(merged, ignore_errors=True)
    shutil.copytree(PROJECT / "schemas", merged)
    shutil.copytree(root / "schemas", merged, dirs_exist_ok=True)
    profile = yaml.safe_load((PROJECT / "data" / "profiles" / "sandbox.yaml").read_text(encoding="utf-8"))
    writing = writing_endpoints(root / "data" / "spec" / "endpoints.yaml")
    cases = CaseLoader(SchemaStore(merged), profile, project_root=root, writing=writing).load(root / "data" / file_name)
    assert all(isinstance(case, Case) for case in cases), cases
    return cases  # type: ignore[return-value]


def _raw(root: Path, file_name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((root / "data" / file_name).read_text(encoding="utf-8"))["cases"]


# ── the sandbox: recorded endpoints and the others ───────────────────────────────────────────────────────────


@pytest.fixture
def app(tmp_path: Path) -> App:
    """A sandbox that has recorded /topapi/v2/user/get and /v1.0/contact/users/me."""
    examples = tmp_path / "examples"
    for call, answer in ((parse_curl(USER_GET_CURL), USER_GET_ANSWER), (parse_curl(USERS_ME_CURL), USERS_ME_ANSWER)):
        file = examples / f"{call.api}{call.path}.json"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(scaffold._example_record(call, answer)), encoding="utf-8")
    app = App(TenantState(SandboxConfig()), build_routes())
    app.recorded = recorded.load(examples)
    return app


def _token(app: App) -> str:
    query = urlencode({"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET})
    reply = app.handle(Request("GET", f"/gettoken?{query}", {}, b""))
    assert reply is not None
    return reply.body["access_token"]


def _post(app: App, target: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    sent = json.dumps(body).encode() if body is not None else b""
    reply = app.handle(Request("POST", target, {"content-type": "application/json", **(headers or {})}, sent))
    assert reply is not None
    return reply.status, reply.body


def test_a_recorded_old_host_endpoint_answers_its_example_and_the_documented_token_errors(app: App) -> None:
    token = _token(app)
    path = "/topapi/v2/user/get"
    status, body = _post(app, f"{path}?access_token={token}", {"userid": "someone", "language": "zh_CN"})
    assert status == 200
    assert {**body, "request_id": "abc123"} == USER_GET_ANSWER and body["request_id"] != "abc123"
    _, body = _post(app, path, {"userid": "zhangsan", "language": "zh_CN"})
    assert (body["errcode"], body["sub_code"]) == (88, "40000")
    _, body = _post(app, f"{path}?access_token=wrong", {"userid": "zhangsan", "language": "zh_CN"})
    assert (body["errcode"], body["sub_code"]) == (88, "40014")
    _, body = _post(app, f"{path}?access_token={token}", {"language": "zh_CN"})
    assert (body["errcode"], body["errmsg"]) == (40035, "缺少参数 userid")
    reply = app.handle(Request("GET", f"{path}?access_token={token}", {}, b""))
    assert reply is not None and reply.body["errcode"] == 43002
    assert app.state.stats()["calls"]["POST /topapi/v2/user/get"] == 4


def test_a_recorded_new_host_endpoint_answers_its_example_and_http_400_without_the_header(app: App) -> None:
    token = _token(app)
    reply = app.handle(Request("GET", "/v1.0/contact/users/me", {"x-acs-dingtalk-access-token": token}, b""))
    assert reply is not None and (reply.status, reply.body) == (200, USERS_ME_ANSWER)
    reply = app.handle(Request("GET", "/v1.0/contact/users/me", {}, b""))
    assert reply is not None and (reply.status, reply.body["code"]) == (400, "AuthenticationFailed.MissingParameter")
    reply = app.handle(Request("GET", "/v1.0/contact/users/me", {"x-acs-dingtalk-access-token": "x"}, b""))
    assert reply is not None and (reply.status, reply.body["code"]) == (400, "InvalidAuthentication")


def test_an_endpoint_neither_emulated_nor_recorded_says_so_in_one_line_and_in_the_log(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    recorded._warned.discard("POST /topapi/v2/user/nosuch")
    with caplog.at_level("WARNING", logger="sandbox"):
        status, body = _post(app, "/topapi/v2/user/nosuch", {})
        again = _post(app, "/topapi/v2/user/nosuch", {})
    assert status == 200 and body["errcode"] == 22
    assert body["errmsg"].startswith("Invalid method[submsg=不合法ApiName] (the sandbox does not emulate POST ")
    assert "python -m common.cases.scaffold" in body["errmsg"] and "\n" not in body["errmsg"]
    assert again[1]["errcode"] == 22
    warnings = [
        r.getMessage() for r in caplog.records if "POST /topapi/v2/user/nosuch is not emulated" in r.getMessage()
    ]
    assert len(warnings) == 1  # once per endpoint and process
    reply = app.handle(Request("GET", "/v1.0/contact/nosuch", {}, b""))
    assert reply is not None and reply.status == 404
    assert reply.body["errmsg"].startswith("the sandbox does not emulate GET /v1.0/contact/nosuch: record it")


def test_a_broken_recording_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "bad.json").write_text('{"api": "oapi"}', encoding="utf-8")
    with caplog.at_level("WARNING", logger="sandbox"):
        assert recorded.load(tmp_path) == {}
    assert "is not a recorded example" in caplog.text


def test_options_default_to_reading_endpoints() -> None:
    assert Options().writes is None and scaffold.default_group(parse_curl(USERS_ME_CURL)) == "contact"
