"""The generated cases say the same thing to every contender, and the framework accepts every one of them."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.cases import bench_cases, framework_yaml, handwritten_table, tavern_yaml
from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore

ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile(ROOT / "data/profiles/sandbox.yaml", "sandbox.yaml")


def test_the_framework_loads_every_generated_case(tmp_path: Path) -> None:
    data = tmp_path / "bench.yaml"
    data.write_text(framework_yaml(bench_cases(8)), encoding="utf-8")
    loaded = CaseLoader(SchemaStore(ROOT / "schemas"), PROFILE, ROOT).load(data)
    assert all(isinstance(case, Case) for case in loaded), [case for case in loaded if not isinstance(case, Case)]
    assert [case.id for case in loaded][:4] == [
        "category-list-00000",
        "listtopten-00001",
        "queryonjob-00002",
        "listtopten-no-userid-00003",
    ]
    refused = loaded[3].steps[0].expect.errcode[0]
    assert (refused.comparator, refused.expected.source) == ("ne", 0)


def test_the_hand_written_table_has_the_profiles_values_filled_in() -> None:
    rows = handwritten_table(bench_cases(4), PROFILE)
    assert rows[0]["json"] == {"operation_userid": PROFILE["admin_userid"]}
    assert rows[1]["json"] == {"userid": PROFILE["reader_userid"]}
    assert rows[2]["length"] == ["result.data_list", "len_le", 3]
    assert (rows[3]["succeeds"], rows[3]["schema"], rows[3]["length"]) == (False, "oapi/error", None)


def test_tavern_gets_one_test_per_case_with_the_same_request_and_checks() -> None:
    documents = list(yaml.safe_load_all(tavern_yaml(bench_cases(4), PROFILE)))
    assert [document["test_name"] for document in documents] == [case.id for case in bench_cases(4)]
    stage = documents[2]["stages"][0]
    assert stage["request"]["url"] == "{base_url}/topapi/smartwork/hrm/employee/queryonjob"
    assert stage["request"]["json"] == {"status_list": "2,3,5,-1", "offset": 0, "size": 3}
    checks = stage["response"]["verify_response_with"]["extra_kwargs"]
    assert checks == {
        "schema": "oapi/topapi/smartwork/hrm/employee/queryonjob",
        "succeeds": True,
        "path": "result.data_list",
        "comparator": "len_le",
        "limit": 3,
    }
    assert "json" not in documents[3]["stages"][0]["response"], "an error case must not expect errcode 0"
