"""Retries: the generic policy (backoff with jitter, an injected sleep), what DingTalk answers deserve a retry,
the create rule (never sent twice once it may have been received), and how the client reports retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from common.cases.endpoints import creating_endpoints
from common.cases.model import Auth, Case
from common.dingtalk.api import ApiRequest, DingTalkClient, NoAnswer, refused, retry_reason
from common.dingtalk.settings import Settings
from common.http.retry import Retrying, RetryPolicy
from common.http.transport import Failure, OutgoingRequest, Response, SendFailure
from tests.framework.fakes import FixedToken, ScriptedTransport, ok, response

URL = "http://127.0.0.1:9001"
SETTINGS = Settings("sandbox", "dingkey", "secret", URL, URL, Path("p.yaml"), 1.0, False)
BUSY = response({"errcode": -1, "errmsg": "系统繁忙"})
RATE_LIMITED = response({"errcode": 90018, "errmsg": "请求过于频繁"})
API_BUSY = response({"requestid": "r", "code": "system.busy", "message": "busy"}, status=429)
API_QPS = response(
    {"requestid": "r", "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "qps"}, status=403
)
SERVER_ERROR = response(None, status=502, text="<html>bad gateway</html>")


@dataclass
class Sleeps:
    """An injected ``sleep`` that records instead of waiting."""

    waited: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


# ── the policy ──────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("jitter", "delays"),
    [
        (1.0, [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]),  # doubling, capped at max_delay
        (0.0, [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]),  # the jitter takes off at most half
    ],
)
def test_backoff_doubles_up_to_the_cap_and_jitter_takes_off_at_most_half(jitter: float, delays: list[float]) -> None:
    policy = RetryPolicy(retries=6, backoff=0.2, jitter=lambda: jitter, max_delay=2.0)
    assert [policy.delay(number) for number in range(1, 7)] == pytest.approx(delays)


def test_retries_until_the_outcome_is_good_sleeping_between_attempts() -> None:
    sleeps, told = Sleeps(), []
    outcomes = iter(["busy", "busy", "fine", "never reached"])
    policy = RetryPolicy(retries=3, backoff=0.5, sleep=sleeps, jitter=lambda: 1.0)
    attempted = policy.run(lambda: next(outcomes), lambda o: "it was busy" if o == "busy" else None, told.append)
    assert (attempted.outcome, attempted.attempts) == ("fine", 3)
    assert sleeps.waited == [0.5, 1.0]
    assert [(r.number, r.of, r.reason, r.failed) for r in told] == [
        (1, 3, "it was busy", "busy"),
        (2, 3, "it was busy", "busy"),
    ]
    assert told[0].describe() == "retry 1 of 3 after it was busy (in 0.50 s)"


def test_the_last_outcome_is_returned_when_the_retries_are_used_up() -> None:
    sleeps, told = Sleeps(), []
    calls: list[int] = []
    policy = RetryPolicy(retries=3, backoff=0.1, sleep=sleeps)
    attempted = policy.run(lambda: calls.append(1) or "busy", lambda outcome: "busy", told.append)
    assert (attempted.outcome, attempted.attempts, len(calls)) == ("busy", 4, 4)
    assert len(sleeps.waited) == len(told) == 3


def test_zero_retries_means_one_attempt() -> None:
    sleeps = Sleeps()
    attempted = RetryPolicy(retries=0, backoff=0.1, sleep=sleeps).run(lambda: "busy", lambda o: "busy", print)
    assert (attempted.attempts, sleeps.waited) == (1, [])


# ── which answers are worth another attempt ─────────────────────────────────────────────────────────
def api_request(api: str = "oapi", creates: bool = False) -> ApiRequest:
    path = "/topapi/blackboard/create" if creates else "/topapi/blackboard/get"
    return ApiRequest(api, "POST", path, {}, {"x": 1}, {}, Auth.TOKEN, creates=creates)


def failure(kind: Failure) -> SendFailure:
    return SendFailure(f"POST {URL}/x: {kind.name}", kind, OutgoingRequest("POST", URL + "/x", {}, None))


@pytest.mark.parametrize(
    ("api", "answer", "reason"),
    [
        ("oapi", BUSY, "errcode -1: 系统繁忙"),
        ("oapi", RATE_LIMITED, "errcode 90018: 请求过于频繁"),
        ("oapi", response({"errcode": 90002, "errmsg": "全局限流"}), "errcode 90002: 全局限流"),
        ("oapi", response({"errcode": 90005, "errmsg": "per minute"}), None),  # a minute's wait: not retried
        ("oapi", response({"error_response": {"code": -1, "msg": "系统繁忙"}}), "errcode -1: 系统繁忙"),
        ("oapi", response({"errcode": 40035, "errmsg": "缺少参数"}), None),
        ("oapi", ok(), None),
        ("api", API_BUSY, "HTTP 429 system.busy: busy"),
        ("api", API_QPS, "HTTP 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi: qps"),
        ("api", response({"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied"}, status=403), None),
        ("api", response({"code": "system.busy"}, status=200), None),
    ],
)
def test_refused_recognises_busy_and_rate_limited_answers(api: str, answer: Response, reason: str | None) -> None:
    assert refused(api, answer) == reason


@pytest.mark.parametrize(
    ("outcome", "query", "create"),
    [
        (BUSY, "errcode -1: 系统繁忙", "errcode -1: 系统繁忙"),
        (RATE_LIMITED, "errcode 90018: 请求过于频繁", "errcode 90018: 请求过于频繁"),
        (SERVER_ERROR, "HTTP 502", None),
        (failure(Failure.NOT_SENT), Failure.NOT_SENT.value, Failure.NOT_SENT.value),
        (failure(Failure.NO_ANSWER), Failure.NO_ANSWER.value, None),
        (failure(Failure.DROPPED), Failure.DROPPED.value, None),
        (response({"errcode": 40035}), None, None),
        (ok(), None, None),
    ],
    ids=["busy", "rate-limited", "5xx", "not-sent", "read-timeout", "dropped", "other-error", "ok"],
)
def test_a_create_is_retried_only_when_it_certainly_was_not_carried_out(
    outcome: Response | SendFailure, query: str | None, create: str | None
) -> None:
    assert retry_reason(api_request(creates=False), outcome) == query
    assert retry_reason(api_request(creates=True), outcome) == create


@pytest.mark.parametrize(("api", "answer"), [("api", API_BUSY), ("api", API_QPS)])
def test_new_host_refusals_are_retried_for_creates_too(api: str, answer: Response) -> None:
    assert retry_reason(api_request(api, creates=True), answer) is not None


def test_the_create_endpoints_come_from_the_spec(load_case: Callable[[str], Case]) -> None:
    assert creating_endpoints() == {
        ("oapi", "/topapi/blackboard/create"),
        ("oapi", "/topapi/report/create"),
        ("oapi", "/robot/send"),
    }
    case = load_case(
        "epic: E\nfeature: f\ncases:\n  - id: c\n    title: t\n    steps:\n"
        "      - request: {path: /topapi/blackboard/create, json: {}}\n"
        "      - request: {path: /topapi/blackboard/get, json: {}}\n"
    )
    assert [step.request.creates for step in case.steps] == [True, False]


# ── the client ──────────────────────────────────────────────────────────────────────────────────────
class FlakyTransport(ScriptedTransport):
    """A scripted transport whose script may also hold ``Failure`` kinds: that call raises ``SendFailure``."""

    def _next_answer(self, request: OutgoingRequest) -> Response:
        if isinstance(self.answers[0], Failure):
            raise failure(self.answers.pop(0))  # type: ignore[arg-type]
        return super()._next_answer(request)


def client_with(*script: Response | Failure, retries: int = 3) -> tuple[DingTalkClient, FlakyTransport, list, Sleeps]:
    transport = FlakyTransport(list(script))  # type: ignore[arg-type]
    told: list[Retrying[Any]] = []
    sleeps = Sleeps()
    policy = RetryPolicy(retries=retries, backoff=0.2, sleep=sleeps, jitter=lambda: 1.0)
    client = DingTalkClient(SETTINGS, transport, FixedToken("tok").flow, policy, told.append)  # type: ignore[arg-type]
    return client, transport, told, sleeps


def test_a_query_is_retried_through_busy_rate_limits_and_server_errors() -> None:
    client, transport, told, sleeps = client_with(BUSY, RATE_LIMITED, SERVER_ERROR, ok(result=1))
    answer = client.send(api_request())
    assert (answer.body["result"], answer.attempts) == (1, 4)
    assert len(transport.calls) == 4
    assert [retrying.describe() for retrying in told] == [
        "retry 1 of 3 after errcode -1: 系统繁忙 (in 0.20 s)",
        "retry 2 of 3 after errcode 90018: 请求过于频繁 (in 0.40 s)",
        "retry 3 of 3 after HTTP 502 (in 0.80 s)",
    ]
    assert told[1].failed.body == RATE_LIMITED.body
    assert sleeps.waited == pytest.approx([0.2, 0.4, 0.8])


def test_the_answer_after_the_last_retry_is_returned_with_its_attempt_count() -> None:
    client, transport, told, _ = client_with(RATE_LIMITED, RATE_LIMITED, RATE_LIMITED, RATE_LIMITED, ok())
    answer = client.send(api_request(creates=True))
    assert (answer.body["errcode"], answer.attempts) == (90018, 4)
    assert len(transport.calls) == 4  # the fifth answer is never asked for
    assert [retrying.number for retrying in told] == [1, 2, 3]


@pytest.mark.parametrize("kind", [Failure.NO_ANSWER, Failure.DROPPED])
def test_a_create_that_may_have_been_received_is_not_sent_again(kind: Failure) -> None:
    client, transport, told, sleeps = client_with(kind, ok())
    with pytest.raises(NoAnswer) as raised:
        client.send(api_request(creates=True))
    assert len(transport.calls) == 1
    assert (told, sleeps.waited) == ([], [])
    assert str(raised.value).endswith("(not sent again: a create may have reached the server)")


def test_a_create_whose_connection_was_refused_is_sent_again() -> None:
    client, transport, told, _ = client_with(Failure.NOT_SENT, BUSY, ok(result="created"))
    answer = client.send(api_request(creates=True))
    assert (answer.body["result"], answer.attempts, len(transport.calls)) == ("created", 3, 3)
    assert isinstance(told[0].failed, SendFailure)


def test_a_create_is_not_sent_again_after_a_server_error() -> None:
    client, transport, _, _ = client_with(SERVER_ERROR, ok())
    answer = client.send(api_request(creates=True))
    assert (answer.status, answer.attempts, len(transport.calls)) == (502, 1, 1)


def test_no_answer_after_every_retry_says_how_many_attempts() -> None:
    client, transport, told, _ = client_with(*[Failure.NOT_SENT] * 4)
    with pytest.raises(NoAnswer) as raised:
        client.send(api_request())
    assert (raised.value.attempts, len(transport.calls)) == (4, 4)
    assert raised.value.failure.host_unreachable
    assert str(raised.value) == f"POST {URL}/x: NOT_SENT (after 4 attempts)"
    assert len(told) == 3
