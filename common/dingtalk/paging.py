"""Walking a DingTalk list page by page, as a step's ``paginate:`` and the sweep's ``list:`` both do.

DingTalk pages two ways (docs/dingtalk-api.md): a page number or offset sent with a size, the last page being
empty or shorter than the first; or a cursor the answer names for the next request. Where an answer carries
``has_more``, that decides the end. :func:`walk_pages` sends the first request, then each next one, and yields
every page; a walk that stops making sense ends with a :class:`WalkProblem`, as data, for the caller to word.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from common.cases.jsonpath import MISSING, extract
from common.cases.model import Location, Pagination
from common.dingtalk.api import ApiRequest
from common.http.transport import Response


@dataclass(frozen=True)
class Page:
    """One page of a walk: its number (from 1), the request sent, the answer and the items it holds."""

    number: int
    request: ApiRequest
    response: Response
    items: list[Any]


WalkProblemKind = Literal["not a list", "empty after more", "page not a number", "no cursor", "same cursor", "endless"]


@dataclass(frozen=True)
class WalkProblem:
    """Why the walk cannot go on, found in ``response``: what the rule's ``key`` (``items``, ``page``, or empty for
    the walk as a whole) expected and what the answer held."""

    kind: WalkProblemKind
    key: str
    expected: Any
    actual: Any
    reason: str
    response: Response


def walk_pages(
    first: ApiRequest, rule: Pagination, send: Callable[[ApiRequest], Response]
) -> Iterator[Page | WalkProblem]:
    """Send ``first``, then each next page's request, yielding every page until the last one; a problem, when the
    answers make no sense, is the last thing yielded. At most ``rule.max_pages`` requests are sent."""
    __tracebackhide__ = True
    request = first
    first_size: int | None = None
    promised_more = False
    for number in range(1, rule.max_pages + 1):
        response = send(request)
        items = extract(response.body, rule.items)
        if not isinstance(items, list):
            yield WalkProblem("not a list", "items", "a list", items, f"expected a list, got {items!r}", response)
            return
        if promised_more and not items:
            reason = "the page before said has_more: true, but this page is empty"
            yield WalkProblem("empty after more", "", "items", [], reason, response)
            return
        yield Page(number, request, response, items)
        first_size = len(items) if first_size is None else first_size
        has_more = extract(response.body, rule.has_more) if rule.has_more else MISSING
        promised_more = has_more is True
        following = _next_request(rule, request, response, has_more, len(items) < first_size or not items)
        if not isinstance(following, ApiRequest):
            if following is not None:
                yield following
            return
        request = following
    reason = f"still more pages after max_pages={rule.max_pages}: the server never stops paging"
    yield WalkProblem("endless", "", f"at most {rule.max_pages} pages", "more", reason, response)


def _next_request(
    rule: Pagination, request: ApiRequest, response: Response, has_more: Any, short: bool
) -> ApiRequest | WalkProblem | None:
    """The request for the next page, None at the end, or the problem that makes the answer senseless."""
    if has_more is False:
        return None
    if rule.page is not None:
        if short and has_more is not True:
            return None
        current = extract(_request_part(request, rule.page), rule.page.parts)
        if not isinstance(current, int) or isinstance(current, bool):
            reason = f"the request's page number is {current!r}, not a number"
            return WalkProblem("page not a number", "page", "a number", current, reason, response)
        return _with_value(request, rule.page, current + 1)
    cursor = extract(response.body, rule.next) if rule.next else MISSING
    if cursor is MISSING or cursor is None:
        if has_more is True:
            reason = "has_more is true but there is no next cursor"
            return WalkProblem("no cursor", "", "a cursor", cursor, reason, response)
        return None
    assert rule.cursor is not None
    if extract(_request_part(request, rule.cursor), rule.cursor.parts) == cursor:
        reason = f"the next cursor {cursor!r} is the one just sent: the server would page forever"
        return WalkProblem("same cursor", "", "a new cursor", cursor, reason, response)
    return _with_value(request, rule.cursor, cursor)


def _request_part(request: ApiRequest, location: Location) -> Any:
    return request.json if location.part == "json" else request.params


def _with_value(request: ApiRequest, location: Location, value: Any) -> ApiRequest:
    """A copy of ``request`` with ``value`` at ``location`` (missing objects on the way are created)."""
    root = copy.deepcopy(_request_part(request, location)) or {}
    target = root
    for part in location.parts[:-1]:
        target = target.setdefault(part, {})
    target[location.parts[-1]] = value
    return replace(request, json=root) if location.part == "json" else replace(request, params=root)
