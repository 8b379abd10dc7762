"""Walking pages: every end-of-paging form DingTalk uses, the page bound, and the aggregate checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from common.cases.jsonpath import MISSING
from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.problems import ChecksFailed, Outcome
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure
from common.dingtalk.api import ApiRequest
from common.http.masking import Masker
from common.http.transport import OutgoingRequest, Response
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner

ROOT = Path(__file__).resolve().parents[2]
CURSOR_CASE = """
epic: e
feature: f
cases:
  - id: walk
    title: walk
    request:
      path: /topapi/smartwork/hrm/employee/querypreentry
      json: {offset: 0, size: 2}
    paginate:
      cursor: json.offset
      next: result.next_cursor
      items: result.data_list
      max_pages: 4
      collect:
        items: {unique: true}
"""


class ScriptedClient:
    """Answers each request from a function of its body; remembers what was sent."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.sent: list[ApiRequest] = []

    def send(self, request: ApiRequest) -> Response:
        self.sent.append(request)
        body = self.answer(request)
        outgoing = OutgoingRequest(request.method, "http://127.0.0.1/x", {}, None)
        return Response(200, {}, body, "", 0.0, outgoing)


def _case(text: str, tmp_path: Path) -> Case:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    [case] = CaseLoader(SchemaStore(ROOT / "schemas"), {}, tmp_path).load(path)
    assert isinstance(case, Case), case
    return case


ENVELOPE = {"errcode": 0, "errmsg": "ok", "success": True, "request_id": "1g5pq6ymxqxu8"}
"""The envelope fields DingTalk's pages list for querypreentry and listids answers."""


class StepTitles(AllureReporter):
    """The Allure reporter, remembering the title of every step it opens."""

    def __init__(self, masker: Masker) -> None:
        super().__init__(masker)
        self.titles: list[str] = []

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.titles.append(title)
        with super().step(title):
            yield


def _runner(client: ScriptedClient, reporter: AllureReporter | None = None) -> CaseRunner:
    masker = Masker()
    reporter = reporter or AllureReporter(masker)
    return CaseRunner(client, SchemaStore(ROOT / "schemas"), reporter, masker, {"run_id": "r"})  # type: ignore[arg-type]


def _pages(users: list[str], size: int, end: str) -> Any:
    """querypreentry answers over ``users``; ``end`` is how the last page says so: absent or null cursor."""

    def answer(request: ApiRequest) -> dict[str, Any]:
        offset = request.json["offset"]
        page = users[offset : offset + size]
        result: dict[str, Any] = {"data_list": page}
        if offset + size < len(users):
            result["next_cursor"] = offset + size
        elif end == "null":
            result["next_cursor"] = None
        return {**ENVELOPE, "result": result}

    return answer


@pytest.mark.parametrize("end", ["absent", "null"])
def test_a_cursor_walk_follows_next_cursor_to_the_end(tmp_path: Path, end: str) -> None:
    client = ScriptedClient(_pages(["u1", "u2", "u3", "u4", "u5"], 2, end))
    text = CURSOR_CASE.replace("items: {unique: true}", "items: [u1, u2, u3, u4, u5]\n        pages: 3")
    _runner(client).run(_case(text, tmp_path), uid="x")
    assert [request.json["offset"] for request in client.sent] == [0, 2, 4]


def test_a_server_that_never_stops_paging_fails_at_max_pages(tmp_path: Path) -> None:
    def endless(request: ApiRequest) -> dict[str, Any]:
        offset = request.json["offset"]
        return {**ENVELOPE, "result": {"data_list": [f"u{offset}"], "next_cursor": offset + 1}}

    client = ScriptedClient(endless)
    with pytest.raises(CheckFailure, match="never stops paging"):
        _runner(client).run(_case(CURSOR_CASE, tmp_path), uid="x")
    assert len(client.sent) == 4


def test_a_cursor_that_does_not_move_fails_at_once(tmp_path: Path) -> None:
    client = ScriptedClient(lambda request: {**ENVELOPE, "result": {"data_list": ["a"], "next_cursor": 0}})
    with pytest.raises(CheckFailure, match="page forever"):
        _runner(client).run(_case(CURSOR_CASE, tmp_path), uid="x")
    assert len(client.sent) == 1


