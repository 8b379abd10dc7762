"""docs/case-format.md is the complete reference of schemas/case-format.schema.json: each part of the schema that
has keys has a table in the doc (marked ``<!-- schema: POINTER -->``) listing exactly those keys, every enum value
of the schema appears, and the doc names no key the schema lacks. So the two cannot drift apart."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from common.cases.loader import BUILTIN_VARIABLES, LOOP_VARIABLE
from common.cases.templating import FUNCTIONS
from tests.framework.fakes import PROJECT

DOC_PATH = PROJECT / "docs" / "case-format.md"
DOC = DOC_PATH.read_text(encoding="utf-8")
SCHEMA = json.loads((PROJECT / "schemas" / "case-format.schema.json").read_text(encoding="utf-8"))
MARKER = re.compile(r"^<!-- schema: (\S+) -->\n\|[^\n]*\|\n\|[-|: ]+\|\n((?:\|[^\n]*\|\n)+)", re.M)
FIRST_CELL = re.compile(r"^\| `([^`]+)` \|", re.M)


def _resolve(pointer: str) -> Any:
    node: Any = SCHEMA
    if pointer == "file":
        return node
    for part in pointer.split("/"):
        node = node[part]
    return node


def _keyed_parts(node: Any = SCHEMA, pointer: str = "") -> dict[str, Any]:
    """Every part of the schema with ``properties`` (the keys a case file may hold there), by pointer."""
    found: dict[str, Any] = {}
    if isinstance(node, dict):
        if "properties" in node:
            found[pointer or "file"] = node
        for key, value in node.items():
            found.update(_keyed_parts(value, f"{pointer}/{key}".lstrip("/")))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(_keyed_parts(value, f"{pointer}/{index}"))
    return found


def _tables() -> dict[str, list[str]]:
    tables = {pointer: FIRST_CELL.findall(rows) for pointer, rows in MARKER.findall(DOC)}
    assert tables, "docs/case-format.md has no <!-- schema: ... --> tables"
    return tables


def _enums(node: Any = SCHEMA) -> set[str]:
    values: set[str] = set()
    if isinstance(node, dict):
        values |= {value for value in node.get("enum", ()) if isinstance(value, str)} if "not" not in node else set()
        for key, value in node.items():
            if key != "not":  # a 'not: {enum}' lists what is refused (pytest's own markers), not what is allowed
                values |= _enums(value)
    elif isinstance(node, list):
        for value in node:
            values |= _enums(value)
    return values


def test_every_keyed_part_of_the_schema_has_its_table() -> None:
    assert sorted(set(_keyed_parts()) - set(_tables())) == []


@pytest.mark.parametrize("pointer", sorted(_keyed_parts()))
def test_a_table_lists_exactly_the_keys_of_its_part_of_the_schema(pointer: str) -> None:
    listed = _tables().get(pointer, [])
    keys = sorted(_keyed_parts()[pointer]["properties"])
    assert sorted(set(keys) - set(listed)) == [], f"keys of {pointer} the doc does not describe"
    assert sorted(set(listed) - set(keys)) == [], f"keys the doc lists under {pointer} that the schema lacks"
    assert len(listed) == len(set(listed)), f"a key is listed twice under {pointer}"


def test_every_table_names_a_part_of_the_schema() -> None:
    for pointer in _tables():
        node = _resolve(pointer)
        assert "properties" in node or "enum" in node, f"<!-- schema: {pointer} --> is neither keys nor an enum"


def test_the_auth_table_lists_exactly_the_schema_s_auth_modes() -> None:
    pointer = "$defs/request/properties/auth"
    assert sorted(_tables()[pointer]) == sorted(_resolve(pointer)["enum"])


def test_every_enum_value_of_the_schema_is_in_the_doc() -> None:
    assert sorted(value for value in _enums() if f"`{value}`" not in DOC) == []


EXAMPLE_NAMES = frozenset({"result", "size", "create_errcode", "bb_id", "operation_userid", "separator"})
"""Names the doc writes before a colon that are not keys: a body path, a variable, a json field, the example
function's parameter."""


def test_the_doc_names_no_key_the_schema_lacks() -> None:
    """Every ``key:`` the doc's YAML snippets write is a key of the schema, or one of the examples' own names."""
    prose = re.sub(r"```.*?```", "", DOC, flags=re.S)
    keys = {key for part in _keyed_parts().values() for key in part["properties"]}
    written = set(re.findall(r"`([a-z_]+): ", prose)) | set(re.findall(r"[{,] ?([a-z_]+): ", prose))
    assert sorted(written - keys - EXAMPLE_NAMES) == []


def test_every_built_in_function_and_variable_is_in_the_doc() -> None:
    assert sorted(name for name in FUNCTIONS if f"${{{name}(" not in DOC) == []
    variables = {*BUILTIN_VARIABLES, LOOP_VARIABLE}
    assert sorted(name for name in variables if not re.search(rf"`\$\{{{name}[.}}]", DOC)) == []


def test_the_readme_links_the_reference() -> None:
    assert "(docs/case-format.md)" in (PROJECT / "README.md").read_text(encoding="utf-8")
