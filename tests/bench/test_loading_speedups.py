"""The loader's speed-ups for benchmarks 3, 4 and 7 change nothing it answers: the inlined case-format schema
finds exactly the errors of the original, and the garbage collector is left as it was found."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from common.cases.loader import CaseLoader
from common.cases.profile import load_profile
from common.cases.schemas import CASE_FORMAT, SchemaStore
from common.cases.yaml_schema import _definitions_inlined
from common.cases.yaml_source import YamlSyntaxError
from tests.case_files import yaml_data

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted([*(ROOT / "tests" / "bad_cases").glob("*.yaml"), *(ROOT / "data").glob("*.yaml")])


def _data(path: Path) -> object:
    try:
        return yaml_data(path)
    except YamlSyntaxError:
        return None  # never reaches the schema


PARSED = [(path, data) for path in CORPUS if (data := _data(path)) is not None]


def _errors(validator: Draft202012Validator, data: object) -> list[tuple[str, str, str]]:
    found = [(error.json_path, error.validator, error.message) for error in validator.iter_errors(data)]
    return sorted(found, key=str)


@pytest.mark.parametrize(("path", "data"), PARSED, ids=[path.name for path, _ in PARSED])
def test_the_inlined_case_format_finds_the_same_errors(path: Path, data: object) -> None:
    schema = json.loads((ROOT / "schemas" / f"{CASE_FORMAT}.json").read_text(encoding="utf-8"))
    inlined = _definitions_inlined(schema, schema)
    assert "$ref" not in json.dumps(inlined)
    assert _errors(Draft202012Validator(inlined), data) == _errors(Draft202012Validator(schema), data)


def test_a_self_referring_definition_keeps_its_reference() -> None:
    schema = {"$defs": {"tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}, "$ref": "#/$defs/tree"}
    inlined = _definitions_inlined(schema, schema)
    assert inlined["items"] == {"$ref": "#/$defs/tree"}
    assert Draft202012Validator(inlined).is_valid([[[]]])
    assert not Draft202012Validator(inlined).is_valid([[1]])


def _loader() -> CaseLoader:
    profile = load_profile(ROOT / "data/profiles/sandbox.yaml", "sandbox.yaml")
    return CaseLoader(SchemaStore(ROOT / "schemas"), profile, ROOT)


def test_loading_never_switches_the_garbage_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    switched: list[str] = []
    for name in ("disable", "enable", "freeze"):
        monkeypatch.setattr(gc, name, lambda name=name: switched.append(name))
    _loader().load(ROOT / "data" / "auth.yaml")
    assert switched == []
