"""Injected faults: settings from text and flags, the seeded decider, each fault in each API style, drops, latency."""

import json
import math
import random
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
import requests

from common.core.errors import ConfigError
from sandbox import pytest_plugin
from sandbox.__main__ import build_config, main, parse_args
from sandbox.config import SandboxConfig
from sandbox.faults import Fault, FaultDecider, FaultSettings
from sandbox.process import SandboxProcess
from sandbox.protocol.envelopes import Style
from sandbox.seed.people import CORP_ID
from sandbox.server import SandboxServer
from sandbox.settings import parse_settings, read_settings, settings_text
from sandbox.testing import FakeClock, RecordingSleep, SandboxClient, SandboxFaults, logged_in, raw_exchange

pytest_plugins = ["sandbox.testing.fixtures"]

Start = Callable[..., SandboxServer]
CATEGORIES = "/topapi/blackboard/category/list"
CREATE = "/topapi/blackboard/create"
DISMISSIONS = "/v1.0/hrm/employees/dismissions"
AUTH_INFO = "/service/get_auth_info"
ADMIN = {"operation_userid": "manager4220"}
NEW_BLACKBOARD = {
    "create_request": {**ADMIN, "title": "t", "content": "c", "blackboard_receiver": {"userid_list": ["manager7078"]}}
}


def call(client: SandboxClient, style: Style) -> requests.Response:
    """One valid call of an endpoint of `style`."""
    token = {"access_token": client.token}
    if style is Style.GETTOKEN:
        return client.raw("GET", "/gettoken", params={"appkey": "sandbox-appkey", "appsecret": "sandbox-appsecret"})
    if style is Style.TOPAPI:
        return client.raw("POST", CATEGORIES, params=token, json=ADMIN)
    if style is Style.TOP:
        return client.raw("POST", AUTH_INFO, params=token, json={"auth_corpid": CORP_ID})
    return client.raw("GET", DISMISSIONS, headers={"x-acs-dingtalk-access-token": client.token})


def old_host_code(style: Style, body: dict[str, Any]) -> Any:
    """The errcode of an old-host error body, after checking the envelope is the style's own."""
    if style is Style.TOP:
        assert set(body) == {"error_response"}
        inner = body["error_response"]
        assert set(inner) == {"code", "msg", "sub_code", "sub_msg"} and inner["sub_code"] == str(inner["code"])
        return inner["code"]
    expected_keys = {"errcode", "errmsg"} if style is Style.GETTOKEN else {"errcode", "errmsg", "request_id"}
    assert set(body) == expected_keys
    return body["errcode"]


# --- settings ---------------------------------------------------------------------------------------------------


