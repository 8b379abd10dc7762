"""YAML files of the checkout as test modules read them at collection, which every xdist worker repeats: through the
suite's own parse cache (``.dingtalk-cache/yaml/``), so that a worker reads a kept parse instead of parsing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.cases.yaml_cache import ParseCache
from common.core.paths import YAML_CACHE_DIR, shown

CHECKOUT_PARSES = ParseCache(YAML_CACHE_DIR)


def yaml_data(path: Path) -> Any:
    """The file's data as the suite reads it; YamlSyntaxError where it is not YAML."""
    return CHECKOUT_PARSES.read(path, shown(path)).data
