"""Typed reads of request fields: each helper returns the value or raises the DingTalk error for it."""

import re
from collections.abc import Mapping, Sized
from datetime import datetime, timedelta, timezone
from typing import Any

from sandbox.envelopes import INVALID_PAGE_SIZE, OapiError, invalid, missing

Params = Mapping[str, Any]

DAY = 86400
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CHINA_TZ = timezone(timedelta(hours=8))
_INTEGER = re.compile(r"-?\d{1,18}")


def _present(params: Params, name: str) -> bool:
    return params.get(name) not in (None, "")


def _integer(name: str, value: Any) -> int:
    """JSON numbers, or strings of digits (DingTalk's doc examples quote numbers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    raise invalid(name, f"must be a number, got {value!r}")


def text(params: Params, name: str) -> str:
    """A required, non-empty string."""
    value = optional_text(params, name)
    if not value:
        raise missing(name)
    return value


def optional_text(params: Params, name: str, default: str | None = None) -> str | None:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise invalid(name, f"must be a string, got {value!r}")
    return value


def number(params: Params, name: str) -> int:
    """A required integer."""
    if not _present(params, name):
        raise missing(name)
    return _integer(name, params[name])


def optional_number(params: Params, name: str, default: int) -> int:
    return _integer(name, params[name]) if _present(params, name) else default


def flag(params: Params, name: str, default: bool = False) -> bool:
    """An optional JSON Boolean."""
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise invalid(name, f"must be true or false, got {value!r}")
    return value


def required_flag(params: Params, name: str) -> bool:
    if name not in params or params[name] is None:
        raise missing(name)
    return flag(params, name)


def obj(params: Params, name: str) -> Params:
    """A required JSON object."""
    if name not in params or params[name] is None:
        raise missing(name)
    value = params[name]
    if not isinstance(value, dict):
        raise invalid(name, f"must be an object, got {value!r}")
    return value


def _list(params: Params, name: str) -> list[Any]:
    value = params.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(name, f"must be a list, got {value!r}")
    return value


def object_list(params: Params, name: str) -> list[Params]:
    """A required, non-empty list of JSON objects."""
    items = _list(params, name)
    if not items:
        raise missing(name)
    if not all(isinstance(item, dict) for item in items):
        raise invalid(name, "must be a list of objects")
    return items


def text_list(params: Params, name: str) -> list[str]:
    """An optional list of strings (empty when absent)."""
    items = _list(params, name)
    if not all(isinstance(item, str) for item in items):
        raise invalid(name, "must be a list of strings")
    return items


def number_list(params: Params, name: str) -> list[int]:
    """An optional list of integers (empty when absent)."""
    return [_integer(name, item) for item in _list(params, name)]


def check_range(name: str, value: int, low: int, high: int | None = None, errcode: int | None = None) -> int:
    """`value` itself when `low <= value <= high`, else the given errcode (400002 by default)."""
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        error = invalid(name, f"must be {bounds}, got {value}")
        raise error if errcode is None else OapiError(errcode, error.errmsg)
    return value


def _number_or_default(params: Params, name: str, default: int | None) -> int:
    return number(params, name) if default is None else optional_number(params, name, default)


def page_size(params: Params, name: str, maximum: int, default: int | None = None) -> int:
    """A page size in 1..maximum (40069 outside); required unless a default is given."""
    return check_range(name, _number_or_default(params, name, default), 1, maximum, INVALID_PAGE_SIZE)


def position(params: Params, name: str, first: int = 0, default: int | None = None) -> int:
    """A page number or offset, at least `first`; required unless a default is given."""
    return check_range(name, _number_or_default(params, name, default), first)


def check_max_length(name: str, items: Sized, limit: int) -> None:
    if len(items) > limit:
        raise invalid(name, f"has {len(items)} items, at most {limit} allowed")


def format_datetime(epoch: float) -> str:
    """`yyyy-MM-dd HH:mm:ss` in China Standard Time, DingTalk's clock."""
    return datetime.fromtimestamp(epoch, CHINA_TZ).strftime(DATETIME_FORMAT)


def optional_datetime(params: Params, name: str) -> float | None:
    """An optional `yyyy-MM-dd HH:mm:ss` (China time) field, as epoch seconds."""
    value = optional_text(params, name)
    if not value:
        return None
    try:
        moment = datetime.strptime(value, DATETIME_FORMAT).replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise invalid(name, f"must look like 2024-01-31 09:30:00, got {value!r}") from None
    return moment.timestamp()


def check_window(start: float | None, end: float | None, max_days: int) -> None:
    """A start before its end, at most `max_days` apart (either bound may be absent)."""
    if start is None or end is None:
        return
    if start > end:
        raise invalid("start_time", "is after end_time")
    if end - start > max_days * DAY:
        raise invalid("end_time", f"is more than {max_days} days after start_time")


def millis_window(params: Params, max_days: int) -> tuple[int, int]:
    """Required `start_time` and `end_time` in epoch milliseconds, at most `max_days` apart."""
    start = check_range("start_time", number(params, "start_time"), 0)
    end = check_range("end_time", number(params, "end_time"), 0)
    check_window(start / 1000, end / 1000, max_days)
    return start, end
