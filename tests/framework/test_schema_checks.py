"""common.cases.schemas: each response schema is checked against JSON Schema's metaschema before use, once per
version of its bytes (a note in .dingtalk-cache/schemas/ says these bytes passed); a broken one is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.cases import schemas as schemas_module
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError
from tests.spies import Calls, record_calls

GOOD = {"type": "object", "properties": {"errcode": {"type": "integer"}}, "required": ["errcode"]}


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """The metaschema checks made (the real check runs): (schema name, schema), in order."""
    return record_calls(monkeypatch, schemas_module, "_check_schema")


def checked(checks: Calls) -> list[str]:
    return [name for name, _ in checks]


def store(tmp_path: Path, schema: object, notes: Path | None = None) -> SchemaStore:
    root = tmp_path / "schemas"
    (root / "oapi").mkdir(parents=True, exist_ok=True)
    text = schema if isinstance(schema, str) else json.dumps(schema)
    (root / "oapi" / "x.json").write_text(text, encoding="utf-8")
    return SchemaStore(root, notes or tmp_path / "notes")


def test_a_schema_is_checked_once_for_its_bytes(tmp_path: Path, checks: Calls) -> None:
    for _ in range(2):  # two runs
        assert store(tmp_path, GOOD).validator("oapi/x").conforms({"errcode": 0})
    assert checked(checks) == ["oapi/x"]
    store(tmp_path, {**GOOD, "required": []}).validator("oapi/x")  # edited: checked again
    assert checked(checks) == ["oapi/x", "oapi/x"]


def test_another_jsonschema_checks_again(tmp_path: Path, checks: Calls, monkeypatch: pytest.MonkeyPatch) -> None:
    store(tmp_path, GOOD).validator("oapi/x")
    monkeypatch.setattr(schemas_module, "_jsonschema_version", lambda: "0.0.1")
    store(tmp_path, GOOD).validator("oapi/x")
    assert checked(checks) == ["oapi/x", "oapi/x"]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [({"type": "obejct"}, "'obejct' is not valid"), ('{"type": ', "Expecting value"), ({"minLength": -1}, "-1")],
    ids=["unknown-type", "not-json", "negative-length"],
)
def test_a_broken_schema_is_one_line_in_every_run(tmp_path: Path, checks: Calls, schema: object, problem: str) -> None:
    for _ in range(2):
        with pytest.raises(ConfigError) as raised:
            store(tmp_path, schema).validator("oapi/x")
        (line,) = str(raised.value).splitlines()
        assert line.startswith("schemas/oapi/x.json: not a usable JSON Schema: ")
        assert problem in line
    assert not (tmp_path / "notes").exists()


def test_a_notes_folder_that_cannot_be_written_costs_a_check_per_run(tmp_path: Path, checks: Calls) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    for _ in range(2):
        store(tmp_path, GOOD, notes=blocked / "notes").validator("oapi/x")
    assert checked(checks) == ["oapi/x", "oapi/x"]
