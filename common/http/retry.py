"""A generic retry policy: a number of retries, exponential backoff with jitter, an injectable sleep.

It knows nothing of HTTP or DingTalk: the caller says which outcomes deserve another attempt, and why.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Retrying(Generic[Outcome]):
    """What the caller is told before a retry: the retry's number, the reason, the wait and the failed outcome."""

    number: int
    of: int
    reason: str
    delay: float
    failed: Outcome

    def describe(self) -> str:
        """e.g. ``retry 1 of 3 after errcode 90018: 请求过于频繁 (in 0.21 s)``."""
        return f"retry {self.number} of {self.of} after {self.reason} (in {self.delay:.2f} s)"


@dataclass(frozen=True)
class Attempted(Generic[Outcome]):
    """The last outcome and how many attempts it took."""

    outcome: Outcome
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``retries`` more attempts; before retry n it waits ``backoff * 2**(n-1)`` seconds, capped at
    ``max_delay``, scaled by a jitter factor between 0.5 and 1 so that parallel workers do not retry in step."""

    retries: int
    backoff: float
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    max_delay: float = 5.0

    def delay(self, number: int) -> float:
        """Seconds to wait before retry ``number`` (1-based)."""
        full = min(self.backoff * 2 ** (number - 1), self.max_delay)
        return full * (0.5 + self.jitter() / 2)

    def run(
        self,
        attempt: Callable[[], Outcome],
        retry_reason: Callable[[Outcome], str | None],
        on_retry: Callable[[Retrying[Outcome]], None],
    ) -> Attempted[Outcome]:
        """Call ``attempt`` until ``retry_reason`` of its outcome is None or the retries are used up."""
        number = 1
        while True:
            outcome = attempt()
            reason = retry_reason(outcome)
            if reason is None or number > self.retries:
                return Attempted(outcome, number)
            retrying = Retrying(number, self.retries, reason, self.delay(number), outcome)
            on_retry(retrying)
            self.sleep(retrying.delay)
            number += 1
