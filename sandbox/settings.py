"""Run-time settings (faults, latency, the QPS limit, the token lifetime, drift), read once where they enter: the
environment (`DINGTALK_SANDBOX_FAULTS`), the command line (`--faults`, the single flags, the suite's
`--sandbox-faults`) or `POST /__sandbox/faults`. `read_settings` turns them into a `SandboxConfig`; everything
else receives that, and a child sandbox gets it back as `settings_text`.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.drift import KINDS as DRIFT_KINDS
from sandbox.drift import kinds as drift_kinds
from sandbox.faults import Fault, FaultSettings

ENV_VAR = "DINGTALK_SANDBOX_FAULTS"
Source = str | Mapping[str, object]
"""`key=value,...` text, or a mapping of keys to JSON values or flag text."""


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

_CONVERTERS: dict[str, Callable[[object], Any]] = {
    "latency_ms": _count,
    **{fault.value: _share for fault in Fault},
    "token_ttl": _seconds,
    "qps": _count,
    "seed": _seed,
    "drift": drift_kinds,
}
"""Every setting with its converter: `token_ttl` is `SandboxConfig.token_ttl`, the others `FaultSettings` fields."""
_FAULT_FIELDS = frozenset(item.name for item in fields(FaultSettings))


def _convert(key: str, value: object) -> Any:
    """`value` for setting `key`; ValueError naming the key and what it must be."""
    converter = _CONVERTERS.get(key)
    if converter is None:
        raise ValueError(f"{key}: unknown setting; known: {', '.join(_CONVERTERS)}")
    try:
        return converter(value)
    except ValueError as error:
        shown = value.strip() if isinstance(value, str) else repr(value)
        raise ValueError(f"{key}={shown}: {error}") from None


def parse_settings(text: str) -> dict[str, Any]:
    """`"busy=0.1,qps=20"` as typed settings; ValueError (one line) for a bad item, key or value."""
    settings: dict[str, Any] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals and "drift" in settings and item in DRIFT_KINDS:  # drift=extra_field,new_enum
            settings["drift"] = _convert("drift", [*settings["drift"], item])
            continue
        if not equals:
            raise ValueError(f"{item}: expected key=value (keys: {', '.join(_CONVERTERS)})")
        settings[key.strip()] = _convert(key.strip(), value)
    return settings


def read_settings(base: SandboxConfig, sources: Iterable[tuple[str, Source]]) -> SandboxConfig:
    """`base` with the settings of each `(name, source)` applied, later sources winning.

    ValueError, one line: a bad item, key or value names its source (unless the name is empty); shares adding up to
    more than 1 are refused once every source is read."""
    settings: dict[str, Any] = {}
    for name, source in sources:
        try:
            if isinstance(source, str):
                settings.update(parse_settings(source))
            else:
                settings.update({key: _convert(key, value) for key, value in source.items()})
        except ValueError as error:
            raise ValueError(f"{name}: {error}" if name else str(error)) from None
    faults = replace(base.faults, **{key: value for key, value in settings.items() if key in _FAULT_FIELDS})
    return replace(base, token_ttl=settings.get("token_ttl", base.token_ttl), faults=faults)


def settings_text(config: SandboxConfig) -> str:
    """Every run-time setting of `config` as `key=value,...`, which `read_settings` reads back to the same values."""
    return ",".join(f"{key}={_text(value)}" for key, value in config.settings().items())


def _text(value: Any) -> str:
    """A setting's value as `parse_settings` reads it: no seed is empty, drift kinds are joined by `+`."""
    if value is None:
        return ""
    return "+".join(value) if isinstance(value, tuple) else str(value)
