"""`/topapi/report/*`: shapes, limits, paging over the seeded reports, and the create-then-read flow."""

from typing import Any

import pytest

from sandbox.testing import FakeClock, SandboxClient

DAY_MS = 86_400_000
Json = dict[str, Any]


def report_path(name: str) -> str:
    return f"/topapi/report/{name}"


def now_ms(clock: FakeClock) -> int:
    return int(clock.now * 1000)


def window(clock: FakeClock, days: int = 90) -> Json:
    return {"start_time": now_ms(clock) - days * DAY_MS, "end_time": now_ms(clock)}


def create_param(profile: Json, **overrides: Any) -> Json:
    param = {
        "userid": profile["report_userid"],
        "template_id": profile["report_template_id"],
        "to_chat": False,
        "dd_from": "sandbox-tests",
        "to_userids": profile["report_receiver_userids"],
        "contents": [
            {"key": profile["report_field_name"], "sort": 0, "type": 1, "content_type": "markdown", "content": "联调"}
        ],
    }
    return {"create_report_param": {**param, **overrides}}


def all_pages(api: SandboxClient, name: str, body: Json, key: str, cursor_field: str = "cursor") -> list[Any]:
    """Follow `next_cursor` until it is absent; collect every page's `key` items."""
    items: list[Any] = []
    cursor = 0
    for _ in range(100):
        answer = api.post(report_path(name), {**body, cursor_field: cursor})
        assert answer["errcode"] == 0, answer
        items += answer["result"][key]
        if "next_cursor" not in answer["result"]:
            return items
        cursor = answer["result"]["next_cursor"]
    raise AssertionError("paging never ended")


def test_create_then_read_it_back_everywhere(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    receivers = profile["report_receiver_userids"]
    unread_before = api.post(report_path("getunreadcount"), {"userid": receivers[0]})["count"]
    created = api.post(report_path("create"), create_param(profile))
    assert created["errcode"] == 0 and created["errmsg"] == "ok"
    report_id = created["result"]
    assert isinstance(report_id, str) and report_id
    listed = api.post(report_path("list"), {**window(clock, 1), "cursor": 0, "size": 20,
                                             "userid": profile["report_userid"]})  # fmt: skip
    first = listed["result"]["data_list"][0]
    assert first["report_id"] == report_id
    assert first["creator_id"] == profile["report_userid"]
    assert first["template_name"] == profile["report_template_name"]
    assert first["contents"] == [{"key": profile["report_field_name"], "sort": "0", "type": "1", "value": "联调"}]
    assert first["create_time"] == now_ms(clock)
    simple = api.post(report_path("simplelist"), {**window(clock, 1), "cursor": 0, "size": 20})
    assert simple["result"]["data_list"][0]["report_id"] == report_id
    assert "contents" not in simple["result"]["data_list"][0]
    receiver_list = api.post(report_path("receiver/list"), {"report_id": report_id})["result"]
    assert receiver_list["userid_list"] == receivers and receiver_list["has_more"] is False
    for kind in (0, 1, 2):
        stats = api.post(report_path("statistics/listbytype"), {"report_id": report_id, "type": kind})
        assert stats["result"]["userid_list"] == []
    assert api.post(report_path("comment/list"), {"report_id": report_id})["result"]["comments"] == []
    assert api.post(report_path("getunreadcount"), {"userid": receivers[0]})["count"] == unread_before + 1


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({}, True),
        ({"content": "字" * 1000}, True),
        ({"content": "字" * 1001}, False),
        ({"type": 2}, False),
        ({"content_type": "html"}, False),
        ({"key": "不存在的字段"}, False),
    ],
)
def test_report_contents_are_text_items_of_the_template(
    api: SandboxClient, profile: Json, change: Json, accepted: bool
) -> None:
    body = create_param(profile)
    item = body["create_report_param"]["contents"][0]
    body["create_report_param"]["contents"] = [{**item, **change}]
    assert (api.post(report_path("create"), body)["errcode"] == 0) is accepted


@pytest.mark.parametrize("field", ["contents", "template_id", "to_chat", "dd_from", "userid"])
def test_create_required_fields(api: SandboxClient, profile: Json, field: str) -> None:
    body = create_param(profile)
    del body["create_report_param"][field]
    answer = api.post(report_path("create"), body)
    assert answer["errcode"] == 40035 and field in answer["errmsg"]


def test_create_refuses_unknown_people_and_templates(api: SandboxClient, profile: Json) -> None:
    for change in ({"userid": profile["unknown_userid"]}, {"to_userids": [profile["unknown_userid"]]},
                   {"template_id": "no-such-template"}):  # fmt: skip
        assert api.post(report_path("create"), create_param(profile, **change))["errcode"] != 0


