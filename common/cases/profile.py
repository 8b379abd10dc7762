"""The tenant profile: a YAML mapping of the tenant's own ids that cases read as ``${profile.key}``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.cases.templating import ZONE_KEY
from common.cases.yaml_source import YamlDocument, YamlSyntaxError, read_yaml
from common.core.errors import ConfigError
from common.core.paths import EXAMPLE_PROFILE

"""The documented profile: a key it has must hold the same kind of value (string, number, list) in every profile."""


def load_profile(path: Path, display: str, example: Path = EXAMPLE_PROFILE) -> dict[str, Any]:
    """Read a profile; raise ConfigError naming the file, line and key of the problem."""
    doc = _read(path, display)
    _check_zone(doc)
    if example.is_file() and path.resolve() != example.resolve():
        _check_kinds(doc, _example_kinds(example))
    return doc.data


def _read(path: Path, display: str) -> YamlDocument:
    if path.is_dir():
        raise ConfigError(f"{display}: is a folder, not a tenant profile (set DINGTALK_PROFILE to a YAML file)")
    if not path.is_file():
        raise ConfigError(f"{display}: tenant profile not found (set DINGTALK_PROFILE to an existing YAML file)")
    try:
        doc = read_yaml(path, display)
    except YamlSyntaxError as exc:
        raise ConfigError(f"{display}:{exc.line}: tenant profile is not valid YAML: {exc.problem}") from None
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read the tenant profile: {exc.strerror}") from None
    if not isinstance(doc.data, dict) or not doc.data:
        raise ConfigError(f"{display}: a tenant profile is a YAML mapping of keys to the tenant's ids")
    for key, value in doc.data.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(f"{display}:{doc.line_of((key,))}: profile key {key!r} must be a plain name")
        if _is_empty(value):
            raise ConfigError(f"{display}:{doc.line_of((key,))}: profile key '{key}' has no value: fill it in")
    return doc


def _check_zone(doc: YamlDocument) -> None:
    """The optional ``timezone`` key must name an IANA zone (the tenant's date-times are read in it)."""
    if ZONE_KEY not in doc.data:
        return
    value = doc.data[ZONE_KEY]
    where = f"{doc.file}:{doc.line_of((ZONE_KEY,))}: profile key '{ZONE_KEY}'"
    example = "write an IANA time zone name such as 'Asia/Shanghai' (the default, DingTalk's China Standard Time)"
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a time zone name, got {_kind(value)} {value!r}: {example}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(f"{where} is {value!r}, which is not a known time zone: {example}") from None


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict) and not value)


_HINTS = {"a string": "put the value in quotes", "a list": "write one '- item' line under the key per item"}


@cache
def _example_kinds(example: Path) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """The example's name and, per key, the kind of its value and (for a list) of its items."""
    data = _read(example, example.name).data
    kinds = {}
    for key, value in data.items():
        item_kind = _kind(value[0]) if isinstance(value, list) and value else None
        kinds[key] = (_kind(value), item_kind)
    return example.name, kinds


def _check_kinds(doc: YamlDocument, example: tuple[str, dict[str, tuple[str, str | None]]]) -> None:
    example_name, kinds = example
    for key, value in doc.data.items():
        if key not in kinds:
            continue
        kind, item_kind = kinds[key]
        places: list[tuple[tuple[str | int, ...], Any, str | None]] = [((key,), value, kind)]
        if isinstance(value, list):
            places += [((key, index), item, item_kind) for index, item in enumerate(value)]
        for at, found, wanted in places:
            if wanted is None or _kind(found) == wanted:
                continue
            name = "".join(f"[{part}]" if isinstance(part, int) else part for part in at)
            shown = repr(found) if isinstance(found, str | list | dict) else str(found)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            hint = _HINTS.get(wanted, f"see {example_name}")
            raise ConfigError(
                f"{doc.file}:{doc.line_of(at)}: profile key '{name}' must be {wanted} like in {example_name}, "
                f"got {_kind(found)} {shown}: {hint}"
            )


def _kind(value: Any) -> str:
    """The kind of a YAML value as a profile's reader would say it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


@cache
def documented_counts(example: Path = EXAMPLE_PROFILE) -> frozenset[str]:
    """The count keys the example profile documents under ``counts`` (each optional in a tenant's profile)."""
    data = _read(example, example.name).data if example.is_file() else {}
    counts = data.get("counts")
    return frozenset(counts) if isinstance(counts, dict) else frozenset()
