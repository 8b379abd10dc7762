"""DingTalk's per-app, per-API QPS limit: at most N calls per appkey per API in each whole second."""

import math
from collections import Counter


class QpsLimiter:
    """Fixed one-second windows (`floor(now)`); a refused call counts toward its window too. Not thread-safe."""

    def __init__(self) -> None:
        self._second: int | None = None
        self._calls: Counter[tuple[str, str]] = Counter()

    def admit(self, appkey: str, api: str, now: float, limit: int) -> bool:
        """Count the call; True while its window has seen at most `limit` calls (a limit of 0 admits all)."""
        second = math.floor(now)
        if second != self._second:
            self._second = second
            self._calls.clear()
        self._calls[appkey, api] += 1
        return limit <= 0 or self._calls[appkey, api] <= limit

    def clear(self) -> None:
        self._second = None
        self._calls.clear()
