"""Checks the DingTalk response JSON Schemas under schemas/ against examples taken from the docs.

Expected data comes from DingTalk's documentation pages (docs/dingtalk-api.md), never from an
implementation: tests/schemas/examples/<same path as the schema> holds {"valid": [...], "invalid": [...]}.
"""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from common.cases.endpoints import load_spec

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
EXAMPLES = Path(__file__).resolve().parent / "examples"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

OAPI_SUCCESS = [
    "oapi/gettoken.json",
    "oapi/topapi/blackboard/create.json",
    "oapi/topapi/blackboard/update.json",
    "oapi/topapi/blackboard/delete.json",
    "oapi/topapi/blackboard/get.json",
    "oapi/topapi/blackboard/listids.json",
    "oapi/topapi/blackboard/listtopten.json",
    "oapi/topapi/blackboard/category/list.json",
    "oapi/topapi/report/create.json",
    "oapi/topapi/report/list.json",
    "oapi/topapi/report/simplelist.json",
    "oapi/topapi/report/getunreadcount.json",
    "oapi/topapi/report/template/getbyname.json",
    "oapi/topapi/report/template/listbyuserid.json",
    "oapi/topapi/report/statistics/listbytype.json",
    "oapi/topapi/report/receiver/list.json",
    "oapi/topapi/report/comment/list.json",
    "oapi/topapi/smartwork/hrm/employee/querypreentry.json",
    "oapi/topapi/smartwork/hrm/employee/queryonjob.json",
    "oapi/topapi/checkin/record/get.json",
    "oapi/topapi/union/cooperate/joined/list.json",
    "oapi/topapi/serviceaccount/list.json",
    "oapi/service/get_auth_info.json",
]
API_SUCCESS = ["api/v1.0/hrm/employees/dismissions.json"]
SUCCESS = OAPI_SUCCESS + API_SUCCESS
ERRORS = [
    "oapi/error.json",
    "oapi/service/get_auth_info.error.json",
    "api/error.json",
]
EXPECTED = SUCCESS + ERRORS

# Endpoints whose responses page; their examples must include the end-of-paging forms.
PAGED = {
    "oapi/topapi/report/list.json": ("result", "next_cursor"),
    "oapi/topapi/report/simplelist.json": ("result", "next_cursor"),
    "oapi/topapi/report/statistics/listbytype.json": ("result", "next_cursor"),
    "oapi/topapi/report/receiver/list.json": ("result", "next_cursor"),
    "oapi/topapi/report/comment/list.json": ("result", "next_cursor"),
    "oapi/topapi/report/template/listbyuserid.json": ("result", "next_cursor"),
    "oapi/topapi/smartwork/hrm/employee/querypreentry.json": ("result", "next_cursor"),
    "oapi/topapi/smartwork/hrm/employee/queryonjob.json": ("result", "next_cursor"),
    "oapi/topapi/checkin/record/get.json": ("result", "next_cursor"),
    "api/v1.0/hrm/employees/dismissions.json": (None, "nextToken"),
}

# Error bodies straight from the facts file: no success schema may accept them.
OAPI_ERROR_BODIES = [
    {
        "errcode": 88,
        "sub_code": "40014",
        "sub_msg": "不合法的access_token",
        "errmsg": "ding talk error[subcode=40014,submsg=不合法的access_token]",
        "request_id": "abc",
    },
    {
        "errcode": 88,
        "sub_code": "40000",
        "sub_msg": "access_token is blank",
        "errmsg": "ding talk error[subcode=40000,submsg=access_token is blank]",
        "request_id": "3fv2q1zlbk8x",
    },
    {"errcode": 22, "errmsg": "Invalid method[submsg=不合法ApiName]"},
    {"errcode": 40096, "errmsg": "不合法的appKey或appSecret"},
]
API_ERROR_BODIES = [
    {"requestid": "1F5B", "code": "InvalidAuthentication", "message": "不合法的access_token"},
    {"requestid": "2A6C", "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "qps limit"},
]


def all_schema_files():
    return sorted(
        p.relative_to(SCHEMAS).as_posix() for base in ("oapi", "api") for p in (SCHEMAS / base).rglob("*.json")
    )


def load_schema(rel):
    return json.loads((SCHEMAS / rel).read_text(encoding="utf-8"))


def validator(rel):
    return Draft202012Validator(load_schema(rel))


def load_examples(rel):
    path = EXAMPLES / rel
    assert path.is_file(), f"missing examples file {path}"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"valid", "invalid"}, rel
    return data


# (a) well-formed schemas with the right $id ------------------------------------------------


@pytest.mark.parametrize("rel", all_schema_files())
def test_schema_is_valid_draft_2020_12(rel):
    schema = load_schema(rel)
    assert schema.get("$schema") == DRAFT
    Draft202012Validator.check_schema(schema)
    assert schema.get("$id") == rel
    assert schema.get("title")
    assert schema.get("description")


