"""common.run.runner with common.report.allure: every check of every step, passed or failed, is an Allure sub-step
titled with what it expected and found, and a step where one failed has a ``checks`` JSON attachment listing them;
request and response are JSON attachments; a failure carries its problems as data and its category as the
``failure`` label."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import allure_commons
import pytest

from common.cases.model import Case
from common.cases.problems import ChecksFailed
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure
from common.http.masking import Masker
from common.http.transport import Response
from common.report.allure import AllureReporter
from common.report.metadata import FAILURE_LABEL
from common.report.results import ResultsTidier
from common.run.runner import CaseRunner, StepError
from tests.framework.fakes import FakeClock, ScriptedClient, blackboard, ok, response

HEAD = "epic: E\nfeature: f\ncases:\n  - id: c\n    title: t\n"
LISTIDS = "/topapi/blackboard/listids"
GET = "/topapi/blackboard/get"
TWO_STEPS = f"""\
    steps:
      - request: {{path: {LISTIDS}, json: {{}}}}
        expect: {{body: {{result: {{len_ge: 1}}}}}}
        save: {{ids: result}}
      - name: the first one
        request: {{path: {GET}, json: {{blackboard_id: "${{ids[0]}}"}}}}
        expect:
          body:
            result.id: "${{ids[0]}}"
            result.title: wanted
"""

RENDERS_LATE = f"""\
    steps:
      - request: {{path: {LISTIDS}, json: {{}}}}
        save: {{ids: result}}
      - request: {{path: {GET}, json: {{blackboard_id: "${{ids[3]}}"}}}}
