"""common.run.checks: status, errcode (both envelopes), code, schema (error or success) and body, reported at once,
as data: every check an outcome (held or not) with its kind, path, expected, actual and YAML line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.cases.jsonpath import MISSING
from common.cases.model import Auth, Case, Expectation, RequestSpec, Source, Step
from common.cases.problems import Outcome, problems
from common.cases.schemas import SchemaStore
from common.cases.templating import Context
from common.run.checks import (
    CheckContext,
    check_errcode,
    check_schema,
    check_status,
    field_outcomes,
    field_problems,
    run_checks,
    schema_outcomes,
    status_outcomes,
)
from tests.framework.fakes import blackboard_result, response

HEAD = "epic: E\nfeature: f\ncases:\n  - id: c\n    title: t\n"


def lines(found: list[Outcome]) -> list[str]:
    """The problems among ``found`` as the terminal lists them."""
    return [problem.line() for problem in problems(found)]


@pytest.fixture
def context(schemas: SchemaStore) -> CheckContext:
    return CheckContext(schemas, Context({"uid": "bb-1", "profile": {"category_id": "cat"}}))


@pytest.fixture
def step_of(load_case: Callable[[str], Case]) -> Callable[[str], Step]:
    """The one step of a case whose request and expect are given as YAML (indented under the case)."""

    def build(yaml: str) -> Step:
        return load_case(HEAD + yaml).steps[0]

    return build


def bare_step(api: str, path: str, schema: str | None = None) -> Step:
    request = RequestSpec(api, "POST", path, None, None, None, Auth.TOKEN)
    return Step(f"POST {path}", request, Expectation(200, (), (), schema, ()), (), Source("cases.yaml", 4))


RESULT = blackboard_result("bb-1", "t")
"""A blackboard/get result with every field DingTalk's page 获取公告详情 lists."""
GET_STEP = """\
    request: {path: /topapi/blackboard/get, json: {}}
    expect:
      body:
        result.id: ${uid}
        result.category_id: ${profile.category_id}
"""


def test_every_problem_is_listed(step_of: Callable[[str], Step], context: CheckContext) -> None:
    body = {"errcode": 0, "errmsg": "ok", "success": True, "request_id": "r1", "result": {**RESULT, "id": "other"}}
    answer = response(body, status=500)
    found = lines(run_checks(answer, step_of(GET_STEP), context))
    assert "status: expected HTTP 200, got 500" in found
    assert "result.id: expected 'bb-1', got 'other'" in found
    assert not any(problem.startswith("result.category_id") for problem in found)


