"""One access token per run, shared by every process through a locked file.

Any process may be the one that fetches, holding the file's lock meanwhile; the others wait and then find the
token in the file. When a server rejects a token, the first process to notice replaces it and the others pick
up the replacement instead of fetching again. A token is replaced before it expires: ``margin`` seconds early,
or a quarter of its lifetime early when that is shorter (a token that lives 5 s is not "about to expire" from
the start).
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
    """This process's token in memory and the run's in ``path`` (mode 0600), shared by every process through
    the file and its lock; the token flow (common/dingtalk/run_token.py) fetches under ``locked()``."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time, margin: float = 60.0) -> None:
        self._path = path
        self._clock = clock
        self._margin = margin
        self._cached: _Cached | None = None

    def held(self, other_than: str | None = None) -> str | None:
        """This process's token while it is fresh, unless it is ``other_than``; reads no file."""
        return self._usable(self._cached, other_than)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's lock: the other processes wait at theirs until this block ends."""
        descriptor = os.open(self._path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def stored(self, other_than: str | None = None) -> str | None:
        """The file's token (another process's fetch) if it is fresh and not ``other_than``; under ``locked()``."""
        stored = self._read()
        token = self._usable(stored, other_than)
        if token is not None:
            self._cached = stored
        return token

    def store(self, issued: IssuedToken) -> str:
        """Keep ``issued`` as the run's token, here and in the file, and return it; under ``locked()``."""
        early = min(self._margin, issued.expires_in / 4)
        self._cached = _Cached(issued.value, self._clock() + issued.expires_in - early)
        temporary = self._path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"value": self._cached.value, "renew_at": self._cached.renew_at}, handle)
        os.replace(temporary, self._path)
        return issued.value

    def _usable(self, cached: _Cached | None, other_than: str | None) -> str | None:
        if cached is None or cached.value == other_than or cached.renew_at <= self._clock():
            return None
        return cached.value

    def _read(self) -> _Cached | None:
        try:
            data = json.loads(self._path.read_text())
            return _Cached(str(data["value"]), float(data["renew_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
