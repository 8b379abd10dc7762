"""common.plugin.fixtures: ``dingtalk`` sends through the run's client and checks every answer (errcode, status,
schema) as a YAML step does; a hand-written test in testcases/ runs with the run's one token, Allure and masking."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common.cases.endpoints import writing_endpoints
from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure
from common.http.masking import Masker
from common.http.transport import OutgoingRequest, Response
from common.plugin.fixtures import LIVE_WRITES_SKIP, DingTalk
from common.run.runner import CaseRunner
from common.run.write_ledger import WriteLedger
from sandbox import SandboxServer
from tests.e2e.harness import RunningSandbox, copy_project
from tests.framework.fakes import PROJECT, ScriptedClient, ok, response

CATEGORIES = "/topapi/blackboard/category/list"
TOKEN = "t0k3n5ecret"


@dataclass
class RecordingReporter:
    """Stands in for the Allure reporter: notes each step, each exchange and each failed one's request."""

    masker: Masker
    steps: list[str] = field(default_factory=list)
    exchanges: list[Response] = field(default_factory=list)
    failed: list[OutgoingRequest] = field(default_factory=list)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.steps.append(title)
        yield

    def exchange(self, answer: Response) -> None:
        self.exchanges.append(answer)

    def failed_exchange(self, request: OutgoingRequest) -> None:
        self.failed.append(request)


@dataclass
class Harness:
    client: ScriptedClient
    reporter: RecordingReporter
    masker: Masker
    ledger: WriteLedger

    def dingtalk(self, live: bool = False, allow_writes: bool = False) -> DingTalk:
        runner = CaseRunner(
            self.client,  # type: ignore[arg-type]
            SchemaStore(PROJECT / "schemas"),
            self.reporter,  # type: ignore[arg-type]
            self.masker,
            {},
            ledger=self.ledger,
        )
        return DingTalk(runner, live=live, allow_writes=allow_writes, writing=writing_endpoints())


def harness(tmp_path: Path, *answers: Response) -> Harness:
    masker = Masker([TOKEN])
    return Harness(ScriptedClient(list(answers)), RecordingReporter(masker), masker, WriteLedger(tmp_path))


def categories(*ids: str) -> Response:
    return ok(result=[{"id": category, "name": f"n{category}"} for category in ids])


def test_post_sends_through_the_run_s_client_and_shows_the_exchange(tmp_path: Path) -> None:
    run = harness(tmp_path, categories("c1", "c2"))
    answer = run.dingtalk().post(CATEGORIES, json={"operation_userid": "u1"})
    assert [item["id"] for item in answer.body["result"]] == ["c1", "c2"]
    [sent] = run.client.sent
    assert (sent.api, sent.method, sent.path, sent.json, sent.auth) == (
        "oapi",
        "POST",
        CATEGORIES,
        {"operation_userid": "u1"},
        Auth.TOKEN,
    )
    assert run.reporter.steps == [f"POST {CATEGORIES}"] and len(run.reporter.exchanges) == 1
    assert run.reporter.failed == []  # a success has no curl line attached


def test_get_on_the_new_host_with_another_auth(tmp_path: Path) -> None:
    run = harness(tmp_path, response({"userIdList": ["a"], "hasMore": False}))
    run.dingtalk().get(
        "/v1.0/hrm/employees/dismissions", query={"maxResults": 5}, api="api", auth="invalid", check=False
    )
    [sent] = run.client.sent
    assert (sent.api, sent.method, sent.params, sent.json, sent.auth) == (
        "api",
        "GET",
        {"maxResults": 5},
        None,
        Auth.INVALID,
    )


