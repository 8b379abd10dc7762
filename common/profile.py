"""The tenant profile: a YAML mapping of the tenant's own ids that cases read as ``${profile.key}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.errors import ConfigError
from common.yaml_source import YamlSyntaxError, read_yaml


def load_profile(path: Path, display: str) -> dict[str, Any]:
    """Read a profile; raise ConfigError naming the file and the problem."""
    if not path.is_file():
        raise ConfigError(f"{display}: tenant profile not found (set DINGTALK_PROFILE to an existing YAML file)")
    try:
        doc = read_yaml(path, display)
    except YamlSyntaxError as exc:
        raise ConfigError(f"{display}:{exc.line}: tenant profile is not valid YAML: {exc.problem}") from None
    if not isinstance(doc.data, dict) or not doc.data:
        raise ConfigError(f"{display}: a tenant profile is a YAML mapping of keys to the tenant's ids")
    for key, value in doc.data.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(f"{display}:{doc.line_of((key,))}: profile key {key!r} must be a plain name")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ConfigError(f"{display}:{doc.line_of((key,))}: profile key '{key}' has no value: fill it in")
    return doc.data
