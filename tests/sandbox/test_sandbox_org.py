"""HR lists, dismissions on the new host, check-ins, cooperation spaces, service accounts and auth info."""

from typing import Any

import pytest

from sandbox.testing import FakeClock, SandboxClient

PREENTRY = "/topapi/smartwork/hrm/employee/querypreentry"
ONJOB = "/topapi/smartwork/hrm/employee/queryonjob"
DISMISSIONS = "/v1.0/hrm/employees/dismissions"
CHECKIN = "/topapi/checkin/record/get"
SPACES = "/topapi/union/cooperate/joined/list"
ACCOUNTS = "/topapi/serviceaccount/list"
AUTH_INFO = "/service/get_auth_info"
DAY_MS = 86_400_000
Json = dict[str, Any]


def offset_pages(api: SandboxClient, path: str, body: Json, key: str, cursor: str = "offset") -> list[Any]:
    """Follow `next_cursor` until it is absent or null."""
    items: list[Any] = []
    position: Any = 0
    while position is not None:
        answer = api.post(path, {**body, cursor: position})
        assert answer["errcode"] == 0, answer
        items += answer["result"][key]
        position = answer["result"].get("next_cursor")
    return items


def test_hrm_lists_page_without_repeats(api: SandboxClient) -> None:
    preentry = offset_pages(api, PREENTRY, {"size": 10}, "data_list")
    assert len(preentry) == len(set(preentry)) > 10
    onjob = offset_pages(api, ONJOB, {"size": 10, "status_list": "2,3,5,-1"}, "data_list")
    assert len(onjob) == len(set(onjob)) > 50
    regular = offset_pages(api, ONJOB, {"size": 50, "status_list": "3"}, "data_list")
    probation = offset_pages(api, ONJOB, {"size": 50, "status_list": "2"}, "data_list")
    assert regular and probation and not set(regular) & set(probation)
    assert set(regular) | set(probation) <= set(onjob)
    answer = api.post(PREENTRY, {"offset": 0, "size": 10})
    assert answer["success"] is True and answer["result"]["next_cursor"] == 10


@pytest.mark.parametrize("path", [PREENTRY, ONJOB])
@pytest.mark.parametrize(
    ("paging", "errcode"), [({"offset": 0, "size": 50}, 0), ({"offset": 0, "size": 51}, 40069),
                            ({"offset": 0, "size": 0}, 40069), ({"offset": -1, "size": 10}, None)]
)  # fmt: skip
def test_hrm_paging_limits(api: SandboxClient, path: str, paging: Json, errcode: int | None) -> None:
    answer = api.post(path, {**paging, "status_list": "3"})
    assert answer["errcode"] == errcode if errcode is not None else answer["errcode"] != 0


@pytest.mark.parametrize("field", ["offset", "size"])
def test_hrm_paging_fields_are_required(api: SandboxClient, field: str) -> None:
    body = {"offset": 0, "size": 10, "status_list": "3"}
    del body[field]
    for path in (PREENTRY, ONJOB):
        answer = api.post(path, body)
        assert answer["errcode"] == 40035 and field in answer["errmsg"]


@pytest.mark.parametrize(("status_list", "accepted"), [("2,3,5,-1", True), ("5", True), ("4", False),
                                                       ("a,b", False), ("", False)])  # fmt: skip
def test_onjob_status_list(api: SandboxClient, status_list: str, accepted: bool) -> None:
    answer = api.post(ONJOB, {"status_list": status_list, "offset": 0, "size": 10})
    assert (answer["errcode"] == 0) is accepted


def acs_get(api: SandboxClient, token: str | None, **params: Any) -> Any:
    headers = {} if token is None else {"x-acs-dingtalk-access-token": token}
    return api.raw("GET", DISMISSIONS, params=params, headers=headers)


def test_dismissions_page_with_next_token(api: SandboxClient) -> None:
    first = acs_get(api, api.token)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"nextToken", "hasMore", "userIdList"}
    assert (len(body["userIdList"]), body["nextToken"], body["hasMore"]) == (30, 30, True)
    everyone = list(body["userIdList"])
    while body["hasMore"]:
        body = acs_get(api, api.token, nextToken=body["nextToken"], maxResults=50).json()
        everyone += body["userIdList"]
    assert len(everyone) == len(set(everyone)) > 50


@pytest.mark.parametrize(
    ("params", "status"),
    [({"maxResults": 50}, 200), ({"maxResults": 51}, 400), ({"maxResults": 0}, 400),
     ({"nextToken": -1}, 400), ({"nextToken": "abc"}, 400)],
)  # fmt: skip
def test_dismissions_paging_limits(api: SandboxClient, params: Json, status: int) -> None:
    response = acs_get(api, api.token, **params)
    assert response.status_code == status
    if status == 400:
        body = response.json()
        assert body["code"] == "invalidParameter" and set(body) == {"requestid", "code", "message"}


def test_dismissions_auth_errors(api: SandboxClient) -> None:
    missing = acs_get(api, None)
    assert (missing.status_code, missing.json()["code"]) == (400, "AuthenticationFailed.MissingParameter")
    bad = acs_get(api, "bad-token")
    assert (bad.status_code, bad.json()["code"]) == (400, "InvalidAuthentication")
    old_style = api.raw("GET", DISMISSIONS, params={"access_token": api.token})
    assert old_style.status_code == 400
    wrong_method = api.raw("POST", DISMISSIONS, headers={"x-acs-dingtalk-access-token": api.token})
    assert wrong_method.status_code == 405 and wrong_method.json()["code"]


