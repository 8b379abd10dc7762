"""The transports built on ``requests``: ``HttpTransport`` over the network (one ``requests.Session`` per process,
timeouts always set, answers converted at the boundary) and ``HandlerTransport`` to a function, for tests; both
prepare a request exactly as ``requests`` does."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.utils import resolve_proxies
from urllib3.exceptions import NewConnectionError

from common.core.errors import TransportError
from common.http.masking import Masker
from common.http.transport import Failure, Handler, OutgoingRequest, Response, SendFailure, api_of

USER_AGENT = "dingtalk-apitest/0.1"


class HttpTransport:
    """Sends requests over one keep-alive session; every failure becomes a one-line ``TransportError``.

    ``before_send``, when given, is called with each request's API (its host and path) just before it goes
    out: the place for a rate limiter to wait."""

    def __init__(
        self,
        timeout: float,
        masker: Masker,
        session: requests.Session | None = None,
        before_send: Callable[[str], object] | None = None,
    ) -> None:
        self.timeout = timeout
        self.masker = masker
        self.session = session or requests.Session()
        self._before_send = before_send
        self._proxies: dict[str, dict[str, str]] = {}

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request and return its response, or raise TransportError (secrets masked)."""
        prepared, outgoing = prepare(self.session, method, url, params, json_body, headers)
        if self._before_send is not None:
            self._before_send(api_of(outgoing.url))
        started = time.perf_counter()
        try:
            proxies = self._proxies_for(prepared)
            raw = self.session.send(prepared, timeout=self.timeout, allow_redirects=False, proxies=proxies)
        except requests.ConnectTimeout:
            message = self._where(outgoing) + f": cannot connect within {self.timeout:g} s (connect timeout)"
            raise SendFailure(message, Failure.NOT_SENT, outgoing) from None
        except requests.Timeout:
            message = self._where(outgoing) + f": no answer within {self.timeout:g} s (timeout)"
            raise SendFailure(message, Failure.NO_ANSWER, outgoing) from None
        except requests.ConnectionError as exc:
            kind = Failure.NOT_SENT if _never_connected(exc) else Failure.DROPPED
            what = "cannot connect" if kind is Failure.NOT_SENT else "connection lost"
            message = self._where(outgoing) + f": {what} ({_root_reason(exc)})"
            raise SendFailure(message, kind, outgoing) from None
        except requests.RequestException as exc:
            raise TransportError(self._where(outgoing) + f": {self.masker(type(exc).__name__)}") from None
        elapsed = time.perf_counter() - started
        text = raw.text
        return Response(raw.status_code, dict(raw.headers), _parse_json(text), text, elapsed, outgoing)

    def _proxies_for(self, prepared: requests.PreparedRequest) -> dict[str, str]:
        """The proxies for the request's host, read from the environment once per host (requests would every time)."""
        url = urlsplit(prepared.url or "")
        host = f"{url.scheme}://{url.netloc}"
        if host not in self._proxies:
            self._proxies[host] = resolve_proxies(prepared, self.session.proxies, self.session.trust_env)
        return self._proxies[host]

    def _where(self, request: OutgoingRequest) -> str:
        base = request.url.split("?", 1)[0]
        return f"{request.method} {self.masker(base)}"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


class HandlerTransport:
    """Answers every request with ``handler(request)`` and opens no socket: the stand-in for ``HttpTransport`` in
    tests (httpx's ``MockTransport``). The handler may raise ``SendFailure`` to play a request that got no answer."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self._session = requests.Session()  # prepares requests as HttpTransport's does; sends none

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The handler's answer to the request as it would have gone out."""
        _, outgoing = prepare(self._session, method, url, params, json_body, headers)
        return self.handler(outgoing)

    def close(self) -> None:
        """Nothing to close: no connection was ever opened."""


def prepare(
    session: requests.Session,
    method: str,
    url: str,
    params: Mapping[str, Any] | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[requests.PreparedRequest, OutgoingRequest]:
    """The request as ``session`` prepares it (query and JSON body encoded, the session's headers and the project's
    User-Agent added) and as the project's own ``OutgoingRequest``."""
    query = encode_query(params) if params else None
    request = requests.Request(
        method, url, params=query, headers={"User-Agent": USER_AGENT, **(headers or {})}, json=json_body
    )
    prepared = session.prepare_request(request)
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return prepared, OutgoingRequest(method, prepared.url or url, dict(prepared.headers), body)


def encode_query(params: Mapping[str, Any]) -> str:
    """The query string ``requests`` makes of a mapping (a list or other iterable value gives its key once per
    item, None leaves an item out), made here: requests' own test of whether a mapping is a file to read costs a
    third of preparing a request."""
    pairs = []
    for key, value in params.items():
        values = [value] if isinstance(value, str | bytes) or not hasattr(value, "__iter__") else value
        pairs += [(key, item) for item in values if item is not None]
    return urlencode(pairs, doseq=True)


def _parse_json(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it was raised from or during, outermost first."""
    chain = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    return chain


def _never_connected(exc: BaseException) -> bool:
    """True when no connection was made (refused, unknown host): the request cannot have been sent."""
    return any(isinstance(cause, NewConnectionError | ConnectionRefusedError) for cause in _causes(exc))


def _root_reason(exc: BaseException) -> str:
    """The innermost cause's class and a short text, without URLs (they may hold a token)."""
    cause = _causes(exc)[-1]
    text = str(cause)
    if "Connection refused" in text or isinstance(cause, ConnectionRefusedError):
        return "connection refused: is the host up and the URL right?"
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "unknown host name: check the URL"
    if "RemoteDisconnected" in type(cause).__name__ or "closed connection" in text:
        return "the server closed the connection without answering"
    return type(cause).__name__
