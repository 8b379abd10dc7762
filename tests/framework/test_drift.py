"""Contract drift (common/live/drift.py): the strict reading of an answer against its schema (each kind of drift found,
nothing on a conforming answer, never a failure), the run's record against the history, and the proposed schema
changes of ``python -m common.live.drift``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from common.cases.model import Auth, Expectation, RequestSpec, Source, Step
from common.cases.schemas import SchemaStore
from common.cases.templating import Context
from common.http.masking import Masker
from common.live.drift import (
    DriftLog,
    DriftReadingSchemas,
    StrictSchema,
    build_record,
    describe,
    main,
    merge_processes,
    process_file,
    propose,
    record_json,
    summary_lines,
)
from common.report.notify import RunInfo, RunOutcome, markdown_message
from common.run.checks import CheckContext, check_schema
from tests.framework.fakes import PROJECT, response

ACCOUNTS = "oapi/topapi/serviceaccount/list"
FIRST = {"run_id": "run-1", "time": "2024-06-01T00:00:00Z"}
CHECKINS = "oapi/topapi/checkin/record/get"
ACCOUNT = {
    "unionid": "u1",
    "name": "n",
    "brief": "b",
    "desc": "d",
    "avatar_media_id": "a",
    "preview_media_id": "p",
    "status": "normal",
}


def accounts(*items: dict[str, Any], **top: Any) -> dict[str, Any]:
    body = {"errcode": 0, "errmsg": "ok", "request_id": "r", "total_count": len(items), "item_count": len(items)}
    return {**body, "items": list(items), **top}


def document(schemas: SchemaStore, name: str) -> dict[str, Any]:
    return schemas.validator(name).schema


def kinds(schemas: SchemaStore, name: str, body: Any) -> list[tuple[str, str, Any, Any]]:
    reading = StrictSchema(name, document(schemas, name)).read(body)
    return [(f.kind, f.path, f.expected, f.seen) for f in reading.findings]


# ── the strict reading ────────────────────────────────────────────────────────────────────────────────────────


def test_a_conforming_answer_shows_no_drift(schemas: SchemaStore) -> None:
    body = accounts(ACCOUNT, {**ACCOUNT, "unionid": "u2", "status": "disabled"}, success=True)
    assert schemas.problems(ACCOUNTS, body) == []
    assert kinds(schemas, ACCOUNTS, body) == []


def test_a_conforming_answer_with_a_null_cursor_the_schema_allows_shows_no_drift(schemas: SchemaStore) -> None:
    body = {"errcode": 0, "result": {"page_list": [], "next_cursor": None}}  # cursor: $ref to integer | null
    assert kinds(schemas, CHECKINS, body) == []


def test_an_unknown_field_is_found_at_the_top_and_in_every_list_item(schemas: SchemaStore) -> None:
    body = accounts({**ACCOUNT, "follower_count": 3}, {**ACCOUNT, "follower_count": 4}, trace_id="t")
    assert kinds(schemas, ACCOUNTS, body) == [
        ("unknown_field", "items[*].follower_count", "not in the schema", "integer"),
        ("unknown_field", "items[*].follower_count", "not in the schema", "integer"),
        ("unknown_field", "trace_id", "not in the schema", "string"),
    ]


def test_a_new_enum_value_is_found(schemas: SchemaStore) -> None:
    body = accounts({**ACCOUNT, "status": "archived"})
    assert kinds(schemas, ACCOUNTS, body) == [("new_enum", "items[*].status", ["normal", "disabled"], "archived")]


def test_a_changed_type_and_a_null_are_found(schemas: SchemaStore) -> None:
    body = accounts({**ACCOUNT, "name": 7}, {**ACCOUNT, "brief": None}, total_count="2")
    assert sorted(kinds(schemas, ACCOUNTS, body)) == [
        ("changed_type", "items[*].name", ["string"], "integer"),
        ("changed_type", "total_count", ["integer"], "string"),
        ("null", "items[*].brief", ["string"], "null"),
    ]


def test_a_changed_type_behind_a_reference_is_found(schemas: SchemaStore) -> None:
    body = {"errcode": 0, "result": {"page_list": [], "next_cursor": "10"}}
    assert kinds(schemas, CHECKINS, body) == [("changed_type", "result.next_cursor", ["integer", "null"], "string")]


def test_optional_documented_fields_are_noted_per_object_that_came(schemas: SchemaStore) -> None:
    reading = StrictSchema(ACCOUNTS, document(schemas, ACCOUNTS)).read(accounts(ACCOUNT))
    assert reading.optional == {"success"}
    assert "success" not in reading.present and "items[*].status" in reading.present


TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["name"],
        }
    },
    "type": "object",
    "properties": {
        "root": {"$ref": "#/$defs/node"},
        "scores": {"type": "object", "additionalProperties": {"type": "number"}},
    },
}
"""A recursive schema (a node's children are nodes) and a map whose values are numbers."""


def test_a_recursive_schema_is_read_as_deep_as_the_answer_goes() -> None:
    tree = {"name": "a", "children": [{"name": "b", "children": [{"name": 3, "colour": "red"}]}]}
    body = {"root": tree, "scores": {"x": 1, "y": 2.5, "z": "-"}}
    reading = StrictSchema("tree", TREE).read(body)
    deep = "root.children[*].children[*]"
    assert [(f.kind, f.path, f.expected, f.seen) for f in reading.findings] == [
        ("changed_type", f"{deep}.name", ["string"], "integer"),
        ("unknown_field", f"{deep}.colour", "not in the schema", "string"),
        ("changed_type", "scores.z", ["number"], "string"),  # 1 is a number too
    ]
    assert {f"{deep}.name", "root.children[*].children"} <= reading.present
    assert {"root.children", f"{deep}.children"} <= reading.optional and f"{deep}.name" not in reading.optional


def test_one_strict_schema_reads_answer_after_answer_as_a_fresh_one_reads_each(schemas: SchemaStore) -> None:
    bodies = [
        accounts({**ACCOUNT, "status": "archived"}, trace_id="t"),
        accounts(ACCOUNT, success=True),
        accounts({**ACCOUNT, "name": None, "follower_count": 1}, total_count="2"),
    ]
    strict = StrictSchema(ACCOUNTS, document(schemas, ACCOUNTS))
    for body in bodies:
        again, fresh = strict.read(body), StrictSchema(ACCOUNTS, document(schemas, ACCOUNTS)).read(body)
        assert (again.findings, again.optional, again.present) == (fresh.findings, fresh.optional, fresh.present)
        assert again.findings or body["success"]  # each answer but the conforming one shows drift


def test_the_drift_reading_schemas_never_fail_on_drift_but_still_on_a_missing_required_field(tmp_path: Path) -> None:
    log = DriftLog(tmp_path / "drift" / "gw0.json")
    schemas = DriftReadingSchemas(PROJECT / "schemas", log)
    drifting = accounts({**ACCOUNT, "status": "archived", "name": None, "extra": 1}, total_count="1")
    assert schemas.problems(ACCOUNTS, drifting) == []
    assert SchemaStore(PROJECT / "schemas").problems(ACCOUNTS, drifting) != []  # the plain check fails on it

    request = RequestSpec("oapi", "POST", "/topapi/serviceaccount/list", None, None, None, Auth.TOKEN)
    step = Step("s", request, Expectation(200, (), (), None, ()), (), Source("cases.yaml", 1))
    assert check_schema(response(drifting), step, CheckContext(schemas, Context({}))) == []

    without_items = {key: value for key, value in accounts(ACCOUNT).items() if key != "items"}
    assert schemas.problems(ACCOUNTS, without_items) == ["body: 'items' is a required property"]
    saved = json.loads((tmp_path / "drift" / "gw0.json").read_text())
    assert {(entry["kind"], entry["path"]) for entry in saved["findings"]} == {
        ("new_enum", "items[*].status"),
        ("null", "items[*].name"),
        ("unknown_field", "items[*].extra"),
        ("changed_type", "total_count"),
    }


# ── the run's record and the history ───────────────────────────────────────────────────────────────────────────


def run_of(tmp_path: Path, schemas: SchemaStore, *bodies_per_process: list[dict[str, Any]]) -> dict[str, Any]:
    """The merged notes of processes that each read the given serviceaccount/list answers."""
    run_dir = tmp_path / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    for number, bodies in enumerate(bodies_per_process):
        log = DriftLog(process_file(run_dir, f"gw{number}"))
        for body in bodies:
            log.note(ACCOUNTS, StrictSchema(ACCOUNTS, document(schemas, ACCOUNTS)).read(body))
    return merge_processes(run_dir)


def test_the_processes_notes_merge_into_one_record_each_drift_once(tmp_path: Path, schemas: SchemaStore) -> None:
    archived = accounts({**ACCOUNT, "status": "archived"})
    merged = run_of(tmp_path, schemas, [archived, archived], [archived, accounts({**ACCOUNT, "x": 1})])
    drift = build_record(merged, {}, "run-1", 1_700_000_000)
    assert [(entry["kind"], entry["path"], entry["new"]) for entry in drift.entries] == [
        ("new_enum", "items[*].status", True),
        ("unknown_field", "items[*].x", True),
    ]
    entry = drift.entries[0]
    assert entry["endpoint"] == "/topapi/serviceaccount/list (oapi)"
    assert entry["first_seen"]["run_id"] == "run-1"
    assert describe(entry) == (
        '/topapi/serviceaccount/list (oapi) items[*].status: new enum value "archived" (documented: normal, disabled)'
    )


def test_the_next_run_with_the_same_drift_shows_nothing_new_and_keeps_when_it_was_first_seen(
    tmp_path: Path, schemas: SchemaStore
) -> None:
    archived = accounts({**ACCOUNT, "status": "archived"})
    first = build_record(run_of(tmp_path, schemas, [archived]), {}, "run-1", 1_700_000_000)
    second = build_record(run_of(tmp_path, schemas, [archived]), first.history, "run-2", 1_700_000_100)
    assert [entry["new"] for entry in second.entries] == [False]
    assert second.entries[0]["first_seen"]["run_id"] == "run-1"
    assert summary_lines(second, limit=3) == ["contract drift: 0 new (1 in the record)"]
    assert [run["run_id"] for run in second.history["runs"]] == ["run-1", "run-2"]
    third = build_record(run_of(tmp_path, schemas, [archived, accounts({**ACCOUNT, "y": "z"})]), second.history, "3", 0)
    assert [(entry["path"], entry["new"]) for entry in third.entries] == [
        ("items[*].status", False),
        ("items[*].y", True),
    ]


def test_an_optional_field_earlier_runs_saw_is_missing_when_no_answer_carries_it(
    tmp_path: Path, schemas: SchemaStore
) -> None:
    with_success = accounts(ACCOUNT, success=True)
    never_seen = build_record(run_of(tmp_path, schemas, [accounts(ACCOUNT)]), {}, "run-0", 0)
    assert never_seen.entries == []  # never seen by any run: a field this tenant may not fill, not drift
    baseline = build_record(run_of(tmp_path, schemas, [with_success, accounts(ACCOUNT)]), {}, "run-1", 0)
    assert baseline.entries == []
    assert baseline.history["seen_optional"] == {ACCOUNTS: ["success"]}
    dropped = build_record(
        run_of(tmp_path, schemas, [accounts(ACCOUNT)], [accounts(ACCOUNT)]), baseline.history, "2", 0
    )
    assert [(entry["kind"], entry["path"], entry["new"]) for entry in dropped.entries] == [
        ("missing_field", "success", True)
    ]
    back = build_record(run_of(tmp_path, schemas, [with_success]), dropped.history, "run-3", 0)
    assert back.entries == []


def test_the_notification_says_how_many_are_new_and_lists_the_first(tmp_path: Path, schemas: SchemaStore) -> None:
    bodies = [accounts({**ACCOUNT, "status": "archived", f"extra{n}": n}) for n in range(7)]
    drift = build_record(run_of(tmp_path, schemas, bodies), {}, "run-1", 0)
    info = RunInfo("run-1", "live (x)", "report.html", drift=tuple(summary_lines(drift, limit=5)))
    outcome = RunOutcome()
    outcome.record("t", "passed")
    text = markdown_message(outcome, info, Masker([]))["markdown"]["text"]
    block = next(part for part in text.split("\n\n") if part.startswith("contract drift"))
    lines = block.splitlines()
    assert lines[0] == "contract drift: 8 new (8 in the record)"
    assert len(lines) == 7 and lines[-1] == "- … and 3 more"
    assert "全部 1 个用例通过" in text


# ── proposed schema changes ────────────────────────────────────────────────────────────────────────────────────


def test_python_m_common_drift_proposes_a_diff_per_schema_and_applies_it_on_request(
    tmp_path: Path, schemas: SchemaStore
) -> None:
    schema_root = tmp_path / "schemas"
    shutil.copytree(PROJECT / "schemas", schema_root)
    bodies = [accounts({**ACCOUNT, "status": "archived", "follower_count": 3}, total_count=None)]
    drift = build_record(run_of(tmp_path, schemas, bodies), {}, "run-1", 0)
    checkin = StrictSchema(CHECKINS, document(schemas, CHECKINS)).read({"errcode": 0, "result": {"next_cursor": "9"}})
    entries = [*drift.entries, *({**f.to_json(), "new": True, "first_seen": FIRST} for f in checkin.findings)]
    record_file = tmp_path / "drift.json"
    record_file.write_text(json.dumps({**record_json(drift, "run-1"), "drift": entries}))
    before = {path: path.read_text() for path in schema_root.rglob("*.json")}

    out = io.StringIO()
    assert main(["--record", str(record_file), "--schemas", str(schema_root)], out) == 0
    text = out.getvalue()
    assert {path: path.read_text() for path in schema_root.rglob("*.json")} == before  # only proposed
    assert "--- a/schemas/oapi/topapi/serviceaccount/list.json" in text
    assert "--- a/schemas/oapi/topapi/checkin/record/get.json" in text
    added = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert '+              "archived"' in added  # the enum widened
    assert '+          "follower_count": {' in added  # the new property with its seen type
    assert '+            "type": "integer"' in added
    assert '+        "null"' in added  # total_count's type widened to allow null
    assert '+        "string"' in added  # the cursor's type, in $defs, widened

    assert main(["--record", str(record_file), "--schemas", str(schema_root), "--apply"], io.StringIO()) == 0
    applied = SchemaStore(schema_root)
    assert applied.problems(ACCOUNTS, bodies[0]) == []
    items = json.loads((schema_root / f"{ACCOUNTS}.json").read_text())["properties"]["items"]["items"]
    assert items["properties"]["follower_count"] == {"type": "integer"}
    assert "follower_count" not in items["required"]
    assert StrictSchema(ACCOUNTS, applied.validator(ACCOUNTS).schema).read(bodies[0]).findings == []


def test_missing_fields_propose_no_change_and_no_record_is_one_line(tmp_path: Path) -> None:
    entry = {"schema": ACCOUNTS, "kind": "missing_field", "path": "success", "expected": "", "seen": "absent"}
    assert propose([entry], PROJECT / "schemas") == {}
    out = io.StringIO()
    assert main(["--record", str(tmp_path / "none.json")], out) == 0
    assert out.getvalue().startswith("no drift record at ")


@pytest.mark.parametrize(
    ("schema", "endpoint"),
    [
        (ACCOUNTS, "/topapi/serviceaccount/list (oapi)"),
        ("oapi/error", "oapi error answers"),
        ("api/v1.0/hrm/employees/dismissions", "/v1.0/hrm/employees/dismissions (api)"),
    ],
)
def test_the_record_names_the_endpoint(schema: str, endpoint: str) -> None:
    from common.live.drift import endpoint_of

    assert endpoint_of(schema) == endpoint


def test_merge_without_notes_records_nothing(tmp_path: Path) -> None:
    out = io.StringIO()
    record = tmp_path / "reports" / "drift.json"
    assert main(["--merge", str(tmp_path), "--record", str(record)], out) == 0
    assert out.getvalue().startswith(f"contract drift: no drift-notes-*.json in {tmp_path}: nothing read\n")
    assert not record.exists()


def test_the_record_attached_to_the_run_is_found_in_the_results(tmp_path: Path, schemas: SchemaStore) -> None:
    from common.live.drift import attach_to_run, record_in_results

    assert record_in_results(tmp_path) is None
    drift = build_record(run_of(tmp_path, schemas, [accounts({**ACCOUNT, "status": "archived"})]), {}, "run-1", 0)
    attach_to_run(tmp_path / "results", record_json(drift, "run-1"))
    found = record_in_results(tmp_path / "results")
    assert found == record_json(drift, "run-1")
    assert summary_lines(found) == [
        "contract drift: 1 new (1 in the record)",
        '/topapi/serviceaccount/list (oapi) items[*].status: new enum value "archived" (documented: normal, disabled)',
    ]