def test_settings_text_is_read_into_typed_values() -> None:
    text = "latency_ms=50, busy=0.1,rate_limited=0.05,server_error=0,drop=0.02,drop_after=0,token_ttl=30,qps=5,seed=1"
    assert parse_settings(text) == {
        "latency_ms": 50,
        "busy": 0.1,
        "rate_limited": 0.05,
        "server_error": 0.0,
        "drop": 0.02,
        "drop_after": 0.0,
        "token_ttl": 30,
        "qps": 5,
        "seed": 1,
    }
    assert parse_settings("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("busy=1.5", "busy=1.5: must be a share between 0 and 1"),
        ("drop=-0.1", "drop=-0.1: must be a share between 0 and 1"),
        ("drop_after=nan", "drop_after=nan: must be a share between 0 and 1"),
        ("server_error=lots", "server_error=lots: must be a share between 0 and 1"),
        ("latency_ms=-5", "latency_ms=-5: must be a whole number, 0 or more"),
        ("qps=2.5", "qps=2.5: must be a whole number, 0 or more"),
        ("token_ttl=0", "token_ttl=0: must be a whole number of seconds, 1 or more"),
        ("seed=abc", "seed=abc: must be a whole number"),
        ("bussy=0.1", "bussy: unknown setting; known: latency_ms, busy,"),
        ("busy", "busy: expected key=value"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_settings(f"qps=1,{text}")
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


def test_shares_adding_up_to_more_than_1_are_refused() -> None:
    with pytest.raises(ValueError, match=r"busy\+rate_limited\+server_error\+drop\+drop_after=1.1: .* at most 1"):
        FaultSettings(busy=0.6, drop=0.5)


def test_environment_then_faults_flag_then_single_flags() -> None:
    environ = {"DINGTALK_SANDBOX_FAULTS": "busy=0.1,drop=0.2,qps=5,token_ttl=30"}
    args = parse_args(["--faults", "drop=0.3,latency_ms=7", "--qps-limit", "0", "--fault-seed", "9"])
    config = build_config(args, environ)
    assert config.faults == FaultSettings(latency_ms=7, busy=0.1, drop=0.3, qps=0, seed=9)
    assert config.token_ttl == 30
    assert build_config(parse_args([]), {}).faults == FaultSettings(qps=20)


@pytest.mark.parametrize(
    ("argv", "environ", "line"),
    [
        (
            [],
            {"DINGTALK_SANDBOX_FAULTS": "busy=1.5"},
            "DINGTALK_SANDBOX_FAULTS: busy=1.5: must be a share between 0 and 1",
        ),
        (["--busy-rate", "2"], {}, "--busy-rate: busy=2: must be a share between 0 and 1"),
        (["--qps-limit", "-1"], {}, "--qps-limit: qps=-1: must be a whole number, 0 or more"),
        (["--faults", "seed"], {}, "--faults: seed: expected key=value"),
        (["--busy-rate", "0.7", "--drop-rate", "0.7"], {}, "busy+rate_limited+server_error+drop+drop_after=1.4"),
    ],
)
def test_python_m_sandbox_refuses_bad_settings_with_one_line(
    argv: list[str], environ: dict[str, str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, environ) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"python -m sandbox: {line}") and captured.err.count("\n") == 1


# --- the decider --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", list(Fault))
def test_a_share_of_1_faults_every_call_and_0_none(fault: Fault) -> None:
    always = FaultDecider(FaultSettings(**{fault.value: 1.0}), random.Random(1))
    never = FaultDecider(FaultSettings(**{fault.value: 0.0}), random.Random(1))
    assert {injection.fault for injection in (always.draw() for _ in range(200)) if injection} == {fault}
    assert [never.draw() for _ in range(200)] == [None] * 200


class _Numbers(random.Random):
    """A random source that returns the given numbers from `random()` in turn."""

    def __init__(self, *numbers: float) -> None:
        super().__init__(0)
        self._numbers = iter(numbers)

    def random(self) -> float:
        return next(self._numbers)


def test_one_draw_picks_the_fault_whose_band_holds_it() -> None:
    settings = FaultSettings(busy=0.125, rate_limited=0.25, drop_after=0.375)  # [0, .125) [.125, .375) [.375, .75)
    decider = FaultDecider(settings, _Numbers(0.0, 0.1249, 0.125, 0.3749, 0.375, 0.7499, 0.75, 0.9999))
    faults = [injection.fault if injection else None for injection in (decider.draw() for _ in range(8))]
    assert faults == [*[Fault.BUSY] * 2, *[Fault.RATE_LIMITED] * 2, *[Fault.DROP_AFTER] * 2, None, None]


def test_server_errors_are_500_502_or_503() -> None:
    decider = FaultDecider(FaultSettings(server_error=1.0), random.Random(5))
    statuses = {injection.status for injection in (decider.draw() for _ in range(300)) if injection}
    assert statuses == {500, 502, 503}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_seeded_share_is_kept_over_many_calls_and_repeats_with_its_seed(seed: int) -> None:
    calls, shares = 4000, {Fault.BUSY: 0.1, Fault.RATE_LIMITED: 0.05, Fault.DROP: 0.2}
    settings = FaultSettings(seed=seed, **{fault.value: share for fault, share in shares.items()})
    first, second = FaultDecider(settings), FaultDecider(settings)
    draws = [first.draw() for _ in range(calls)]
    assert draws == [second.draw() for _ in range(calls)]
    for fault, share in shares.items():
        hits = sum(1 for injection in draws if injection and injection.fault is fault)
        tolerance = 4 * math.sqrt(calls * share * (1 - share))  # four standard deviations of the binomial
        assert abs(hits - calls * share) <= tolerance, (fault, hits)


# --- each fault in each style -------------------------------------------------------------------------------------

OLD_HOST = [Style.GETTOKEN, Style.TOPAPI, Style.TOP]


@pytest.mark.parametrize("style", OLD_HOST)
@pytest.mark.parametrize(("fault", "errcode"), [(Fault.BUSY, -1), (Fault.RATE_LIMITED, 90018)])
def test_old_host_answers_busy_and_rate_limited_in_its_own_envelope(
    start_sandbox: Start, style: Style, fault: Fault, errcode: int
) -> None:
    client = logged_in(start_sandbox())
    SandboxFaults(client.url).set(**{fault.value: 1.0})
    response = call(client, style)
    assert response.status_code == 200
    assert old_host_code(style, response.json()) == errcode


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (Fault.BUSY, 429, "system.busy"),
        (Fault.RATE_LIMITED, 403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
        (Fault.SERVER_ERROR, 500, "systemError"),
    ],
)
def test_new_host_answers_faults_with_status_and_code(
    start_sandbox: Start, fault: Fault, status: int, code: str
) -> None:
    client = logged_in(start_sandbox())
    SandboxFaults(client.url).set(**{fault.value: 1.0})
    response = call(client, Style.ACS)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"requestid", "code", "message"} and body["code"] == code


