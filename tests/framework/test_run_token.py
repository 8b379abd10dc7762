"""common.dingtalk.run_token through the run's own client (common.dingtalk.run_client) and a handler transport:
one gettoken for many requests and for every worker, a rejected token replaced once and the request replayed
once, gettoken retried when busy, its answer checked, and every token masked before a report can show it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError, TransportError
from common.dingtalk.api import NoAnswer
from common.dingtalk.run_token import GETTOKEN_STEP
from common.http.masking import MASK, Masker
from common.http.retry import Retrying
from common.http.transport import Failure, Response
from tests.framework.fake_dingtalk import (
    API_PATH,
    API_REJECTION,
    APPSECRET,
    GETTOKEN,
    OAPI_PATH,
    OAPI_REJECTION,
    OAPI_URL,
    FakeDingTalk,
    api_request,
    client_of,
    issued,
)

BUSY = (200, {"errcode": -1, "errmsg": "系统繁忙"})


@dataclass
class ShownReporter:
    """A reporter that keeps what it is shown as the run's masker renders it at that moment; an exchange as free
    text (its URL and its body's values), where no field name next to a token would give it away."""

    masker: Masker
    shown: list[str] = field(default_factory=list)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.shown.append(self.masker(title))
        yield

    def exchange(self, response: Response) -> None:
        values = " ".join(str(value) for value in response.body.values())
        self.shown.append(self.masker(f"{response.request.url} {values}"))

    def retry(self, retrying: Retrying[Any]) -> None:
        self.shown.append(self.masker(retrying.describe()))


def test_many_requests_to_both_hosts_make_one_gettoken(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    client = client_of(dingtalk, token_file, schemas)
    answers = [client.send(api_request(api)) for api in ["oapi", "api"] * 3]
    assert dingtalk.calls(GETTOKEN) == 1
    assert dingtalk.tokens_sent() == [issued(1)] * 6
    assert [answer.history for answer in answers] == [()] * 6
    assert dingtalk.sent[0].url == f"{OAPI_URL}{GETTOKEN}?appkey=dingkey&appsecret={APPSECRET}"


REJECTIONS = {
    "oapi 40014": ("oapi", 200, {"errcode": 40014, "errmsg": "不合法的access_token"}),
    "oapi 42001": ("oapi", 200, {"errcode": 42001, "errmsg": "access_token超时"}),
    "oapi 88 wrapping 40014": ("oapi", 200, OAPI_REJECTION),
    "api 401 InvalidAuthentication": ("api", 401, API_REJECTION),
    "api 400 InvalidAuthentication": ("api", 400, API_REJECTION),
}


@pytest.mark.parametrize(("api", "status", "body"), REJECTIONS.values(), ids=REJECTIONS.keys())
def test_a_rejected_token_is_replaced_once_and_the_request_replayed_once(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore, api: str, status: int, body: dict[str, Any]
) -> None:
    path = OAPI_PATH if api == "oapi" else API_PATH
    dingtalk.queue(path, (status, body))
    answer = client_of(dingtalk, token_file, schemas).send(api_request(api))
    assert dingtalk.tokens_sent() == [issued(1), issued(2)]
    assert dingtalk.calls(GETTOKEN) == 2
    assert (answer.status, answer.body["errcode"]) == (200, 0)
    assert [(earlier.status, earlier.body) for earlier in answer.history] == [(status, body)]


def test_a_replay_that_is_rejected_again_is_not_replayed_again(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(OAPI_PATH, (200, OAPI_REJECTION), (200, OAPI_REJECTION))
    answer = client_of(dingtalk, token_file, schemas).send(api_request())
    assert dingtalk.tokens_sent() == [issued(1), issued(2)]
    assert dingtalk.calls(GETTOKEN) == 2
    assert answer.body == OAPI_REJECTION
    assert len(answer.history) == 1


def test_other_errors_are_not_replayed(dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore) -> None:
    no_permission = {**OAPI_REJECTION, "sub_code": "60011", "sub_msg": "没有调用该接口的权限"}
    dingtalk.queue(OAPI_PATH, (200, no_permission))
    answer = client_of(dingtalk, token_file, schemas).send(api_request())
    assert (dingtalk.tokens_sent(), dingtalk.calls(GETTOKEN)) == ([issued(1)], 1)
    assert (answer.body, answer.history) == (no_permission, ())


def test_two_workers_make_one_gettoken_and_one_replacement(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    first_masker, second_masker = Masker(), Masker()
    first = client_of(dingtalk, token_file, schemas, first_masker)
    second = client_of(dingtalk, token_file, schemas, second_masker)
    first.send(api_request())
    second.send(api_request())
    assert dingtalk.calls(GETTOKEN) == 1
    dingtalk.revoke()
    first.send(api_request())
    replayed = second.send(api_request())
    assert dingtalk.calls(GETTOKEN) == 2  # the second worker took the first one's replacement from the file
    assert dingtalk.tokens_sent() == [issued(1), issued(1), issued(1), issued(2), issued(1), issued(2)]
    assert [earlier.body for earlier in replayed.history] == [OAPI_REJECTION]
    assert second_masker(f"token {issued(1)}, then {issued(2)}") == f"token {MASK}, then {MASK}"


def test_a_busy_gettoken_is_retried_and_the_retry_reported(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(GETTOKEN, BUSY)
    reporter = ShownReporter(Masker([APPSECRET]))
    answer = client_of(dingtalk, token_file, schemas, reporter.masker, reporter=reporter).send(api_request())
    assert answer.body["errcode"] == 0
    assert dingtalk.calls(GETTOKEN) == 2
    assert reporter.shown[:2] == ["retry 1 of 3 after errcode -1: 系统繁忙 (in 0.00 s)", GETTOKEN_STEP]


def test_a_rejection_after_a_busy_answer_is_still_replayed_once(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(OAPI_PATH, BUSY, (200, OAPI_REJECTION))
    answer = client_of(dingtalk, token_file, schemas).send(api_request())
    assert dingtalk.tokens_sent() == [issued(1), issued(1), issued(2)]
    assert (answer.body["errcode"], answer.attempts) == (0, 1)
    assert [(earlier.body, earlier.attempts) for earlier in answer.history] == [(OAPI_REJECTION, 2)]


def test_refused_app_credentials_are_one_config_error_line(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(GETTOKEN, (200, {"errcode": 40096, "errmsg": "不合法的appKey或appSecret"}))
    with pytest.raises(ConfigError) as raised:
        client_of(dingtalk, token_file, schemas).send(api_request())
    assert str(raised.value) == (
        f"DingTalk refused the app credentials at {OAPI_URL}/gettoken (errcode 40096 不合法的appKey或appSecret): "
        "check DINGTALK_APPKEY and DINGTALK_APPSECRET"
    )
    assert dingtalk.tokens_sent() == []


def test_a_gettoken_answer_of_the_wrong_shape_is_a_transport_error(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(GETTOKEN, (200, {"errcode": 0, "errmsg": "ok", "access_token": 5, "expires_in": 7200}))
    with pytest.raises(TransportError) as raised:
        client_of(dingtalk, token_file, schemas).send(api_request())
    assert str(raised.value).startswith("GET /gettoken answered an unexpected shape: ")
    assert dingtalk.tokens_sent() == []


def test_every_token_is_masked_before_its_gettoken_is_shown(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    reporter = ShownReporter(Masker([APPSECRET]))
    client = client_of(dingtalk, token_file, schemas, reporter.masker, reporter=reporter)
    client.send(api_request())
    dingtalk.revoke()
    client.send(api_request())
    gettoken = f"{OAPI_URL}/gettoken?appkey=dingkey&appsecret={MASK} 0 ok {MASK} 7200"
    assert reporter.shown == [GETTOKEN_STEP, gettoken, GETTOKEN_STEP, gettoken]


def test_a_gettoken_without_an_answer_lets_go_of_the_token_file(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore
) -> None:
    dingtalk.queue(GETTOKEN, *[Failure.NOT_SENT] * 4)
    with pytest.raises(NoAnswer) as raised:  # ``raised`` keeps the failed send's frames alive
        client_of(dingtalk, token_file, schemas).send(api_request())
    assert raised.value.attempts == 4
    descriptor = os.open(token_file.with_suffix(".lock"), os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError while the lock is held
    finally:
        os.close(descriptor)