@pytest.mark.parametrize("rel", [*SUCCESS, "oapi/service/get_auth_info.error.json"])
def test_description_names_the_endpoint(rel):
    _api, _, endpoint = rel.removesuffix(".json").removesuffix(".error").partition("/")
    assert endpoint in load_schema(rel)["description"]


@pytest.mark.parametrize("rel", SUCCESS)
def test_success_schema_shape(rel):
    schema = load_schema(rel)
    assert schema["type"] == "object"
    assert schema.get("additionalProperties", True) is not False
    if rel.startswith("oapi/"):
        assert "errcode" in schema["required"]
        assert schema["properties"]["errcode"].get("const") == 0
    else:
        assert "errcode" not in schema.get("properties", {})


# (b) the full set exists ---------------------------------------------------------------------


def test_expected_schema_set_exists():
    missing = [rel for rel in EXPECTED if not (SCHEMAS / rel).is_file()]
    assert not missing, f"missing schemas: {missing}"


def test_every_endpoint_of_the_spec_has_its_success_schema():
    wanted = [f"{endpoint.api}{endpoint.path}.json" for endpoint in load_spec()]
    missing = [rel for rel in wanted if not (SCHEMAS / rel).is_file()]
    assert not missing, (
        f"endpoints of data/spec/endpoints.yaml without a response schema: {missing}: "
        "run `python -m common.cases.scaffold` for the endpoint, or write schemas/<api><path>.json"
    )


def test_every_schema_has_examples():
    missing = [rel for rel in all_schema_files() if not (EXAMPLES / rel).is_file()]
    assert not missing, (
        f"schemas without examples: {missing}: add tests/schemas/examples/<the same path> with a 'valid' list of "
        "answers the schema must accept and an 'invalid' one it must refuse (`python -m common.cases.scaffold` "
        "writes one for a new endpoint)"
    )


# (c) examples: documented responses validate, realistic breakages do not ---------------------


def example_cases(kind):
    for rel in EXPECTED:
        path = EXAMPLES / rel
        if not path.is_file():
            yield pytest.param(rel, 0, None, id=f"{rel}-{kind}-missing")
            continue
        for i, doc in enumerate(json.loads(path.read_text(encoding="utf-8"))[kind]):
            yield pytest.param(rel, i, doc, id=f"{rel}-{kind}{i}")


@pytest.mark.parametrize("rel", EXPECTED)
def test_examples_file_is_substantial(rel):
    data = load_examples(rel)
    assert len(data["valid"]) >= 1
    assert len(data["invalid"]) >= 2


@pytest.mark.parametrize(("rel", "i", "doc"), list(example_cases("valid")))
def test_valid_example_passes(rel, i, doc):
    assert doc is not None, f"missing examples for {rel}"
    errors = [e.message for e in validator(rel).iter_errors(doc)]
    assert not errors, f"{rel} valid[{i}] rejected: {errors}"


@pytest.mark.parametrize(("rel", "i", "doc"), list(example_cases("invalid")))
def test_invalid_example_fails(rel, i, doc):
    assert doc is not None, f"missing examples for {rel}"
    assert not validator(rel).is_valid(doc), f"{rel} invalid[{i}] was accepted: {doc}"


@pytest.mark.parametrize("rel", list(PAGED))
def test_end_of_paging_forms_are_covered(rel):
    """valid examples must include the cursor absent, null, and (where has_more exists) a number."""
    where, key = PAGED[rel]
    seen = set()
    for doc in load_examples(rel)["valid"]:
        body = doc[where] if where else doc
        if key not in body:
            seen.add("absent")
        elif body[key] is None:
            seen.add("null")
        elif isinstance(body[key], int):
            seen.add("number")
    assert {"absent", "null", "number"} <= seen, f"{rel}: only {seen}"


# Cross-checks between success and error envelopes ---------------------------------------------


@pytest.mark.parametrize("body", OAPI_ERROR_BODIES)
def test_oapi_error_bodies_match_error_schema_only(body):
    assert validator("oapi/error.json").is_valid(body)
    assert validator("oapi/service/get_auth_info.error.json").is_valid(body)
    accepted = [rel for rel in OAPI_SUCCESS if validator(rel).is_valid(body)]
    assert not accepted, f"success schemas accept an error body: {accepted}"


@pytest.mark.parametrize("body", API_ERROR_BODIES)
def test_api_error_bodies_match_error_schema_only(body):
    assert validator("api/error.json").is_valid(body)
    accepted = [rel for rel in SUCCESS if validator(rel).is_valid(body)]
    assert not accepted, f"success schemas accept a new-host error body: {accepted}"


