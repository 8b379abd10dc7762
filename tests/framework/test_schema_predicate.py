"""The compiled predicate answers exactly what jsonschema answers: a document conforms or it does not.

Every shipped schema is compared with jsonschema over the documents the project has (case files good and bad,
the response examples, the configuration files) and over random edits of them; the keywords' corner cases
(``True`` is not ``1``, ``1.0`` is an integer, ``oneOf`` means exactly one) are asserted one by one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from common.cases.schema_predicate import SchemaCheck, compile_predicate
from common.cases.yaml_schema import _definitions_inlined
from tests.case_files import yaml_data

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "schemas").rglob("*.json"))
EXAMPLES = ROOT / "tests" / "schemas" / "examples"
CASE_FORMAT = ROOT / "schemas" / "case-format.schema.json"
CASE_FILES = sorted([*(ROOT / "data").glob("*.yaml"), *(ROOT / "tests" / "bad_cases").glob("*.yaml")])
CONFIG_FILES = {
    "profile": sorted((ROOT / "data" / "profiles").glob("*.yaml")),
    "endpoints": [ROOT / "data" / "spec" / "endpoints.yaml"],
    "safety": [ROOT / "data" / "live" / "safety.yaml"],
    "sweep": [ROOT / "data" / "live" / "sweep.yaml"],
}


def _conforms(schema: dict[str, Any], instance: Any) -> bool:
    return not any(True for _ in Draft202012Validator(schema).iter_errors(instance))


def _documents(path: Path) -> list[Any]:
    """A YAML file's data, and each of its cases when it is a case file (a case alone is a document too)."""
    try:
        data = yaml_data(path)
    except Exception:  # a file that is not YAML at all has no document to compare
        return []
    cases = data.get("cases") if isinstance(data, dict) else None
    return [data, *(cases if isinstance(cases, list) else [])]


def _examples(schema_path: Path) -> list[Any]:
    relative = schema_path.relative_to(ROOT / "schemas")
    file = EXAMPLES / relative
    if not file.exists():
        return []
    examples = json.loads(file.read_text(encoding="utf-8"))
    return [*examples.get("valid", []), *examples.get("invalid", [])]


