"""common.cases.jsonpath: ``a.b[0]``, ``[-1]``, ``[*]`` and ``$`` into JSON bodies; MISSING where a path leads
nowhere."""

from __future__ import annotations

from typing import Any

import pytest

from common.cases.jsonpath import MISSING, WILDCARD, extract, parse_path, why_missing


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("$", ()),
        ("errcode", ("errcode",)),
        ("result.id", ("result", "id")),
        ("result.items[0].id", ("result", "items", 0, "id")),
        ("result[-1]", ("result", -1)),
        ("result[*].id", ("result", WILDCARD, "id")),
        ("a[0][1]", ("a", 0, 1)),
        ("[2]", (2,)),
        ("blackboard_list[*]", ("blackboard_list", WILDCARD)),
    ],
)
def test_parse_path(path: str, parts: tuple[str | int, ...]) -> None:
    assert parse_path(path) == parts


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "empty path"),
        ("a..b", "malformed path 'a..b' at character 3"),
        (".a", "malformed path '.a' at character 1"),
        ("a[", "malformed path 'a[' at character 2"),
        ("a[x]", "malformed path 'a[x]' at character 2"),
        ("a[1.5]", "malformed path 'a[1.5]' at character 2"),
        ("a]", "malformed path 'a]' at character 2"),
        ("result.", "malformed path 'result.' at character 8"),
        ("a[0]b", "malformed path 'a[0]b' at character 5"),  # the grammar wants a dot after an index
    ],
)
def test_malformed_paths_are_refused(path: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_path(path)
    assert str(raised.value) == message


BODY: dict[str, Any] = {
    "errcode": 0,
    "none": None,
    "result": {
        "items": [{"id": "a", "n": 1}, {"id": "b"}, {"n": 3}],
        "ids": ["x", "y", "z"],
        "flag": False,
    },
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", BODY),
        ("errcode", 0),
        ("none", None),
        ("result.flag", False),
        ("result.ids[0]", "x"),
        ("result.ids[2]", "z"),
        ("result.ids[-1]", "z"),
        ("result.ids[-3]", "x"),
        ("result.items[1].id", "b"),
        ("result.ids[*]", ["x", "y", "z"]),
    ],
)
def test_extract_finds_the_value(path: str, value: Any) -> None:
    assert extract(BODY, parse_path(path)) == value


@pytest.mark.parametrize(
    "path",
    [
        "nothing",
        "result.nothing",
        "result.ids[3]",
        "result.ids[-4]",
        "result.ids.x",  # a key into a list
        "result[0]",  # an index into an object
        "errcode.x",  # a key into a number
        "none.x",
        "result[*]",  # every item of something that is not a list
        "errcode[*].id",
        "result.items[*].id",  # the third item has no id: a misspelt or dropped field never passes as fewer items
        "result.items[*].n",
        "result.items[*].nothing",  # nothing at all: not an empty list that not_contains or unique would accept
        "empty[*].id",  # every item of an empty list selects nothing
    ],
)
def test_extract_gives_missing_where_the_path_leads_nowhere(path: str) -> None:
    assert extract({**BODY, "empty": []}, parse_path(path)) is MISSING


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("result.items[*].id", "result.items[2] has no 'id'"),
        ("result.items[*].n", "result.items[1] has no 'n'"),
        ("result.items[*].nothing", "result.items[0] has no 'nothing'"),
        ("empty[*].id", "empty is an empty list"),
        ("result.ids[5]", "result.ids has 3 items, no [5]"),
        ("errcode.x", "errcode is not an object"),
        ("result.flag[*]", "result.flag is not a list"),
        ("nothing", "the body has no 'nothing'"),
        ("result.ids[3]", "result.ids has 3 items, no [3]"),  # one past the end
        ("result.ids[-4]", "result.ids has 3 items, no [-4]"),  # one before the start
        ("result.ids[-3].x", "result.ids[-3] is not an object"),  # the first item, counted from the end
        ("result.items[-1].id", "result.items[-1] has no 'id'"),
        ("result.items[1].n", "result.items[1] has no 'n'"),
    ],
)
def test_why_missing_names_the_item_or_step_where_the_path_stops(path: str, reason: str) -> None:
    assert why_missing({**BODY, "empty": []}, parse_path(path)) == reason


def test_missing_is_not_none() -> None:
    assert extract({"a": None}, ("a",)) is None
    assert extract({}, ("a",)) is MISSING
    assert repr(MISSING) == "<missing>"


def test_extract_from_a_list_body() -> None:
    assert extract([[1, 2], [3]], parse_path("[*][0]")) == [1, 3]


def test_why_missing_names_items_of_a_list_body_from_the_top() -> None:
    assert why_missing([{"a": 1}, {}], parse_path("[*].a")) == "[1] has no 'a'"
    assert why_missing([[1], []], parse_path("[1][0]")) == "[1] has 0 items, no [0]"


def test_why_missing_of_a_path_that_leads_somewhere_says_nothing_is_there() -> None:
    assert why_missing(BODY, parse_path("result.ids[0]")) == "nothing there"
