"""common.run.runner: steps pass values on, every problem is raised once with a masked curl line, teardown always
runs, for_each stops at the first match. Cases are tiny YAML files; the client is scripted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.cases.model import Case
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure, FrameworkError, TransportError
from common.dingtalk.api import DingTalkClient
from common.dingtalk.settings import Settings
from common.http.masking import Masker
from common.http.transport import Response
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner
from common.run.write_ledger import WriteLedger
from tests.framework.fakes import (
    FakeClock,
    FixedToken,
    ScriptedClient,
    ScriptedTransport,
    blackboard,
    oapi_error,
    ok,
    response,
)

HEAD = "epic: E\nfeature: f\ncases:\n  - id: c\n    title: t\n"
BUILTINS = {"run_id": "run-7", "profile": {"admin_userid": "manager1"}, "appkey": "dingkey"}
LISTIDS = "/topapi/blackboard/listids"
GET = "/topapi/blackboard/get"
DELETE = "/topapi/blackboard/delete"


def make_runner(client: Any, schemas: SchemaStore, masker: Masker | None = None) -> CaseRunner:
    masker = masker or Masker()
    return CaseRunner(client, schemas, AllureReporter(masker), masker, BUILTINS, FakeClock())


@pytest.fixture
def run(load_case: Callable[[str], Case], schemas: SchemaStore) -> Callable[..., ScriptedClient]:
    """Run the case written as YAML (indented under the case) against scripted answers; returns the client."""

    def run_case(yaml: str, *answers: Response) -> ScriptedClient:
        client = ScriptedClient(list(answers))
        make_runner(client, schemas).run(load_case(HEAD + yaml), uid="run-7-abc")
        return client

    return run_case


def failure_of(run: Callable[..., ScriptedClient], yaml: str, *answers: Response) -> BaseException:
    with pytest.raises((CheckFailure, FrameworkError)) as raised:
        run(yaml, *answers)
    return raised.value


SAVE_THEN_USE = f"""\
    steps:
      - request: {{path: {LISTIDS}, json: {{page: 1}}}}
        save: {{ids: result}}
      - request:
          path: {GET}
          json: {{blackboard_id: "${{ids[0]}}", all: "${{ids}}", title: "apitest ${{uid}}", run: "${{run_id}}"}}
"""


def test_values_saved_by_one_step_are_sent_by_the_next(run: Callable[..., ScriptedClient]) -> None:
    client = run(SAVE_THEN_USE, ok(result=["a", "b"]), blackboard("a", "x"))
    assert [request.path for request in client.sent] == [LISTIDS, GET]
    assert client.sent[0].json == {"page": 1}
    assert client.sent[1].json == {
        "blackboard_id": "a",
        "all": ["a", "b"],
        "title": "apitest run-7-abc",
        "run": "run-7",
    }


def test_all_problems_are_raised_once(run: Callable[..., ScriptedClient]) -> None:
    yaml = f"    request: {{path: {LISTIDS}, json: {{}}}}\n    expect:\n      body:\n        result: {{len_ge: 1}}\n"
    body = {"errcode": 0, "success": True, "request_id": "r1", "result": []}
    failure = failure_of(run, yaml, response(body, status=503))
    assert isinstance(failure, CheckFailure)
    assert "status: expected HTTP 200, got 503" in failure.failures
    assert "result: expected length >= 1, got 0" in failure.failures
    assert failure.title == f"cases.yaml:4 case 'c': POST {LISTIDS} → HTTP 503"
    assert str(failure).startswith(failure.title + "\n  - ")


def test_a_failed_step_stops_the_case(run: Callable[..., ScriptedClient]) -> None:
    with pytest.raises(CheckFailure) as raised:
        run(SAVE_THEN_USE, oapi_error(40035))
    assert raised.value.failures == ["errcode: expected 0, got 40035 (errmsg: error)"]


def test_a_save_that_finds_nothing_fails_the_step(run: Callable[..., ScriptedClient]) -> None:
    yaml = f"    request: {{path: {GET}, json: {{}}}}\n    save: {{bb_id: result.nothing}}\n"
    failure = failure_of(run, yaml, blackboard("a", "x"))
    assert isinstance(failure, CheckFailure)
    assert failure.failures == ["save bb_id: nothing at result.nothing"]


FLOW_WITH_TEARDOWN = f"""\
    steps:
      - request: {{path: {GET}, json: {{}}}}
        save: {{bb_id: result.id}}
      - name: check the title
        request: {{path: {GET}, json: {{blackboard_id: "${{bb_id}}"}}}}
        expect: {{body: {{result.title: wanted}}}}
    teardown:
      - name: delete it
        request: {{path: {DELETE}, json: {{blackboard_id: "${{bb_id}}"}}}}
      - name: always
        request: {{path: {LISTIDS}, json: {{}}}}
