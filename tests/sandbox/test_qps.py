"""The real QPS limit: at most N calls per appkey per API in each second, on a hand-moved clock."""

from collections.abc import Callable

import pytest
import requests

from sandbox.qps import QpsLimiter
from sandbox.server import SandboxServer
from sandbox.testing import FakeClock, SandboxClient, logged_in

pytest_plugins = ["sandbox.testing.fixtures"]

Start = Callable[..., SandboxServer]
CATEGORIES = "/topapi/blackboard/category/list"
TOP_TEN = "/topapi/blackboard/listtopten"
DISMISSIONS = "/v1.0/hrm/employees/dismissions"
ADMIN = {"operation_userid": "manager4220"}
START = 1_717_207_200.0  # a whole second


@pytest.fixture
def qps_clock() -> FakeClock:
    return FakeClock(START)


def categories(client: SandboxClient) -> int:
    return client.post(CATEGORIES, ADMIN)["errcode"]


def test_limiter_counts_per_key_in_whole_seconds() -> None:
    limiter = QpsLimiter()
    assert [limiter.admit("app", "a", START + 0.1 * n, 3) for n in range(5)] == [True, True, True, False, False]
    assert limiter.admit("app", "b", START + 0.5, 3)
    assert limiter.admit("other-app", "a", START + 0.5, 3)
    assert limiter.admit("app", "a", START + 1.0, 3)
    assert all(limiter.admit("app", "a", START + 2.0, 0) for _ in range(100))


def test_the_21st_call_in_a_second_is_90018_and_the_next_second_is_open(
    start_sandbox: Start, qps_clock: FakeClock
) -> None:
    client = logged_in(start_sandbox(clock=qps_clock))
    assert [categories(client) for _ in range(20)] == [0] * 20
    limited = client.post(CATEGORIES, ADMIN)
    assert limited["errcode"] == 90018 and set(limited) == {"errcode", "errmsg", "request_id"}
    qps_clock.advance(0.999)
    assert categories(client) == 90018
    qps_clock.advance(0.001)
    assert [categories(client) for _ in range(20)] == [0] * 20
    assert client.stats()["faults"]["qps_limited"] == 2


def test_each_api_has_its_own_limit(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = logged_in(start_sandbox(clock=qps_clock))
    assert [categories(client) for _ in range(21)] == [0] * 20 + [90018]
    assert [client.post(TOP_TEN, {"userid": "manager4220"})["errcode"] for _ in range(20)] == [0] * 20


def test_new_host_over_the_limit_is_403_qps_limit(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = logged_in(start_sandbox("qps=5", clock=qps_clock))
    headers = {"x-acs-dingtalk-access-token": client.token}
    responses = [client.raw("GET", DISMISSIONS, headers=headers) for _ in range(6)]
    assert [response.status_code for response in responses] == [200] * 5 + [403]
    assert responses[-1].json()["code"] == "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"


def test_gettoken_is_limited_per_appkey(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = SandboxClient(start_sandbox("qps=3", clock=qps_clock).url, requests.Session())
    answers = [client.gettoken(appkey="sandbox-appkey", appsecret="sandbox-appsecret") for _ in range(4)]
    assert [answer["errcode"] for answer in answers] == [0, 0, 0, 90018]
    assert set(answers[-1]) == {"errcode", "errmsg"}
    assert client.gettoken(appkey="someone-else", appsecret="x")["errcode"] == 40096


def test_calls_refused_for_their_token_do_not_count_against_the_app(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = logged_in(start_sandbox("qps=3", clock=qps_clock))
    assert [client.post(CATEGORIES, ADMIN, token="bad")["errcode"] for _ in range(5)] == [88] * 5
    assert [categories(client) for _ in range(4)] == [0, 0, 0, 90018]


def test_a_limit_of_0_is_no_limit(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = logged_in(start_sandbox("qps=0", clock=qps_clock))
    assert {categories(client) for _ in range(60)} == {0}


def test_the_limit_changes_at_run_time_and_reset_opens_the_window(start_sandbox: Start, qps_clock: FakeClock) -> None:
    client = logged_in(start_sandbox(clock=qps_clock))
    client.raw("POST", "/__sandbox/faults", json={"qps": 2})
    assert [categories(client) for _ in range(3)] == [0, 0, 90018]
    client.raw("POST", "/__sandbox/reset")
    assert categories(client) == 0