"""

SAVE_FINDS_NOTHING = f"    request: {{path: {GET}, json: {{}}}}\n    save: {{x: result.nothing}}\n"


@dataclass
class Node:
    """An Allure step as the reporter made it: its title, status, attachments and sub-steps."""

    title: str
    failed: bool = False
    attachments: list[tuple[str, str, str, Any]] = field(default_factory=list)
    """(name, mime type, extension, body)"""
    steps: list[Node] = field(default_factory=list)


class AllureCalls:
    """What reaches Allure through allure-commons' hooks, as a tree of steps under a root."""

    def __init__(self) -> None:
        self.root = Node("test")
        self.labels: list[tuple[str, str]] = []
        self._open = [self.root]

    @allure_commons.hookimpl
    def start_step(self, uuid: str, title: str, params: Any) -> None:
        node = Node(title)
        self._open[-1].steps.append(node)
        self._open.append(node)

    @allure_commons.hookimpl
    def stop_step(self, uuid: str, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self._open.pop().failed = exc_type is not None

    @allure_commons.hookimpl
    def attach_data(self, body: Any, name: str, attachment_type: Any, extension: Any) -> None:
        self._open[-1].attachments.append((name, attachment_type.mime_type, attachment_type.extension, body))

    @allure_commons.hookimpl
    def add_label(self, label_type: str, labels: Any) -> None:
        self.labels += [(label_type, value) for value in labels]


@pytest.fixture
def allure_calls() -> Iterator[AllureCalls]:
    calls = AllureCalls()
    allure_commons.plugin_manager.register(calls)
    yield calls
    allure_commons.plugin_manager.unregister(calls)


@pytest.fixture
def run(load_case: Callable[[str], Case], schemas: SchemaStore) -> Callable[..., BaseException | None]:
    """Run a case written as YAML against scripted answers; its failure, or None."""

    def run_case(yaml: str, *answers: Response) -> BaseException | None:
        masker = Masker(["s3cret"])
        runner = CaseRunner(ScriptedClient(list(answers)), schemas, AllureReporter(masker), masker, {}, FakeClock())
        try:
            runner.run(load_case(HEAD + yaml), uid="u")
        except (CheckFailure, StepError) as exc:
            return exc
        return None

    return run_case


def checks_of(step: Node) -> list[Node]:
    return [sub for sub in step.steps if sub.title[:1] in "✓✗"]


def attachment(step: Node, name: str) -> tuple[str, str, Any]:
    (found,) = [(mime, extension, body) for named, mime, extension, body in step.attachments if named == name]
    return found


def test_a_passed_case_shows_every_check_with_what_it_expected_and_found(
    run: Callable[..., BaseException | None], allure_calls: AllureCalls
) -> None:
    assert run(TWO_STEPS, ok(result=["bb-1"]), blackboard("bb-1", "wanted")) is None
    first, second = allure_calls.root.steps
    assert [(check.title, check.failed) for check in checks_of(first)] == [
        ("✓ status eq 200 (actual 200)", False),
        ("✓ errcode eq 0 (actual 0)", False),
        ("✓ schema oapi/topapi/blackboard/listids schema 'oapi/topapi/blackboard/listids' (actual 'conforms')", False),
        ("✓ result len_ge 1 (actual ['bb-1'])", False),
    ]
    assert [check.title for check in checks_of(second)][-2:] == [
        "✓ result.id eq 'bb-1' (actual 'bb-1')",
        "✓ result.title eq 'wanted' (actual 'wanted')",
    ]
    assert [named for step in (first, second) for named, *_ in step.attachments] == ["request", "response"] * 2
    assert not [label for label in allure_calls.labels if label[0] == FAILURE_LABEL]


def test_a_failed_check_is_a_failed_step_next_to_those_that_held(
    run: Callable[..., BaseException | None], allure_calls: AllureCalls
) -> None:
    failure = run(TWO_STEPS, ok(result=["bb-1"]), blackboard("bb-1", "other"))
    assert isinstance(failure, ChecksFailed)
    first, second = allure_calls.root.steps
    shown = [(check.title, check.failed) for check in checks_of(second)]
    assert shown[-2:] == [
        ("✓ result.id eq 'bb-1' (actual 'bb-1')", False),
        ("✗ result.title: expected 'wanted', got 'other'", True),
    ]
    assert [named for named, *_ in first.attachments] == ["request", "response"]  # every check of it held
    assert [named for named, *_ in second.attachments] == ["request", "response", "checks", "curl"]
    mime, extension, body = attachment(second, "checks")
    assert (mime, extension) == ("application/json", "json")
    listed = json.loads(body)
    assert [(item["path"], item["expected"], item["actual"], item["ok"]) for item in listed][-2:] == [
        ("result.id", "bb-1", "bb-1", True),
        ("result.title", "wanted", "other", False),
    ]
    assert listed[-1] == {
        "kind": "field",
        "path": "result.title",
        "comparator": "eq",
        "expected": "wanted",
        "actual": "other",
        "ok": False,
        "problem": "expected 'wanted', got 'other'",
        "where": "cases.yaml:15",
    }
    assert (FAILURE_LABEL, "content") in allure_calls.labels


def test_request_and_response_are_json_attachments(
    run: Callable[..., BaseException | None], allure_calls: AllureCalls
) -> None:
    failing = "    expect: {body: {result: {len_ge: 2}}}\n"  # so that the step has its checks attachment
    run(f"    request: {{path: {LISTIDS}, json: {{token: s3cret}}}}\n{failing}", ok(result=["s3cret"]))
    (step,) = allure_calls.root.steps
    for name in ("request", "response", "checks"):
        mime, extension, body = attachment(step, name)
        assert (mime, extension) == ("application/json", "json"), name
        json.loads(body)
        assert "s3cret" not in body, name
    assert json.loads(attachment(step, "response")[2])["body"]["result"] == ["***"]


REPLAY = "# 重放（新 token，发往当前目标）：python -m common.report.replay blackboard:c"


@pytest.mark.parametrize(
    ("sandbox", "shown"),
    [
        (False, [REPLAY, f"curl -X GET 'https://oapi.dingtalk.com{LISTIDS}?access_token=***'"]),
        (True, [REPLAY, "# 本次运行的沙箱已随运行结束关闭，下面的地址不再可用，仅供查看请求：", "# curl -X GET"]),
        (None, [f"curl -X GET 'https://oapi.dingtalk.com{LISTIDS}?access_token=***'"]),
    ],
    ids=["live", "sandbox", "no-tidier"],
)
def test_a_failed_exchange_s_curl_line_says_how_to_replay_the_test(
    run: Callable[..., BaseException | None], allure_calls: AllureCalls, sandbox: bool | None, shown: list[str]
) -> None:
    tidier = ResultsTidier(sandbox=bool(sandbox))
    tidier.current_test_id = "blackboard:c"
    if sandbox is not None:
        allure_commons.plugin_manager.register(tidier)
    try:
        failing = "    expect: {body: {result: {len_ge: 2}}}\n"
        run(f"    request: {{path: {LISTIDS}, query: {{access_token: s3cret}}}}\n{failing}", ok(result=["x"]))
    finally:
        if sandbox is not None:
            allure_commons.plugin_manager.unregister(tidier)
    (step,) = allure_calls.root.steps
    mime, _, body = attachment(step, "curl")
    lines = body.splitlines()
    assert mime == "text/plain"
    assert [line[: len(start)] for line, start in zip(lines, shown, strict=False)] == shown
    assert len(lines) == len(shown) and "s3cret" not in body


@pytest.mark.parametrize(
    ("yaml", "answers", "kinds", "label"),
    [
        (TWO_STEPS, [ok(result=[])], ["field"], "content"),
        (TWO_STEPS, [response(ok(result=["b"]).body, status=429)], ["status", "schema"], "refused"),
        (TWO_STEPS, [ok(result=7)], ["schema", "field"], "schema"),
        (TWO_STEPS, [response({"errcode": 40035, "errmsg": "e"})], ["errcode", "field"], "errcode-or-status"),
        (SAVE_FINDS_NOTHING, [blackboard("a", "t")], ["save"], "content"),
        (RENDERS_LATE, [ok(result=["a"])], ["render"], "setup"),
    ],
    ids=["field", "refused", "schema", "errcode", "save", "render"],
)
def test_a_failure_carries_its_problems_and_its_category(
    run: Callable[..., BaseException | None],
    allure_calls: AllureCalls,
    yaml: str,
    answers: list[Response],
    kinds: list[str],
    label: str,
) -> None:
    failure = run(yaml, *answers)
    if isinstance(failure, ChecksFailed):
        assert list(dict.fromkeys(problem.kind for problem in failure.problems)) == kinds
        assert failure.failures == [problem.line() for problem in failure.problems]
        assert all(problem.where.startswith("cases.yaml:") for problem in failure.problems)
    else:
        assert isinstance(failure, StepError) and [failure.kind] == kinds
    assert [value for name, value in allure_calls.labels if name == FAILURE_LABEL] == [label]
