"""Paths into JSON bodies: ``result.items[0].id`` — dotted keys, ``[n]`` list indexes, and ``[*]`` for
every item of a list (``result[*].id`` is the list of every item's id)."""

from __future__ import annotations

import functools
import re
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+|\*)\]")
WILDCARD = "*"


class Missing:
    """Marks a path that leads nowhere."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


@functools.cache
def parse_path(path: str) -> tuple[str | int, ...]:
    """Split ``a.b[0]`` into ``("a", "b", 0)``; raise ValueError on a malformed path. Each path is split once
    per process (cases repeat the same paths)."""
    if path == "$":
        return ()
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        if path[position] == "." and parts:
            position += 1
        elif parts and path[position] != "[":
            raise ValueError(f"malformed path '{path}' at character {position + 1}")
        match = _TOKEN.match(path, position)
        if not match:
            raise ValueError(f"malformed path '{path}' at character {position + 1}")
        key, index = match.groups()
        if index is None:
            parts.append(key)
        else:
            parts.append(WILDCARD if index == WILDCARD else int(index))
        position = match.end()
    if not parts:
        raise ValueError("empty path")
    return tuple(parts)


def extract(data: Any, parts: tuple[str | int, ...]) -> Any:
    """The value at ``parts`` inside ``data``, or ``MISSING``.

    ``[*]`` selects the rest of the path in every item: the whole path is ``MISSING`` when the list is empty or
    when any item lacks the rest, so that a misspelt field under ``[*]`` never passes as an empty selection.
    """
    current = data
    for position, part in enumerate(parts):
        if part == WILDCARD:
            if not isinstance(current, list) or not current:
                return MISSING
            values = [extract(item, parts[position + 1 :]) for item in current]
            return MISSING if any(value is MISSING for value in values) else values
        if isinstance(part, int):
            if not isinstance(current, list) or not -len(current) <= part < len(current):
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return MISSING
            current = current[part]
    return current


def why_missing(data: Any, parts: tuple[str | int, ...]) -> str:
    """Where the path ``parts`` stops leading anywhere in ``data``, e.g. ``result[3] has no 'nmae'``."""
    return _why_missing(data, parts, "") or "nothing there"


def _why_missing(data: Any, parts: tuple[str | int, ...], at: str) -> str | None:
    current = data
    for position, part in enumerate(parts):
        shown = at or "the body"
        if part == WILDCARD:
            if not isinstance(current, list):
                return f"{shown} is not a list"
            if not current:
                return f"{shown} is an empty list"
            for index, item in enumerate(current):
                reason = _why_missing(item, parts[position + 1 :], f"{at}[{index}]")
                if reason is not None:
                    return reason
            return None
        if isinstance(part, int):
            if not isinstance(current, list):
                return f"{shown} is not a list"
            if not -len(current) <= part < len(current):
                return f"{shown} has {len(current)} items, no [{part}]"
            current, at = current[part], f"{at}[{part}]"
        else:
            if not isinstance(current, dict):
                return f"{shown} is not an object"
            if part not in current:
                return f"{shown} has no {part!r}"
            current, at = current[part], f"{at}.{part}" if at else part
    return None