def test_duplicates_across_pages_fail_the_collect_check(tmp_path: Path) -> None:
    client = ScriptedClient(_pages(["u1", "u2", "u1"], 2, "absent"))
    with pytest.raises(CheckFailure, match=r"items: expected no duplicates, found \['u1'\]"):
        _runner(client).run(_case(CURSOR_CASE, tmp_path), uid="x")


def test_has_more_false_ends_the_walk_even_with_a_cursor(tmp_path: Path) -> None:
    text = CURSOR_CASE.replace(
        "      items: result.data_list\n", "      items: result.data_list\n      has_more: result.has_more\n"
    )
    client = ScriptedClient(lambda r: {**ENVELOPE, "result": {"data_list": ["a"], "next_cursor": 9, "has_more": False}})
    _runner(client).run(_case(text, tmp_path), uid="x")
    assert len(client.sent) == 1


def test_an_empty_page_after_has_more_true_fails(tmp_path: Path) -> None:
    text = CURSOR_CASE.replace(
        "      items: result.data_list\n", "      items: result.data_list\n      has_more: result.has_more\n"
    )
    pages = iter(
        [
            {**ENVELOPE, "result": {"data_list": ["a"], "next_cursor": 1, "has_more": True}},
            {**ENVELOPE, "result": {"data_list": [], "has_more": False}},
        ]
    )
    client = ScriptedClient(lambda r: next(pages))
    with pytest.raises(CheckFailure) as raised:
        _runner(client).run(_case(text, tmp_path), uid="x")
    assert "the page before said has_more: true, but this page is empty" in str(raised.value)


def test_page_number_walk_stops_at_the_first_short_page(tmp_path: Path) -> None:
    text = """
epic: e
feature: f
cases:
  - id: walk
    title: walk
    request:
      path: /topapi/blackboard/listids
      json: {query_request: {operation_userid: m, page: 1, page_size: 2}}
    paginate:
      page: json.query_request.page
      items: result
      collect:
        items: {len: 5}
        pages: 3
"""
    ids = ["a", "b", "c", "d", "e"]

    def listids(request: ApiRequest) -> dict[str, Any]:
        page = request.json["query_request"]["page"]
        return {**ENVELOPE, "result": ids[(page - 1) * 2 : page * 2]}

    client = ScriptedClient(listids)
    _runner(client).run(_case(text, tmp_path), uid="x")
    assert [request.json["query_request"]["page"] for request in client.sent] == [1, 2, 3]


def test_a_walk_problem_fails_the_step_as_a_paging_problem_at_its_rule_key(tmp_path: Path) -> None:
    text = CURSOR_CASE.replace("items: result.data_list", "items: result.users")
    client = ScriptedClient(_pages(["u1"], 2, "absent"))
    with pytest.raises(ChecksFailed) as raised:
        _runner(client).run(_case(text, tmp_path), uid="x")
    reason = f"expected a list, got {MISSING!r}"
    assert raised.value.problems == (Outcome("paging", "paginate.items", "a list", MISSING, reason, comparator=""),)


def test_each_page_is_its_own_report_step_and_is_checked(tmp_path: Path) -> None:
    text = CURSOR_CASE.replace(
        "    paginate:\n", "    expect:\n      body: {result.data_list: {len_le: 2}}\n    paginate:\n"
    )
    pages = iter(
        [
            {**ENVELOPE, "result": {"data_list": ["u1", "u2"], "next_cursor": 2}},
            {**ENVELOPE, "result": {"data_list": ["u3", "u4", "u5"], "next_cursor": 5}},
        ]
    )
    client = ScriptedClient(lambda request: next(pages))
    reporter = StepTitles(Masker())
    with pytest.raises(ChecksFailed) as raised:
        _runner(client, reporter).run(_case(text, tmp_path), uid="x")
    assert [title for title in reporter.titles if title.startswith("page")] == ["page 1", "page 2"]
    assert [(problem.path, problem.actual) for problem in raised.value.problems] == [
        ("result.data_list", ["u3", "u4", "u5"])
    ]
    assert len(client.sent) == 2
