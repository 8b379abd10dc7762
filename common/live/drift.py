"""Contract drift: what live answers carry that their schemas do not say, as warnings that never fail a test.

Every answer of a live run (``DINGTALK_TARGET=live``, or ``--contract-drift`` on the sandbox) is also read against
a strict form of the schema it is checked against, derived from ``schemas/*.json`` at run time:

- ``unknown_field``: a field an object's schema does not list (where the schema lists properties and says nothing
  about ``additionalProperties``);
- ``new_enum``: a value outside a documented ``enum``;
- ``changed_type``: a value of another JSON type than the documented one;
- ``null``: null where a value of a documented type was expected;
- ``missing_field``: an optional documented property that an earlier run saw in the endpoint's success answers,
  and that no answer of this run carried although the object holding it came (its parent). An optional field that
  no run ever saw is not drift: it may be one this tenant never fills (a check-in without photos, coordinates
  DingTalk marks 暂未开放, ``success`` that many endpoints never send). Required fields are schema failures already.

On such runs a new enum value, a changed type and a null are warnings too: the schema check leaves them to this
reading (``DriftReadingSchemas``), and the cases' own assertions still judge the values they name.

Each process notes what it read in ``<run dir>/drift/<process>.json``; the controller merges them at the end into
``reports/drift.json`` (the record), compares it with ``reports/drift-history.json`` (every drift earlier runs saw,
and the optional fields they saw; kept between runs like Allure's trend history) and shows what is new.
``python -m common.live.drift`` lists the record and proposes each schema change as a unified diff (``--apply``).
"""

from __future__ import annotations

import argparse
import difflib
import fcntl
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.cases.schemas import SchemaStore, _dotted, _shorten
from common.core.paths import PROJECT_ROOT, REPORTS_DIR

RECORD_FILE = REPORTS_DIR / "drift.json"
HISTORY_FILE = REPORTS_DIR / "drift-history.json"
PROCESS_DIR = "drift"
TOLERATED = frozenset({"enum", "type"})
"""Schema keywords whose breach is drift (a warning) on a run that reads drift, not a failure."""
KIND_TEXT = {
    "unknown_field": "unknown field",
    "new_enum": "new enum value",
    "changed_type": "changed type",
    "null": "null where a value was documented",
    "missing_field": "documented field missing",
}
MAX_HISTORY_RUNS = 50
MAX_NOTIFIED = 5
"""How many new drifts the run notification lists."""