@pytest.mark.parametrize("rel", SUCCESS)
def test_documented_success_is_not_an_error(rel):
    error_schema = "api/error.json" if rel.startswith("api/") else "oapi/error.json"
    for doc in load_examples(rel)["valid"]:
        assert not validator(error_schema).is_valid(doc)


def test_errcode_88_requires_the_cause_and_request_id():
    """The facts' errcode-88 wrapper of /topapi/* auth errors carries sub_code, sub_msg and request_id."""
    v = validator("oapi/error.json")
    cause = {"errcode": 88, "errmsg": "ding talk error", "sub_code": "60011", "sub_msg": "没有调用该接口的权限"}
    assert not v.is_valid({"errcode": 88, "errmsg": "ding talk error"})
    assert not v.is_valid(cause)
    assert v.is_valid({**cause, "request_id": "16jyjylgnd6k3"})


def test_blackboard_create_result_is_boolean_not_id():
    v = validator("oapi/topapi/blackboard/create.json")
    assert v.is_valid({"errcode": 0, "result": True, "success": True, "request_id": "roz884n3k7rf"})
    assert not v.is_valid({"errcode": 0, "result": "175abec4de6bd"})


# Everything documented is required ------------------------------------------------------------

# /topapi/* endpoints whose DingTalk page lists request_id in the success answer. Not listed there:
# gettoken, report/create, report/template/getbyname, report/list, report/receiver/list (its row named
# errmsg is described as the request id: either is accepted), union/cooperate/joined/list, and the TOP-shaped
# service/get_auth_info.
REQUEST_ID_DOCUMENTED = [
    "oapi/topapi/blackboard/create.json",
    "oapi/topapi/blackboard/update.json",
    "oapi/topapi/blackboard/delete.json",
    "oapi/topapi/blackboard/get.json",
    "oapi/topapi/blackboard/listids.json",
    "oapi/topapi/blackboard/listtopten.json",
    "oapi/topapi/blackboard/category/list.json",
    "oapi/topapi/report/simplelist.json",
    "oapi/topapi/report/getunreadcount.json",
    "oapi/topapi/report/template/listbyuserid.json",
    "oapi/topapi/report/statistics/listbytype.json",
    "oapi/topapi/report/comment/list.json",
    "oapi/topapi/smartwork/hrm/employee/querypreentry.json",
    "oapi/topapi/smartwork/hrm/employee/queryonjob.json",
    "oapi/topapi/checkin/record/get.json",
    "oapi/topapi/serviceaccount/list.json",
]


@pytest.mark.parametrize("rel", OAPI_SUCCESS)
def test_request_id_required_where_documented(rel):
    required = "request_id" in load_schema(rel)["required"]
    assert required == (rel in REQUEST_ID_DOCUMENTED)


def test_receiver_list_needs_errmsg_or_request_id():
    v = validator("oapi/topapi/report/receiver/list.json")
    body = {"errcode": 0, "success": True, "result": {"userid_list": [], "has_more": False}}
    assert not v.is_valid(body)
    assert v.is_valid({**body, "errmsg": "ok"})
    assert v.is_valid({**body, "request_id": "p0gvgqih0nfv"})


def _without_each_required(schema, doc, where=()):
    """(where, copy of doc) for each required property of every object the schema describes in doc, dropped."""
    if not isinstance(schema, dict):
        return
    if isinstance(doc, dict):
        for name in schema.get("required", []):
            if name in doc:
                yield (*where, name), {k: v for k, v in doc.items() if k != name}
        for name, sub in schema.get("properties", {}).items():
            if name in doc:
                for path, smaller in _without_each_required(sub, doc[name], (*where, name)):
                    yield path, {**doc, name: smaller}
    elif isinstance(doc, list) and doc and isinstance(schema.get("items"), dict):
        for path, smaller in _without_each_required(schema["items"], doc[0], (*where, "[0]")):
            yield path, [smaller, *doc[1:]]


@pytest.mark.parametrize("rel", SUCCESS)
def test_dropping_any_documented_field_is_rejected(rel):
    """A server that drops (or renames) a documented field, at any depth, fails the schema."""
    schema, v = load_schema(rel), validator(rel)
    checked = 0
    for doc in load_examples(rel)["valid"]:
        for path, smaller in _without_each_required(schema, doc):
            checked += 1
            assert not v.is_valid(smaller), f"{rel}: accepted without {'.'.join(path)}"
    assert checked


@pytest.mark.parametrize("rel", SUCCESS)
def test_nested_objects_stay_open(rel):
    """DingTalk may add fields: no object in a success schema closes its properties."""
    text = (SCHEMAS / rel).read_text(encoding="utf-8")
    assert '"additionalProperties": false' not in text and '"unevaluatedProperties": false' not in text
