"""Parsed case files kept between runs: a file whose bytes have not changed is not parsed again.

Parsing is most of what collecting a case file costs (PyYAML's C parser makes a Python object per event, about
a quarter of a second per 50,000 lines). The parse of a file, its data and the line of every path, depends on
its bytes and on the reader alone, so it is kept under a key made of both: the bytes, this Python, PyYAML and
the reader's own source. Everything else (the case format, templates, the profile and the endpoint spec the
cases are checked against) is checked afresh in every run. A cache file that cannot be read, or written, is
passed over: the case file is parsed as if there were none. A file that is not UTF-8 or not valid YAML is never
kept: its error is found again in every run.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

import yaml

from common.cases import yaml_source
from common.cases.yaml_source import PathKey, YamlDocument, parse_yaml_bytes
from common.core.kept_files import KeptFiles

_KEY_SIZE = 16


def _reader_fingerprint() -> bytes:
    """What else the parse depends on: the Python (marshal's format too), PyYAML, its C parser, our reader."""
    versions = f"{sys.version}|{marshal.version}|{yaml.__version__}|{yaml.__with_libyaml__}|"
    return versions.encode() + Path(yaml_source.__file__).read_bytes()


class ParseCache:
    """One cache file per case file (named after its path as users see it) in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.files = KeptFiles(folder)
        self._fingerprint = _reader_fingerprint()

    def read(self, path: Path, display: str) -> YamlDocument:
        """The file parsed, from the cache when its bytes are those kept there; else parsed and kept."""
        data = path.read_bytes()
        key = hashlib.blake2b(self._fingerprint + data, digest_size=_KEY_SIZE).digest()
        slot = f"{hashlib.blake2b(display.encode(), digest_size=8).hexdigest()}.marshal"
        kept = self._kept(slot, key)
        if kept is not None:
            return YamlDocument(display, *kept)
        doc = parse_yaml_bytes(data, display)
        self._keep(slot, key, doc)
        return doc

    def _kept(self, slot: str, key: bytes) -> tuple[Any, dict[PathKey, int]] | None:
        """The data and lines kept in ``slot`` under ``key`` (None: no such file, another key, or unreadable)."""
        blob = self.files.read(slot)
        if blob is None or blob[:_KEY_SIZE] != key:
            return None
        try:
            data, lines = marshal.loads(memoryview(blob)[_KEY_SIZE:])
        except (EOFError, ValueError, TypeError):
            return None
        return data, lines

    def _keep(self, slot: str, key: bytes, doc: YamlDocument) -> None:
        """Keep the parse in ``slot`` under ``key``."""
        try:
            blob = key + marshal.dumps((doc.data, doc.lines))
        except ValueError:  # a value marshal cannot write (a date, a timestamp): parsed in every run
            return
        self.files.write(slot, blob)
