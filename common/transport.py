"""HTTP transport: one ``requests.Session`` per process, timeouts always set, answers converted at the boundary."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from common.errors import TransportError
from common.masking import Masker

USER_AGENT = "dingtalk-apitest/0.1"


@dataclass(frozen=True)
class OutgoingRequest:
    """A request exactly as sent: the final URL (query included), headers and body bytes."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None


@dataclass(frozen=True)
class Response:
    """The project's own response type: what checks, saves and reports depend on."""

    status: int
    headers: Mapping[str, str]
    body: Any
    text: str
    elapsed: float
    request: OutgoingRequest
    history: tuple[Response, ...] = field(default=())
    """Earlier answers to the same step that were retried (e.g. a rejected token)."""

    @property
    def is_json(self) -> bool:
        """True when the body parsed as JSON."""
        return self.body is not None or self.text.strip() == "null"


class HttpTransport:
    """Sends requests over one keep-alive session; every failure becomes a one-line ``TransportError``."""

    def __init__(self, timeout: float, masker: Masker, session: requests.Session | None = None) -> None:
        self.timeout = timeout
        self.masker = masker
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request and return its response, or raise TransportError (secrets masked)."""
        has_body = json_body is not None
        request = requests.Request(
            method, url, params=params or None, headers=dict(headers or {}), json=json_body if has_body else None
        )
        prepared = self.session.prepare_request(request)
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        outgoing = OutgoingRequest(method, prepared.url or url, dict(prepared.headers), body)
        started = time.perf_counter()
        try:
            raw = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            raise TransportError(self._where(outgoing) + f": no answer within {self.timeout:g} s (timeout)") from None
        except requests.ConnectionError as exc:
            reason = _root_reason(exc)
            raise TransportError(self._where(outgoing) + f": cannot connect ({reason})") from None
        except requests.RequestException as exc:
            raise TransportError(self._where(outgoing) + f": {self.masker(type(exc).__name__)}") from None
        elapsed = time.perf_counter() - started
        text = raw.text
        return Response(raw.status_code, dict(raw.headers), _parse_json(text), text, elapsed, outgoing)

    def _where(self, request: OutgoingRequest) -> str:
        base = request.url.split("?", 1)[0]
        return f"{request.method} {self.masker(base)}"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


def _parse_json(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _root_reason(exc: BaseException) -> str:
    """The innermost cause's class and a short text, without URLs (they may hold a token)."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = str(cause)
    if "Connection refused" in text or isinstance(cause, ConnectionRefusedError):
        return "connection refused: is the host up and the URL right?"
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "unknown host name: check the URL"
    if "RemoteDisconnected" in type(cause).__name__ or "closed connection" in text:
        return "the server closed the connection without answering"
    return type(cause).__name__
