"""common.dingtalk.api: the two API generations, their error envelopes, token placement and the one replay."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest

from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError, TransportError
from common.dingtalk import api as dingtalk
from common.dingtalk.api import ApiRequest, DingTalkClient, errcode, is_error, make_token_fetcher, token_rejected
from common.dingtalk.settings import Settings
from common.http.transport import Response
from tests.framework.fakes import ScriptedTransport, ok, response

OAPI_URL = "http://127.0.0.1:9001"
API_URL = "http://127.0.0.1:9002"
SETTINGS = Settings("sandbox", "dingkey", "the-app-secret", OAPI_URL, API_URL, Path("p.yaml"), 1.0, False)
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
        ("oapi", {"a": 1, "access_token": "tok"}, {"h": "v"}),
        ("api", {"a": 1}, {"h": "v", "x-acs-dingtalk-access-token": "tok"}),
    ],
)
def test_with_token(api: str, params: dict[str, Any], headers: dict[str, str]) -> None:
    actual_params: dict[str, Any] = {"a": 1}
    actual_headers = {"h": "v"}
    dingtalk.with_token(api, actual_params, actual_headers, "tok")
    assert (actual_params, actual_headers) == (params, headers)


# ── the client ──────────────────────────────────────────────────────────────────────────────────────
class Tokens:
    """The run's token source: ``run-1`` at first, ``run-2`` … after each refresh; records the rejected ones."""

    def __init__(self) -> None:
        self.current = "run-1"
        self.gets = 0
        self.rejected: list[str] = []

    def get(self) -> str:
        self.gets += 1
        return self.current

    def refresh(self, rejected: str) -> str:
        self.rejected.append(rejected)
        self.current = f"run-{len(self.rejected) + 1}"
        return self.current


def client_with(*answers: Response) -> tuple[DingTalkClient, ScriptedTransport, Tokens]:
    transport = ScriptedTransport(list(answers))
    tokens = Tokens()
    return DingTalkClient(SETTINGS, transport, tokens.get, tokens.refresh), transport, tokens  # type: ignore[arg-type]


def request(api: str = "oapi", auth: Auth = Auth.TOKEN) -> ApiRequest:
    path = "/topapi/blackboard/get" if api == "oapi" else "/v1.0/hrm/employees/dismissions"
    return ApiRequest(api, "POST", path, {"q": "1"}, {"blackboard_id": "x"}, {"h": "v"}, auth)


def sent_token(api: str, call: dict[str, Any]) -> str | None:
    return call["params"].get("access_token") if api == "oapi" else call["headers"].get("x-acs-dingtalk-access-token")


@pytest.mark.parametrize(("api", "base"), [("oapi", OAPI_URL), ("api", API_URL)])
def test_a_request_goes_to_its_host_with_the_run_s_token(api: str, base: str) -> None:
    client, transport, _ = client_with(ok(result=True))
    answer = client.send(request(api))
    (call,) = transport.calls
    assert call["url"] == base + request(api).path
    assert (call["method"], call["json"]) == ("POST", {"blackboard_id": "x"})
    assert sent_token(api, call) == "run-1"
    assert call["params"]["q"] == "1"
    assert call["headers"]["h"] == "v"
    assert answer.history == ()


REJECTIONS = {
    "oapi": response(TOKEN_40014),
    "api": response({"requestid": "r", "code": "InvalidAuthentication", "message": "m"}, status=400),
}


@pytest.mark.parametrize("api", ["oapi", "api"])
def test_a_rejected_token_is_refreshed_and_the_request_replayed_once(api: str) -> None:
    rejection = REJECTIONS[api]
    client, transport, tokens = client_with(rejection, ok(result=True))
    answer = client.send(request(api))
    assert [sent_token(api, call) for call in transport.calls] == ["run-1", "run-2"]
    assert tokens.rejected == ["run-1"]
    assert (answer.status, answer.body) == (200, ok(result=True).body)
    assert [(earlier.status, earlier.body) for earlier in answer.history] == [(rejection.status, rejection.body)]


def test_a_replay_that_is_rejected_again_is_not_replayed_again() -> None:
    client, transport, tokens = client_with(REJECTIONS["oapi"], REJECTIONS["oapi"], ok())
    answer = client.send(request())
    assert len(transport.calls) == 2
    assert tokens.rejected == ["run-1"]
    assert answer.body == TOKEN_40014
    assert len(answer.history) == 1


def test_other_errors_are_not_replayed() -> None:
    client, transport, tokens = client_with(response({**TOKEN_40014, "sub_code": "60011"}), ok())
    client.send(request())
    assert (len(transport.calls), tokens.rejected) == (1, [])


@pytest.mark.parametrize("api", ["oapi", "api"])
def test_auth_none_sends_no_token(api: str) -> None:
    client, transport, tokens = client_with(REJECTIONS[api])
    client.send(request(api, Auth.NONE))
    (call,) = transport.calls
    assert "access_token" not in call["params"]
    assert "x-acs-dingtalk-access-token" not in call["headers"]
    assert tokens.rejected == []


@pytest.mark.parametrize("api", ["oapi", "api"])
def test_auth_invalid_sends_a_token_that_is_not_the_run_s_and_never_refreshes(api: str) -> None:
    client, transport, tokens = client_with(REJECTIONS[api], REJECTIONS[api])
    answer = client.send(request(api, Auth.INVALID))
    (call,) = transport.calls
    token = sent_token(api, call)
    assert token
    assert token != tokens.current
    assert tokens.rejected == []
    assert answer.history == ()


