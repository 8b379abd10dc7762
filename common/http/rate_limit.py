"""A rate limiter shared by every process of a run: at most ``limit`` calls per API in any ``window`` seconds.

Each API (a host and request path) has a small file in the run directory holding the start times of its
recent calls, read and written under an exclusive ``flock``; a call that would exceed the limit waits
until the oldest call leaves the window. The clock must be one every process shares (``time.monotonic``
is system-wide on Linux).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

WINDOW = 1.2
"""A second, plus 0.2 s for the time between a call being counted here and reaching the server: the server
counts whole seconds of its own clock, and a call delayed across that boundary counts in the next one."""


class SharedRateLimiter:
    """A sliding-window limiter over files in ``directory``; ``clock`` and ``sleep`` are injectable."""

    def __init__(
        self,
        directory: Path,
        limit: int,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError(f"a rate limit needs at least one call per window, not {limit}")
        self._directory = directory
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sleep = sleep

    def acquire(self, api: str) -> float:
        """Wait until one more call to ``api`` keeps it under the limit and count that call; returns seconds waited."""
        path = self._directory / f"rate-{hashlib.sha256(api.encode()).hexdigest()[:16]}.json"
        waited = 0.0
        while True:
            wait = self._take(path)
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait

    def _take(self, path: Path) -> float:
        """Under the lock: record a call now and return 0, or return how long until a place frees up."""
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            with os.fdopen(os.dup(descriptor), "r+") as handle:
                now = self._clock()
                recent = [stamp for stamp in _stamps(handle.read()) if stamp > now - self._window]
                if len(recent) >= self._limit:
                    return recent[-self._limit] + self._window - now
                handle.seek(0)
                handle.truncate()
                json.dump([*recent, now], handle)
                return 0.0
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


def _stamps(text: str) -> list[float]:
    """The stored call times, oldest first; anything unreadable counts as no calls."""
    try:
        stamps = json.loads(text)
    except ValueError:
        return []
    if not isinstance(stamps, list):
        return []
    return sorted(stamp for stamp in stamps if isinstance(stamp, int | float))
