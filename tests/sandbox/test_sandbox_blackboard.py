"""`/topapi/blackboard/*`: shapes, required fields, limits, permissions and flows, as seed 003 and the facts say."""

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from sandbox.testing import FakeClock, SandboxClient

CREATE = "/topapi/blackboard/create"
UPDATE = "/topapi/blackboard/update"
DELETE = "/topapi/blackboard/delete"
GET = "/topapi/blackboard/get"
LISTIDS = "/topapi/blackboard/listids"
CATEGORIES = "/topapi/blackboard/category/list"
TOPTEN = "/topapi/blackboard/listtopten"
SEEDED = 45
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
REQUEST_ID = re.compile(r"[a-z0-9]{12}")
Json = dict[str, Any]


def china_now(clock: FakeClock) -> datetime:
    """The clock's moment as a naive China Standard Time datetime (UTC+8, DingTalk's clock)."""
    return datetime.fromtimestamp(clock.now, timezone(timedelta(hours=8))).replace(tzinfo=None)


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def create_request(profile: Json, **overrides: Any) -> Json:
    request = {
        "operation_userid": profile["admin_userid"],
        "title": "入职须知",
        "content": "欢迎加入我们的大家庭",
        "blackboard_receiver": {"userid_list": profile["test_userids"]},
    }
    return {**request, **overrides}


def create(api: SandboxClient, profile: Json, **overrides: Any) -> Json:
    return api.post(CREATE, {"create_request": create_request(profile, **overrides)})


def newest_id(api: SandboxClient, profile: Json) -> str:
    query = {"operation_userid": profile["admin_userid"], "page": 1, "page_size": 1}
    return api.post(LISTIDS, {"query_request": query})["result"][0]


def created(api: SandboxClient, profile: Json, **overrides: Any) -> str:
    """Create an announcement and return its id, found as DingTalk clients do: the newest in listids."""
    assert create(api, profile, **overrides)["errcode"] == 0
    return newest_id(api, profile)


def get(api: SandboxClient, blackboard_id: str, operator: str) -> Json:
    return api.post(GET, {"blackboard_id": blackboard_id, "operation_userid": operator})


def listids(api: SandboxClient, operator: str, **query: Any) -> Json:
    return api.post(LISTIDS, {"query_request": {"operation_userid": operator, **query}})


def update_request(blackboard_id: str, operator: str, **overrides: Any) -> Json:
    request = {"blackboard_id": blackboard_id, "operation_userid": operator, "title": "新标题", "content": "新内容"}
    return {"update_request": {**request, **overrides}}


def all_ids(api: SandboxClient, operator: str) -> list[str]:
    pages = [listids(api, operator, page=page, page_size=30)["result"] for page in (1, 2, 3)]
    return [blackboard_id for page in pages for blackboard_id in page]


def test_create_answers_result_true_not_an_id(api: SandboxClient, profile: Json) -> None:
    body = create(api, profile)
    assert set(body) == {"errcode", "result", "success", "request_id"}
    assert body["errcode"] == 0 and body["result"] is True and body["success"] is True
    assert REQUEST_ID.fullmatch(body["request_id"])


