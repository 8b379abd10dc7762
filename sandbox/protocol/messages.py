"""What the server hands the app and gets back: a request as it came, and the reply to send."""

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.protocol.envelopes import Body


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query string, as on the request line
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: Body | str  # a `str` is an HTML page (the front door)