@pytest.mark.parametrize("style", OLD_HOST)
def test_old_host_server_errors_are_http_5xx(start_sandbox: Start, style: Style) -> None:
    client = logged_in(start_sandbox("seed=0"))
    SandboxFaults(client.url).set(server_error=1.0)
    responses = [call(client, style) for _ in range(30)]
    assert {response.status_code for response in responses} == {500, 502, 503}
    assert all(response.json()["errcode"] == response.status_code for response in responses)


@pytest.mark.parametrize("fault", [Fault.BUSY, Fault.RATE_LIMITED, Fault.SERVER_ERROR, Fault.DROP])
def test_a_faulted_create_creates_nothing_and_is_counted(start_sandbox: Start, fault: Fault) -> None:
    server = start_sandbox()
    client = logged_in(server)
    before = client.stats()["objects"]["blackboard"]
    SandboxFaults(client.url).set(**{fault.value: 1.0})
    with pytest.raises(requests.ConnectionError) if fault is Fault.DROP else nullcontext():
        client.raw("POST", CREATE, params={"access_token": client.token}, json=NEW_BLACKBOARD)
    stats = client.stats()
    assert stats["objects"]["blackboard"] == before
    assert stats["faults"][fault.value] == 1
    assert stats["calls"][f"POST {CREATE}"] == 1


def test_sandbox_endpoints_are_never_faulted(start_sandbox: Start) -> None:
    client = logged_in(start_sandbox())
    SandboxFaults(client.url).set(busy=0.5, server_error=0.5)
    assert client.raw("GET", "/__sandbox/health").json() == {"status": "ok"}
    assert client.raw("GET", "/__sandbox/faults").status_code == 200
    assert client.raw("POST", "/__sandbox/reset").status_code == 200
    assert client.stats()["faults"]["busy"] + client.stats()["faults"]["server_error"] == 0


def test_over_http_a_seeded_share_matches_the_counts(start_sandbox: Start) -> None:
    client = logged_in(start_sandbox())
    SandboxFaults(client.url).set(busy=0.25, seed=11)
    calls = 400
    busy = sum(1 for _ in range(calls) if call(client, Style.TOPAPI).json()["errcode"] == -1)
    assert client.stats()["faults"]["busy"] == busy
    assert abs(busy - calls * 0.25) <= 4 * math.sqrt(calls * 0.25 * 0.75)


# --- drops and latency --------------------------------------------------------------------------------------------


def _create_request(token: str) -> bytes:
    body = json.dumps(NEW_BLACKBOARD).encode()
    head = f"POST {CREATE}?access_token={token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.mark.parametrize(("fault", "created"), [(Fault.DROP, 0), (Fault.DROP_AFTER, 1)])
def test_a_dropped_connection_ends_without_a_byte(start_sandbox: Start, fault: Fault, created: int) -> None:
    client = logged_in(start_sandbox())
    before = client.stats()["objects"]["blackboard"]
    SandboxFaults(client.url).set(**{fault.value: 1.0})
    assert raw_exchange(client.url, _create_request(client.token)) == b""
    assert raw_exchange(client.url, b"GET /gettoken?appkey=a&appsecret=b HTTP/1.1\r\nHost: x\r\n\r\n") == b""
    stats = client.stats()
    assert stats["objects"]["blackboard"] == before + created
    assert stats["faults"][fault.value] == 2


def test_latency_waits_before_each_dingtalk_answer_and_not_for_the_sandbox(start_sandbox: Start) -> None:
    sleep = RecordingSleep()
    client = logged_in(start_sandbox("latency_ms=250", sleep=sleep))
    assert sleep.waits == [0.25]  # the login
    for style in (Style.TOPAPI, Style.ACS, Style.TOP):
        assert call(client, style).status_code == 200
    client.stats()
    client.raw("GET", "/__sandbox/health")
    assert sleep.waits == [0.25] * 4
    SandboxFaults(client.url).set(latency_ms=0)
    call(client, Style.TOPAPI)
    assert len(sleep.waits) == 4


