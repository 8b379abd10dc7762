"""Paging shared by the list endpoints: offset cursors, page numbers and the new host's `nextToken`."""

from collections.abc import Sequence
from typing import Any

from sandbox.protocol.envelopes import Body


def cut(items: Sequence[Any], offset: int, size: int) -> tuple[list[Any], int | None]:
    """The page starting at `offset`, and the next page's offset (None after the last page)."""
    end = offset + size
    return list(items[offset:end]), (end if end < len(items) else None)


def cursor_page(name: str, items: Sequence[Any], offset: int, size: int, has_more: bool = True) -> Body:
    """`{name: page, "has_more": ..., "next_cursor": n}`; `next_cursor` is left out on the last page."""
    page, next_cursor = cut(items, offset, size)
    body: Body = {name: page}
    if has_more:
        body["has_more"] = next_cursor is not None
    if next_cursor is not None:
        body["next_cursor"] = next_cursor
    return body


def numbered_page(items: Sequence[Any], page: int, size: int) -> list[Any]:
    """Page number `page` (the first is 1) of `size` items."""
    page_items, _ = cut(items, (page - 1) * size, size)
    return page_items


def token_page(name: str, items: Sequence[Any], offset: int, size: int) -> Body:
    """The new host's `{"nextToken", "hasMore", name: page}`; `nextToken` is past the end on the last page."""
    page, next_offset = cut(items, offset, size)
    return {"nextToken": offset + len(page), "hasMore": next_offset is not None, name: page}
