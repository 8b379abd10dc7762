"""The endpoints the spec documents (``data/spec/endpoints.yaml``), and which of them create something."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.yaml_source import read_yaml

SPEC_FILE = Path(__file__).resolve().parent.parent / "data" / "spec" / "endpoints.yaml"


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint; ``creates`` when each call makes a new object (never sent twice by a retry)."""

    api: str
    method: str
    path: str
    group: str
    covered_by: str = ""
    creates: bool = False


def load_spec(path: Path = SPEC_FILE) -> list[Endpoint]:
    """The documented endpoints."""
    return [Endpoint(**entry) for entry in read_yaml(path, path.name).data]


def creating_endpoints(path: Path = SPEC_FILE) -> frozenset[tuple[str, str]]:
    """The ``(api, path)`` of every endpoint that creates something."""
    return frozenset((endpoint.api, endpoint.path) for endpoint in load_spec(path) if endpoint.creates)
