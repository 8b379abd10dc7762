"""Contract drift on request (the `drift` fault setting): answers that depart from the documented contract the way
a third-party API changes without notice, to try the suite's drift reading (common/live/drift.py) offline.

- `extra_field`: every service account in `serviceaccount/list` carries `follower_count`, a field the docs do not
  list;
- `new_enum`: a disabled service account's `status` is `archived` (documented: `normal`, `disabled`);
- `dropped_field`: `union/cooperate/joined/list` answers without `request_id`, an optional documented field.

Only successful answers change; each kind touches one endpoint, so each shows once in a drift record.
"""

from collections.abc import Iterable
from typing import Any

KINDS = ("extra_field", "new_enum", "dropped_field")
EXTRA_FIELD = "follower_count"
NEW_STATUS = "archived"
ACCOUNTS = "/topapi/serviceaccount/list"
SPACES = "/topapi/union/cooperate/joined/list"


def kinds(value: object) -> tuple[str, ...]:
    """The drift kinds of a setting: `"extra_field,new_enum"` (also `+` between them) or a JSON list."""
    items = value.replace("+", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"must be drift kinds: {', '.join(KINDS)}")
    chosen = tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
    unknown = [item for item in chosen if item not in KINDS]
    if unknown:
        raise ValueError(f"unknown drift kind {unknown[0]!r}; known: {', '.join(KINDS)}")
    return chosen


def drifted(path: str, body: Any, chosen: Iterable[str]) -> Any:
    """`body` as the drifting API answers it on `path` (a copy; errors and other endpoints unchanged)."""
    chosen = set(chosen)
    if not isinstance(body, dict) or body.get("errcode") != 0:
        return body
    if path == ACCOUNTS and chosen & {"extra_field", "new_enum"} and isinstance(body.get("items"), list):
        items = [dict(item) for item in body["items"]]
        for item in items:
            if "extra_field" in chosen:
                item[EXTRA_FIELD] = 128
            if "new_enum" in chosen and item.get("status") == "disabled":
                item["status"] = NEW_STATUS
        return {**body, "items": items}
    if path == SPACES and "dropped_field" in chosen:
        return {key: value for key, value in body.items() if key != "request_id"}
    return body
