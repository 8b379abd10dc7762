"""A real function watched: each call's arguments recorded, the function itself still doing the work."""

from __future__ import annotations

from typing import Any

import pytest

Calls = list[tuple[Any, ...]]
"""The arguments of each call, in order."""


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> Calls:
    """Replace ``owner.name`` (for the test) with a wrapper that notes each call's arguments and calls the original;
    the notes, in the order of the calls."""
    calls: Calls = []
    real = getattr(owner, name)

    def watched(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(owner, name, watched)
    return calls
