"""The recent requests a sandbox answered, secrets masked: a bounded ring buffer the front door shows and the
masking `--verbose` logs with.

Masked: the query parameters `access_token` (app and robot tokens), `appsecret` and `sign`; the
`x-acs-dingtalk-access-token` header; JSON keys naming a token, secret or signature (`access_token`,
`accessToken`, `appsecret`, `appSecret`, `sign`, `secret`, ...) at any depth; and any other occurrence of a
secret value seen in the same exchange (or one of the sandbox's own: its appsecret, current token, robot
tokens and secrets), in bodies that are not JSON too.
"""

import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sandbox.protocol.parameters import ACS_TOKEN_HEADER

MASK = "***"
DEFAULT_CAPACITY = 200
MAX_SHOWN_CHARS = 64 * 1024  # a body is cut after this many characters on the page and in the log
SECRET_PARAMS = frozenset({"access_token", "appsecret", "sign"})
SECRET_HEADERS = frozenset({ACS_TOKEN_HEADER, "authorization", "cookie"})
_SECRET_KEYS = frozenset(
    {"accesstoken", "appsecret", "secret", "sign", "password", "robotsecret", "suitesecret", "suiteticket"}
)
_SECRET_PAIR = re.compile(r"((?:access_token|appsecret|sign)=)[^&\s\"']+", re.IGNORECASE)
_MIN_SECRET_CHARS = 6  # shorter values (an empty token, "1") are not searched for in free text


def is_secret_key(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in _SECRET_KEYS


def secrets_of(target: str, headers: Mapping[str, str]) -> set[str]:
    """The secret values a request carries in its query string and headers."""
    query = parse_qsl(urlsplit(target).query, keep_blank_values=True)
    found = {value for key, value in query if key.lower() in SECRET_PARAMS}
    found |= {value for key, value in headers.items() if key.lower() in SECRET_HEADERS}
    return {value for value in found if len(value) >= _MIN_SECRET_CHARS}


def masked_target(target: str) -> str:
    """The request target with secret query values replaced by `***`."""
    url = urlsplit(target)
    if not url.query:
        return target
    pairs = [(k, MASK if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(url.query, keep_blank_values=True)]
    return f"{url.path}?{urlencode(pairs, safe='*')}"


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {key: MASK if key.lower() in SECRET_HEADERS else value for key, value in headers.items()}


def _masked_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and is_secret_key(k) else _masked_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_value(item) for item in value]
    return value


def masked_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value and every `access_token=...`-style pair masked."""
    for secret in sorted({s for s in secrets if len(s) >= _MIN_SECRET_CHARS}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _SECRET_PAIR.sub(lambda match: match.group(1) + MASK, text)


def masked_body(body: Any, secrets: Iterable[str] = ()) -> str:
    """A request or answer body as text fit to show: JSON re-indented with secret keys masked, other bytes
    decoded as UTF-8; known secret values masked everywhere; cut after `MAX_SHOWN_CHARS`."""
    if isinstance(body, bytes | bytearray):
        raw = bytes(body).decode("utf-8", errors="replace")
        try:
            body = json.loads(raw) if raw.strip() else raw
        except (ValueError, RecursionError):
            body = raw
    if isinstance(body, dict | list):
        try:
            text = json.dumps(_masked_value(body), ensure_ascii=False, indent=2)
        except (ValueError, RecursionError):
            text = str(body)
    else:
        text = str(body)
    text = masked_text(text, secrets)
    if len(text) > MAX_SHOWN_CHARS:
        text = f"{text[:MAX_SHOWN_CHARS]}\n… ({len(text) - MAX_SHOWN_CHARS} more characters)"
    return text


def one_line(text: str) -> str:
    """A shown body on one line, for a log: JSON compacted, other text with its line breaks escaped."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError):
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


class Exchange:
    """One request and its answer as shown, secrets masked; `status` None: closed without an answer.

    Only the target is masked when recorded; the headers and bodies are masked (and the bodies serialised)
    when first read, so recording costs next to nothing and the page lists many exchanges quickly.
    """

    def __init__(
        self,
        number: int,
        time: float,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        status: int | None,
        answer: Any,
        known_secrets: Iterable[str] = (),
    ) -> None:
        self.number = number
        self.time = time  # the sandbox clock, epoch seconds
        self.method = method
        self.path = urlsplit(target).path
        self.status = status
        self._headers = dict(headers)
        self._body = body
        self._answer = answer
        secrets = secrets_of(target, headers) | set(known_secrets)
        if isinstance(answer, dict):  # a token the answer hands out (gettoken) is masked everywhere too
            secrets |= {v for k, v in answer.items() if isinstance(v, str) and is_secret_key(k)}
        self._secrets = frozenset(secrets)
        self.target = masked_text(masked_target(target), self._secrets)

    @property
    def errcode(self) -> Any:
        """The answer's `errcode` (the TOP gateway's `code`; None without one): old-host errors are HTTP 200."""
        if not isinstance(self._answer, dict):
            return None
        error = self._answer.get("error_response")  # the TOP gateway's errors
        return error.get("code") if isinstance(error, dict) else self._answer.get("errcode")

    @cached_property
    def request_headers(self) -> dict[str, str]:
        return {k: masked_text(v, self._secrets) for k, v in masked_headers(self._headers).items()}

    @cached_property
    def request_body(self) -> str:
        return masked_body(self._body, self._secrets) if self._body else ""

    @cached_property
    def answer_body(self) -> str:
        return "" if self._answer is None else masked_body(self._answer, self._secrets)

    def summary(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "time": self.time,
            "method": self.method,
            "target": self.target,
            "status": self.status,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "answer_body": self.answer_body,
        }


class RequestLog:
    """The last `capacity` exchanges, numbered from 1 in the order they were answered; thread-safe."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items: deque[Exchange] = deque(maxlen=capacity)
        self._count = 0

    def next_number(self) -> int:
        """The number of the next exchange (numbers are never reused)."""
        with self._lock:
            self._count += 1
            return self._count

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    def recent(self) -> list[Exchange]:
        """Newest first."""
        with self._lock:
            return sorted(self._items, key=lambda item: item.number, reverse=True)

    def get(self, number: int) -> Exchange | None:
        with self._lock:
            return next((item for item in self._items if item.number == number), None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
