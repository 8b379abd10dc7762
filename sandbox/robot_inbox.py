"""What a sandbox's custom robots accepted, and each robot's send rate (20 a minute, then 10 minutes throttled)."""

import threading
from collections import deque

from sandbox.protocol.envelopes import Body, OapiError

SENDING_TOO_FAST = 410100
MESSAGES_PER_WINDOW = 20
RATE_WINDOW_SECONDS = 60.0
THROTTLE_SECONDS = 600.0


class _Robot:
    """One robot's recent accepted sends and the end of its current throttle."""

    def __init__(self) -> None:
        self.sent: deque[float] = deque()
        self.throttled_until = 0.0

    def admit(self, now: float) -> bool:
        """Count a send at ``now``; False once over the per-minute limit, and for the 10 minutes after."""
        if now < self.throttled_until:
            return False
        while self.sent and self.sent[0] <= now - RATE_WINDOW_SECONDS:
            self.sent.popleft()
        if len(self.sent) >= MESSAGES_PER_WINDOW:
            self.throttled_until = now + THROTTLE_SECONDS
            return False
        self.sent.append(now)
        return True


class RobotInbox:
    """The messages a sandbox's robots accepted and each robot's send rate, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._robots: dict[str, _Robot] = {}
        self._messages: list[Body] = []

    def accept(self, token: str, now: float, message: Body) -> None:
        """Store ``message`` unless the robot is sending too fast (410100)."""
        with self._lock:
            if not self._robots.setdefault(token, _Robot()).admit(now):
                raise OapiError(SENDING_TOO_FAST, f"send too fast, exceed {MESSAGES_PER_WINDOW} times per minute")
            self._messages.append({"robot": token, "received_at": now, "message": message})

    def messages(self) -> list[Body]:
        with self._lock:
            return list(self._messages)

    def reset(self) -> None:
        """Forget every message and throttle."""
        with self._lock:
            self._robots.clear()
            self._messages.clear()