def checkin_body(clock: FakeClock, userids: str, days: float, **extra: Any) -> Json:
    end = int(clock.now * 1000)
    return {"userid_list": userids, "start_time": end - int(days * DAY_MS), "end_time": end, "cursor": 0,
            "size": 100, **extra}  # fmt: skip


def test_checkins_page_over_ten_days(api: SandboxClient, profile: Json, clock: FakeClock) -> None:
    body = checkin_body(clock, profile["checkin_userid"], 10)
    first = api.post(CHECKIN, body)
    assert first["errcode"] == 0 and first["result"]["next_cursor"] == 100
    records = offset_pages(api, CHECKIN, body, "page_list", "cursor")
    assert len(records) > 100
    assert {r["userid"] for r in records} == {profile["checkin_userid"]}
    times = [r["checkin_time"] for r in records]
    assert times == sorted(times) and all(body["start_time"] <= t <= body["end_time"] for t in times)
    keys = {"checkin_time", "detail_place", "remark", "userid", "place", "longitude", "latitude", "visit_user"}
    assert all(keys <= set(r) <= keys | {"image_list"} for r in records)
    assert all(r["image_list"] for r in records if "image_list" in r)


@pytest.mark.parametrize(("users", "days", "accepted"), [(1, 10, True), (1, 10.01, False), (2, 1, True),
                                                         (2, 1.01, False), (10, 1, True), (11, 1, False)])  # fmt: skip
def test_checkin_limits(api: SandboxClient, profile: Json, clock: FakeClock, users: int, days: float,
                        accepted: bool) -> None:  # fmt: skip
    keys = ("checkin_userid", "admin_userid", "sub_admin_userid", "plain_userid", "report_userid")
    people = [profile[key] for key in keys] + profile["test_userids"] + profile["report_receiver_userids"]
    assert len(people) >= 11
    answer = api.post(CHECKIN, checkin_body(clock, ",".join(people[:users]), days))
    assert (answer["errcode"] == 0) is accepted


@pytest.mark.parametrize(("size", "errcode"), [(100, 0), (101, 40069), (0, 40069)])
def test_checkin_size(api: SandboxClient, profile: Json, clock: FakeClock, size: int, errcode: int) -> None:
    answer = api.post(CHECKIN, checkin_body(clock, profile["checkin_userid"], 1, size=size))
    assert answer["errcode"] == errcode


@pytest.mark.parametrize("field", ["userid_list", "start_time", "end_time", "cursor", "size"])
def test_checkin_required_fields(api: SandboxClient, profile: Json, clock: FakeClock, field: str) -> None:
    body = checkin_body(clock, profile["checkin_userid"], 1)
    del body[field]
    answer = api.post(CHECKIN, body)
    assert answer["errcode"] == 40035 and field in answer["errmsg"]


def test_cooperate_spaces_by_status(api: SandboxClient) -> None:
    joined, applying = (api.post(SPACES, {"status": status}) for status in (1, "0"))
    assert joined["errcode"] == applying["errcode"] == 0 and joined["success"] is True
    keys = {"belong_org_name", "belong_corp_id", "org_name", "corp_id"}
    assert joined["result"] and applying["result"]
    assert all(set(space) == keys for space in joined["result"] + applying["result"])
    assert not {s["corp_id"] for s in joined["result"]} & {s["corp_id"] for s in applying["result"]}
    assert api.post(SPACES, {"status": 2})["errcode"] != 0
    assert api.post(SPACES, {})["errcode"] == 40035


def test_service_accounts_page(api: SandboxClient) -> None:
    first = api.post(ACCOUNTS, {"pageStart": 1, "pageSize": 10})
    assert first["errcode"] == 0 and first["item_count"] == len(first["items"]) == 10
    total = first["total_count"]
    assert total > 20
    pages = [api.post(ACCOUNTS, {"pageStart": n, "pageSize": 10})["items"] for n in range(1, total // 10 + 2)]
    unionids = [item["unionid"] for page in pages for item in page]
    assert len(unionids) == len(set(unionids)) == total
    keys = {"unionid", "name", "brief", "desc", "avatar_media_id", "preview_media_id", "status"}
    assert all(set(item) == keys and item["status"] in ("normal", "disabled") for page in pages for item in page)


@pytest.mark.parametrize(
    ("paging", "accepted"),
    [({"pageStart": 1, "pageSize": 50}, True), ({"pageStart": 1, "pageSize": 51}, False),
     ({"pageStart": 0, "pageSize": 5}, False), ({"pageStart": 1, "pageSize": 0}, False), ({}, True)],
)  # fmt: skip
def test_service_account_paging_limits(api: SandboxClient, paging: Json, accepted: bool) -> None:
    assert (api.post(ACCOUNTS, paging)["errcode"] == 0) is accepted


def test_get_auth_info(api: SandboxClient, profile: Json) -> None:
    body = api.post(AUTH_INFO, {"auth_corpid": profile["corp_id"]})
    assert body["errcode"] == 0
    assert body["auth_corp_info"]["corpid"] == profile["corp_id"]
    assert isinstance(body["auth_info"]["agent"][0]["agentid"], int)
    assert set(body) >= {"auth_info", "auth_user_info", "auth_corp_info", "channel_auth_info", "errmsg"}


def test_get_auth_info_errors_use_the_top_gateway_shape(api: SandboxClient) -> None:
    for body, token in (({"auth_corpid": "ding-someone-else"}, None), ({}, "bad-token"), ({}, "")):
        answer = api.post(AUTH_INFO, body, token=token)
        assert set(answer) == {"error_response"}
        assert set(answer["error_response"]) == {"msg", "code", "sub_msg", "sub_code"}
