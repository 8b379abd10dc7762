"""The endpoints the spec documents (``data/spec/endpoints.yaml``): which of them write, and what they write.

A request to an endpoint flagged ``writes`` is a write whatever the case says: it makes a case writing (skipped on a
live tenant without the opt-in), and on a live target it must carry the run id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.cases.config_files import read_config
from common.cases.yaml_source import YamlDocument
from common.core.errors import ConfigError
from common.core.paths import ENDPOINT_SPEC

SPEC_FILE = ENDPOINT_SPEC
WRITE_KINDS = ("create", "update", "delete", "send")
"""What a writing endpoint does: ``create`` and ``send`` make something new with each call."""
_REQUIRED = ("api", "method", "path", "group")
_OPTIONAL = ("covered_by", "writes", "object")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint; ``writes`` says what a call does to the tenant (None: it only reads)."""

    api: str
    method: str
    path: str
    group: str
    covered_by: str = ""
    writes: str | None = None
    object: str = ""
    """What it writes, e.g. ``announcement``: the kind counted in a live run's closing line."""

    @property
    def creates(self) -> bool:
        """Each call makes a new object: never sent twice by a retry once it may have been received."""
        return self.writes in ("create", "send")


def load_spec(path: Path = SPEC_FILE, display: str | None = None) -> list[Endpoint]:
    """The documented endpoints; raise ConfigError naming the file, line and key of a malformed entry."""
    shown = display or _shown(path)
    doc = read_config(path, shown, "the endpoint spec")
    if not isinstance(doc.data, list) or not doc.data:
        raise ConfigError(f"{shown}: expected a list of endpoints, one mapping each ({{api, method, path, group}})")
    return [_endpoint(doc, index, entry) for index, entry in enumerate(doc.data)]


def writing_endpoints(path: Path = SPEC_FILE) -> dict[tuple[str, str], Endpoint]:
    """Every endpoint that writes, by ``(api, path)``."""
    return {(endpoint.api, endpoint.path): endpoint for endpoint in load_spec(path) if endpoint.writes}


def creating_endpoints(path: Path = SPEC_FILE) -> frozenset[tuple[str, str]]:
    """The ``(api, path)`` of every endpoint that creates something."""
    return frozenset(key for key, endpoint in writing_endpoints(path).items() if endpoint.creates)


def _endpoint(doc: YamlDocument, index: int, entry: Any) -> Endpoint:
    def error(key: str | None, problem: str) -> ConfigError:
        at = (index, key) if key else (index,)
        return ConfigError(f"{doc.file}:{doc.line_of(at)} [{index}]{'.' + key if key else ''}: {problem}")

    if not isinstance(entry, dict):
        raise error(None, "an endpoint is a mapping {api, method, path, group}")
    for key in entry:
        if key not in (*_REQUIRED, *_OPTIONAL):
            raise error(str(key), f"unknown key: allowed are {', '.join((*_REQUIRED, *_OPTIONAL))}")
    for key in _REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise error(key if key in entry else None, f"'{key}' is required, a non-empty string")
    if entry["api"] not in ("oapi", "api"):
        raise error("api", f"must be oapi or api, got {entry['api']!r}")
    if entry["method"] not in _METHODS:
        raise error("method", f"must be one of {', '.join(_METHODS)}, got {entry['method']!r}")
    writes = entry.get("writes")
    if writes is not None and writes not in WRITE_KINDS:
        raise error("writes", f"must be one of {', '.join(WRITE_KINDS)}, got {writes!r}")
    if writes is not None and not (isinstance(entry.get("object"), str) and entry["object"]):
        raise error("writes", "a writing endpoint names the kind of object it writes: add object: (e.g. announcement)")
    if writes is None and "object" in entry:
        raise error("object", "only a writing endpoint (writes: ...) names an object")
    return Endpoint(**entry)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(SPEC_FILE.parents[2]).as_posix()
    except ValueError:
        return path.as_posix()
