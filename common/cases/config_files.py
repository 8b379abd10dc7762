"""Reading the YAML files that describe a live tenant's safety (``data/live/safety.yaml``, ``data/live/sweep.yaml``)."""

from __future__ import annotations

from pathlib import Path

from common.cases.yaml_source import YamlDocument, YamlSyntaxError, read_yaml
from common.core.errors import ConfigError


def read_config(path: Path, display: str, what: str) -> YamlDocument:
    """Parse ``path``; raise ConfigError naming the file (and line) when it cannot be read or is not YAML."""
    try:
        return read_yaml(path, display)
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read {what}: {exc.strerror}") from None
    except YamlSyntaxError as exc:
        raise ConfigError(f"{display}:{exc.line}: not valid YAML: {exc.problem}") from None
