"""common.dingtalk.api: the two API generations, their error envelopes, where the token goes, and what the client
adds for each auth mode (the run's token itself: test_run_token.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest

from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError
from common.dingtalk import api as dingtalk
from common.dingtalk.api import ApiRequest, DingTalkClient, errcode, is_error, token_rejected
from common.http.transport import OutgoingRequest, Response
from tests.framework.fake_dingtalk import (
    API_URL,
    OAPI_URL,
    FakeDingTalk,
    api_request,
    client_of,
    issued,
    path_of,
    query_of,
    token_of,
)
from tests.framework.fakes import ok, response

TOKEN_40014 = {"errcode": 88, "sub_code": "40014", "sub_msg": "不合法的access_token", "errmsg": "ding talk error"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"errcode": 0, "errmsg": "ok"}, 0),
        ({"errcode": 40035}, 40035),
        ({"error_response": {"code": 15, "msg": "Remote service error", "sub_code": "isv.x"}}, 15),
        ({"errcode": 0, "error_response": {"code": 15}}, 0),  # the flat field wins
        ({"result": True}, None),
        ({"error_response": "text"}, None),
        (None, None),
        ([{"errcode": 1}], None),
        ("errcode", None),
    ],
)
def test_errcode(body: Any, code: Any) -> None:
    assert errcode(body) == code


@pytest.mark.parametrize(
    ("api", "answer", "error"),
    [
        ("oapi", ok(result=True), False),
        ("oapi", response({"errcode": 40035}), True),
        ("oapi", response({"error_response": {"code": 15}}), True),
        ("oapi", response({"result": []}), False),
        ("oapi", response(None, status=502, text="<html>bad gateway</html>"), True),
        ("api", response({"userIdList": []}), False),
        ("api", response({"requestid": "r", "code": "invalidParameter", "message": "m"}, status=400), True),
        ("api", response({"errcode": 40035}), False),  # the new host's errors are HTTP errors
        ("api", response({"code": "systemError"}, status=500), True),
    ],
)
def test_is_error(api: str, answer: Response, error: bool) -> None:
    assert is_error(api, answer) is error


@pytest.mark.parametrize(
    ("api", "answer", "rejected"),
    [
        ("oapi", response({"errcode": 40014, "errmsg": "不合法的access_token"}), True),
        ("oapi", response({"errcode": 42001, "errmsg": "access_token超时"}), True),
        ("oapi", response({"errcode": 33001}), True),
        ("oapi", response({"errcode": 40001}), True),
        ("oapi", response(TOKEN_40014), True),
        ("oapi", response({**TOKEN_40014, "sub_code": "60011", "sub_msg": "没有调用该接口的权限"}), False),
        ("oapi", response({**TOKEN_40014, "sub_code": "40000", "sub_msg": "access_token is blank"}), False),
        ("oapi", response({"errcode": 40035}), False),
        ("oapi", response({"error_response": {"code": 27, "msg": "Invalid session", "sub_code": "40014"}}), True),
        ("oapi", response({"error_response": {"code": 27, "sub_code": "40000", "sub_msg": "blank"}}), False),
        ("oapi", response({"error_response": {"code": 50, "sub_code": "isv.invalid-parameter"}}), False),
        ("oapi", ok(), False),
        ("oapi", response(None, status=502, text="bad gateway"), False),
        ("api", response({"requestid": "r", "code": "InvalidAuthentication", "message": "m"}, status=400), True),
        ("api", response({"code": "InvalidAuthentication"}, status=401), True),
        ("api", response({"code": "AuthenticationFailed.MissingParameter"}, status=400), False),
        ("api", response({"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied"}, status=403), False),
        ("api", response({"errcode": 40014}), False),
    ],
    ids=lambda value: value if isinstance(value, str | bool) else "",
)
def test_token_rejected(api: str, answer: Response, rejected: bool) -> None:
    assert token_rejected(api, answer) is rejected


@pytest.mark.parametrize(
    ("api", "params", "headers"),
    [
        ("oapi", {"q": "1", "access_token": "tok"}, {"h": "v"}),
        ("api", {"q": "1"}, {"h": "v", "x-acs-dingtalk-access-token": "tok"}),
    ],
)
def test_with_token(api: str, params: dict[str, Any], headers: dict[str, str]) -> None:
    request = api_request(api)
    placed = dingtalk.with_token(request, "tok")
    assert (placed.params, placed.headers) == (params, headers)
    assert (request.params, request.headers) == ({"q": "1"}, {"h": "v"})


# ── the client ──────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def fake() -> FakeDingTalk:
    return FakeDingTalk()


@pytest.fixture
def client(fake: FakeDingTalk, tmp_path: Path, schemas: SchemaStore) -> DingTalkClient:
    return client_of(fake, tmp_path / "token.json", schemas, profile=ROBOT_PROFILE, clock=lambda: NOW)


def sent(fake: FakeDingTalk, path: str) -> OutgoingRequest:
    """The one request ``fake`` was sent to ``path``."""
    (request,) = [request for request in fake.sent if path_of(request) == path]
    return request


@pytest.mark.parametrize(("api", "base"), [("oapi", OAPI_URL), ("api", API_URL)])
def test_a_request_goes_to_its_host_with_the_run_s_token(
    fake: FakeDingTalk, client: DingTalkClient, api: str, base: str
) -> None:
    request = api_request(api)
    client.send(request)
    outgoing = sent(fake, request.path)
    assert outgoing.url.split("?")[0] == base + request.path
    assert (outgoing.method, outgoing.body) == ("POST", b'{"id": "x"}')
    assert token_of(outgoing) == issued(1)
    assert query_of(outgoing)["q"] == "1"
    assert outgoing.headers["h"] == "v"


@pytest.mark.parametrize("api", ["oapi", "api"])
def test_auth_none_sends_no_token_and_asks_for_none(fake: FakeDingTalk, client: DingTalkClient, api: str) -> None:
    client.send(api_request(api, Auth.NONE))
    (outgoing,) = fake.sent
    assert "access_token" not in query_of(outgoing)
    assert "x-acs-dingtalk-access-token" not in outgoing.headers


@pytest.mark.parametrize("api", ["oapi", "api"])
def test_auth_invalid_sends_a_token_that_is_not_the_run_s_and_never_refreshes(
    fake: FakeDingTalk, client: DingTalkClient, api: str
) -> None:
    answer = client.send(api_request(api, Auth.INVALID))
    (outgoing,) = fake.sent
    assert token_of(outgoing)
    assert answer.history == ()
    assert is_error(api, answer)  # refused, and left so


def test_two_invalid_tokens_differ(fake: FakeDingTalk, client: DingTalkClient) -> None:
    client.send(api_request(auth=Auth.INVALID))
    client.send(api_request(auth=Auth.INVALID))
    assert token_of(fake.sent[0]) != token_of(fake.sent[1])


def test_auth_app_sends_the_app_credentials_and_no_token(fake: FakeDingTalk, client: DingTalkClient) -> None:
    client.send(ApiRequest("oapi", "GET", "/gettoken", {}, None, {}, Auth.APP))
    (outgoing,) = fake.sent
    assert query_of(outgoing) == {"appkey": "dingkey", "appsecret": "the-app-secret"}


ROBOT_PROFILE = {"robot_token": "robot-token", "robot_secret": "SECrobot-secret"}
NOW = 1_700_000_000.0


def robot_query(fake: FakeDingTalk, client: DingTalkClient, auth: Auth) -> dict[str, str]:
    client.send(ApiRequest("oapi", "POST", "/robot/send", {}, {"msgtype": "text"}, {}, auth))
    return query_of(fake.sent[-1])


def test_auth_robot_signs_a_fresh_timestamp_as_dingtalk_documents(fake: FakeDingTalk, client: DingTalkClient) -> None:
    query = robot_query(fake, client, Auth.ROBOT)
    stamp = str(int(NOW * 1000))
    digest = hmac.new(b"SECrobot-secret", f"{stamp}\nSECrobot-secret".encode(), hashlib.sha256).digest()
    assert query == {"access_token": "robot-token", "timestamp": stamp, "sign": base64.b64encode(digest).decode()}


def test_auth_robot_wrong_sign_and_stale_timestamp_break_one_thing_each(
    fake: FakeDingTalk, client: DingTalkClient
) -> None:
    good, wrong, stale = (
        robot_query(fake, client, auth) for auth in (Auth.ROBOT, Auth.ROBOT_WRONG_SIGN, Auth.ROBOT_STALE_TIMESTAMP)
    )
    assert (wrong["timestamp"], wrong["access_token"]) == (good["timestamp"], good["access_token"])
    assert wrong["sign"] != good["sign"]
    assert int(good["timestamp"]) - int(stale["timestamp"]) == 2 * 3600 * 1000  # over the hour DingTalk allows
    assert stale["sign"] != good["sign"]  # signed correctly, for its own timestamp
    assert (
        stale["sign"]
        == dingtalk.RobotCredentials("robot-token", "SECrobot-secret").query(Auth.ROBOT, NOW - 2 * 3600)["sign"]
    )


def test_a_robot_request_without_robot_credentials_is_one_line(
    fake: FakeDingTalk, tmp_path: Path, schemas: SchemaStore
) -> None:
    client = client_of(fake, tmp_path / "token.json", schemas)
    with pytest.raises(ConfigError) as caught:
        client.send(ApiRequest("oapi", "POST", "/robot/send", {}, {}, {}, Auth.ROBOT))
    assert "the tenant profile has no robot_token and robot_secret" in str(caught.value)
    assert fake.sent == []
