"""One access token per run, shared by every process through a locked file, refreshed on demand.

Any process may be the one that fetches; the others find the token in the file. When a server
rejects a token, the first process to notice replaces it and the others pick up the replacement
instead of fetching again. A token is replaced before it expires: ``margin`` seconds early, or a quarter
of its lifetime early when that is shorter (a token that lives 5 s is not "about to expire" from the start).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IssuedToken:
    """What the token endpoint answered: the token and its lifetime in seconds."""

    value: str
    expires_in: float


@dataclass(frozen=True)
class _Cached:
    value: str
    renew_at: float


class SharedTokenCache:
    """Caches a token in memory and in ``path`` (mode 0600); ``fetch`` is called only when needed."""

    def __init__(
        self,
        fetch: Callable[[], IssuedToken],
        path: Path,
        clock: Callable[[], float] = time.time,
        margin: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self._path = path
        self._clock = clock
        self._margin = margin
        self._cached: _Cached | None = None

    def get(self) -> str:
        """A token that is valid now."""
        if self._fresh(self._cached):
            return self._cached.value  # type: ignore[union-attr]
        with self._locked():
            stored = self._read()
            self._cached = stored if self._fresh(stored) else self._fetch_and_store()
        return self._cached.value

    def refresh(self, rejected: str) -> str:
        """A replacement for ``rejected``: another process's newer token, or a fresh fetch."""
        with self._locked():
            stored = self._read()
            if stored is not None and stored.value != rejected and self._fresh(stored):
                self._cached = stored
            else:
                self._cached = self._fetch_and_store()
        return self._cached.value

    def _fresh(self, cached: _Cached | None) -> bool:
        return cached is not None and cached.renew_at > self._clock()

    def _fetch_and_store(self) -> _Cached:
        issued = self._fetch()
        early = min(self._margin, issued.expires_in / 4)
        cached = _Cached(issued.value, self._clock() + issued.expires_in - early)
        temporary = self._path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"value": cached.value, "renew_at": cached.renew_at}, handle)
        os.replace(temporary, self._path)
        return cached

    def _read(self) -> _Cached | None:
        try:
            data = json.loads(self._path.read_text())
            return _Cached(str(data["value"]), float(data["renew_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        descriptor = os.open(self._path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
