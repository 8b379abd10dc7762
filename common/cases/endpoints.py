"""The endpoints the spec documents (``data/spec/endpoints.yaml``): which of them write, and what they write.

A request to an endpoint flagged ``writes`` is a write whatever the case says: it makes a case writing (skipped on a
live tenant without the opt-in), and on a live target it must carry the run id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.cases.config_files import config_schema, read_config
from common.core.paths import ENDPOINT_SPEC

SPEC_FILE = ENDPOINT_SPEC


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint; ``writes`` says what a call does to the tenant (None: it only reads): ``create``,
    ``update``, ``delete`` or ``send`` (``schemas/config/endpoints.schema.json``)."""

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
    """The documented endpoints; raise ConfigError naming the file, line and field of each mistake."""
    doc = read_config(path, display or _shown(path), "the endpoint spec", config_schema("endpoints"))
    return [Endpoint(**entry) for entry in doc.data]


def writing_endpoints(path: Path = SPEC_FILE) -> dict[tuple[str, str], Endpoint]:
    """Every endpoint that writes, by ``(api, path)``."""
    return {(endpoint.api, endpoint.path): endpoint for endpoint in load_spec(path) if endpoint.writes}


def creating_endpoints(path: Path = SPEC_FILE) -> frozenset[tuple[str, str]]:
    """The ``(api, path)`` of every endpoint that creates something."""
    return frozenset(key for key, endpoint in writing_endpoints(path).items() if endpoint.creates)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(SPEC_FILE.parents[2]).as_posix()
    except ValueError:
        return path.as_posix()
