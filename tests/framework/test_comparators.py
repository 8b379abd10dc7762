"""common.cases.comparators: every comparator holding and failing, True kept apart from 1, MISSING and ``exists``."""

from __future__ import annotations

from typing import Any

import pytest

from common.cases.comparators import COMPARATORS, compare
from common.cases.jsonpath import MISSING

HOLDS = [
    ("eq", 1, 1),
    ("eq", "a", "a"),
    ("eq", 1, 1.0),
    ("eq", None, None),
    ("eq", False, False),
    ("eq", {"a": [1]}, {"a": [1]}),
    ("ne", 1, 2),
    ("ne", 1, True),
    ("ne", 0, False),
    ("ne", None, 0),
    ("gt", 2, 1),
    ("gt", 1.5, 1),
    ("ge", 1, 1),
    ("lt", 1, 2),
    ("le", 2, 2),
    ("in", 2, [1, 2]),
    ("in", "b", ["a", "b"]),
    ("not_in", 3, [1, 2]),
    ("not_in", 1, [True]),
    ("not_in", True, [1]),
    ("contains", "abcd", "bc"),
    ("contains", [1, 2], 2),
    ("contains", {"k": 1}, "k"),
    ("not_contains", [1, 2], 3),
    ("not_contains", [1], True),
    ("not_contains", "abc", "z"),
    ("not_contains", {"k": 1}, "j"),
    ("len", [1, 2], 2),
    ("len", "abc", 3),
    ("len", {}, 0),
    ("len_ge", [1, 2], 1),
    ("len_ge", [1, 2], 2),
    ("len_le", [], 0),
    ("len_le", [1], 30),
    ("type", "x", "string"),
    ("type", 1, "integer"),
    ("type", 1, "number"),
    ("type", 1.5, "number"),
    ("type", True, "boolean"),
    ("type", [], "array"),
    ("type", {}, "object"),
    ("type", None, "null"),
    ("regex", "2023-11-14 22:13:20", r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
    ("regex", "abc-123", r"\d+"),
    ("unique", [1, 2, 3], True),
    ("unique", [], True),
    ("unique", [1, 1], False),
    ("unique", [{"id": 1}, {"id": 2}], True),
    ("unique", [1, True], True),  # 1 and true are different JSON values
    ("unique", [[1], [True]], True),
    ("eq", [1, {"a": False}], [1, {"a": False}]),
    ("disjoint", [1, 2], [3, 4]),
    ("disjoint", [], [1]),
    ("disjoint", [1], [True]),  # 1 and true are different JSON values
    ("same_items", [2, 1], [1, 2]),
    ("same_items", [1, 1, 2], [2, 1]),  # duplicates do not count
    ("same_items", [], []),
    ("subset_of", [1], [1, 2]),
    ("subset_of", [], [1]),
]

FAILS = [
    ("eq", 1, 2),
    ("eq", True, 1),
    ("eq", 1, True),
    ("eq", 0, False),
    ("eq", False, 0),
    ("eq", "1", 1),
    ("eq", None, 0),
    ("eq", [1], [True]),  # True is not 1 at any depth
    ("eq", {"a": True}, {"a": 1}),
    ("eq", [[0]], [[False]]),
    ("eq", [1, 2], [1]),
    ("ne", 1, 1),
    ("ne", True, True),
    ("gt", 1, 1),
    ("gt", "5", 1),
    ("gt", True, 0),
    ("ge", 0, 1),
    ("ge", None, 0),
    ("lt", 2, 2),
    ("le", 3, 2),
    ("le", [1], 2),
    ("in", 3, [1, 2]),
    ("in", True, [1]),
    ("in", 1, [True]),
    ("not_in", 1, [1, 2]),
    ("contains", "abc", "z"),
    ("contains", "a1", 1),
    ("contains", [1, 2], 3),
    ("contains", [1], True),
    ("contains", {"k": 1}, "j"),
    ("contains", 5, 5),
    ("not_contains", [1, 2], 2),
    ("not_contains", "abc", "b"),
    ("not_contains", 5, 1),
    ("len", [1], 2),
    ("len", 5, 1),
    ("len_ge", [], 1),
    ("len_le", [1, 2], 1),
    ("len_le", None, 1),
    ("type", True, "integer"),
    ("type", True, "number"),
    ("type", "1", "integer"),
    ("type", 1, "string"),
    ("type", 0, "boolean"),
    ("type", None, "object"),
    ("type", [], "object"),
    ("regex", "abc", r"^\d"),
    ("regex", 123, r"\d"),
    ("unique", [1, 2, 1], True),
    ("unique", [{"a": 1}, {"a": 1}], True),
    ("unique", "aa", True),
    ("disjoint", [1, 2], [2, 3]),
    ("disjoint", "ab", ["a"]),
    ("same_items", [1, 2], [1]),
    ("same_items", [1], [1, 2]),
    ("same_items", [1], [True]),
    ("same_items", {"a": 1}, ["a"]),
    ("subset_of", [1, 3], [1, 2]),
    ("subset_of", 1, [1]),
]


@pytest.mark.parametrize(("name", "actual", "expected"), HOLDS)
def test_comparator_holds(name: str, actual: Any, expected: Any) -> None:
    assert compare(name, actual, expected) is None


@pytest.mark.parametrize(("name", "actual", "expected"), FAILS)
def test_comparator_fails_with_a_reason(name: str, actual: Any, expected: Any) -> None:
    reason = compare(name, actual, expected)
    assert isinstance(reason, str)
    assert reason
    assert "\n" not in reason


@pytest.mark.parametrize(
    ("name", "actual", "expected", "reason"),
    [
        ("eq", True, 1, "expected 1, got True"),
        ("eq", "abc", "abd", "expected 'abd', got 'abc'"),
        ("ge", 0, 1, "expected >= 1, got 0"),
        ("gt", "5", 1, "expected a number > 1, got '5'"),
        ("len", [1], 2, "expected length == 2, got 1"),
        ("in", 3, [1, 2], "expected one of [1, 2], got 3"),
        ("type", True, "integer", "expected a JSON integer, got True"),
        ("disjoint", [1, 2, 3], [3, 2], "expected nothing in common with [3, 2], both hold [2, 3]"),
        ("same_items", [1, 2], [2, 3], "expected the same items as [2, 3]: 1 more, e.g. [1]; 1 lacking, e.g. [3]"),
        ("subset_of", [1, 4], [1, 2], "expected only items of [1, 2], also got [4]"),
        ("subset_of", "x", [1], "expected a list, got 'x'"),
        ("eq", [1], 1, "expected 1, got [1]"),  # a list or an object against a scalar, either way round
        ("eq", 1, [1], "expected [1], got 1"),
        ("eq", {"a": 1}, "a", "expected 'a', got {'a': 1}"),
        ("eq", "a", {"a": 1}, "expected {'a': 1}, got 'a'"),
        ("contains", [1, 2], 3, "expected to contain 3, got [1, 2]"),
        ("not_contains", "abc", "b", "expected not to contain 'b', got 'abc'"),
        ("unique", [1, 2, 1, 3, 2], True, "expected no duplicates, found [1, 2]"),
        ("same_items", [1], [1, 2], "expected the same items as [1, 2]: 1 lacking, e.g. [2]"),
        ("same_items", [1, 2], [1], "expected the same items as [1]: 1 more, e.g. [2]"),
        ("same_items", [1, 2, 3, 4], [], "expected the same items as []: 4 more, e.g. [1, 2, 3]"),
        ("same_items", [], [1, 2, 3, 4], "expected the same items as [1, 2, 3, 4]: 4 lacking, e.g. [1, 2, 3]"),
        ("regex", "5", 5, "regex needs a valid regular expression, got 5"),
    ],
)
def test_reasons_name_what_was_expected_and_what_came(name: str, actual: Any, expected: Any, reason: str) -> None:
    assert compare(name, actual, expected) == reason


@pytest.mark.parametrize("name", sorted(COMPARATORS))
def test_a_missing_value_fails_every_comparator(name: str) -> None:
    lists = {key: [1] for key in ("in", "not_in", "disjoint", "same_items", "subset_of")}
    expected: dict[str, Any] = {"type": "string", "regex": "x", "unique": True, **lists}
    assert compare(name, MISSING, expected.get(name, 1)) == "missing"


@pytest.mark.parametrize(
    ("actual", "expected", "reason"),
    [
        (1, True, None),
        (None, True, None),  # present, even if null
        (False, True, None),
        (MISSING, False, None),
        (MISSING, True, "missing"),
        (1, False, "expected absent, got 1"),
    ],
)
def test_exists(actual: Any, expected: bool, reason: str | None) -> None:
    assert compare("exists", actual, expected) == reason


@pytest.mark.parametrize(
    ("name", "actual", "expected"),
    [("gt", 5, "abc"), ("ge", 5, None), ("len_ge", [1], "3"), ("regex", "x", "("), ("in", "a", "abc")],
)
def test_an_expected_value_of_the_wrong_type_gives_a_reason(name: str, actual: Any, expected: Any) -> None:
    assert isinstance(compare(name, actual, expected), str)


@pytest.mark.parametrize(
    ("name", "actual", "shown"),
    [
        ("contains", "x" * 198, "'" + "x" * 198 + "'"),  # its repr is 200 characters: quoted whole
        ("contains", "x" * 199, "'" + "x" * 199 + "…"),  # 201: cut after 200
        ("not_contains", ["y", "x" * 300], "['y', '" + "x" * 193 + "…"),
    ],
    ids=["at-the-limit", "one-over", "long-list"],
)
def test_a_value_is_quoted_up_to_200_characters(name: str, actual: Any, shown: str) -> None:
    wording = "to contain" if name == "contains" else "not to contain"
    assert compare(name, actual, "y") == f"expected {wording} 'y', got {shown}"
