"""Request parameters: the query, the token, the JSON body, and typed reads of their fields; each helper returns
the value or raises the DingTalk error for it."""

import json
import re
from collections.abc import Callable, Collection, Mapping, Sized
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from sandbox.protocol.envelopes import (
    BAD_CONTENT_TYPE,
    INVALID_PAGE_SIZE,
    INVALID_PARAM,
    AcsError,
    OapiError,
    Style,
    invalid,
    missing,
    wrapped_error,
)
from sandbox.protocol.messages import Request

Params = Mapping[str, Any]
T = TypeVar("T")
ACS_TOKEN_HEADER = "x-acs-dingtalk-access-token"

DAY = 86400
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CHINA_TZ = timezone(timedelta(hours=8))
_INTEGER = re.compile(r"-?\d{1,18}")


def query_of(target: str) -> dict[str, str]:
    """The query parameters of a request target (path and query string), blank values kept."""
    return dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))


def require_token(style: Style, request: Request, query: Params, is_valid: Callable[[str], bool]) -> None:
    """The app's access token, where `style` carries it (the new host's header, else `?access_token=`), is valid;
    else the style's error: missing (88 sub_code 40000, HTTP 400 on the new host) or invalid (sub_code 40014)."""
    if style is Style.ACS:
        token = request.headers.get(ACS_TOKEN_HEADER)
        if not token:
            raise AcsError(400, "AuthenticationFailed.MissingParameter", f"缺少 {ACS_TOKEN_HEADER} 请求头")
        if not is_valid(token):
            raise AcsError(400, "InvalidAuthentication", "不合法的access_token")
        return
    token = query.get("access_token", "")
    if not token:
        raise wrapped_error("40000", "access_token is blank")
    if not is_valid(token):
        raise wrapped_error("40014", "不合法的access_token")


def json_object(raw: bytes) -> Params:
    """A request body that must be a JSON object (an empty one is not)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OapiError(INVALID_PARAM, "参数错误: 请求体不是合法的JSON") from None
    if not isinstance(body, dict):
        raise OapiError(INVALID_PARAM, "参数错误: 请求体必须是JSON对象")
    return body


def json_body(request: Request) -> Params:
    """An old-host request's JSON object; an empty body counts as `{}`, another needs a JSON `Content-Type`."""
    if not request.body.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise OapiError(BAD_CONTENT_TYPE, f"无效的HTTP HEADER Content-Type: {content_type or '(none)'}")
    return json_object(request.body)


def handler_parameters(style: Style, request: Request, query: Params) -> Params:
    """What a route's handler reads: the query (`/gettoken`, the new host), the robot's query and raw body, or the
    JSON body (the old host's POST routes)."""
    if style in (Style.GETTOKEN, Style.ACS):
        return query
    if style is Style.ROBOT:
        return {"query": query, "body": request.body}
    return json_body(request)


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


def comma_texts(params: Params, name: str) -> list[str]:
    """A required comma string of ids (`"a,b, c"`): its non-empty items, each once, in the order sent."""
    return list(dict.fromkeys(item.strip() for item in text(params, name).split(",") if item.strip()))


def comma_numbers(params: Params, name: str) -> list[int]:
    """A required comma string of integers (`"2,3,-1"`)."""
    value = text(params, name)
    try:
        return [int(part) for part in value.split(",")]
    except ValueError:
        raise invalid(name, f"must be numbers joined by commas, got {value!r}") from None


def check_one_of(name: str, value: T, allowed: Collection[T], described: str) -> T:
    """`value` itself when it is one of `allowed`, else 400002 `must be <described>, got <value>`."""
    if value not in allowed:
        raise invalid(name, f"must be {described}, got {value!r}")
    return value


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


def check_max_length(name: str, items: Sized, limit: int, unit: str = "items") -> None:
    """At most `limit` items (or characters, ... as `unit` says), else 400002."""
    if len(items) > limit:
        raise invalid(name, f"has {len(items)} {unit}, at most {limit} allowed")


def format_datetime(epoch: float) -> str:
    """`yyyy-MM-dd HH:mm:ss` in China Standard Time, DingTalk's clock."""
    return datetime.fromtimestamp(epoch, CHINA_TZ).strftime(DATETIME_FORMAT)


def parse_datetime(value: str) -> float:
    """`yyyy-MM-dd HH:mm:ss` in China Standard Time as epoch seconds; ValueError if it is not one."""
    return datetime.strptime(value, DATETIME_FORMAT).replace(tzinfo=CHINA_TZ).timestamp()


def optional_datetime(params: Params, name: str) -> float | None:
    """An optional `yyyy-MM-dd HH:mm:ss` (China time) field, as epoch seconds."""
    value = optional_text(params, name)
    if not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise invalid(name, f"must look like 2024-01-31 09:30:00, got {value!r}") from None


def check_window(start: float | None, end: float | None, max_days: int) -> None:
    """A start before its end, at most `max_days` apart (either bound may be absent)."""
    if start is None or end is None:
        return
    if start > end:
        raise invalid("start_time", "is after end_time")
    if end - start > max_days * DAY:
        raise invalid("end_time", f"is more than {max_days} days after start_time")


def epoch_millis(params: Params, name: str) -> int:
    """A required time in epoch milliseconds (0 or more)."""
    return check_range(name, number(params, name), 0)


def optional_epoch_millis(params: Params, name: str) -> int | None:
    """An optional time in epoch milliseconds (0 or more); None when absent or null."""
    return None if params.get(name) is None else epoch_millis(params, name)


def millis_window(params: Params, max_days: int) -> tuple[int, int]:
    """Required `start_time` and `end_time` in epoch milliseconds, at most `max_days` apart."""
    start, end = epoch_millis(params, "start_time"), epoch_millis(params, "end_time")
    check_window(start / 1000, end / 1000, max_days)
    return start, end
