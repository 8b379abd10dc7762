"""Injected faults: their settings (from flags, `DINGTALK_SANDBOX_FAULTS` or JSON) and a seeded decider."""

import enum
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.drift import KINDS as DRIFT_KINDS
from sandbox.drift import kinds as drift_kinds

ENV_VAR = "DINGTALK_SANDBOX_FAULTS"
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


def _number(value: object, kind: type) -> Any:
    """`value` (a flag or env text, or a JSON value) as an int or float; ValueError if it is neither."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
        return int(value) if kind is int else float(value)
    if kind is int and isinstance(value, int):
        return value
    if kind is float and isinstance(value, int | float):
        return float(value)
    raise ValueError


def _checked(kind: type, test: Callable[[Any], bool], requirement: str) -> Callable[[object], Any]:
    def convert(value: object) -> Any:
        try:
            number = _number(value, kind)
        except ValueError:
            raise ValueError(requirement) from None
        if not test(number):
            raise ValueError(requirement)
        return number

    return convert


def _seed(value: object) -> int | None:
    if value is None or value == "":
        return None
    return _checked(int, lambda n: True, "must be a whole number")(value)


_share = _checked(float, lambda p: math.isfinite(p) and 0 <= p <= 1, "must be a share between 0 and 1")
_count = _checked(int, lambda n: n >= 0, "must be a whole number, 0 or more")
_seconds = _checked(int, lambda n: n > 0, "must be a whole number of seconds, 1 or more")

CONVERTERS: dict[str, Callable[[object], Any]] = {
    "latency_ms": _count,
    **{fault.value: _share for fault in Fault},
    "token_ttl": _seconds,
    "qps": _count,
    "seed": _seed,
    "drift": drift_kinds,
}
"""Every setting the flags, the environment string and `POST /__sandbox/faults` take, with its converter.

`token_ttl` is the sandbox's `SandboxConfig.token_ttl`; the others are `FaultSettings` fields."""


def convert(key: str, value: object) -> Any:
    """`value` for setting `key`; ValueError naming the key and what it must be."""
    converter = CONVERTERS.get(key)
    if converter is None:
        raise ValueError(f"{key}: unknown setting; known: {', '.join(CONVERTERS)}")
    try:
        return converter(value)
    except ValueError as error:
        raise ValueError(f"{key}={_shown(value)}: {error}") from None


def _shown(value: object) -> str:
    return value.strip() if isinstance(value, str) else repr(value)


def parse_settings(text: str) -> dict[str, Any]:
    """`"busy=0.1,qps=20"` as converted settings; ValueError (one line) for a bad item, key or value."""
    settings: dict[str, Any] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals and "drift" in settings and item in DRIFT_KINDS:  # drift=extra_field,new_enum
            settings["drift"] = convert("drift", [*settings["drift"], item])
            continue
        if not equals:
            raise ValueError(f"{item}: expected key=value (keys: {', '.join(CONVERTERS)})")
        settings[key.strip()] = convert(key.strip(), value)
    return settings


def read_settings(sources: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Settings from `(name, "key=value,...")` sources in order, later ones winning; ValueError names the source."""
    settings: dict[str, Any] = {}
    for name, text in sources:
        try:
            settings.update(parse_settings(text))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return settings


def convert_all(settings: Mapping[str, object]) -> dict[str, Any]:
    """JSON settings (as `POST /__sandbox/faults` takes them) converted; ValueError for a bad key or value."""
    return {key: convert(key, value) for key, value in settings.items()}


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
