"""JSON Schemas under ``schemas/``: found by name, compiled once per process, errors as short lines.

A schema's name is its path below ``schemas/`` without ``.json``. An endpoint's own schemas follow
its path: ``oapi/topapi/blackboard/get`` for a success and, when the endpoint has its own error
shape, ``oapi/topapi/blackboard/get.error``; otherwise the API generation's ``oapi/error``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from common.cases.schema_predicate import SchemaCheck
from common.core.errors import ConfigError
from common.core.kept_files import KeptFiles
from common.core.paths import SCHEMA_CHECK_DIR

CASE_FORMAT = "case-format.schema"
METASCHEMA = "https://json-schema.org/draft/2020-12/schema"
"""The draft every schema is checked against (``Draft202012Validator``'s; a note of a passed check names it)."""
_FORMAT_SUFFIX = ".schema.json"
"""Schemas of the project's own YAML files (``case-format.schema.json``, ``config/*.schema.json``), not answers."""


class SchemaStore:
    """The response schemas of one checkout; each is read and compiled on first use only.

    Each is checked against JSON Schema's own metaschema first (about 8 ms a schema, in every process of a run),
    unless ``checked`` holds a note that these very bytes passed the check of this jsonschema."""

    def __init__(self, root: Path, checked: Path = SCHEMA_CHECK_DIR) -> None:
        self.root = root
        self._checked = KeptFiles(checked)
        self._names = frozenset(
            path.relative_to(root).with_suffix("").as_posix()
            for path in root.rglob("*.json")
            if not path.name.endswith(_FORMAT_SUFFIX)
        )
        self._validators: dict[str, SchemaCheck] = {}

    @property
    def names(self) -> frozenset[str]:
        """Every schema name available."""
        return self._names

    def has(self, name: str) -> bool:
        """True when a schema of that name exists."""
        return name in self._names

    def suggest(self, name: str) -> str | None:
        """The closest existing name, for 'did you mean' hints."""
        matches = difflib.get_close_matches(name, self._names, n=1, cutoff=0.6)
        return matches[0] if matches else None

    @staticmethod
    def success_schema(api: str, path: str) -> str:
        """The name of an endpoint's success schema."""
        return f"{api}{path}"

    def error_schema(self, api: str, path: str) -> str:
        """The name of an endpoint's error schema: its own if it has one, else its API generation's."""
        own = f"{api}{path}.error"
        return own if own in self._names else f"{api}/error"

    def validator(self, name: str) -> SchemaCheck:
        """The compiled validator of schema ``name``."""
        validator = self._validators.get(name)
        if validator is None:
            try:
                text = (self.root / f"{name}.json").read_bytes()
                schema = json.loads(text)
            except (OSError, ValueError) as exc:
                raise _unusable(name, exc) from None
            checker = f"jsonschema {_jsonschema_version()} {METASCHEMA}|".encode()
            note = hashlib.blake2b(checker + text, digest_size=16).hexdigest()
            if self._checked.read(note) is None:
                _check_schema(name, schema)
                self._checked.write(note, b"")
            validator = SchemaCheck(schema)
            self._validators[name] = validator
        return validator

    def problems(self, name: str, instance: Any) -> list[str]:
        """Every way ``instance`` breaks schema ``name``, one short line each; empty when it conforms."""
        errors = sorted(self.validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
        return [f"{_dotted(error.absolute_path)}: {_shorten(error.message)}" for error in errors]


def _check_schema(name: str, schema: Any) -> None:
    """Raise ConfigError unless ``schema`` is a JSON Schema by the metaschema (jsonschema loads here, when a run
    first meets a schema it has no note of, or when an answer first breaks one)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise _unusable(name, exc) from None


def _unusable(name: str, exc: Exception) -> ConfigError:
    return ConfigError(f"schemas/{name}.json: not a usable JSON Schema: {str(exc).splitlines()[0]}")


@functools.cache
def _jsonschema_version() -> str:
    return importlib.metadata.version("jsonschema")


def _dotted(path: Any) -> str:
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return "body" + text


def _shorten(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[:limit] + "…"
