"""A test written in Python, for when YAML is not enough: the ``dingtalk`` fixture sends through the run's own
client (one shared token, retries, rate limit, masking, Allure, schema checks), ``tenant_profile`` is the profile
the YAML reads as ``${profile.KEY}``. Read-only, so it runs against the sandbox and any live tenant alike."""

from __future__ import annotations

from typing import Any

import allure

from common.plugin.fixtures import DingTalk

pytestmark = [allure.epic("公告 Blackboard"), allure.feature("blackboard")]


@allure.title("category/list holds both profile categories, each once (hand-written)")
def test_categories_hold_the_profile_s_two(dingtalk: DingTalk, tenant_profile: dict[str, Any]) -> None:
    answer = dingtalk.post(
        "/topapi/blackboard/category/list", json={"operation_userid": tenant_profile["admin_userid"]}
    )  # fails here unless errcode is 0 and the body fits schemas/oapi/topapi/blackboard/category/list.json
    ids = [category["id"] for category in answer.body["result"]]
    assert len(ids) == len(set(ids)), f"a category is listed twice: {ids}"
    assert {tenant_profile["category_id"], tenant_profile["other_category_id"]} <= set(ids)


@allure.title("category/list without operation_userid is refused (hand-written)")
def test_a_refusal_is_checked_against_the_error_schema(dingtalk: DingTalk) -> None:
    answer = dingtalk.post("/topapi/blackboard/category/list", json={}, check=False)
    assert answer.body["errcode"] != 0


@allure.title("dismissions on the new host answers at most 30 distinct userIds (hand-written)")
def test_the_new_host_takes_the_token_in_its_header(dingtalk: DingTalk) -> None:
    answer = dingtalk.get("/v1.0/hrm/employees/dismissions", api="api")
    userids = answer.body["userIdList"]
    assert len(userids) <= 30 and len(set(userids)) == len(userids)
