"""The sandbox drifts on request (the `drift` fault setting, sandbox/drift.py): an extra field, a new enum value and
a dropped optional field, in answers the strict reading (common/live/drift.py) then finds; nothing else changes."""

from __future__ import annotations

import pytest

from common.cases.schemas import SchemaStore
from common.live.drift import StrictSchema
from sandbox.drift import EXTRA_FIELD, NEW_STATUS
from sandbox.settings import parse_settings
from sandbox.testing import SandboxFaults, logged_in, sandbox_with_faults

ACCOUNTS = "oapi/topapi/serviceaccount/list"
SPACES = "oapi/topapi/union/cooperate/joined/list"


def test_the_drift_setting_takes_kinds_separated_by_commas_or_plus() -> None:
    assert parse_settings("busy=0.1,drift=extra_field,new_enum,dropped_field,seed=3") == {
        "busy": 0.1,
        "drift": ("extra_field", "new_enum", "dropped_field"),
        "seed": 3,
    }
    assert parse_settings("drift=new_enum+extra_field") == {"drift": ("new_enum", "extra_field")}
    assert parse_settings("drift=") == {"drift": ()}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("drift=renamed_field", "drift=renamed_field: unknown drift kind 'renamed_field'; known: extra_field, "),
        ("drift=new_enum,bogus", "bogus: expected key=value"),
        ("busy=0.1,new_enum", "new_enum: expected key=value"),
    ],
)
def test_a_bad_drift_setting_is_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace("+", r"\+")):
        parse_settings(text)


def test_a_drifting_sandbox_answers_each_drift_once_and_the_strict_reading_finds_it(schemas: SchemaStore) -> None:
    with sandbox_with_faults("drift=extra_field,new_enum,dropped_field") as server:
        client = logged_in(server)
        accounts = client.post("/topapi/serviceaccount/list", {"pageStart": 1, "pageSize": 50})
        spaces = client.post("/topapi/union/cooperate/joined/list", {"status": 1})
        refused = client.post("/topapi/union/cooperate/joined/list", {"status": 7})

    assert schemas.problems(SPACES, spaces) == []  # a dropped optional field is no schema failure
    assert "request_id" not in spaces and "request_id" in refused  # errors are not touched
    assert all(item[EXTRA_FIELD] == 128 for item in accounts["items"])
    statuses = {item["status"] for item in accounts["items"]}
    assert statuses == {"normal", NEW_STATUS}
    reading = StrictSchema(ACCOUNTS, schemas.validator(ACCOUNTS).schema).read(accounts)
    assert sorted({(finding.kind, finding.path) for finding in reading.findings}) == [
        ("new_enum", "items[*].status"),
        ("unknown_field", f"items[*].{EXTRA_FIELD}"),
    ]


def test_drift_is_set_and_cleared_at_run_time_and_a_faithful_sandbox_does_not_drift(schemas: SchemaStore) -> None:
    with sandbox_with_faults() as server:
        client = logged_in(server)
        faults = SandboxFaults(server.url)
        assert faults.get()["drift"] == []
        faithful = client.post("/topapi/serviceaccount/list", {"pageStart": 1, "pageSize": 50})
        assert StrictSchema(ACCOUNTS, schemas.validator(ACCOUNTS).schema).read(faithful).findings == []
        assert faults.set(drift="extra_field")["drift"] == ["extra_field"]
        drifting = client.post("/topapi/serviceaccount/list", {"pageStart": 1, "pageSize": 50})
        assert faults.set(drift=[])["drift"] == []
        again = client.post("/topapi/serviceaccount/list", {"pageStart": 1, "pageSize": 50})
        refused = client.raw("POST", "/__sandbox/faults", json={"drift": ["nope"]})

    assert EXTRA_FIELD in drifting["items"][0] and EXTRA_FIELD not in again["items"][0]
    assert {item["status"] for item in drifting["items"]} == {"normal", "disabled"}
    assert refused.status_code == 400 and "unknown drift kind 'nope'" in refused.json()["errmsg"]
