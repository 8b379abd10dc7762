"""What a run wrote, as the server answered it: one line per successful write, shared by every worker of the run.

The end of a live run compares what the server reported created with what was deleted or swept, per kind of object,
so that its closing line says truthfully what the run left on the tenant.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LEDGER_FILE = "writes.jsonl"


@dataclass(frozen=True)
class WriteTally:
    """Successful writes per kind of object: created (or sent) and deleted."""

    created: Counter[str]
    deleted: Counter[str]


class WriteLedger:
    """Appends to ``writes.jsonl`` in the run directory, each line whole (O_APPEND), so that workers share it."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LEDGER_FILE

    def record(self, writes: str, object_kind: str) -> None:
        """Note one write the server accepted: ``writes`` is the endpoint's create, update, delete or send."""
        line = json.dumps({"writes": writes, "object": object_kind}, ensure_ascii=False) + "\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode())
        finally:
            os.close(descriptor)

    def tally(self) -> WriteTally:
        """Every write recorded so far, counted per kind of object."""
        created: Counter[str] = Counter()
        deleted: Counter[str] = Counter()
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry["writes"] in ("create", "send"):
                    created[entry["object"]] += 1
                elif entry["writes"] == "delete":
                    deleted[entry["object"]] += 1
        return WriteTally(created, deleted)
