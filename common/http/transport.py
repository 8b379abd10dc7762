"""What a transport is and what it gives back: the request as sent, the project's own response, and the failure
when no answer came, which says whether the request may have reached the server (``SendFailure.reached_server``),
so that a caller can tell a create that is safe to send again from one that may already have been carried out.

The transports themselves are in common/http/requests_transport.py: importing this module costs nothing of
``requests``, which a run imports only when it first sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol
from urllib.parse import urlsplit

from common.core.errors import TransportError


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
    attempts: int = 1
    """How many times the request was sent before this answer was accepted (retries included)."""

    @property
    def is_json(self) -> bool:
        """True when the body parsed as JSON."""
        return self.body is not None or self.text.strip() == "null"


class Failure(Enum):
    """How a request failed to get an answer."""

    NOT_SENT = "the connection could not be made: the request was not sent"
    NO_ANSWER = "no answer in time: the server may have received the request"
    DROPPED = "the connection broke: the server may have received the request"


class SendFailure(TransportError):
    """No HTTP answer came; ``kind`` tells whether the request may have reached the server."""

    def __init__(self, message: str, kind: Failure, request: OutgoingRequest) -> None:
        super().__init__(message)
        self.kind = kind
        self.request = request

    @property
    def reached_server(self) -> bool:
        """False only when the request certainly never left (sending it again cannot do anything twice)."""
        return self.kind is not Failure.NOT_SENT

    @property
    def host_unreachable(self) -> bool:
        """True when the host did not take the connection or never answered (rather than a broken connection)."""
        return self.kind is not Failure.DROPPED


class Transport(Protocol):
    """What the client sends through: ``HttpTransport`` over the network, ``HandlerTransport`` to a function."""

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response: ...

    def close(self) -> None: ...


Handler = Callable[[OutgoingRequest], Response]
"""Answers a request exactly as ``HttpTransport`` would send it (``json_answer`` builds the answer)."""


def json_answer(request: OutgoingRequest, body: Any, status: int = 200) -> Response:
    """An answer to ``request`` carrying ``body`` as JSON, the way a handler of ``HandlerTransport`` returns one."""
    text = json.dumps(body, ensure_ascii=False)
    return Response(status, {"Content-Type": "application/json"}, body, text, 0.0, request)


def api_of(url: str) -> str:
    """The API a URL calls: its scheme, host and path, without the query (which may hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
