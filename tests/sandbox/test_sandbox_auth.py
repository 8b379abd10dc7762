"""gettoken, token lifetime, and the auth errors of `/topapi/*`."""

import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.config import DEFAULT_APPKEY as APPKEY
from sandbox.config import DEFAULT_APPSECRET as APPSECRET
from sandbox.testing import FakeClock
from sandbox.testing import SandboxClient as Api

TTL = 7200
CATEGORY_LIST = "/topapi/blackboard/category/list"
ADMIN_BODY = {"operation_userid": "manager4220"}


def test_gettoken_answers_the_documented_shape(api: Api) -> None:
    body = api.gettoken(appkey=APPKEY, appsecret=APPSECRET)
    assert body["errcode"] == 0
    assert body["errmsg"] == "ok"
    assert body["expires_in"] == TTL
    assert isinstance(body["access_token"], str) and body["access_token"]


def test_asking_again_while_valid_returns_the_same_token_and_renews_it(api: Api, clock: FakeClock) -> None:
    first = api.login()
    clock.advance(TTL - 1)
    assert api.login() == first
    clock.advance(TTL - 1)  # past the first expiry, within the renewed one
    assert api.post(CATEGORY_LIST, ADMIN_BODY)["errcode"] == 0
    assert api.login() == first


def test_an_expired_token_is_refused_and_replaced(api: Api, clock: FakeClock) -> None:
    first = api.login()
    clock.advance(TTL)
    expired = api.post(CATEGORY_LIST, ADMIN_BODY)
    assert (expired["errcode"], expired["sub_code"]) == (88, "40014")
    assert api.login() != first
    assert api.post(CATEGORY_LIST, ADMIN_BODY)["errcode"] == 0


def test_token_ttl_is_configurable(clock: FakeClock) -> None:
    config = SandboxConfig(token_ttl=60, clock=clock)
    with SandboxServer(config=config) as server, requests.Session() as session:
        api = Api(server.url, session)
        assert api.gettoken(appkey=APPKEY, appsecret=APPSECRET)["expires_in"] == 60
        api.login()
        clock.advance(60)
        assert api.post(CATEGORY_LIST, ADMIN_BODY)["sub_code"] == "40014"


def test_custom_credentials_are_the_only_ones_accepted(clock: FakeClock) -> None:
    config = SandboxConfig(appkey="k1", appsecret="s1", clock=clock)
    with SandboxServer(config=config) as server, requests.Session() as session:
        api = Api(server.url, session)
        assert api.gettoken(appkey="k1", appsecret="s1")["errcode"] == 0
        assert api.gettoken(appkey=APPKEY, appsecret=APPSECRET)["errcode"] == 40096


def test_wrong_credentials(api: Api) -> None:
    for params in ({"appkey": APPKEY, "appsecret": "nope"}, {"appkey": "nope", "appsecret": APPSECRET}):
        assert api.gettoken(**params) == {"errcode": 40096, "errmsg": "不合法的appKey或appSecret"}


def test_missing_credentials(api: Api) -> None:
    for params in ({}, {"appkey": APPKEY}, {"appsecret": APPSECRET}, {"appkey": "", "appsecret": ""}):
        assert api.gettoken(**params) == {"errcode": 40035, "errmsg": "缺少参数 corpid or appkey"}


def _assert_wrapped(body: dict[str, object], sub_code: str, sub_msg: str) -> None:
    assert body["errcode"] == 88
    assert body["sub_code"] == sub_code
    assert body["sub_msg"] == sub_msg
    assert body["errmsg"] == f"ding talk error[subcode={sub_code},submsg={sub_msg}]"
    assert isinstance(body["request_id"], str) and len(body["request_id"]) == 12


def test_missing_token_is_errcode_88_sub_code_40000(api: Api) -> None:
    _assert_wrapped(api.post(CATEGORY_LIST, ADMIN_BODY, token=""), "40000", "access_token is blank")
    response = api.raw("POST", CATEGORY_LIST, json=ADMIN_BODY)
    _assert_wrapped(response.json(), "40000", "access_token is blank")


def test_bad_token_is_errcode_88_sub_code_40014(api: Api) -> None:
    for token in ("not-a-token", "公告", api.token + "x"):
        _assert_wrapped(api.post(CATEGORY_LIST, ADMIN_BODY, token=token), "40014", "不合法的access_token")


def test_unknown_topapi_path_is_errcode_22_even_without_a_token(api: Api) -> None:
    for token in (api.token, ""):
        body = api.post("/topapi/blackboard/nosuch", {}, token=token)
        assert body["errcode"] == 22
        assert body["errmsg"].startswith("Invalid method[submsg=不合法ApiName] (the sandbox does not emulate POST ")


def test_other_unknown_paths_are_http_404_with_json(api: Api) -> None:
    for path in ("/nosuch", "/v1.0/nosuch", "/topapi", "/__sandbox/nosuch"):
        response = api.raw("GET", path)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json;charset=utf-8"
        assert response.json()["errcode"] != 0