def test_an_errcode_other_than_0_fails_with_the_errmsg_and_the_curl_line(tmp_path: Path) -> None:
    run = harness(tmp_path, response({"errcode": 40035, "errmsg": "缺少参数"}))
    with pytest.raises(CheckFailure) as raised:
        run.dingtalk().post(CATEGORIES, json={})
    message = str(raised.value)
    assert message.startswith(
        f"POST {CATEGORIES} (oapi) → HTTP 200\n  - errcode: expected 0, got 40035 (errmsg: 缺少参数)"
    )
    assert "replay:" in message and "curl" in message
    assert run.reporter.failed == [run.reporter.exchanges[0].request]  # its curl line is attached; a success's is not


def test_check_false_accepts_a_refusal_and_still_checks_the_error_schema(tmp_path: Path) -> None:
    run = harness(tmp_path, response({"errcode": 40035, "errmsg": "缺少参数"}), response({"errcode": "x"}))
    dingtalk = run.dingtalk()
    assert dingtalk.post(CATEGORIES, json={}, check=False).body["errcode"] == 40035
    with pytest.raises(CheckFailure, match=r"schema oapi/error: body.errcode: 'x' is not of type 'integer'"):
        dingtalk.post(CATEGORIES, json={}, check=False)


def test_a_success_that_breaks_the_endpoint_s_schema_fails(tmp_path: Path) -> None:
    run = harness(tmp_path, ok(result=[{"id": 1}]))
    with pytest.raises(CheckFailure) as raised:
        run.dingtalk().post(CATEGORIES, json={"operation_userid": "u1"})
    assert f"schema oapi{CATEGORIES}: body.result[0].id: 1 is not of type 'string'" in str(raised.value)


def test_another_schema_by_name_and_a_missing_one(tmp_path: Path) -> None:
    run = harness(tmp_path, categories("c1"), ok())
    dingtalk = run.dingtalk()
    with pytest.raises(CheckFailure, match="schema oapi/topapi/blackboard/get: "):
        dingtalk.post(CATEGORIES, json={}, schema="oapi/topapi/blackboard/get")
    with pytest.raises(CheckFailure, match=r"schema: no schemas/oapi/topapi/nowhere.json to check this answer"):
        dingtalk.post("/topapi/nowhere", json={})


def test_an_http_error_of_the_new_host_fails_unless_told(tmp_path: Path) -> None:
    refusal = {"requestid": "r1", "code": "InvalidAuthentication", "message": "bad token"}
    run = harness(tmp_path, response(refusal, status=401), response(refusal, status=401))
    dingtalk = run.dingtalk()
    with pytest.raises(CheckFailure, match="status: expected a success, got HTTP 401 InvalidAuthentication"):
        dingtalk.get("/v1.0/hrm/employees/dismissions", api="api")
    assert dingtalk.get("/v1.0/hrm/employees/dismissions", api="api", check=False).status == 401


def test_secrets_are_masked_in_a_failure(tmp_path: Path) -> None:
    run = harness(tmp_path, response({"errcode": 1, "errmsg": f"token {TOKEN} refused"}))
    with pytest.raises(CheckFailure) as raised:
        run.dingtalk().post(CATEGORIES, json={})
    assert TOKEN not in str(raised.value) and "token *** refused" in str(raised.value)


def test_a_token_in_an_answer_becomes_a_secret(tmp_path: Path) -> None:
    run = harness(tmp_path, ok(access_token="fresh-token-1", expires_in=7200))
    run.dingtalk().get("/gettoken", auth="app")
    assert run.masker("x fresh-token-1") == "x ***"


def test_a_create_is_never_retried_blindly_and_is_noted_in_the_ledger(tmp_path: Path) -> None:
    run = harness(tmp_path, ok(result=True))
    run.dingtalk().post("/topapi/blackboard/create", json={"create_request": {}})
    assert run.client.sent[0].creates is True
    assert run.ledger.tally().created == {"announcement": 1}


def test_a_write_to_a_live_tenant_without_the_opt_in_skips_the_test(tmp_path: Path) -> None:
    run = harness(tmp_path)
    with pytest.raises(pytest.skip.Exception, match=LIVE_WRITES_SKIP):
        run.dingtalk(live=True).post("/topapi/blackboard/delete", json={})
    assert run.client.sent == []