# --- expiring tokens ----------------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_as_invalid_in_every_style(start_sandbox: Start) -> None:
    clock = FakeClock()
    client = logged_in(start_sandbox("token_ttl=30", clock=clock))
    clock.advance(29.5)
    assert all(call(client, style).status_code == 200 for style in (Style.TOPAPI, Style.TOP, Style.ACS))
    clock.advance(0.5)
    topapi, top, acs = (call(client, style) for style in (Style.TOPAPI, Style.TOP, Style.ACS))
    assert (topapi.json()["errcode"], topapi.json()["sub_code"]) == (88, "40014")
    assert (top.json()["error_response"]["code"], top.json()["error_response"]["sub_code"]) == (27, "40014")
    assert (acs.status_code, acs.json()["code"]) == (400, "InvalidAuthentication")
    assert client.stats()["faults"]["token_expired"] == 3
    assert client.login() != ""
    assert call(client, Style.TOPAPI).json()["errcode"] == 0


# --- at run time --------------------------------------------------------------------------------------------------


def test_faults_are_read_and_changed_at_run_time(start_sandbox: Start) -> None:
    client = logged_in(start_sandbox("busy=0.2,seed=4"))
    settings = client.raw("GET", "/__sandbox/faults").json()
    assert settings == {
        "latency_ms": 0,
        "busy": 0.2,
        "rate_limited": 0.0,
        "server_error": 0.0,
        "drop": 0.0,
        "drop_after": 0.0,
        "qps": 20,
        "seed": 4,
        "drift": [],
        "token_ttl": 7200,
    }
    changed = client.raw("POST", "/__sandbox/faults", json={"busy": 0, "rate_limited": 1, "token_ttl": 60})
    assert changed.status_code == 200
    assert changed.json() == {**settings, "busy": 0.0, "rate_limited": 1.0, "token_ttl": 60}
    assert call(client, Style.TOPAPI).json()["errcode"] == 90018
    client.raw("POST", "/__sandbox/faults", json={"rate_limited": 0})
    assert call(client, Style.GETTOKEN).json()["expires_in"] == 60


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"busy": 1.5}', "POST /__sandbox/faults: busy=1.5: must be a share between 0 and 1"),
        (b'{"qps": true}', "POST /__sandbox/faults: qps=True: must be a whole number, 0 or more"),
        (b'{"nope": 1}', "POST /__sandbox/faults: nope: unknown setting"),
        (b'{"busy": 0.6, "drop": 0.6}', "POST /__sandbox/faults: busy+rate_limited+server_error+drop+drop_after=1.2"),
        (b"[1]", "POST /__sandbox/faults: expected a JSON object of settings"),
        (b"{", "POST /__sandbox/faults: "),
    ],
)
def test_bad_runtime_settings_are_400_with_one_line_and_change_nothing(
    start_sandbox: Start, body: bytes, message: str
) -> None:
    client = logged_in(start_sandbox())
    before = client.raw("GET", "/__sandbox/faults").json()
    response = client.raw("POST", "/__sandbox/faults", data=body)
    assert response.status_code == 400
    assert response.json()["errmsg"].startswith(message) and "\n" not in response.json()["errmsg"]
    assert client.raw("GET", "/__sandbox/faults").json() == before


def test_reset_zeroes_fault_counts_and_keeps_the_settings(start_sandbox: Start) -> None:
    client = logged_in(start_sandbox())
    SandboxFaults(client.url).set(busy=1.0)
    call(client, Style.TOPAPI)
    assert client.stats()["faults"]["busy"] == 1
    client.raw("POST", "/__sandbox/reset")
    assert client.stats()["faults"] == dict.fromkeys(
        ("busy", "rate_limited", "server_error", "drop", "drop_after", "qps_limited", "token_expired"), 0
    )
    assert client.raw("GET", "/__sandbox/faults").json()["busy"] == 1.0


# --- fixtures, the suite's plugin and the child process ----------------------------------------------------------


def test_the_sandbox_faults_fixture_drives_the_session_sandbox(
    sandbox_faults: SandboxFaults, faults_sandbox: SandboxServer
) -> None:
    assert sandbox_faults.url == faults_sandbox.url
    assert sandbox_faults.set(busy=1.0)["busy"] == 1.0
    client = SandboxClient(faults_sandbox.url, requests.Session())
    assert client.gettoken(appkey="sandbox-appkey", appsecret="sandbox-appsecret")["errcode"] == -1
    assert sandbox_faults.counts()["busy"] == 1


