"""common.dingtalk.paging: the one walk over DingTalk's pages, driven by a fake ``send``: each way a walk ends and
each problem that stops it, as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from common.cases.jsonpath import MISSING
from common.cases.model import Auth, Location, Pagination
from common.dingtalk.api import ApiRequest
from common.dingtalk.paging import Page, WalkProblem, walk_pages
from common.http.transport import Response
from tests.framework.fakes import ok

PAGE_RULE = Pagination(items=("result",), max_pages=10, page=Location("json", ("query_request", "page")))
CURSOR_RULE = Pagination(
    items=("result", "list"),
    max_pages=10,
    cursor=Location("json", ("cursor",)),
    next=("result", "next_cursor"),
    has_more=("result", "has_more"),
)
LISTIDS = ApiRequest(
    "oapi", "POST", "/topapi/blackboard/listids", {}, {"query_request": {"page": 1, "size": 2}}, {}, Auth.TOKEN
)
REPORTS = ApiRequest("oapi", "POST", "/topapi/report/list", {}, {"size": 2}, {}, Auth.TOKEN)


class Script:
    """A fake ``send``: answers each request with the next result of ``answer(request)``; remembers the requests."""

    def __init__(self, answer: Callable[[ApiRequest], Response]) -> None:
        self.answer = answer
        self.sent: list[ApiRequest] = []

    def __call__(self, request: ApiRequest) -> Response:
        self.sent.append(request)
        return self.answer(request)


def by_page_number(ids: list[str], size: int = 2) -> Script:
    """listids over ``ids``, ``size`` a page, page numbers from 1."""
    return Script(lambda request: ok(result=ids[(_page(request) - 1) * size : _page(request) * size]))


def in_turn(*results: dict[str, Any]) -> Script:
    """Answers ``result`` after ``result``, whatever was asked."""
    answers = iter(results)
    return Script(lambda request: ok(result=next(answers)))


def _full_pages(request: ApiRequest) -> Response:
    return ok(result=["a", "b"])


def _page(request: ApiRequest) -> int:
    return request.json["query_request"]["page"]


def walk(first: ApiRequest, rule: Pagination, send: Script) -> tuple[list[Page], WalkProblem | None]:
    """Every page yielded, and the problem that ended the walk (None when it ended cleanly)."""
    pages: list[Page] = []
    for page in walk_pages(first, rule, send):
        if isinstance(page, WalkProblem):
            return pages, page
        pages.append(page)
    return pages, None


# ── page numbers ─────────────────────────────────────────────────────────────────────────────────


def test_a_page_number_walk_ends_at_the_first_short_page() -> None:
    send = by_page_number(["a", "b", "c", "d", "e"])

    pages, problem = walk(LISTIDS, PAGE_RULE, send)

    assert problem is None
    assert [page.items for page in pages] == [["a", "b"], ["c", "d"], ["e"]]
    assert [page.number for page in pages] == [1, 2, 3]
    assert [_page(request) for request in send.sent] == [1, 2, 3]


def test_a_page_number_walk_ends_at_an_empty_page() -> None:
    send = by_page_number(["a", "b", "c", "d"])

    pages, problem = walk(LISTIDS, PAGE_RULE, send)

    assert problem is None
    assert [page.items for page in pages] == [["a", "b"], ["c", "d"], []]


def test_an_empty_first_page_is_the_only_page() -> None:
    send = by_page_number([])

    pages, problem = walk(LISTIDS, PAGE_RULE, send)

    assert problem is None
    assert [page.items for page in pages] == [[]]
    assert len(send.sent) == 1


def test_a_page_number_in_the_query_goes_up_by_one_and_the_first_request_is_left_as_it_was() -> None:
    first = ApiRequest("oapi", "GET", "/serviceaccount/list", {"pageStart": 1, "pageSize": 2}, None, {}, Auth.TOKEN)
    rule = Pagination(items=("result",), max_pages=10, page=Location("query", ("pageStart",)))
    send = Script(lambda request: ok(result=["x"] * (2 if request.params["pageStart"] < 3 else 1)))

    _, problem = walk(first, rule, send)

    assert problem is None
    assert [request.params["pageStart"] for request in send.sent] == [1, 2, 3]
    assert first.params == {"pageStart": 1, "pageSize": 2}


def test_has_more_decides_a_page_number_walk_when_the_answer_has_it() -> None:
    rule = Pagination(items=("result", "list"), max_pages=10, page=PAGE_RULE.page, has_more=("result", "has_more"))
    send = in_turn(
        {"list": ["a", "b"], "has_more": True},
        {"list": ["c"], "has_more": True},  # short, yet more is promised
        {"list": ["d", "e"], "has_more": False},  # full, yet the last
    )

    _, problem = walk(LISTIDS, rule, send)

    assert problem is None
    assert [_page(request) for request in send.sent] == [1, 2, 3]


def test_a_page_number_that_is_not_a_number_is_a_problem() -> None:
    first = ApiRequest("oapi", "POST", LISTIDS.path, {}, {"query_request": {"page": "1"}}, {}, Auth.TOKEN)
    send = Script(_full_pages)

    _, problem = walk(first, PAGE_RULE, send)

    assert len(send.sent) == 1
    assert problem is not None
    assert (problem.kind, problem.key, problem.actual) == ("page not a number", "page", "1")


# ── cursors ──────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("last", [{"list": ["e"]}, {"list": ["e"], "next_cursor": None}], ids=["absent", "null"])
def test_a_cursor_walk_follows_the_next_cursor_until_there_is_none(last: dict[str, Any]) -> None:
    send = in_turn({"list": ["a", "b"], "next_cursor": 2}, {"list": ["c", "d"], "next_cursor": 4}, last)

    pages, problem = walk(REPORTS, CURSOR_RULE, send)

    assert problem is None
    assert [item for page in pages for item in page.items] == ["a", "b", "c", "d", "e"]
    assert [request.json.get("cursor") for request in send.sent] == [None, 2, 4]
    assert REPORTS.json == {"size": 2}


def test_has_more_false_ends_a_cursor_walk_that_still_names_a_cursor() -> None:
    send = in_turn({"list": ["a"], "next_cursor": 9, "has_more": False})

    pages, problem = walk(REPORTS, CURSOR_RULE, send)

    assert (problem, len(pages), len(send.sent)) == (None, 1, 1)


def test_has_more_true_without_a_cursor_is_a_problem() -> None:
    send = in_turn({"list": ["a"], "has_more": True})

    pages, problem = walk(REPORTS, CURSOR_RULE, send)

    assert len(pages) == 1
    assert problem is not None
    assert (problem.kind, problem.expected, problem.actual) == ("no cursor", "a cursor", MISSING)
    assert "has_more is true but there is no next cursor" in problem.reason


def test_the_cursor_just_sent_coming_back_is_a_problem() -> None:
    send = in_turn({"list": ["a"], "next_cursor": 5}, {"list": ["b"], "next_cursor": 5})

    _, problem = walk(REPORTS, CURSOR_RULE, send)

    assert len(send.sent) == 2
    assert problem is not None
    assert (problem.kind, problem.expected, problem.actual) == ("same cursor", "a new cursor", 5)
    assert problem.response.body["result"]["list"] == ["b"]


def test_an_empty_page_after_has_more_true_is_a_problem_not_a_page() -> None:
    send = in_turn({"list": ["a"], "next_cursor": 1, "has_more": True}, {"list": [], "has_more": False})

    pages, problem = walk(REPORTS, CURSOR_RULE, send)

    assert [page.items for page in pages] == [["a"]]
    assert problem is not None
    assert (problem.kind, problem.actual) == ("empty after more", [])
    assert "has_more: true" in problem.reason


# ── what any walk can meet ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("result", [{"list": "a,b"}, {}], ids=["a string", "missing"])
def test_items_that_are_not_a_list_are_a_problem(result: dict[str, Any]) -> None:
    send = in_turn(result)

    pages, problem = walk(REPORTS, CURSOR_RULE, send)

    assert pages == []
    assert problem is not None
    assert (problem.kind, problem.key, problem.expected) == ("not a list", "items", "a list")
    assert problem.response.body["result"] == result


def _fresh_cursors(request: ApiRequest) -> Response:
    cursor = request.json.get("cursor", 0)
    return ok(result={"list": ["a"], "next_cursor": cursor + 1, "has_more": True})


@pytest.mark.parametrize(
    ("first", "rule", "answer"),
    [(LISTIDS, PAGE_RULE, _full_pages), (REPORTS, CURSOR_RULE, _fresh_cursors)],
    ids=["page", "cursor"],
)
def test_a_server_that_never_stops_paging_is_stopped_at_max_pages(
    first: ApiRequest, rule: Pagination, answer: Callable[[ApiRequest], Response]
) -> None:
    send = Script(answer)

    pages, problem = walk(first, replace(rule, max_pages=3), send)

    assert len(send.sent) == 3
    assert len(pages) == 3
    assert problem is not None
    assert (problem.kind, problem.expected, problem.actual) == ("endless", "at most 3 pages", "more")
    assert "max_pages=3" in problem.reason


def test_a_send_that_raises_ends_the_walk_with_its_error() -> None:
    def failing(request: ApiRequest) -> Response:
        raise RuntimeError("the page's checks failed")

    with pytest.raises(RuntimeError, match="the page's checks failed"):
        walk(LISTIDS, PAGE_RULE, Script(failing))
