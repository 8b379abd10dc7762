"""Injected faults: what they are, their settings (read by `sandbox.settings`) and a seeded decider."""

import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_QPS_LIMIT = 20
SERVER_ERROR_STATUSES = (500, 502, 503)


class Fault(enum.Enum):
    """What an injected fault does to one call; the value is its key in settings and stats."""

    BUSY = "busy"  # errcode -1 / HTTP 429 system.busy, before the handler
    RATE_LIMITED = "rate_limited"  # errcode 90018 / HTTP 403 QpsLimitForAppkeyAndApi, before the handler
    SERVER_ERROR = "server_error"  # HTTP 500, 502 or 503, before the handler
    DROP = "drop"  # connection closed without an answer, before the handler
    DROP_AFTER = "drop_after"  # the handler runs, then the connection is closed without an answer


COUNTED = (*(fault.value for fault in Fault), "qps_limited", "token_expired")
"""The keys of `/__sandbox/stats` `faults`: injected faults, real QPS-limit answers, expired tokens refused."""


@dataclass(frozen=True)
class FaultSettings:
    """Shares of calls answered with each fault (they add up to at most 1), added latency, QPS limit, seed."""

    latency_ms: int = 0
    busy: float = 0.0
    rate_limited: float = 0.0
    server_error: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    qps: int = DEFAULT_QPS_LIMIT  # calls per appkey per API per second; 0 = no limit
    seed: int | None = None  # None: a different sequence each run
    drift: tuple[str, ...] = ()  # contract drift in answers (sandbox/drift.py): extra_field, new_enum, dropped_field

    def __post_init__(self) -> None:
        total = sum(self.share(fault) for fault in Fault)
        if total > 1 + 1e-9:
            shares = "+".join(fault.value for fault in Fault)
            raise ValueError(f"{shares}={total:g}: the shares must add up to at most 1")

    def share(self, fault: Fault) -> float:
        return float(getattr(self, fault.value))


@dataclass(frozen=True)
class Injection:
    """One call's injected fault; `status` is the HTTP status a server error answers with."""

    fault: Fault
    status: int = 200


class FaultDecider:
    """Draws each call's fault from one random number against the settings' shares, in `Fault` order."""

    def __init__(self, settings: FaultSettings, rng: random.Random | None = None) -> None:
        self.settings = settings
        self._rng = rng if rng is not None else random.Random(settings.seed)
        self._bands = list(_bands(settings))

    def draw(self) -> Injection | None:
        if not self._bands:
            return None
        number = self._rng.random()
        for fault, upper in self._bands:
            if number < upper:
                status = self._rng.choice(SERVER_ERROR_STATUSES) if fault is Fault.SERVER_ERROR else 200
                return Injection(fault, status)
        return None


def _bands(settings: FaultSettings) -> Iterator[tuple[Fault, float]]:
    """Each fault with a nonzero share and the upper end of its band in [0, 1)."""
    upper = 0.0
    for fault in Fault:
        share = settings.share(fault)
        upper += share
        if share > 0:
            yield fault, upper