def test_a_wrong_api_or_auth_is_refused_before_sending(tmp_path: Path) -> None:
    run = harness(tmp_path)
    with pytest.raises(ValueError, match="api must be 'oapi' or 'api'"):
        run.dingtalk().get("/x", api="new")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'tokens' is not a valid Auth"):
        run.dingtalk().get("/x", auth="tokens")  # type: ignore[arg-type]
    assert run.client.sent == []


EXTRA = """\
    import pytest

    from common.plugin.fixtures import DingTalk


    def test_a_write_needs_the_opt_in(dingtalk: DingTalk, uid: str, run_id: str) -> None:
        assert uid.startswith(run_id + "-")
        dingtalk.post("/topapi/blackboard/delete", json={"operation_userid": "x", "blackboard_id": "y"})


    @pytest.mark.sandbox_only("the sandbox's own message")
    def test_sandbox_only(dingtalk: DingTalk) -> None:
        pass


    def test_a_wrong_expectation_fails_with_its_curl(dingtalk: DingTalk) -> None:
        dingtalk.post("/topapi/blackboard/category/list", json={})
"""


def test_a_hand_written_test_gets_what_a_yaml_case_gets(tmp_path: Path, bytecode: Path) -> None:
    """Against a sandbox of its own on the live settings: one gettoken for the run's tests, each exchange in Allure
    with the token masked, a write skipped without the opt-in, sandbox_only skipped on live. In one process:
    ``dingtalk`` sends through the client of the YAML cases, whose token two workers share in the live read-only run
    of tests/e2e/test_api_suite.py."""
    project = copy_project(tmp_path / "project", bytecode)
    (project.root / "testcases" / "test_handwritten_example.py").write_bytes(
        (PROJECT / "testcases" / "test_handwritten_example.py").read_bytes()
    )
    (project.root / "testcases" / "test_extra.py").write_text(textwrap.dedent(EXTRA), encoding="utf-8")
    with SandboxServer() as server:
        sandbox = RunningSandbox(server.url)
        results = tmp_path / "allure"
        run = project.run(
            "-p", "no:benchmark", f"--alluredir={results}", "-rs",
            "testcases/test_handwritten_example.py", "testcases/test_extra.py",
            env=sandbox.environ(allow_writes=False),
        )  # fmt: skip
        stats = sandbox.stats()
    assert "3 passed" in run.output and "1 failed" in run.output and "2 skipped" in run.output, run.output
    assert LIVE_WRITES_SKIP in run.output and "the sandbox's own behaviour" in run.output
    assert f"CheckFailure: POST {CATEGORIES} (oapi) → HTTP 200" in run.output
    assert "- errcode: expected 0, got" in run.output and "curl -X POST" in run.output
    assert stats["calls"].get("GET /gettoken") == 1, stats
    attachments = "".join(path.read_text(encoding="utf-8") for path in results.glob("*-attachment*"))
    assert f"POST {sandbox.url}{CATEGORIES}?access_token=***" in attachments
    steps = [
        step["name"] for path in results.glob("*-result.json") for step in json.loads(path.read_text()).get("steps", [])
    ]
    assert f"POST {CATEGORIES}" in steps and "GET /v1.0/hrm/employees/dismissions" in steps


def test_a_broken_functions_file_is_one_line_at_start_up(tmp_path: Path, bytecode: Path) -> None:
    project = copy_project(tmp_path, bytecode)
    (project.root / "functions.py").write_text("from common.cases.functions import nothing_here\n", encoding="utf-8")
    run = project.run("-p", "no:benchmark", "--collect-only", "-q")
    assert run.returncode != 0
    errors = [line for line in run.output.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR: functions.py:1: ImportError: cannot import name 'nothing_here' from 'common.cases.functions' "
        f"({project.root}/common/cases/functions.py)"
    ], run.output
    assert "Traceback" not in run.output