def test_two_invalid_tokens_differ() -> None:
    client, transport, _ = client_with(ok(), ok())
    client.send(request(auth=Auth.INVALID))
    client.send(request(auth=Auth.INVALID))
    assert sent_token("oapi", transport.calls[0]) != sent_token("oapi", transport.calls[1])


def test_auth_app_sends_the_app_credentials_and_no_token() -> None:
    client, transport, tokens = client_with(ok(access_token="t", expires_in=7200))
    client.send(ApiRequest("oapi", "GET", "/gettoken", {}, None, {}, Auth.APP))
    (call,) = transport.calls
    assert call["params"] == {"appkey": "dingkey", "appsecret": "the-app-secret"}
    assert tokens.gets == 0


ROBOT = dingtalk.RobotCredentials("robot-token", "SECrobot-secret")
NOW = 1_700_000_000.0


def robot_client(*answers: Response) -> tuple[DingTalkClient, ScriptedTransport]:
    transport = ScriptedTransport(list(answers))
    tokens = Tokens()
    client = DingTalkClient(SETTINGS, transport, tokens.get, tokens.refresh, robot=ROBOT, clock=lambda: NOW)  # type: ignore[arg-type]
    return client, transport


def robot_query(auth: Auth) -> dict[str, str]:
    client, transport = robot_client(ok())
    client.send(ApiRequest("oapi", "POST", "/robot/send", {}, {"msgtype": "text"}, {}, auth))
    return transport.calls[0]["params"]


def test_auth_robot_signs_a_fresh_timestamp_as_dingtalk_documents() -> None:
    query = robot_query(Auth.ROBOT)
    stamp = str(int(NOW * 1000))
    digest = hmac.new(b"SECrobot-secret", f"{stamp}\nSECrobot-secret".encode(), hashlib.sha256).digest()
    assert query == {"access_token": "robot-token", "timestamp": stamp, "sign": base64.b64encode(digest).decode()}


def test_auth_robot_wrong_sign_and_stale_timestamp_break_one_thing_each() -> None:
    good, wrong, stale = (robot_query(auth) for auth in (Auth.ROBOT, Auth.ROBOT_WRONG_SIGN, Auth.ROBOT_STALE_TIMESTAMP))
    assert (wrong["timestamp"], wrong["access_token"]) == (good["timestamp"], good["access_token"])
    assert wrong["sign"] != good["sign"]
    assert int(good["timestamp"]) - int(stale["timestamp"]) == 2 * 3600 * 1000  # over the hour DingTalk allows
    assert stale["sign"] != good["sign"]  # signed correctly, for its own timestamp
    assert (
        stale["sign"]
        == dingtalk.RobotCredentials("robot-token", "SECrobot-secret").query(Auth.ROBOT, NOW - 2 * 3600)["sign"]
    )


def test_a_robot_request_without_robot_credentials_is_one_line() -> None:
    client, _, _ = client_with(ok())
    with pytest.raises(ConfigError) as caught:
        client.send(ApiRequest("oapi", "POST", "/robot/send", {}, {}, {}, Auth.ROBOT))
    assert "the tenant profile has no robot_token and robot_secret" in str(caught.value)


# ── gettoken ────────────────────────────────────────────────────────────────────────────────────────
def fetcher(answer: Response, schemas: SchemaStore, seen: list[Response]) -> Any:
    transport = ScriptedTransport([answer])
    client = DingTalkClient(SETTINGS, transport, never_called, never_called)  # type: ignore[arg-type]
    return make_token_fetcher(SETTINGS, client.send, schemas, seen.append), transport


def never_called(*args: Any) -> str:
    raise AssertionError("gettoken itself needs no token")


def test_the_token_fetcher_asks_gettoken_once(schemas: SchemaStore) -> None:
    answer = response({"errcode": 0, "access_token": "abc123", "errmsg": "ok", "expires_in": 7200})
    seen: list[Response] = []
    fetch, transport = fetcher(answer, schemas, seen)
    issued = fetch()
    assert (issued.value, issued.expires_in) == ("abc123", 7200.0)
    assert transport.calls == [
        {
            "method": "GET",
            "url": OAPI_URL + "/gettoken",
            "params": {"appkey": "dingkey", "appsecret": "the-app-secret"},
            "json": None,
            "headers": {},
        }
    ]
    assert [exchange.body for exchange in seen] == [answer.body]
    assert seen[0].request.url == f"{OAPI_URL}/gettoken?appkey=dingkey&appsecret=the-app-secret"


def test_refused_credentials_are_a_config_error_without_the_secret(schemas: SchemaStore) -> None:
    fetch, _ = fetcher(response({"errcode": 40096, "errmsg": "不合法的appKey或appSecret"}), schemas, [])
    with pytest.raises(ConfigError) as raised:
        fetch()
    message = str(raised.value)
    assert "40096" in message
    assert "DINGTALK_APPSECRET" in message
    assert "the-app-secret" not in message
    assert "\n" not in message


def test_a_gettoken_answer_of_the_wrong_shape_is_a_transport_error(schemas: SchemaStore) -> None:
    fetch, _ = fetcher(response({"errcode": 0, "access_token": 5}), schemas, [])
    with pytest.raises(TransportError) as raised:
        fetch()
    assert str(raised.value).startswith("GET /gettoken answered an unexpected shape: ")
