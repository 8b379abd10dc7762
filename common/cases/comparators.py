"""Named comparators for field assertions: ``{ge: 1}``, ``{contains: x}``, ``{len: 30}``.

Each takes (actual, expected) and returns None when it holds, or the reason it does not.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from common.cases.jsonpath import MISSING

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: True is not 1 and False is not 0, at any depth."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(_same(actual[k], expected[k]) for k in actual)
    return actual == expected


def _ordered(symbol: str, holds: Callable[[Any, Any], bool], actual: Any, expected: Any) -> str | None:
    """``gt`` and its kin, as ``partial(_ordered, ">", operator.gt)``: a number against the expected one."""
    if not _JSON_TYPES["number"](actual):
        return f"expected a number {symbol} {expected!r}, got {actual!r}"
    return None if holds(actual, expected) else f"expected {symbol} {expected!r}, got {actual!r}"


def _sized(symbol: str, holds: Callable[[int, int], bool], actual: Any, expected: Any) -> str | None:
    """``len`` and its kin, as ``partial(_sized, "==", operator.eq)``: the length against the expected one."""
    if not isinstance(actual, list | str | dict):
        return f"expected something with a length, got {actual!r}"
    size = len(actual)
    return None if holds(size, expected) else f"expected length {symbol} {expected}, got {size}"


def _eq(actual: Any, expected: Any) -> str | None:
    return None if _same(actual, expected) else f"expected {expected!r}, got {actual!r}"


def _ne(actual: Any, expected: Any) -> str | None:
    return f"expected anything but {expected!r}" if _same(actual, expected) else None


def _in(actual: Any, expected: Any) -> str | None:
    return None if any(_same(actual, e) for e in expected) else f"expected one of {expected!r}, got {actual!r}"


def _not_in(actual: Any, expected: Any) -> str | None:
    return f"expected none of {expected!r}, got {actual!r}" if any(_same(actual, e) for e in expected) else None


def _contains(actual: Any, expected: Any) -> str | None:
    if isinstance(actual, str):
        found = isinstance(expected, str) and expected in actual
    elif isinstance(actual, list):
        found = any(_same(item, expected) for item in actual)
    elif isinstance(actual, dict):
        found = expected in actual
    else:
        return f"expected a list, string or object containing {expected!r}, got {actual!r}"
    return None if found else f"expected to contain {expected!r}, got {_short(actual)}"


def _not_contains(actual: Any, expected: Any) -> str | None:
    if _contains(actual, expected) is None:
        return f"expected not to contain {expected!r}, got {_short(actual)}"
    if not isinstance(actual, str | list | dict):
        return f"expected a list, string or object, got {actual!r}"
    return None


def _type(actual: Any, expected: str) -> str | None:
    return None if _JSON_TYPES[expected](actual) else f"expected a JSON {expected}, got {actual!r}"


def _regex(actual: Any, expected: str) -> str | None:
    if not isinstance(actual, str):
        return f"expected a string matching /{expected}/, got {actual!r}"
    return None if re.search(expected, actual) else f"expected to match /{expected}/, got {actual!r}"


def _unique(actual: Any, expected: bool) -> str | None:
    if not isinstance(actual, list):
        return f"expected a list, got {actual!r}"
    seen: list[Any] = []
    duplicates = []
    for item in actual:
        if any(_same(item, earlier) for earlier in seen):
            duplicates.append(item)
        else:
            seen.append(item)
    if expected and duplicates:
        return f"expected no duplicates, found {_short(duplicates)}"
    return None


def _as_set_problem(actual: Any) -> str | None:
    return None if isinstance(actual, list) else f"expected a list, got {_short(actual)}"


def _disjoint(actual: Any, expected: list[Any]) -> str | None:
    shared = [item for item in actual if any(_same(item, other) for other in expected)]
    return f"expected nothing in common with {_short(expected)}, both hold {_short(shared)}" if shared else None


def _same_items(actual: Any, expected: list[Any]) -> str | None:
    extra = [item for item in actual if not any(_same(item, other) for other in expected)]
    lacking = [item for item in expected if not any(_same(item, other) for other in actual)]
    if not extra and not lacking:
        return None
    return f"expected the same items as {_short(expected)}: {_difference(extra, lacking)}"


def _subset_of(actual: Any, expected: list[Any]) -> str | None:
    extra = [item for item in actual if not any(_same(item, other) for other in expected)]
    return f"expected only items of {_short(expected)}, also got {_short(extra)}" if extra else None


def _difference(extra: list[Any], lacking: list[Any]) -> str:
    parts = [f"{len(extra)} more, e.g. {_short(extra[:3])}"] if extra else []
    parts += [f"{len(lacking)} lacking, e.g. {_short(lacking[:3])}"] if lacking else []
    return "; ".join(parts)


def _on_lists(compare: Callable[[Any, Any], str | None], actual: Any, expected: Any) -> str | None:
    """A comparator of two lists as sets, as ``partial(_on_lists, _disjoint)``: a value that is no list fails it."""
    return _as_set_problem(actual) or compare(actual, expected)


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


COMPARATORS: dict[str, Callable[[Any, Any], str | None]] = {
    "eq": _eq,
    "ne": _ne,
    "gt": partial(_ordered, ">", operator.gt),
    "ge": partial(_ordered, ">=", operator.ge),
    "lt": partial(_ordered, "<", operator.lt),
    "le": partial(_ordered, "<=", operator.le),
    "in": _in,
    "not_in": _not_in,
    "contains": _contains,
    "not_contains": _not_contains,
    "len": partial(_sized, "==", operator.eq),
    "len_ge": partial(_sized, ">=", operator.ge),
    "len_le": partial(_sized, "<=", operator.le),
    "type": _type,
    "regex": _regex,
    "unique": _unique,
    "disjoint": partial(_on_lists, _disjoint),
    "same_items": partial(_on_lists, _same_items),
    "subset_of": partial(_on_lists, _subset_of),
}
"""Every comparator a case may name; ``exists`` is handled before these (it tests presence)."""


def _is_number(value: Any) -> bool:
    return _JSON_TYPES["number"](value)


def _is_pattern(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


_EXPECTED_KIND: dict[str, tuple[Callable[[Any], bool], str]] = {
    **dict.fromkeys(("gt", "ge", "lt", "le"), (_is_number, "a number")),
    **dict.fromkeys(("len", "len_ge", "len_le"), (_JSON_TYPES["integer"], "a whole number")),
    **dict.fromkeys(
        ("in", "not_in", "disjoint", "same_items", "subset_of"), (_JSON_TYPES["array"], "a list of values")
    ),
    "type": (lambda value: value in _JSON_TYPES, f"one of {', '.join(_JSON_TYPES)}"),
    "regex": (_is_pattern, "a valid regular expression"),
}
"""What each comparator needs as its expected value (the case format lets templates stand in for them)."""


def expected_problem(name: str, expected: Any) -> str | None:
    """Why ``expected`` cannot be used with comparator ``name``, or None when it can."""
    kind = _EXPECTED_KIND.get(name)
    if kind is None or kind[0](expected):
        return None
    return f"{name} needs {kind[1]}, got {expected!r}"


def compare(name: str, actual: Any, expected: Any) -> str | None:
    """Apply comparator ``name``; a missing value fails every comparator except ``exists: false``."""
    unusable = expected_problem(name, expected)
    if unusable is not None:
        return unusable
    if name == "exists":
        present = actual is not MISSING
        return None if present == bool(expected) else ("missing" if expected else f"expected absent, got {actual!r}")
    if actual is MISSING:
        return "missing"
    return COMPARATORS[name](actual, expected)
