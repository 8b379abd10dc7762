"""`data/profiles/sandbox.yaml` names real objects of the seeded tenant, each with the role its key claims."""

from pathlib import Path
from typing import Any

import yaml

from sandbox.testing import SandboxClient

PROFILES = Path(__file__).resolve().parents[2] / "data" / "profiles"
CATEGORIES = "/topapi/blackboard/category/list"
TOPTEN = "/topapi/blackboard/listtopten"


def is_blackboard_admin(api: SandboxClient, userid: str) -> bool:
    return api.post(CATEGORIES, {"operation_userid": userid})["errcode"] == 0


def exists(api: SandboxClient, userid: str) -> bool:
    return api.post(TOPTEN, {"userid": userid})["errcode"] == 0


def test_admins_are_admins_and_the_others_are_not(api: SandboxClient, profile: dict[str, Any]) -> None:
    assert is_blackboard_admin(api, profile["admin_userid"])
    assert is_blackboard_admin(api, profile["sub_admin_userid"])
    for userid in (profile["plain_userid"], *profile["test_userids"]):
        assert exists(api, userid) and not is_blackboard_admin(api, userid)
    assert not exists(api, profile["unknown_userid"])


def test_ids_exist(api: SandboxClient, profile: dict[str, Any]) -> None:
    categories = api.post(CATEGORIES, {"operation_userid": profile["admin_userid"]})["result"]
    assert profile["category_id"] in [c["id"] for c in categories]
    assert isinstance(profile["test_dept_id"], int)
    request = {
        "operation_userid": profile["admin_userid"],
        "title": "t",
        "content": "c",
        "blackboard_receiver": {"deptid_list": [profile["test_dept_id"]]},
    }
    assert api.post("/topapi/blackboard/create", {"create_request": request})["errcode"] == 0
    assert 2 <= len(profile["test_userids"]) <= 3
    assert profile["reader_userid"] in profile["test_userids"]


def test_live_example_has_the_same_keys(profile: dict[str, Any]) -> None:
    live = yaml.safe_load((PROFILES / "live.example.yaml").read_text(encoding="utf-8"))
    assert set(live) == set(profile)