"""


def test_teardown_runs_after_a_failing_step(load_case: Callable[[str], Case], schemas: SchemaStore) -> None:
    client = ScriptedClient([blackboard("bb-1", "x"), blackboard("bb-1", "other"), ok(result=True), ok(result=[])])
    with pytest.raises(CheckFailure) as raised:
        make_runner(client, schemas).run(load_case(HEAD + FLOW_WITH_TEARDOWN), uid="u")
    assert raised.value.failures == ["result.title: expected 'wanted', got 'other'"]
    assert "step 'check the title'" in raised.value.title
    assert [request.path for request in client.sent] == [GET, GET, DELETE, LISTIDS]
    assert client.sent[2].json == {"blackboard_id": "bb-1"}
    assert not getattr(raised.value, "__notes__", [])


def test_a_failing_teardown_is_noted_on_the_original_failure(run: Callable[..., ScriptedClient]) -> None:
    failure = failure_of(
        run, FLOW_WITH_TEARDOWN, blackboard("bb-1", "x"), blackboard("bb-1", "other"), oapi_error(60011), ok(result=[])
    )
    assert isinstance(failure, CheckFailure)
    assert failure.failures == ["result.title: expected 'wanted', got 'other'"]
    (note,) = failure.__notes__
    assert note.startswith("teardown also failed:\n")
    assert "step 'delete it'" in note
    assert "errcode: expected 0, got 60011" in note


def test_teardown_steps_needing_a_never_saved_variable_are_skipped(
    load_case: Callable[[str], Case], schemas: SchemaStore
) -> None:
    client = ScriptedClient([oapi_error(40035), ok(result=[])])
    with pytest.raises(CheckFailure) as raised:
        make_runner(client, schemas).run(load_case(HEAD + FLOW_WITH_TEARDOWN), uid="u")
    assert raised.value.failures == ["errcode: expected 0, got 40035 (errmsg: error)"]
    assert not getattr(raised.value, "__notes__", [])  # a skipped step is no failure
    assert [request.path for request in client.sent] == [GET, LISTIDS]  # 'delete it' needs bb_id: skipped
    assert client.answers == []


def test_a_passing_case_with_a_failing_teardown_fails(run: Callable[..., ScriptedClient]) -> None:
    failure = failure_of(
        run, FLOW_WITH_TEARDOWN, blackboard("bb-1", "x"), blackboard("bb-1", "wanted"), oapi_error(60011), ok(result=[])
    )
    assert isinstance(failure, CheckFailure)
    assert failure.title == "cases.yaml: teardown failed"
    (problem,) = failure.failures
    assert "step 'delete it'" in problem
    assert "errcode: expected 0, got 60011" in problem


FIND_BY_TITLE = f"""\
    steps:
      - request: {{path: {LISTIDS}, json: {{}}}}
        save: {{ids: result}}
      - name: find it
        for_each: ${{ids}}
        request: {{path: {GET}, json: {{blackboard_id: "${{item}}"}}}}
        until: {{result.title: "apitest ${{uid}}"}}
        save: {{bb_id: result.id}}
      - request: {{path: {DELETE}, json: {{blackboard_id: "${{bb_id}}"}}}}
"""


def test_for_each_stops_at_the_first_match(run: Callable[..., ScriptedClient]) -> None:
    client = run(
        FIND_BY_TITLE,
        ok(result=["a", "b", "c"]),
        blackboard("a", "someone else's"),
        blackboard("b", "apitest run-7-abc"),
        ok(result=True),
    )
    assert [(request.path, request.json) for request in client.sent] == [
        (LISTIDS, {}),
        (GET, {"blackboard_id": "a"}),
        (GET, {"blackboard_id": "b"}),
        (DELETE, {"blackboard_id": "b"}),
    ]


def test_for_each_fails_naming_until_when_nothing_matches(run: Callable[..., ScriptedClient]) -> None:
    failure = failure_of(run, FIND_BY_TITLE, ok(result=["a", "b"]), blackboard("a", "x"), blackboard("b", "y"))
    assert isinstance(failure, CheckFailure)
    message = str(failure)
    assert "step 'find it'" in message
    assert "none of the 2 items matched until: result.title eq 'apitest ${uid}'" in message


def test_for_each_over_something_that_is_not_a_list(run: Callable[..., ScriptedClient]) -> None:
    yaml = f"""\
    steps:
      - request: {{path: {GET}, json: {{}}}}
        save: {{title: result.title}}
      - for_each: ${{title}}
        request: {{path: {GET}, json: {{blackboard_id: "${{item}}"}}}}
        until: {{result.id: x}}