def test_list_pages_through_every_report_of_the_user(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    body = {**window(clock, 90), "size": 20, "userid": profile["report_userid"]}
    first = api.post(report_path("list"), {**body, "cursor": 0})["result"]
    assert set(first) >= {"data_list", "has_more", "next_cursor", "size"}
    assert first["has_more"] is True and len(first["data_list"]) == 20
    reports = all_pages(api, "list", body, "data_list")
    ids = [r["report_id"] for r in reports]
    assert len(ids) == len(set(ids)) > 40
    assert {r["creator_id"] for r in reports} == {profile["report_userid"]}
    times = [r["create_time"] for r in reports]
    assert times == sorted(times, reverse=True)
    weekly = all_pages(api, "simplelist", {**body, "template_name": "周报"}, "data_list")
    assert 0 < len(weekly) < len(reports) and {r["template_name"] for r in weekly} == {"周报"}


@pytest.mark.parametrize("name", ["list", "simplelist"])
@pytest.mark.parametrize(("size", "errcode"), [(1, 0), (20, 0), (0, 40069), (21, 40069)])
def test_list_size_is_at_most_20(api: SandboxClient, clock: FakeClock, name: str, size: int, errcode: int) -> None:
    assert api.post(report_path(name), {**window(clock), "cursor": 0, "size": size})["errcode"] == errcode


@pytest.mark.parametrize(("days", "accepted"), [(180, True), (181, False)])
def test_list_window_is_at_most_180_days(api: SandboxClient, clock: FakeClock, days: int, accepted: bool) -> None:
    answer = api.post(report_path("list"), {**window(clock, days), "cursor": 0, "size": 5})
    assert (answer["errcode"] == 0) is accepted


@pytest.mark.parametrize("field", ["start_time", "end_time", "cursor", "size"])
def test_list_requires_its_paging_fields(api: SandboxClient, clock: FakeClock, field: str) -> None:
    body = {**window(clock), "cursor": 0, "size": 5}
    del body[field]
    answer = api.post(report_path("list"), body)
    assert answer["errcode"] == 40035 and field in answer["errmsg"]


def test_the_busy_report_pages_its_people(api: SandboxClient, profile: Json) -> None:
    report_id = profile["report_id"]
    receivers = all_pages(api, "receiver/list", {"report_id": report_id, "size": 10}, "userid_list", "offset")
    assert len(receivers) == len(set(receivers)) > 30
    assert set(profile["report_receiver_userids"]) <= set(receivers)
    for kind in (0, 1, 2):
        people = all_pages(api, "statistics/listbytype", {"report_id": report_id, "type": kind, "size": 5},
                           "userid_list", "offset")  # fmt: skip
        assert len(people) > 5 and set(people) <= set(receivers)
    comments = all_pages(api, "comment/list", {"report_id": report_id, "size": 20}, "comments", "offset")
    assert len(comments) > 20
    assert all(set(c) == {"userid", "content", "create_time"} for c in comments)


@pytest.mark.parametrize(
    ("name", "field", "limit"),
    [("statistics/listbytype", "size", 100), ("receiver/list", "size", 100), ("comment/list", "size", 20)],
)
def test_report_people_page_limits(api: SandboxClient, profile: Json, name: str, field: str, limit: int) -> None:
    body = {"report_id": profile["report_id"], "type": 0}
    assert api.post(report_path(name), {**body, field: limit})["errcode"] == 0
    assert api.post(report_path(name), {**body, field: limit + 1})["errcode"] != 0


@pytest.mark.parametrize(("kind", "accepted"), [(0, True), (1, True), (2, True), (3, False), (-1, False)])
def test_statistics_type_is_0_1_or_2(api: SandboxClient, profile: Json, kind: int, accepted: bool) -> None:
    answer = api.post(report_path("statistics/listbytype"), {"report_id": profile["report_id"], "type": kind})
    assert (answer["errcode"] == 0) is accepted
    if accepted:
        assert answer["success"] is True


def test_unknown_reports_are_errors(api: SandboxClient) -> None:
    for name in ("receiver/list", "comment/list"):
        assert api.post(report_path(name), {"report_id": "no-such-report"})["errcode"] != 0
    assert api.post(report_path("statistics/listbytype"), {"report_id": "no-such-report", "type": 0})["errcode"] != 0


def test_getunreadcount(api: SandboxClient, profile: Json) -> None:
    answer = api.post(report_path("getunreadcount"), {"userid": profile["report_receiver_userids"][0]})
    assert answer["errcode"] == 0 and isinstance(answer["count"], int) and answer["count"] > 0
    assert "result" not in answer
    assert api.post(report_path("getunreadcount"), {"userid": profile["unknown_userid"]})["errcode"] != 0
    assert api.post(report_path("getunreadcount"), {})["errcode"] == 40035


def test_template_getbyname(api: SandboxClient, profile: Json) -> None:
    body = {"userid": profile["report_userid"], "template_name": profile["report_template_name"]}
    result = api.post(report_path("template/getbyname"), body)["result"]
    assert result["id"] == profile["report_template_id"] and result["name"] == profile["report_template_name"]
    assert result["userid"] == profile["report_userid"] and result["user_name"]
    assert profile["report_field_name"] in [f["field_name"] for f in result["fields"]]
    assert all(set(f) == {"field_name", "sort", "type"} for f in result["fields"])
    assert all(set(r) == {"userid", "user_name"} for r in result["default_receivers"])
    convs = result.get("default_received_convs", [])
    assert all(set(c) == {"conversation_id", "title"} for c in convs)
    missing_template = api.post(report_path("template/getbyname"), {**body, "template_name": "不存在的模板"})
    assert missing_template["errcode"] != 0
    assert api.post(report_path("template/getbyname"), {"userid": profile["report_userid"]})["errcode"] == 40035


def test_template_listbyuserid_pages_and_filters(api: SandboxClient, profile: Json) -> None:
    everything = all_pages(api, "template/listbyuserid", {"size": 5}, "template_list", "offset")
    assert len(everything) > 5
    assert all(set(t) == {"name", "icon_url", "report_code", "url"} for t in everything)
    mine = all_pages(api, "template/listbyuserid", {"size": 5, "userid": profile["report_userid"]},
                     "template_list", "offset")  # fmt: skip
    assert profile["report_template_name"] in [t["name"] for t in mine]
    assert 0 < len(mine) <= len(everything)
    assert api.post(report_path("template/listbyuserid"), {"size": 100})["errcode"] == 0
    assert api.post(report_path("template/listbyuserid"), {"size": 101})["errcode"] != 0