def test_a_wrong_status_quotes_the_new_hosts_code(context: CheckContext) -> None:
    qps = {"requestid": "r", "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "too fast"}
    step = bare_step("api", "/v1.0/hrm/employees/dismissions")
    assert lines(check_status(response(qps, status=403), step, context)) == [
        "status: expected HTTP 200, got 403 (code: Forbidden.AccessDenied.QpsLimitForAppkeyAndApi: too fast)"
    ]


def test_a_matching_answer_has_no_problems(step_of: Callable[[str], Step], context: CheckContext) -> None:
    answer = response({"errcode": 0, "errmsg": "ok", "success": True, "request_id": "r1", "result": RESULT})
    assert problems(run_checks(answer, step_of(GET_STEP), context)) == []


LISTIDS = "    request: {path: /topapi/blackboard/listids, json: {}}\n"


@pytest.mark.parametrize(
    ("errcode", "body", "problems"),
    [
        ("0", {"errcode": 0, "result": []}, []),
        ("40035", {"errcode": 40035, "errmsg": "缺少参数"}, []),
        ("{ne: 0}", {"error_response": {"code": 15, "msg": "Remote service error"}}, []),
        ("0", {"error_response": {"code": 15, "msg": "Remote service error"}}, ["errcode: expected 0, got 15"]),
        ("40035", {"errcode": 0, "result": []}, ["errcode: expected 40035, got 0"]),
        (
            "40035",
            {"errcode": 40096, "errmsg": "不合法的appKey"},
            ["errcode: expected 40035, got 40096 (errmsg: 不合法的appKey)"],
        ),
        ("0", {"result": []}, ["errcode: missing (the body has no 'errcode')"]),
        ("any", {"result": []}, []),
    ],
)
def test_errcode_from_either_envelope(
    step_of: Callable[[str], Step], context: CheckContext, errcode: str, body: Any, problems: list[str]
) -> None:
    step = step_of(f"{LISTIDS}    expect: {{errcode: {errcode}}}\n")
    assert lines(check_errcode(response(body), step, context)) == problems


@pytest.mark.parametrize(
    ("code", "problems"),
    [
        ("InvalidAuthentication", []),
        ("invalidParameter", ["code: expected 'invalidParameter', got 'InvalidAuthentication'"]),
    ],
)
def test_the_new_host_s_code(
    step_of: Callable[[str], Step], context: CheckContext, code: str, problems: list[str]
) -> None:
    step = step_of(f"    request: {{api: api, path: /v1.0/x}}\n    expect: {{status: 400, code: {code}}}\n")
    answer = response({"requestid": "r", "code": "InvalidAuthentication", "message": "m"}, status=400)
    assert lines(run_checks(answer, step, context)) == problems


@pytest.mark.parametrize(
    ("api", "path", "body", "status", "schema"),
    [
        ("oapi", "/topapi/blackboard/listids", {"errcode": 0, "result": "a"}, 200, "oapi/topapi/blackboard/listids"),
        ("oapi", "/topapi/blackboard/listids", {"errcode": 40035}, 200, "oapi/error"),
        ("oapi", "/topapi/blackboard/listids", {"errcode": 0, "result": []}, 502, "oapi/error"),
        ("oapi", "/service/get_auth_info", {"error_response": {"code": 15}}, 200, "oapi/service/get_auth_info.error"),
        ("api", "/v1.0/hrm/employees/dismissions", {"code": "x"}, 400, "api/error"),
        ("api", "/v1.0/hrm/employees/dismissions", {"code": "x"}, 200, "api/v1.0/hrm/employees/dismissions"),
    ],
    ids=["success", "error", "http-error", "own-error", "api-error", "api-success"],
)
def test_the_schema_follows_the_answer(
    context: CheckContext, api: str, path: str, body: Any, status: int, schema: str
) -> None:
    found = lines(check_schema(response(body, status=status), bare_step(api, path), context))
    assert found
    assert all(problem.startswith(f"schema {schema}: body") for problem in found), found


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/topapi/blackboard/listids", {"errcode": 0, "success": True, "request_id": "r1", "result": ["a"]}),
        ("/topapi/blackboard/listids", {"errcode": 40035, "errmsg": "缺少参数"}),  # not the success schema
        (
            "/service/get_auth_info",
            {"error_response": {"code": 15, "msg": "Remote service error", "sub_code": "isv.x", "sub_msg": "x"}},
        ),  # not oapi/error
    ],
)
def test_a_body_that_fits_the_chosen_schema_passes(context: CheckContext, path: str, body: Any) -> None:
    assert check_schema(response(body), bare_step("oapi", path), context) == []


def test_a_named_schema_replaces_the_endpoint_s(context: CheckContext) -> None:
    step = bare_step("oapi", "/topapi/blackboard/listids", schema="oapi/gettoken")
    found = lines(check_schema(response({"errcode": 0, "result": []}), step, context))
    assert found
    assert all(problem.startswith("schema oapi/gettoken: ") for problem in found)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"errcode": 0}, "schema: no schemas/oapi/topapi/no-such-method.json to check this answer"),
        ({"errcode": 22, "errmsg": "Invalid method"}, None),
    ],
)
def test_a_missing_schema_is_reported(context: CheckContext, body: Any, problem: str | None) -> None:
    found = lines(check_schema(response(body), bare_step("oapi", "/topapi/no-such-method"), context))
    assert found == ([problem] if problem else [])


def test_a_body_that_is_not_json(context: CheckContext) -> None:
    answer = response(None, status=502, text="<html>bad gateway</html>")
    found = lines(check_schema(answer, bare_step("oapi", "/topapi/blackboard/listids"), context))
    assert found == ["schema: the body is not JSON: '<html>bad gateway</html>'"]


def test_an_expected_value_that_cannot_render(step_of: Callable[[str], Step], schemas: SchemaStore) -> None:
    step = step_of(GET_STEP)
    answer = response({"errcode": 0, "errmsg": "ok", "success": True, "request_id": "r1", "result": RESULT})
    found = run_checks(answer, step, CheckContext(schemas, Context({"profile": {"category_id": "cat"}})))
    assert lines(found) == ["result.id: cannot render the expected value: undefined variable ${uid}"]
    assert [problem.kind for problem in problems(found)] == ["render"]


