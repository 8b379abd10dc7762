"""The coverage table: generated, never hand-written, and every endpoint the suite claims is covered."""

from __future__ import annotations

import pytest

from common.cases.coverage import PROJECT_ROOT, README, load_cases, load_spec, measure, render, replace_table
from common.cases.schemas import SchemaStore

SCHEMAS = SchemaStore(PROJECT_ROOT / "schemas")
ROWS = measure(load_spec(), load_cases(), SCHEMAS)
CLAIMED_GROUPS = {row.endpoint.group for row in ROWS if row.positive or row.negative}


def test_the_readme_table_is_the_generated_one() -> None:
    readme = README.read_text(encoding="utf-8")
    assert replace_table(readme, render(ROWS)) == readme, "run: python -m common.cases.coverage --write"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.endpoint.path)
def test_every_documented_endpoint_has_a_success_schema(row) -> None:
    assert row.has_schema, f"add schemas/{SchemaStore.success_schema(row.endpoint.api, row.endpoint.path)}.json"


@pytest.mark.parametrize("row", [r for r in ROWS if r.endpoint.group in CLAIMED_GROUPS], ids=lambda r: r.endpoint.path)
def test_every_endpoint_of_a_tested_group_has_success_and_failure_cases(row) -> None:
    assert row.covered, f"{row.endpoint.path}: {row.positive} success and {row.negative} failure cases"


def test_the_spec_lists_gettoken_and_the_blackboard_group() -> None:
    paths = {endpoint.path for endpoint in load_spec()}
    assert "/gettoken" in paths
    assert {p for p in paths if p.startswith("/topapi/blackboard/")} == {
        f"/topapi/blackboard/{name}"
        for name in ("create", "update", "delete", "get", "listids", "category/list", "listtopten")
    }
    assert len(paths) == len(load_spec())  # each endpoint once


def test_a_stale_table_is_detected() -> None:
    readme = README.read_text(encoding="utf-8")
    stale = readme.replace("| blackboard |", "| blackboard (old) |", 1)
    assert replace_table(stale, render(ROWS)) != stale