@dataclass(frozen=True)
class Finding:
    """One way an answer departs from the strict form of its schema; ``path`` uses ``[*]`` for every list item."""

    schema: str
    kind: str
    path: str
    expected: Any
    seen: Any

    @property
    def key(self) -> str:
        """What makes two findings the same drift: schema, kind, path and what was seen."""
        return json.dumps([self.schema, self.kind, self.path, self.seen], ensure_ascii=False, sort_keys=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": endpoint_of(self.schema),
            "schema": self.schema,
            "kind": self.kind,
            "path": self.path,
            "expected": self.expected,
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(data["schema"], data["kind"], data["path"], data.get("expected"), data.get("seen"))


@dataclass
class Reading:
    """What one answer shows: its findings, and the optional documented properties under objects that came."""

    findings: list[Finding] = field(default_factory=list)
    optional: set[str] = field(default_factory=set)
    """Paths of the optional documented properties of every object the answer held."""
    present: set[str] = field(default_factory=set)
    """Paths of the documented properties the answer carried."""


def endpoint_of(schema: str) -> str:
    """How the record names the endpoint a schema belongs to: ``/topapi/x/list (oapi)``, or its error answers."""
    api, _, rest = schema.partition("/")
    if rest == "error":
        return f"{api} error answers"
    if rest.endswith(".error"):
        return f"/{rest.removesuffix('.error')} ({api}) error answers"
    return f"/{rest} ({api})"


def is_success_schema(schema: str) -> bool:
    return not schema.endswith("error")


# ── the strict reading ────────────────────────────────────────────────────────────────────────────────────────


class StrictSchema:
    """The strict form of one schema, for reading many answers: each subschema is resolved once, when an answer
    first reaches it (so that a recursive schema unfolds only as deep as answers go)."""

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        self.name = name
        self._root = _StrictNode(document, document)

    def read(self, instance: Any) -> Reading:
        """What ``instance`` shows against the strict form; never raises for drift."""
        reading = Reading()
        self._walk(self._root, instance, "", reading)
        return reading

    def _walk(self, node: _StrictNode, value: Any, path: str, reading: Reading) -> None:
        if not node.usable:
            return
        if node.types is not None and json_type(value) not in node.accepted:
            kind = "null" if value is None else "changed_type"
            reading.findings.append(Finding(self.name, kind, _shown(path), list(node.types), json_type(value)))
            return
        if node.enum is not None and not any(_same(value, allowed) for allowed in node.enum):
            reading.findings.append(Finding(self.name, "new_enum", _shown(path), list(node.enum), value))
        if isinstance(value, dict):
            self._walk_object(node, value, path, reading)
        elif isinstance(value, list) and node.items is not None:
            items = node.child(node.items)
            for item in value:
                self._walk(items, item, f"{path}[*]", reading)

    def _walk_object(self, node: _StrictNode, value: dict[str, Any], path: str, reading: Reading) -> None:
        reading.optional.update(_child(path, prop) for prop in node.optional)
        for prop, item in value.items():
            child = _child(path, prop)
            if prop in node.properties:
                reading.present.add(child)
                self._walk(node.child(node.properties[prop]), item, child, reading)
            elif node.extra is not None:
                self._walk(node.child(node.extra), item, child, reading)
            elif node.lists_every_field:
                unknown = Finding(self.name, "unknown_field", child, "not in the schema", json_type(item))
                reading.findings.append(unknown)


class _StrictNode:
    """One subschema, its ``$ref`` resolved: what the strict reading asks of it, its subschemas' nodes made on first
    use (by the identity of the subschema: a schema file is read once and never changes)."""

    def __init__(self, document: Mapping[str, Any], schema: Any) -> None:
        self.document = document
        schema = _resolved(document, schema)
        self.usable = isinstance(schema, dict)
        schema = schema if isinstance(schema, dict) else {}
        self.types = _types(schema)
        types = self.types or []
        self.accepted = frozenset([*types, "integer"] if "number" in types else types)
        """The JSON types of a value that conforms to ``types`` (``integer`` is a ``number`` too)."""
        self.enum: list[Any] | None = schema.get("enum")
        self.properties = _properties(document, schema)
        required = schema.get("required", ())
        self.optional = [prop for prop in self.properties if prop not in required]
        extra = schema.get("additionalProperties")
        self.extra = extra if isinstance(extra, dict) else None
        """The schema of the fields the properties do not list, when it gives one."""
        self.lists_every_field = bool(self.properties) and extra in (None, True)
        """Any other field is unknown: the schema lists properties and says nothing about others."""
        items = schema.get("items")
        self.items = items if isinstance(items, dict) else None
        self._children: dict[int, _StrictNode] = {}

    def child(self, schema: Any) -> _StrictNode:
        """The node of one of this node's subschemas."""
        node = self._children.get(id(schema))
        if node is None:
            node = self._children[id(schema)] = _StrictNode(self.document, schema)
        return node


def _properties(document: Mapping[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The properties the schema documents, its own and those of its allOf/anyOf/oneOf parts."""
    found: dict[str, Any] = {}
    for part in (schema, *(p for key in ("allOf", "anyOf", "oneOf") for p in schema.get(key, ()))):
        part = _resolved(document, part)
        if isinstance(part, dict):
            for prop, sub in part.get("properties", {}).items():
                found.setdefault(prop, sub)
    return found


def _resolved(document: Mapping[str, Any], schema: Any) -> Any:
    """``schema`` with a local ``$ref`` (``#/$defs/x``) replaced by its target, its own keywords kept over it."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        target: Any = document
        for part in schema["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return schema
        schema = {**target, **{key: item for key, item in schema.items() if key != "$ref"}}
    return schema


def _types(schema: Mapping[str, Any]) -> list[str] | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return list(kind) if isinstance(kind, list) else None


def json_type(value: Any) -> str:
    """The JSON type of a decoded value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _same(value: Any, allowed: Any) -> bool:
    return isinstance(value, bool) == isinstance(allowed, bool) and value == allowed


def _child(path: str, prop: str) -> str:
    return f"{path}.{prop}" if path else prop


def _shown(path: str) -> str:
    return path or "$"


# ── the schema check of a run that reads drift ─────────────────────────────────────────────────────────────────


class DriftReadingSchemas(SchemaStore):
    """The schemas as a run that reads drift checks answers: a new enum value, a changed type or a null is left
    to the strict reading (a warning); every answer checked is read strictly and noted in ``log``."""

    def __init__(self, root: Path, log: DriftLog) -> None:
        super().__init__(root)
        self.log = log
        self._strict: dict[str, StrictSchema] = {}

    def problems(self, name: str, instance: Any) -> list[str]:
        validator = self.validator(name)
        errors = [error for error in validator.iter_errors(instance) if error.validator not in TOLERATED]
        errors.sort(key=lambda e: list(map(str, e.absolute_path)))
        strict = self._strict.get(name)
        if strict is None:
            strict = self._strict[name] = StrictSchema(name, validator.schema)
        self.log.note(name, strict.read(instance))
        return [f"{_dotted(error.absolute_path)}: {_shorten(error.message)}" for error in errors]


class DriftLog:
    """One process's reading of the run: findings and optional fields seen, per schema, saved as they change."""

    def __init__(self, file: Path | None, clock: Any = time.time) -> None:
        self.file = file
        self.clock = clock
        self.findings: dict[str, dict[str, Any]] = {}
        self.optional: dict[str, set[str]] = {}
        self.present: dict[str, set[str]] = {}

    def note(self, name: str, reading: Reading) -> None:
        """Keep what one answer to schema ``name`` showed; saved when it adds to what the process saw."""
        changed = False
        for finding in reading.findings:
            if finding.key not in self.findings:
                self.findings[finding.key] = {**finding.to_json(), "time": self.clock()}
                changed = True
        if is_success_schema(name):
            for store, paths in ((self.optional, reading.optional), (self.present, reading.present)):
                known = store.setdefault(name, set())
                if not paths <= known:
                    known |= paths
                    changed = True
        if changed:
            self.save()

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": list(self.findings.values()),
            "optional": {name: sorted(paths) for name, paths in self.optional.items()},
            "present": {name: sorted(paths) for name, paths in self.present.items()},
        }

    def save(self) -> None:
        if self.file is not None:
            write_json(self.file, self.to_json())


def process_file(run_dir: Path, process: str) -> Path:
    return run_dir / PROCESS_DIR / f"{process}.json"


# ── the run's record and the history ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RunDrift:
    """The run's record: every drift it saw (each with ``new`` and ``first_seen``), and the history after it."""

    entries: list[dict[str, Any]]
    history: dict[str, Any]

    @property
    def new(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry["new"]]


def merge_processes(run_dir: Path) -> dict[str, Any]:
    """The processes' readings merged: findings (earliest time kept), optional and present fields per schema."""
    findings: dict[str, dict[str, Any]] = {}
    optional: dict[str, set[str]] = {}
    present: dict[str, set[str]] = {}
    for file in sorted((run_dir / PROCESS_DIR).glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        for entry in data["findings"]:
            key = Finding.from_json(entry).key
            if key not in findings or entry["time"] < findings[key]["time"]:
                findings[key] = entry
        for store, part in ((optional, data["optional"]), (present, data["present"])):
            for name, paths in part.items():
                store.setdefault(name, set()).update(paths)
    return {"findings": findings, "optional": optional, "present": present}


def build_record(merged: Mapping[str, Any], history: Mapping[str, Any], run_id: str, now: float) -> RunDrift:
    """Compare the run with the history: what it saw, what is new, and the history updated with it."""
    findings = dict(merged["findings"])
    seen_before = {name: set(paths) for name, paths in history.get("seen_optional", {}).items()}
    for name, documented in merged["optional"].items():
        absent = documented - merged["present"].get(name, set())
        for path in sorted(absent & seen_before.get(name, set())):
            finding = Finding(name, "missing_field", path, "seen in earlier runs", "absent")
            findings.setdefault(finding.key, {**finding.to_json(), "time": now})
    known: dict[str, Any] = dict(history.get("drift", {}))
    entries = []
    for key, entry in sorted(findings.items(), key=lambda item: (item[1]["schema"], item[1]["path"], item[0])):
        earlier = known.get(key)
        first_seen = earlier["first_seen"] if earlier else {"run_id": run_id, "time": _iso(entry["time"])}
        record = {k: v for k, v in entry.items() if k != "time"}
        entries.append({**record, "first_seen": first_seen, "new": earlier is None})
        known.setdefault(key, {**record, "first_seen": first_seen})
    seen_optional = {name: set(paths) for name, paths in seen_before.items()}
    for name, documented in merged["optional"].items():
        seen_optional.setdefault(name, set()).update(documented & merged["present"].get(name, set()))
    runs = [*history.get("runs", []), {"run_id": run_id, "time": _iso(now), "drift": len(entries)}]
    updated = {
        "version": 1,
        "drift": known,
        "seen_optional": {name: sorted(paths) for name, paths in sorted(seen_optional.items())},
        "runs": runs[-MAX_HISTORY_RUNS:],
    }
    return RunDrift(entries, updated)


def record_json(drift: RunDrift, run_id: str) -> dict[str, Any]:
    return {"run_id": run_id, "new": len(drift.new), "drift": drift.entries}


def load_json(file: Path, default: Any) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError:
        return default


@contextmanager
def locked(file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<file>.lock`` (next to it) while the block runs."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_name(file.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_json(file: Path, data: Any) -> None:
    """Write whole or not at all (a reader never sees half a file)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(temporary, file)


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


# ── the end of a run: record, history, Allure; a shard's notes ──────────────────────────────────────────────────

NOTES_PREFIX = "drift-notes-"
RECORD_ATTACHMENT = "contract drift record (drift.json)"


def notes_json(merged: Mapping[str, Any]) -> dict[str, Any]:
    """A run's merged notes as one JSON document (a CI shard's, merged later by `common.live.drift --merge`)."""
    return {
        "findings": list(merged["findings"].values()),
        "optional": {name: sorted(paths) for name, paths in merged["optional"].items()},
        "present": {name: sorted(paths) for name, paths in merged["present"].items()},
    }


def merge_notes(files: Iterable[Path]) -> dict[str, Any]:
    """Several runs' (shards') notes merged as ``merge_processes`` merges one run's processes."""
    with tempfile.TemporaryDirectory() as folder:
        for number, file in enumerate(files):
            target = Path(folder) / PROCESS_DIR / f"{number}.json"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(file.read_bytes())
        return merge_processes(Path(folder))


def finish(
    merged: Mapping[str, Any], run_id: str, record_file: Path, history_file: Path, results: Path | None
) -> RunDrift:
    """Compare the run with the history, write the record and the history, attach the record to the Allure run."""
    with locked(history_file):  # two runs ending at once both land in the history
        history = load_json(history_file, {})
        drift = build_record(merged, history, run_id, time.time())
        write_json(history_file, drift.history)
    record = record_json(drift, run_id)
    write_json(record_file, record)
    if results is not None:
        attach_to_run(results, record)
    return drift


def attach_to_run(results: Path, record: Mapping[str, Any]) -> None:
    """The record as two attachments of the whole run (Allure's ``*-globals.json``): a table and the JSON.

    Allure 3's report shows them on its front page, under "Global Attachments"."""
    results.mkdir(parents=True, exist_ok=True)
    stamp = int(time.time() * 1000)
    table = f"{uuid.uuid4()}-attachment.md"
    data = f"{uuid.uuid4()}-attachment.json"
    (results / table).write_text(markdown(record), encoding="utf-8")
    (results / data).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    name = summary_lines(record, limit=0)[0]
    globals_file = {
        "attachments": [
            {"name": name, "source": table, "type": "text/markdown", "timestamp": stamp},
            {"name": RECORD_ATTACHMENT, "source": data, "type": "application/json", "timestamp": stamp},
        ],
        "errors": [],
    }
    (results / f"{uuid.uuid4()}-globals.json").write_text(json.dumps(globals_file, ensure_ascii=False), "utf-8")


def record_in_results(results: Path) -> dict[str, Any] | None:
    """The drift record attached to the Allure run in ``results`` (the latest, if several), or None."""
    found: list[tuple[int, Path]] = []
    for file in results.glob("*-globals.json"):
        try:
            attachments = json.loads(file.read_text(encoding="utf-8")).get("attachments", [])
        except (OSError, ValueError, AttributeError):
            continue
        for item in attachments:
            if isinstance(item, dict) and item.get("name") == RECORD_ATTACHMENT:
                found.append((int(item.get("timestamp") or 0), results / str(item.get("source"))))
    for _, file in sorted(found, reverse=True):
        record = load_json(file, None)
        if isinstance(record, dict) and isinstance(record.get("drift"), list):
            return record
    return None


# ── how drift is shown ─────────────────────────────────────────────────────────────────────────────────────────


def describe(entry: Mapping[str, Any]) -> str:
    """One line: the endpoint, the path and what changed."""
    kind, seen, expected = entry["kind"], entry["seen"], entry["expected"]
    if kind == "unknown_field":
        what = f"unknown field ({seen})"
    elif kind == "new_enum":
        what = f"new enum value {json.dumps(seen, ensure_ascii=False)} (documented: {_listed(expected)})"
    elif kind == "changed_type":
        what = f"changed type: {seen} (documented: {_listed(expected)})"
    elif kind == "null":
        what = f"null where {_listed(expected)} was documented"
    else:
        what = "documented field missing from every answer (earlier runs saw it)"
    return f"{entry['endpoint']} {entry['path']}: {what}"


def _listed(values: Any) -> str:
    items = values if isinstance(values, list) else [values]
    return ", ".join(json.dumps(item, ensure_ascii=False) if not isinstance(item, str) else item for item in items)


def summary_lines(drift: RunDrift | Mapping[str, Any], limit: int | None = None) -> list[str]:
    """``contract drift: N new (M in the record)`` and the new ones (the first ``limit``), of a run or a record."""
    entries = drift.entries if isinstance(drift, RunDrift) else drift["drift"]
    new = [entry for entry in entries if entry["new"]]
    head = f"contract drift: {len(new)} new ({len(entries)} in the record)"
    listed = [describe(entry) for entry in new[:limit]]
    if limit is not None and len(new) > limit:
        listed.append(f"… and {len(new) - limit} more")
    return [head, *listed]


def markdown(record: Mapping[str, Any]) -> str:
    """The record as the Allure attachment shows it."""
    entries = record["drift"]
    new = [entry for entry in entries if entry["new"]]
    lines = [
        f"# Contract drift of run {record['run_id']}: {len(new)} new, {len(entries)} in all",
        "",
        "Warnings, never failures: what live answers carried that their schemas do not say.",
        "`python -m common.live.drift` proposes the schema changes.",
        "",
        "| new | endpoint | path | drift | expected | seen | first seen |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        cells = [
            "NEW" if entry["new"] else "",
            entry["endpoint"],
            f"`{entry['path']}`",
            KIND_TEXT.get(entry["kind"], entry["kind"]),
            _listed(entry["expected"]),
            _listed(entry["seen"]),
            f"{entry['first_seen']['run_id']} ({entry['first_seen']['time']})",
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


# ── proposing schema changes ───────────────────────────────────────────────────────────────────────────────────


class CannotPropose(Exception):
    """The schema has no place for the change (a path through something it does not describe)."""


def propose(entries: Iterable[Mapping[str, Any]], schema_root: Path) -> dict[Path, tuple[str, str]]:
    """Each schema file the drift touches: its text now and with the changes (new property, wider enum or type)."""
    documents: dict[Path, Any] = {}
    originals: dict[Path, str] = {}
    for entry in entries:
        if entry["kind"] == "missing_field":
            continue  # an optional field may be absent: nothing in the schema to change
        file = schema_root / f"{entry['schema']}.json"
        if file not in documents:
            originals[file] = file.read_text(encoding="utf-8")
            documents[file] = json.loads(originals[file])
        try:
            _change(documents[file], entry)
        except CannotPropose:
            continue
    proposals = {}
    for file, document in documents.items():
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if text != originals[file]:
            proposals[file] = (originals[file], text)
    return proposals


def _change(document: dict[str, Any], entry: Mapping[str, Any]) -> None:
    kind, path, seen = entry["kind"], entry["path"], entry["seen"]
    if kind == "unknown_field":
        parent_path, _, name = path.rpartition(".")
        parent = _locate(document, parent_path)
        parent.setdefault("properties", {}).setdefault(name, {"type": seen})
        return
    target = _locate(document, "" if path == "$" else path)
    if kind == "new_enum":
        values = target.setdefault("enum", [])
        if not any(_same(seen, value) for value in values):
            values.append(seen)
    elif kind in ("changed_type", "null"):
        types = _types(target)
        if types is None:
            return
        if seen not in types:
            types.append(seen)
        target["type"] = types[0] if len(types) == 1 else types


def _locate(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The (resolved, editable) subschema at ``path`` (``a.b[*].c``)."""
    schema = _editable(document, document)
    for part in _parts(path):
        if part == "[*]":
            items = schema.get("items")
            if not isinstance(items, dict):
                raise CannotPropose(path)
            schema = _editable(document, items)
            continue
        owner = next(
            (p for p in _with_parts(document, schema) if part in p.get("properties", {})),
            None,
        )
        if owner is None:
            raise CannotPropose(path)
        schema = _editable(document, owner["properties"][part])
    return schema


def _with_parts(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, ()):
            if isinstance(part, dict):
                yield _editable(document, part)


def _editable(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The dict to edit for ``schema``: the ``$defs`` target of a reference, else the schema itself."""
    while isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        target: Any = document
        for part in schema["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            raise CannotPropose(schema["$ref"])
        schema = target
    return schema


def _parts(path: str) -> list[str]:
    parts: list[str] = []
    for dotted in filter(None, path.split(".")):
        name, _, rest = dotted.partition("[")
        if name:
            parts.append(name)
        parts += ["[*]"] * (rest.count("*]") if rest else 0)
    return parts


def unified_diffs(proposals: Mapping[Path, tuple[str, str]], root: Path) -> str:
    chunks = []
    for file, (before, after) in sorted(proposals.items()):
        shown = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        chunks += difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
        )
    return "".join(chunks)


# ── python -m common.live.drift ─────────────────────────────────────────────────────────────────────────────────────


def main(argv: Sequence[str] | None = None, out: Any = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m common.live.drift",
        description="List the contract drift of the last live run and propose the schema changes, to review.",
    )
    parser.add_argument("--record", type=Path, default=RECORD_FILE, help="the drift record (reports/drift.json)")
    parser.add_argument("--schemas", type=Path, default=PROJECT_ROOT / "schemas", help="the schemas directory")
    parser.add_argument("--new", action="store_true", help="only the drift that was new in that run")
    parser.add_argument("--apply", action="store_true", help="write the proposed changes into the schema files")
    parser.add_argument(
        "--merge",
        type=Path,
        action="append",
        metavar="DIR",
        help=f"first record a sharded run: merge the shards' {NOTES_PREFIX}*.json found in DIR (pytest "
        "--drift-notes-only writes them into the Allure results), compare with the history next to --record",
    )
    parser.add_argument("--run-id", help="with --merge: the run id the record names (e.g. the CI run's)")
    parser.add_argument("--results", type=Path, help="with --merge: attach the record to these Allure results")
    args = parser.parse_args(argv)
    if args.merge:
        notes = sorted(file for folder in args.merge for file in folder.rglob(f"{NOTES_PREFIX}*.json"))
        if not notes:
            folders = ", ".join(map(str, args.merge))
            print(f"contract drift: no {NOTES_PREFIX}*.json in {folders}: nothing read", file=out)
            return 0
        history_file = args.record.with_name(HISTORY_FILE.name)
        run_id = args.run_id or time.strftime("%Y%m%d%H%M%S")
        drift = finish(merge_notes(notes), run_id, args.record, history_file, args.results)
        print(f"{summary_lines(drift)[0]}, from {len(notes)} shard(s): {args.record}", file=out)
    record = load_json(args.record, None)
    if record is None:
        print(f"no drift record at {args.record}: a live run writes one (DINGTALK_TARGET=live)", file=out)
        return 0
    entries = [entry for entry in record["drift"] if entry["new"] or not args.new]
    print(f"contract drift of run {record['run_id']}: {len(entries)} listed, {record['new']} new", file=out)
    for entry in entries:
        first = entry["first_seen"]
        flag = "NEW " if entry["new"] else ""
        print(f"  {flag}{describe(entry)} (first seen in run {first['run_id']}, {first['time']})", file=out)
    proposals = propose(entries, args.schemas)
    if not proposals:
        print("no schema change to propose", file=out)
        return 0
    root = args.schemas.resolve().parent
    out.write(unified_diffs({file.resolve(): texts for file, texts in proposals.items()}, root))
    if args.apply:
        for file, (_, after) in proposals.items():
            file.write_text(after, encoding="utf-8")
        print(f"applied to {len(proposals)} schema file(s): review them with git diff", file=out)
    else:
        print("(review; --apply writes these changes)", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