def test_every_check_is_an_outcome_with_what_it_expected_and_found(
    step_of: Callable[[str], Step], context: CheckContext
) -> None:
    body = {"errcode": 0, "errmsg": "ok", "success": True, "request_id": "r1", "result": {**RESULT, "id": "other"}}
    found = run_checks(response(body), step_of(GET_STEP), context)
    assert [(outcome.kind, outcome.path, outcome.expected, outcome.actual, outcome.ok) for outcome in found] == [
        ("status", "status", 200, 200, True),
        ("errcode", "errcode", 0, 0, True),
        ("schema", "$", "oapi/topapi/blackboard/get", "conforms", True),
        ("field", "result.id", "bb-1", "other", False),
        ("field", "result.category_id", "cat", "cat", True),
    ]
    assert [outcome.title() for outcome in found[3:]] == [
        "✗ result.id: expected 'bb-1', got 'other'",
        "✓ result.category_id eq 'cat' (actual 'cat')",
    ]
    assert [outcome.where.rsplit(":", 1)[1] for outcome in found[3:]] == ["9", "10"]  # the assertions' lines
    assert found[3].as_json() == {
        "kind": "field",
        "path": "result.id",
        "comparator": "eq",
        "expected": "bb-1",
        "actual": "other",
        "ok": False,
        "problem": "expected 'bb-1', got 'other'",
        "where": found[3].where,
    }


@pytest.mark.parametrize(
    ("body", "status", "kinds"),
    [
        ({"errcode": 90018, "errmsg": "limited"}, 200, ["errcode"]),
        ({"errcode": 0, "result": "not a list"}, 200, ["schema"]),
        ({"errcode": 0, "success": True, "request_id": "r", "result": []}, 502, ["status", "schema"]),
    ],
)
def test_each_problem_names_its_kind(
    step_of: Callable[[str], Step], context: CheckContext, body: Any, status: int, kinds: list[str]
) -> None:
    step = step_of(f"{LISTIDS}    expect: {{errcode: 0}}\n")
    found = problems(run_checks(response(body, status=status), step, context))
    assert list(dict.fromkeys(problem.kind for problem in found)) == kinds


WHERE = "cases.yaml:4"
"""Where ``bare_step`` is written: every outcome of its checks points there."""


@pytest.mark.parametrize(
    ("body", "status", "outcome"),
    [
        ({"errcode": 0}, 200, Outcome("status", "status", 200, 200, where=WHERE)),
        (
            {"requestid": "r", "code": "Forbidden.AccessDenied", "message": "no"},
            403,
            Outcome(
                "status",
                "status",
                200,
                403,
                "expected HTTP 200, got 403 (code: Forbidden.AccessDenied: no)",
                where=WHERE,
                answer_code="Forbidden.AccessDenied",
            ),
        ),
        (
            {"code": "InvalidAuthentication"},
            401,
            Outcome(
                "status",
                "status",
                200,
                401,
                "expected HTTP 200, got 401 (code: InvalidAuthentication: )",
                where=WHERE,
                answer_code="InvalidAuthentication",
            ),
        ),
        (
            {"code": "", "message": "m"},
            500,
            Outcome("status", "status", 200, 500, "expected HTTP 200, got 500", where=WHERE),
        ),
        (
            ["not", "an", "object"],
            500,
            Outcome("status", "status", 200, 500, "expected HTTP 200, got 500", where=WHERE),
        ),
        (None, 502, Outcome("status", "status", 200, 502, "expected HTTP 200, got 502", where=WHERE)),
    ],
    ids=["held", "code-and-message", "code-alone", "empty-code", "list-body", "no-body"],
)
def test_the_status_outcome(context: CheckContext, body: Any, status: int, outcome: Outcome) -> None:
    step = bare_step("api", "/v1.0/hrm/employees/dismissions")
    assert status_outcomes(response(body, status=status), step, context) == [outcome]


@pytest.mark.parametrize("body", [None, ["errcode", 0]], ids=["no-body", "list-body"])
def test_errcode_of_a_body_that_is_no_object_is_missing(
    step_of: Callable[[str], Step], context: CheckContext, body: Any
) -> None:
    step = step_of(f"{LISTIDS}    expect: {{errcode: 0}}\n")
    answer = response(body, status=502, text="<html>bad gateway</html>")
    assert lines(check_errcode(answer, step, context)) == ["errcode: missing (the body has no 'errcode')"]


