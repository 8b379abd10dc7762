"""The tenant profile: a YAML mapping of the tenant's own ids that cases read as ``${profile.key}``.

A profile is checked against ``schemas/config/profile.schema.json``, to which the documented profile (the example,
``data/profiles/live.example.yaml``) adds its keys: a key it has must hold the same kind of value (string, number,
list, and the kind of the list's items) in every profile.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.cases.config_files import config_schema, read_config
from common.cases.templating import ZONE_KEY
from common.cases.yaml_schema import Describe
from common.cases.yaml_source import YamlDocument
from common.core.errors import ConfigError, Mistake, Source
from common.core.paths import EXAMPLE_PROFILE

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_WHAT = "the tenant profile"
_NOT_A_MAPPING = "a tenant profile is a YAML mapping of keys to the tenant's ids"
_IS_A_FOLDER = "is a folder, not a tenant profile (set DINGTALK_PROFILE to a YAML file)"
_NOT_FOUND = "tenant profile not found (set DINGTALK_PROFILE to an existing YAML file)"
_ZONE_HINT = "write an IANA time zone name such as 'Asia/Shanghai' (the default, DingTalk's China Standard Time)"
_KIND_OF_TYPE = {
    "string": "a string",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "a boolean",
}
_HINTS = {"a string": "put the value in quotes", "a list": "write one '- item' line under the key per item"}


def load_profile(path: Path, display: str, example: Path = EXAMPLE_PROFILE) -> dict[str, Any]:
    """Read a profile; raise ConfigError naming the file and, for each mistake, its line and key."""
    if path.is_dir():
        raise ConfigError.of([Mistake(Source(display), _IS_A_FOLDER)])
    if not path.is_file():
        raise ConfigError.of([Mistake(Source(display), _NOT_FOUND)])
    documented = example.is_file() and path.resolve() != example.resolve()
    schema = _schema_with_kinds(example) if documented else config_schema("profile")
    doc = read_config(path, display, _WHAT, schema, _describer(example.name))
    zone = _zone_mistake(doc)
    if zone is not None:
        raise ConfigError.of([zone])
    return doc.data


def _zone_mistake(doc: YamlDocument) -> Mistake | None:
    """The ``timezone`` key, when there is one, must name an IANA zone (the tenant's date-times are read in it)."""
    value = doc.data.get(ZONE_KEY)
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return Mistake(doc.source((ZONE_KEY,)), f"is {value!r}, which is not a known time zone: {_ZONE_HINT}")
    return None


@cache
def _schema_with_kinds(example: Path) -> dict[str, Any]:
    """The profile schema with, per key of the example, the kind of its value and (for a list) of its items."""
    schema = config_schema("profile")
    filled = {"$ref": "#/$defs/filled"}
    for key, value in _read_example(example).items():
        kind: dict[str, Any] = {"allOf": [filled]}
        json_type = _json_type(value)
        if json_type is not None:
            kind["type"] = [json_type, "null"]  # an empty value is told it has no value, by "filled"
        item_type = _json_type(value[0]) if isinstance(value, list) and value else None
        if item_type is not None:
            kind["items"] = {"type": item_type}
        schema["properties"].setdefault(key, kind)
    return schema


def _describer(example_name: str) -> Describe:
    """The profile's wording: not a mapping; a value of the wrong kind, with how to write the right one."""

    def describe(error: ValidationError) -> str | None:
        path = tuple(error.absolute_path)
        if "propertyNames" in error.schema_path:
            return None
        if not path and error.validator in ("type", "minProperties"):
            return _NOT_A_MAPPING
        if error.validator != "type":
            return None
        found = f"{_kind(error.instance)} {_shown(error.instance)}"
        if path == (ZONE_KEY,):
            return f"must be a time zone name, got {found}: {_ZONE_HINT}"
        wanted = _KIND_OF_TYPE[_first(error.validator_value)]
        return f"must be {wanted} like in {example_name}, got {found}: {_HINTS.get(wanted, f'see {example_name}')}"

    return describe


def _read_example(example: Path) -> dict[str, Any]:
    return read_config(example, example.name, _WHAT, config_schema("profile"), _describer(example.name)).data


def _first(types: str | list[str]) -> str:
    return types if isinstance(types, str) else types[0]


def _json_type(value: Any) -> str | None:
    """The JSON Schema type of a YAML value (None: a kind JSON has not, such as a date)."""
    for json_type, kinds in _JSON_TYPES:
        if isinstance(value, kinds):
            return json_type
    return None


_JSON_TYPES: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("boolean", bool),
    ("number", (int, float)),
    ("string", str),
    ("array", list),
    ("object", dict),
)


def _kind(value: Any) -> str:
    """The kind of a YAML value as a profile's reader would say it."""
    json_type = _json_type(value)
    return _KIND_OF_TYPE[json_type] if json_type is not None else f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    shown = repr(value) if isinstance(value, str | list | dict) else str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


@cache
def documented_counts(example: Path = EXAMPLE_PROFILE) -> frozenset[str]:
    """The count keys the example profile documents under ``counts`` (each optional in a tenant's profile)."""
    counts = _read_example(example).get("counts") if example.is_file() else None
    return frozenset(counts) if isinstance(counts, dict) else frozenset()
