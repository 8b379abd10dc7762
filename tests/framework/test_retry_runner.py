"""The runner after retries: a failure says how many attempts were made; an unreachable host or refused
credentials stop the run (teardown is not attempted against a host that does not answer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from common.cases.model import Case
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure, ConfigError, FrameworkError
from common.dingtalk.api import NoAnswer
from common.http.masking import Masker
from common.http.transport import Failure, OutgoingRequest, Response, SendFailure
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner, HostUnreachable, StepError, stop_reason, stops_the_run
from tests.framework.fakes import FakeClock, ScriptedClient, blackboard, ok, response

HEAD = "epic: E\nfeature: f\ncases:\n  - id: c\n    title: t\n"
GET = "/topapi/blackboard/get"
CREATE_THEN_DELETE = f"""\
    steps:
      - request: {{path: /topapi/blackboard/create, json: {{}}}}
      - request: {{path: /topapi/blackboard/listids, json: {{}}}}
        save: {{bb_id: "result[0]"}}
      - request: {{path: {GET}, json: {{blackboard_id: "${{bb_id}}"}}}}
    teardown:
      - request: {{path: /topapi/blackboard/delete, json: {{blackboard_id: "${{bb_id}}"}}}}
"""


def runner(client: Any, schemas: SchemaStore) -> CaseRunner:
    masker = Masker()
    return CaseRunner(client, schemas, AllureReporter(masker), masker, {"run_id": "r"}, FakeClock())


class NoAnswerClient(ScriptedClient):
    """Answers from its script; a ``Failure`` in the script is raised as the client's ``NoAnswer``."""

    def send(self, request: Any) -> Response:
        if isinstance(self.answers[0], Failure):
            self.sent.append(request)
            kind = self.answers.pop(0)
            url = f"http://127.0.0.1:9{request.path}"
            outgoing = OutgoingRequest(request.method, url, {}, None)
            raise NoAnswer(SendFailure(f"POST {url}: {kind.name}", kind, outgoing), 4, request.creates)  # type: ignore[arg-type]
        return super().send(request)


class RetriedClient(ScriptedClient):
    """Answers from its script, keeping each answer's attempt count."""

    def send(self, request: Any) -> Response:
        attempts = self.answers[0].attempts
        return replace(super().send(request), attempts=attempts)


def test_a_failure_after_retries_says_how_many_attempts(load_case: Callable[[str], Case], schemas: SchemaStore) -> None:
    rate_limited = replace(response({"errcode": 90018, "errmsg": "请求过于频繁"}), attempts=4)
    client = RetriedClient([rate_limited])
    with pytest.raises(CheckFailure) as raised:
        runner(client, schemas).run(load_case(HEAD + f"    request: {{path: {GET}, json: {{}}}}\n"), uid="u")
    assert raised.value.title == f"cases.yaml:4 case 'c': POST {GET} → HTTP 200 (after 4 attempts)"


def test_one_attempt_is_not_mentioned(load_case: Callable[[str], Case], schemas: SchemaStore) -> None:
    client = ScriptedClient([response({"errcode": 40035, "errmsg": "缺少参数"})])
    with pytest.raises(CheckFailure) as raised:
        runner(client, schemas).run(load_case(HEAD + f"    request: {{path: {GET}, json: {{}}}}\n"), uid="u")
    assert raised.value.title == f"cases.yaml:4 case 'c': POST {GET} → HTTP 200"


@pytest.mark.parametrize("kind", [Failure.NOT_SENT, Failure.NO_ANSWER])
def test_an_unreachable_host_stops_the_run_and_skips_teardown(
    load_case: Callable[[str], Case], schemas: SchemaStore, kind: Failure
) -> None:
    client = NoAnswerClient([ok(result=True), ok(result=["bb1"]), kind, ok()])  # type: ignore[list-item]
    with pytest.raises(HostUnreachable) as raised:
        runner(client, schemas).run(load_case(HEAD + CREATE_THEN_DELETE), uid="u")
    assert [request.path for request in client.sent] == ["/topapi/blackboard/create", "/topapi/blackboard/listids", GET]
    assert stops_the_run(raised.value)
    unreachable = f"POST http://127.0.0.1:9{GET}: {kind.name} (after 4 attempts)"
    assert str(raised.value) == f"cases.yaml:10 step 'POST {GET}': {unreachable}"
    assert stop_reason(raised.value) == f"the run stops: {unreachable}"


def test_a_dropped_connection_fails_the_case_alone_and_teardown_still_runs(
    load_case: Callable[[str], Case], schemas: SchemaStore
) -> None:
    client = NoAnswerClient([ok(result=True), ok(result=["bb1"]), Failure.DROPPED, ok(result=True)])  # type: ignore[list-item]
    with pytest.raises(StepError) as raised:
        runner(client, schemas).run(load_case(HEAD + CREATE_THEN_DELETE), uid="u")
    assert not stops_the_run(raised.value)
    assert client.sent[-1].path == "/topapi/blackboard/delete"
    assert client.sent[-1].json == {"blackboard_id": "bb1"}


def test_refused_credentials_stop_the_run(load_case: Callable[[str], Case], schemas: SchemaStore) -> None:
    class RefusingClient(ScriptedClient):
        def send(self, request: Any) -> Response:
            self.sent.append(request)
            raise ConfigError("DingTalk refused the app credentials (errcode 40096): check DINGTALK_APPKEY")

    client = RefusingClient([])
    with pytest.raises(ConfigError) as raised:
        runner(client, schemas).run(load_case(HEAD + CREATE_THEN_DELETE), uid="u")
    assert len(client.sent) == 1  # teardown was not attempted
    assert stop_reason(raised.value) == (
        "the run stops: DingTalk refused the app credentials (errcode 40096): check DINGTALK_APPKEY"
    )


@pytest.mark.parametrize("failure", [StepError("x"), FrameworkError("x"), CheckFailure("t", ["p"])])
def test_other_failures_do_not_stop_the_run(failure: BaseException) -> None:
    assert not stops_the_run(failure)


def test_the_steps_of_a_create_endpoint_are_marked_as_creates(
    load_case: Callable[[str], Case], schemas: SchemaStore
) -> None:
    client = ScriptedClient([ok(result=True), ok(result=["bb1"]), blackboard("bb1", "t"), ok(result=True)])
    runner(client, schemas).run(load_case(HEAD + CREATE_THEN_DELETE), uid="u")
    assert [request.creates for request in client.sent] == [True, False, False, False]