def test_a_code_problem_is_of_kind_code(step_of: Callable[[str], Step], context: CheckContext) -> None:
    step = step_of("    request: {api: api, path: /v1.0/x}\n    expect: {status: 400, code: invalidParameter}\n")
    answer = response({"requestid": "r", "code": "InvalidAuthentication", "message": "m"}, status=400)
    assert [(problem.kind, problem.path) for problem in problems(run_checks(answer, step, context))] == [
        ("code", "code")
    ]


def test_a_field_check_after_one_that_cannot_render_is_still_made(
    step_of: Callable[[str], Step], schemas: SchemaStore
) -> None:
    answer = response({"errcode": 0, "errmsg": "ok", "success": True, "request_id": "r1", "result": RESULT})
    step = step_of(GET_STEP)
    found = field_outcomes(
        step.expect.body, answer.body, CheckContext(schemas, Context({"profile": {"category_id": "x"}}))
    )
    assert found == [
        Outcome(
            "render",
            "result.id",
            "${uid}",
            MISSING,
            "cannot render the expected value: undefined variable ${uid}",
            "eq",
            "cases.yaml:9",
        ),
        Outcome("field", "result.category_id", "x", "cat", "expected 'x', got 'cat'", "eq", "cases.yaml:10"),
    ]


def test_field_problems_are_the_failed_field_outcomes(step_of: Callable[[str], Step], context: CheckContext) -> None:
    checks = step_of(GET_STEP).expect.body
    body = {"result": {"id": "other", "category_id": "cat"}}
    assert field_problems(checks, body, context) == [
        Outcome("field", "result.id", "bb-1", "other", "expected 'bb-1', got 'other'", "eq", "cases.yaml:9")
    ]
    assert field_problems(checks, {"result": {"id": "bb-1", "category_id": "cat"}}, context) == []


LONG_PAGE = "<html>" + "x" * 200 + "</html>"


def test_a_body_that_is_not_json_is_one_schema_outcome_quoting_its_first_120_characters(context: CheckContext) -> None:
    answer = response(None, status=502, text=LONG_PAGE)
    found = schema_outcomes(answer, bare_step("oapi", "/topapi/blackboard/listids"), context)
    start = LONG_PAGE[:120]
    assert found == [
        Outcome("schema", "$", "JSON", start, f"the body is not JSON: {start!r}", "schema", WHERE, "schema")
    ]


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        (
            {"errcode": 0},
            "oapi/topapi/blackboard/listids",
            "no schemas/oapi/topapi/blackboard/listids.json to check this answer",
        ),
        ({"errcode": 40035}, "oapi/error", "no schemas/oapi/error.json to check this error"),
    ],
)
def test_an_answer_without_its_schema_is_one_outcome_naming_the_file(
    tmp_path: Path, body: Any, name: str, reason: str
) -> None:
    empty = CheckContext(SchemaStore(tmp_path), Context({}))
    found = schema_outcomes(response(body), bare_step("oapi", "/topapi/blackboard/listids"), empty)
    assert found == [Outcome("schema", "$", name, "no such schema", reason, "schema", WHERE, "schema")]


def test_a_conforming_body_is_one_outcome_labelled_with_its_schema(context: CheckContext) -> None:
    body = {"errcode": 0, "success": True, "request_id": "r1", "result": ["a"]}
    found = schema_outcomes(response(body), bare_step("oapi", "/topapi/blackboard/listids"), context)
    name = "oapi/topapi/blackboard/listids"
    assert found == [Outcome("schema", "$", name, "conforms", comparator="schema", where=WHERE, label=f"schema {name}")]


def test_each_schema_problem_is_an_outcome_labelled_with_its_schema(
    context: CheckContext, schemas: SchemaStore
) -> None:
    body = {"errcode": 0, "result": "a"}
    name = "oapi/topapi/blackboard/listids"
    found = schema_outcomes(response(body), bare_step("oapi", "/topapi/blackboard/listids"), context)
    expected = schemas.problems(name, body)
    assert len(expected) > 1
    assert found == [
        Outcome("schema", "$", name, "does not conform", problem, "schema", WHERE, f"schema {name}")
        for problem in expected
    ]


def test_on_the_new_host_only_the_status_tells_an_error(context: CheckContext) -> None:
    step = bare_step("api", "/v1.0/hrm/employees/dismissions")
    found = schema_outcomes(response({"errcode": 40035}), step, context)
    assert {outcome.expected for outcome in found} == {"api/v1.0/hrm/employees/dismissions"}