def test_get_answers_every_documented_field(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    receivers = {"userid_list": profile["test_userids"][:2], "deptid_list": [profile["test_dept_id"]]}
    blackboard_id = created(
        api, profile, blackboard_receiver=receivers, category_id=profile["category_id"], private_level=20,
        author="杨xx", coverpic_mediaid="@lADPDeC2ufXOeRzMqM0BLA",
    )  # fmt: skip
    body = get(api, blackboard_id, profile["admin_userid"])
    assert body["errcode"] == 0 and body["success"] is True
    result = body["result"]
    assert result["id"] == blackboard_id
    assert (result["title"], result["content"], result["author"]) == ("入职须知", "欢迎加入我们的大家庭", "杨xx")
    assert result["category_id"] == profile["category_id"]
    assert result["private_level"] == 20
    assert DATETIME.fullmatch(result["gmt_create"]) and result["gmt_create"] == result["gmt_modified"]
    assert [u["staff_id"] for u in result["user_list"]] == profile["test_userids"][:2]
    assert result["username_list"] == [u["name"] for u in result["user_list"]]
    assert [d["dept_id"] for d in result["deptList"]] == [str(profile["test_dept_id"])]
    assert result["depname_list"] == [d["name"] for d in result["deptList"]]
    assert result["read_count"] == 0
    assert isinstance(result["unread_count"], int) and result["unread_count"] >= 3  # 2 users + a department
    assert result["coverpic_url"].startswith("http") and "lADPDeC2ufXOeRzMqM0BLA" in result["coverpic_url"]


def test_get_shows_times_in_china_time(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    blackboard_id = created(api, profile)
    expected = _stamp(china_now(clock))
    assert get(api, blackboard_id, profile["admin_userid"])["result"]["gmt_create"] == expected


def test_crud_round_trip(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    admin = profile["admin_userid"]
    blackboard_id = created(api, profile, title="往返测试")
    assert get(api, blackboard_id, admin)["result"]["title"] == "往返测试"
    clock.advance(60)
    updated = api.post(UPDATE, update_request(blackboard_id, admin))
    assert (updated["errcode"], updated["result"], updated["success"]) == (0, True, True)
    result = get(api, blackboard_id, admin)["result"]
    assert (result["title"], result["content"]) == ("新标题", "新内容")
    assert result["gmt_modified"] > result["gmt_create"]
    deleted = api.post(DELETE, {"blackboard_id": blackboard_id, "operation_userid": admin})
    assert (deleted["errcode"], deleted["result"], deleted["success"], deleted["errmsg"]) == (0, True, True, "ok")
    assert get(api, blackboard_id, admin)["errcode"] != 0
    assert api.post(DELETE, {"blackboard_id": blackboard_id, "operation_userid": admin})["errcode"] != 0
    assert api.post(UPDATE, update_request(blackboard_id, admin))["errcode"] != 0
    assert blackboard_id not in all_ids(api, admin)


def test_unknown_ids_are_errors(api: SandboxClient, profile: Json) -> None:
    admin = profile["admin_userid"]
    assert get(api, "no-such-board", admin)["errcode"] != 0
    assert api.post(DELETE, {"blackboard_id": "no-such-board", "operation_userid": admin})["errcode"] != 0
    assert api.post(UPDATE, update_request("no-such-board", admin))["errcode"] != 0


@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        (CREATE, "create_request", {}),
        *[
            (CREATE, field, {"create_request": {**create_request({"admin_userid": "a", "test_userids": ["u"]}),
                                                field: None}})
            for field in ("operation_userid", "title", "content", "blackboard_receiver")
        ],
        (UPDATE, "update_request", {}),
        *[
            (UPDATE, field, {"update_request": {**update_request("b", "a")["update_request"], field: ""}})
            for field in ("blackboard_id", "operation_userid", "title", "content")
        ],
        (DELETE, "blackboard_id", {"operation_userid": "a"}),
        (DELETE, "operation_userid", {"blackboard_id": "b"}),
        (GET, "blackboard_id", {"operation_userid": "a"}),
        (GET, "operation_userid", {"blackboard_id": "b"}),
        (LISTIDS, "query_request", {}),
        (LISTIDS, "operation_userid", {"query_request": {"page": 1, "page_size": 10}}),
        (LISTIDS, "page", {"query_request": {"operation_userid": "a", "page_size": 10}}),
        (LISTIDS, "page_size", {"query_request": {"operation_userid": "a", "page": 1}}),
        (CATEGORIES, "operation_userid", {}),
        (TOPTEN, "userid", {}),
    ],
)  # fmt: skip
def test_a_missing_required_field_is_40035_naming_it(api: SandboxClient, path: str, field: str, body: Json) -> None:
    answer = api.post(path, body)
    assert answer["errcode"] == 40035
    assert field in answer["errmsg"]


def test_receivers_are_required(api: SandboxClient, profile: Json) -> None:
    assert create(api, profile, blackboard_receiver={})["errcode"] != 0
    assert create(api, profile, blackboard_receiver={"userid_list": [], "deptid_list": []})["errcode"] != 0


@pytest.mark.parametrize(("count", "accepted"), [(20, True), (21, False)])
def test_deptid_list_holds_at_most_20(api: SandboxClient, profile: Json, count: int, accepted: bool) -> None:
    receivers = {"deptid_list": [profile["test_dept_id"]] * count}
    assert (create(api, profile, blackboard_receiver=receivers)["errcode"] == 0) is accepted


@pytest.mark.parametrize(("count", "accepted"), [(1000, True), (1001, False)])
def test_userid_list_holds_at_most_1000(api: SandboxClient, profile: Json, count: int, accepted: bool) -> None:
    receivers = {"userid_list": [profile["reader_userid"]] * count}
    assert (create(api, profile, blackboard_receiver=receivers)["errcode"] == 0) is accepted


@pytest.mark.parametrize(("level", "accepted"), [(0, True), (20, True), (1, False), (10, False), (-1, False)])
def test_private_level_is_0_or_20(api: SandboxClient, profile: Json, level: int, accepted: bool) -> None:
    assert (create(api, profile, private_level=level)["errcode"] == 0) is accepted


def test_unknown_receivers_and_categories_are_refused(api: SandboxClient, profile: Json) -> None:
    unknown_user = {"userid_list": [profile["unknown_userid"]]}
    assert create(api, profile, blackboard_receiver=unknown_user)["errcode"] != 0
    assert create(api, profile, blackboard_receiver={"deptid_list": [424242]})["errcode"] != 0
    assert create(api, profile, category_id="no-such-category")["errcode"] != 0


def test_only_blackboard_admins_create(api: SandboxClient, profile: Json) -> None:
    assert create(api, profile, operation_userid=profile["sub_admin_userid"])["errcode"] == 0
    assert create(api, profile, operation_userid=profile["plain_userid"])["errcode"] != 0
    assert create(api, profile, operation_userid=profile["unknown_userid"])["errcode"] != 0
    assert api.stats()["objects"]["blackboard"] == SEEDED + 1


def test_only_the_main_admin_or_the_creating_sub_admin_edit(api: SandboxClient, profile: Json) -> None:
    admin, sub_admin, plain = profile["admin_userid"], profile["sub_admin_userid"], profile["plain_userid"]
    by_admin = created(api, profile)
    by_sub_admin = created(api, profile, operation_userid=sub_admin)
    assert api.post(UPDATE, update_request(by_admin, sub_admin))["errcode"] != 0
    assert api.post(UPDATE, update_request(by_admin, plain))["errcode"] != 0
    assert api.post(DELETE, {"blackboard_id": by_admin, "operation_userid": sub_admin})["errcode"] != 0
    assert api.post(UPDATE, update_request(by_sub_admin, sub_admin))["errcode"] == 0
    assert api.post(UPDATE, update_request(by_sub_admin, admin, title="主管理员改"))["errcode"] == 0
    assert get(api, by_sub_admin, admin)["result"]["title"] == "主管理员改"
    assert api.post(DELETE, {"blackboard_id": by_sub_admin, "operation_userid": admin})["errcode"] == 0
    assert get(api, by_admin, admin)["result"]["title"] == "入职须知"


def test_get_is_for_admins_and_receivers(api: SandboxClient, profile: Json) -> None:
    blackboard_id = created(api, profile)
    assert get(api, blackboard_id, profile["reader_userid"])["errcode"] == 0
    assert get(api, blackboard_id, profile["sub_admin_userid"])["errcode"] == 0
    assert get(api, blackboard_id, profile["plain_userid"])["errcode"] != 0
    assert get(api, blackboard_id, profile["unknown_userid"])["errcode"] != 0


def test_listids_pages_through_every_announcement_newest_first(api: SandboxClient, profile: Json) -> None:
    admin = profile["admin_userid"]
    first, second = (listids(api, admin, page=page, page_size=30) for page in (1, 2))
    assert first["errcode"] == 0 and first["success"] is True
    assert (len(first["result"]), len(second["result"])) == (30, SEEDED - 30)
    ids = first["result"] + second["result"]
    assert len(set(ids)) == SEEDED
    assert listids(api, admin, page=3, page_size=30)["result"] == []
    created_times = [get(api, blackboard_id, admin)["result"]["gmt_create"] for blackboard_id in ids]
    assert created_times == sorted(created_times, reverse=True)


@pytest.mark.parametrize(("size", "errcode"), [(1, 0), (30, 0), (0, 40069), (31, 40069)])
def test_listids_page_size_is_1_to_30(api: SandboxClient, profile: Json, size: int, errcode: int) -> None:
    body = listids(api, profile["admin_userid"], page=1, page_size=size)
    assert body["errcode"] == errcode
    if errcode == 0:
        assert len(body["result"]) == size


@pytest.mark.parametrize(("page", "accepted"), [(1, True), (0, False), (-1, False)])
def test_listids_page_starts_at_1(api: SandboxClient, profile: Json, page: int, accepted: bool) -> None:
    assert (listids(api, profile["admin_userid"], page=page, page_size=10)["errcode"] == 0) is accepted


@pytest.mark.parametrize(("span", "accepted"), [(timedelta(days=180), True), (timedelta(days=180, seconds=1), False)])
def test_listids_window_is_at_most_180_days(api: SandboxClient, profile: Json, span: timedelta, accepted: bool) -> None:
    end = datetime(2024, 6, 1, 10, 0, 0)
    body = listids(api, profile["admin_userid"], page=1, page_size=30,
                   start_time=_stamp(end - span), end_time=_stamp(end))  # fmt: skip
    assert (body["errcode"] == 0) is accepted


def test_listids_filters_by_time_and_category(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    admin = profile["admin_userid"]
    now = china_now(clock)
    recent = listids(api, admin, page=1, page_size=30, start_time=_stamp(now - timedelta(days=30)),
                     end_time=_stamp(now))["result"]  # fmt: skip
    everything = all_ids(api, admin)
    assert 0 < len(recent) < len(everything)
    assert recent == everything[: len(recent)]
    in_category = listids(api, admin, page=1, page_size=30, category_id=profile["category_id"])["result"]
    assert in_category
    assert {get(api, i, admin)["result"]["category_id"] for i in in_category} == {profile["category_id"]}
    assert listids(api, admin, page=1, page_size=30, start_time="2024/06/01")["errcode"] != 0
    assert (
        listids(api, admin, page=1, page_size=30, start_time=_stamp(now), end_time=_stamp(now - timedelta(1)))[
            "errcode"
        ]
        != 0
    )


def test_listids_and_categories_are_for_admins(api: SandboxClient, profile: Json) -> None:
    assert listids(api, profile["sub_admin_userid"], page=1, page_size=10)["errcode"] == 0
    assert listids(api, profile["plain_userid"], page=1, page_size=10)["errcode"] != 0
    assert api.post(CATEGORIES, {"operation_userid": profile["plain_userid"]})["errcode"] != 0


def test_category_list(api: SandboxClient, profile: Json) -> None:
    body = api.post(CATEGORIES, {"operation_userid": profile["admin_userid"]})
    assert body["errcode"] == 0 and body["success"] is True
    assert len(body["result"]) >= 2
    assert all(
        set(item) == {"id", "name"} and all(isinstance(v, str) for v in item.values()) for item in body["result"]
    )
    assert profile["category_id"] in [item["id"] for item in body["result"]]


def test_listtopten_lists_the_ten_newest_a_user_receives(api: SandboxClient, profile: Json) -> None:
    reader = profile["reader_userid"]
    body = api.post(TOPTEN, {"userid": reader})
    assert body["errcode"] == 0 and "result" not in body
    items = body["blackboard_list"]
    assert len(items) == 10
    assert all(set(item) == {"gmt_create", "title", "url", "categoryId", "id"} for item in items)
    assert all(get(api, item["id"], reader)["errcode"] == 0 for item in items)
    assert [item["gmt_create"] for item in items] == sorted((item["gmt_create"] for item in items), reverse=True)
    newest = created(api, profile, title="给读者的新公告")
    assert api.post(TOPTEN, {"userid": reader})["blackboard_list"][0]["id"] == newest


def test_listtopten_counts_announcements_sent_to_a_department(api: SandboxClient, profile: Json) -> None:
    plain = profile["plain_userid"]  # a member of test_dept_id
    before = [item["id"] for item in api.post(TOPTEN, {"userid": plain})["blackboard_list"]]
    to_dept = created(api, profile, blackboard_receiver={"deptid_list": [profile["test_dept_id"]]})
    assert to_dept not in before
    assert api.post(TOPTEN, {"userid": plain})["blackboard_list"][0]["id"] == to_dept
    assert api.post(TOPTEN, {"userid": profile["unknown_userid"]})["errcode"] != 0
