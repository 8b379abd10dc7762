"""Paths into JSON bodies: ``result.items[0].id`` — dotted keys, ``[n]`` list indexes, and ``[*]`` for
every item of a list (``result[*].id`` is the list of every item's id)."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+|\*)\]")
WILDCARD = "*"


class Missing:
    """Marks a path that leads nowhere."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def parse_path(path: str) -> tuple[str | int, ...]:
    """Split ``a.b[0]`` into ``("a", "b", 0)``; raise ValueError on a malformed path."""
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
    """The value at ``parts`` inside ``data``, or ``MISSING``."""
    current = data
    for position, part in enumerate(parts):
        if part == WILDCARD:
            if not isinstance(current, list):
                return MISSING
            values = [extract(item, parts[position + 1 :]) for item in current]
            return [value for value in values if value is not MISSING]
        if isinstance(part, int):
            if not isinstance(current, list) or not -len(current) <= part < len(current):
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return MISSING
            current = current[part]
    return current
