"""A curl command line that replays a request."""

from __future__ import annotations

import shlex

from common.http.transport import OutgoingRequest

_SKIPPED_HEADERS = frozenset({"user-agent", "accept-encoding", "accept", "connection", "content-length"})


def to_curl(request: OutgoingRequest) -> str:
    """The request as one shell-safe curl line (mask it before showing it)."""
    parts = ["curl", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers.items():
        if name.lower() not in _SKIPPED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body:
        parts += ["--data-raw", shlex.quote(request.body.decode("utf-8", errors="replace"))]
    return " ".join(parts)
