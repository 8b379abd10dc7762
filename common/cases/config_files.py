"""Reading the YAML files the project is configured by (the endpoint spec, the tenant profile, the live rules, the
sweep spec): each is checked against its JSON Schema under ``schemas/config/`` as it is read, and every mistake of
a file is reported together, one line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common.cases.yaml_schema import Describe, compile_schema, schema_mistakes
from common.cases.yaml_source import YamlDocument, YamlSyntaxError, read_yaml
from common.core.errors import ConfigError, Mistake, Source
from common.core.paths import SCHEMA_DIR

CONFIG_SCHEMAS = SCHEMA_DIR / "config"


def config_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``schemas/config/<name>.schema.json``."""
    return json.loads((CONFIG_SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def read_config(
    path: Path, display: str, what: str, schema: dict[str, Any], describe: Describe | None = None
) -> YamlDocument:
    """Parse ``path`` and check it against ``schema``; raise ConfigError naming the file, and the line and field
    of each mistake, when it cannot be read, is not YAML or breaks the schema."""
    try:
        doc = read_yaml(path, display)
    except OSError as exc:
        raise ConfigError.of([Mistake(Source(display), f"cannot read {what}: {exc.strerror}")]) from None
    except YamlSyntaxError as exc:
        raise ConfigError.of([exc.mistake(display)]) from None
    mistakes = schema_mistakes(compile_schema(schema), doc, describe)
    if mistakes:
        raise ConfigError.of(mistakes)
    return doc