"""
    failure = failure_of(run, yaml, blackboard("a", "just one title"))
    assert isinstance(failure, FrameworkError)
    assert "for_each needs a list, got 'just one title'" in str(failure)


def test_a_value_that_cannot_render_is_a_step_error(run: Callable[..., ScriptedClient]) -> None:
    yaml = SAVE_THEN_USE.replace("${ids[0]}", "${ids[5]}")
    failure = failure_of(run, yaml, ok(result=["a"]))
    assert isinstance(failure, FrameworkError)
    assert str(failure).endswith("undefined variable ${ids[5]}")
    assert "case 'c'" in str(failure)


class Unreachable:
    def send(self, request: Any) -> Response:
        raise TransportError(f"POST http://127.0.0.1:9{request.path}: cannot connect (connection refused)")


def test_a_transport_error_names_the_step(load_case: Callable[[str], Case], schemas: SchemaStore) -> None:
    with pytest.raises(FrameworkError) as raised:
        make_runner(Unreachable(), schemas).run(load_case(HEAD + f"    request: {{path: {GET}}}\n"), uid="u")
    assert str(raised.value) == (
        f"cases.yaml:4 step 'GET {GET}': POST http://127.0.0.1:9{GET}: cannot connect (connection refused)"
    )


TOKEN = "run-token-0123456789"


@pytest.mark.parametrize("registered", [True, False], ids=["registered-token", "unregistered-token"])
def test_the_failure_has_a_curl_line_with_the_token_masked(
    load_case: Callable[[str], Case], schemas: SchemaStore, registered: bool
) -> None:
    settings = Settings("sandbox", "k", "s", "http://127.0.0.1:9001", "http://127.0.0.1:9002", Path("p"), 1.0, False)
    transport = ScriptedTransport([oapi_error(40035)])
    client = DingTalkClient(settings, transport, FixedToken(TOKEN).flow)  # type: ignore[arg-type]
    masker = Masker([TOKEN] if registered else [])
    case = load_case(HEAD + f"    request: {{path: {GET}, json: {{blackboard_id: b1}}}}\n")
    with pytest.raises(CheckFailure) as raised:
        make_runner(client, schemas, masker).run(case, uid="u")
    message = str(raised.value)
    assert TOKEN not in message
    expected = f"curl -X POST 'http://127.0.0.1:9001{GET}?access_token=***'"
    # the request as it went out: the JSON body carries its Content-Type header
    assert (
        raised.value.curl
        == expected + " -H 'Content-Type: application/json'" + ' --data-raw \'{"blackboard_id": "b1"}\''
    )
    assert message.endswith("  replay:\n    " + raised.value.curl)


# ── when: a step that depends on what an earlier one answered ─────────────────────────────────────────
ACCEPTED_OR_REFUSED = f"""\
    steps:
      - request: {{path: /topapi/blackboard/create, json: {{create_request: {{title: 1}}}}}}
        expect: {{errcode: any}}
        save: {{create_errcode: errcode}}
      - request: {{path: {LISTIDS}, json: {{page: 1}}}}
        when: {{create_errcode: 0}}
        expect:
          body:
            result: {{len: 1}}
"""


def test_a_step_whose_when_holds_runs(run: Callable[..., ScriptedClient]) -> None:
    client = run(ACCEPTED_OR_REFUSED, ok(result=True), ok(result=["bb1"]))
    assert [request.path for request in client.sent] == ["/topapi/blackboard/create", LISTIDS]


def test_a_step_whose_when_does_not_hold_is_skipped(run: Callable[..., ScriptedClient]) -> None:
    client = run(ACCEPTED_OR_REFUSED, oapi_error(40035))
    assert [request.path for request in client.sent] == ["/topapi/blackboard/create"]


def test_a_step_run_by_its_when_still_checks_its_answer(run: Callable[..., ScriptedClient]) -> None:
    failure = failure_of(run, ACCEPTED_OR_REFUSED, ok(result=True), ok(result=[]))
    assert "result: expected length == 1, got 0" in str(failure)


# ── the ledger of writes the server accepted ──────────────────────────────────────────────────────────
def test_writes_the_server_accepted_are_noted_in_the_ledger(
    load_case: Callable[[str], Case], schemas: SchemaStore, tmp_path: Path
) -> None:
    ledger = WriteLedger(tmp_path)
    masker = Masker()
    runner = CaseRunner(
        ScriptedClient([ok(result=True), oapi_error(40035), ok(result=["bb1"]), ok(result=True)]),
        schemas,
        AllureReporter(masker),
        masker,
        BUILTINS,
        FakeClock(),
        ledger=ledger,
    )
    yaml = f"""\
    steps:
      - request: {{path: /topapi/blackboard/create, json: {{create_request: {{title: 1}}}}}}
        expect: {{errcode: any}}
      - request: {{path: /topapi/blackboard/create, json: {{create_request: {{title: 2}}}}}}
        expect: {{errcode: any}}
      - request: {{path: {LISTIDS}, json: {{page: 1}}}}
        save: {{ids: result}}
      - request: {{path: {DELETE}, json: {{blackboard_id: "${{ids[0]}}"}}}}
"""
    runner.run(load_case(HEAD + yaml), uid="run-7-abc")
    tally = ledger.tally()
    assert (dict(tally.created), dict(tally.deleted)) == ({"announcement": 1}, {"announcement": 1})