def _corpus() -> dict[str, list[tuple[dict[str, Any], Any]]]:
    """Per file, each document in it with the schema it is meant for."""
    corpus: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    case_format = json.loads(CASE_FORMAT.read_text(encoding="utf-8"))
    one_case = {"$schema": case_format["$schema"], "$defs": case_format["$defs"], "$ref": "#/$defs/case"}
    for path in CASE_FILES:
        documents = _documents(path)
        if not documents:
            continue
        corpus[f"cases/{path.name}"] = [(case_format, documents[0]), *((one_case, case) for case in documents[1:])]
    for kind, files in CONFIG_FILES.items():
        schema = json.loads((ROOT / "schemas" / "config" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        for path in files:
            corpus[f"{kind}/{path.name}"] = [(schema, document) for document in _documents(path)[:1]]
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        examples = [(schema, example) for example in _examples(path)]
        if examples:
            corpus[path.relative_to(ROOT / "schemas").as_posix()] = examples
    return {name: documents for name, documents in corpus.items() if documents}


CORPUS = _corpus()
DOCUMENTS = [document for documents in CORPUS.values() for document in documents]


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda path: path.relative_to(ROOT / "schemas").as_posix())
def test_every_shipped_schema_compiles_to_a_predicate(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert compile_predicate(schema) is not None, "a keyword common/cases/schema_predicate.py does not know"
    assert compile_predicate(_definitions_inlined(schema, schema)) is not None


def test_the_corpus_holds_both_verdicts() -> None:
    assert {_conforms(schema, document) for schema, document in DOCUMENTS} == {True, False}


@pytest.mark.parametrize("name", CORPUS)
def test_the_predicate_agrees_with_jsonschema_on_the_projects_documents(name: str) -> None:
    for index, (schema, document) in enumerate(CORPUS[name]):
        predicate = compile_predicate(schema)
        assert predicate is not None
        assert predicate(document) is _conforms(schema, document), f"document {index}"


_SCALARS = st.sampled_from(
    [None, True, False, 0, 1, -1, 1.0, 2.5, "", "x", "id", "${profile.admin_userid}", "GET", "eq", "a b", "1"]
)


def _edit(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with one random edit somewhere inside it: a value replaced, a key removed or added, an item
    repeated or dropped."""
    containers = isinstance(value, dict | list) and value and depth < 8
    if not containers or draw(st.integers(0, 4)) == 0:
        return draw(st.one_of(_SCALARS, st.just([]), st.just({}), st.lists(_SCALARS, max_size=2)))
    if isinstance(value, dict):
        keys = sorted(value, key=str)
        action = draw(st.sampled_from(["inside", "remove", "add"]))
        if action == "remove":
            return {k: v for k, v in value.items() if k != draw(st.sampled_from(keys))}
        if action == "add":
            extra = draw(st.sampled_from(["id", "title", "request", "expect", "typo", "steps", "json", "row", "x"]))
            return {**value, extra: draw(_SCALARS)}
        key = draw(st.sampled_from(keys))
        return {**value, key: _edit(draw, value[key], depth + 1)}
    index = draw(st.integers(0, len(value) - 1))
    action = draw(st.sampled_from(["inside", "repeat", "drop"]))
    if action == "repeat":
        return [*value, value[index]]
    if action == "drop":
        return value[:index] + value[index + 1 :]
    return [*value[:index], _edit(draw, value[index], depth + 1), *value[index + 1 :]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_predicate_agrees_with_jsonschema_on_edited_documents(data: st.DataObject) -> None:
    schema, document = data.draw(st.sampled_from(DOCUMENTS))
    edited = _edit(data.draw, document)
    for _ in range(data.draw(st.integers(0, 2))):
        edited = _edit(data.draw, edited)
    predicate = compile_predicate(schema)
    assert predicate is not None
    assert predicate(edited) is _conforms(schema, edited)


@pytest.mark.parametrize(
    ("schema", "instance", "conforms"),
    [
        ({"enum": [1, "a"]}, True, False),
        ({"enum": [True]}, 1, False),
        ({"enum": [1, "a"]}, 1.0, True),
        ({"const": 0}, False, False),
        ({"const": [1, {"a": True}]}, [1, {"a": True}], True),
        ({"const": [1, {"a": True}]}, [1, {"a": 1}], False),
        ({"type": "integer"}, True, False),
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, 1.5, False),
        ({"type": "number"}, False, False),
        ({"type": ["string", "null"]}, None, True),
        ({"pattern": "b"}, "abc", True),
        ({"pattern": "^b"}, "abc", False),
        ({"pattern": "^b"}, 5, True),
        ({"minLength": 2}, "字", False),
        ({"minimum": 1}, True, True),
        ({"maximum": 1}, 2, False),
        ({"uniqueItems": True}, [1, True], True),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3, False),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -3, True),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 0, False),
        ({"not": {"const": ""}}, "", False),
        ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"a": "x", "b": 1}, False),
        ({"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}}, {"b": 1}, True),
        ({"required": ["a"]}, {"b": 1}, False),
        ({"required": ["a"]}, ["a"], True),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ok": 1, "No": 2}, False),
        ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, False),
        ({"minProperties": 1}, {}, False),
        ({"items": {"type": "string"}, "minItems": 1}, ["a", 1], False),
        ({"maxItems": 1}, [1, 2], False),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"a": 1}, False),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {}, False),
        (
            {
                "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
                "$ref": "#/$defs/node",
            },
            {"next": {"next": 1}},
            False,
        ),
    ],
)
def test_each_keyword_means_what_jsonschema_means(schema: dict[str, Any], instance: Any, conforms: bool) -> None:
    assert _conforms(schema, instance) is conforms  # the table itself is jsonschema's answer
    predicate = compile_predicate(schema)
    assert predicate is not None
    assert predicate(instance) is conforms


@pytest.mark.parametrize(
    "schema",
    [{"patternProperties": {"^a": {}}}, {"format": "date"}, {"$ref": "other.json"}, {"type": "decimal"}],
)
def test_a_schema_with_a_keyword_not_known_here_gets_no_predicate(schema: dict[str, Any]) -> None:
    assert compile_predicate(schema) is None


def test_the_check_walks_only_documents_that_do_not_conform() -> None:
    check = SchemaCheck({"type": "object", "required": ["a"]})
    assert list(check.iter_errors({"a": 1})) == []
    assert [error.message for error in check.iter_errors({})] == ["'a' is a required property"]
    unknown = SchemaCheck({"patternProperties": {"^a": {"type": "string"}}})
    assert unknown.conforms is None
    assert [error.validator for error in unknown.iter_errors({"ab": 1})] == ["type"]