def test_a_faults_handle_resets_settings_counts_and_tenant(start_sandbox: Start) -> None:
    client = logged_in(start_sandbox("latency_ms=3,qps=9", sleep=RecordingSleep()))
    seeded = client.stats()["objects"]["blackboard"]
    assert client.post(CREATE, NEW_BLACKBOARD)["errcode"] == 0
    handle = SandboxFaults(client.url)
    handle.set(latency_ms=0, busy=1.0, qps=3)
    assert call(client, Style.TOPAPI).json()["errcode"] == -1
    handle.reset()
    assert handle.get() == handle.initial
    assert (handle.initial["latency_ms"], handle.initial["busy"], handle.initial["qps"]) == (3, 0.0, 9)
    assert handle.counts()["busy"] == 0
    assert client.stats()["objects"]["blackboard"] == seeded


class _Options:
    """The part of `pytest.Config` the sandbox plugin reads."""

    def __init__(self, sandbox_faults: str) -> None:
        self.sandbox_faults = sandbox_faults

    def getoption(self, name: str) -> str:
        return getattr(self, name)


def test_the_suite_plugin_reads_environment_then_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINGTALK_SANDBOX_FAULTS", "busy=0.1,qps=5,token_ttl=40")
    config = pytest_plugin.run_config(_Options("busy=0.2"))  # type: ignore[arg-type]
    assert (config.faults, config.token_ttl) == (FaultSettings(busy=0.2, qps=5), 40)
    monkeypatch.setenv("DINGTALK_SANDBOX_FAULTS", "qps=many")
    with pytest.raises(ConfigError, match=r"^sandbox faults: DINGTALK_SANDBOX_FAULTS: qps=many: must be a whole"):
        pytest_plugin.run_config(_Options(""))  # type: ignore[arg-type]
    monkeypatch.delenv("DINGTALK_SANDBOX_FAULTS")
    with pytest.raises(ConfigError, match=r"^sandbox faults: --sandbox-faults: drop=2: must be a share"):
        pytest_plugin.run_config(_Options("drop=2"))  # type: ignore[arg-type]


def test_settings_text_reads_back_to_every_setting() -> None:
    faults = FaultSettings(latency_ms=7, busy=0.1, drop=0.25, qps=0, seed=3, drift=("new_enum", "extra_field"))
    other = SandboxConfig(token_ttl=1, faults=FaultSettings(busy=1.0, drift=("dropped_field",)))
    for config in (SandboxConfig(token_ttl=45, faults=faults), SandboxConfig()):
        assert read_settings(other, [("", settings_text(config))]) == config


def test_a_child_given_a_config_runs_exactly_its_settings_and_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DINGTALK_SANDBOX_FAULTS", "rate_limited=1.0,qps=many")  # read by the caller, never again
    faults = FaultSettings(latency_ms=1, drift=("new_enum",))
    config = SandboxConfig(appkey="k", appsecret="s", token_ttl=45, faults=faults)
    with SandboxProcess(config=config) as process:
        settings = requests.get(f"{process.url}/__sandbox/faults", timeout=5).json()
        answer = requests.get(f"{process.url}/gettoken", params={"appkey": "k", "appsecret": "s"}, timeout=5).json()
    assert settings == {
        "latency_ms": 1,
        "busy": 0.0,
        "rate_limited": 0.0,
        "server_error": 0.0,
        "drop": 0.0,
        "drop_after": 0.0,
        "qps": 20,
        "seed": None,
        "drift": ["new_enum"],
        "token_ttl": 45,
    }
    assert (answer["errcode"], answer["expires_in"]) == (0, 45)


def test_a_child_cannot_take_a_clock_of_its_own() -> None:
    with pytest.raises(ValueError, match="keeps its own clock"):
        SandboxProcess(config=SandboxConfig(clock=FakeClock()))


def test_a_child_sandbox_takes_its_faults_from_the_command_line_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DINGTALK_SANDBOX_FAULTS", "rate_limited=1.0,qps=7")
    with SandboxProcess(["--faults", "latency_ms=1", "--qps-limit", "8"]) as process:
        settings = requests.get(f"{process.url}/__sandbox/faults", timeout=5).json()
        answer = requests.get(f"{process.url}/gettoken", params={"appkey": "k", "appsecret": "s"}, timeout=5).json()
    assert (settings["rate_limited"], settings["latency_ms"], settings["qps"]) == (1.0, 1, 8)
    assert answer == {"errcode": 90018, "errmsg": answer["errmsg"]}
