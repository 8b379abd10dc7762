"""Reading YAML with the C loader while remembering the line of every key and list item."""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from common.core.errors import Mistake, Source

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

PathKey = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_VALUE_TAG = "tag:yaml.org,2002:value"
MAX_DEPTH = 100
MAX_VALUES = 200_000
"""Bounds on what a file may expand to: aliases can nest a value in itself or multiply it a billion times."""


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the 1-based line of each path inside it."""

    file: str
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def source(self, path: PathKey, base: PathKey = (), case: str | None = None) -> Source:
        """Where ``path`` is: its line, and its field named from ``base`` (e.g. the case it is in)."""
        return Source(self.file, self.line_of((*base, *path)), field_name(path), case)


def field_name(path: PathKey) -> str:
    """A path as users write it: ``cases[2].expect.errcode``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlSyntaxError(Exception):
    """The text is not valid YAML; carries the line (and, when known, the 1-based column) of the problem."""

    def __init__(self, line: int | None, problem: str, column: int | None = None) -> None:
        self.line = line
        self.problem = problem
        self.column = column
        super().__init__(problem)

    def mistake(self, file: str) -> Mistake:
        """The problem as a mistake of ``file``."""
        return Mistake(Source(file, self.line), f"not valid YAML: {self.problem}")


TAB_PROBLEM = "a tab character: indent with spaces"
"""What a tab where YAML wants spaces is called, instead of PyYAML's ``found character that cannot start any
token`` or ``found a tab character that violates indentation``."""


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document, recording the line of every mapping key and sequence item."""
    loader = _Loader(text)
    lines: dict[PathKey, int] = {}
    try:
        data = _EventReader(loader, lines).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        if mark is not None and _is_tab_at(text, mark.line, mark.column):
            raise YamlSyntaxError(line, f"column {column} is {TAB_PROBLEM}", column) from None
        raise YamlSyntaxError(line, f"{exc.problem or exc.context}", column) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, str(exc).splitlines()[0]) from None
    finally:
        loader.dispose()
    return YamlDocument(file=file, data=data, lines=lines)


def _is_tab_at(text: str, line: int, column: int) -> bool:
    """True when the character PyYAML stopped at is a tab (the C and the pure-Python parser word it differently)."""
    lines = text.splitlines()
    return line < len(lines) and lines[line][column : column + 1] == "\t"


def read_yaml(path: Path, display: str) -> YamlDocument:
    """Read and parse a YAML file; ``display`` is the name used in error messages."""
    return parse_yaml_bytes(path.read_bytes(), display)


def parse_yaml_bytes(data: bytes, display: str) -> YamlDocument:
    """Parse a YAML file's bytes, which must be UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(line, f"byte 0x{data[exc.start]:02x} is not UTF-8: save the file as UTF-8") from None
    return parse_yaml(text, display)


class _EventReader:
    """Builds the data of one document straight from the parser's events, noting the line of every path.

    PyYAML's composer would first build a node (and look up a tag) for every value: a tree as large as the file,
    alive until the data is built, which the garbage collector walks again and again. The events are read one
    at a time and dropped. Aliases repeat their anchor's value with its lines, merge keys (``<<: *defaults``)
    bring in a mapping's keys as PyYAML's ``flatten_mapping`` does, and a key repeated in one mapping is refused.
    """

    def __init__(self, loader: Any, lines: dict[PathKey, int]) -> None:
        self.loader = loader
        self.lines = lines
        self.anchors: dict[str, tuple[Any, list[tuple[PathKey, int]], yaml.Mark]] = {}
        """Each anchor's value, the lines inside it (relative to it) and where it starts."""
        self.pending: dict[str, yaml.Mark] = {}
        """Anchors whose value is still being read: an alias to one would nest the value in itself."""
        self.tags: dict[tuple[str, Any], str] = {}

    def document(self) -> Any:
        """The one document's data (None for an empty stream)."""
        self.loader.get_event()  # the stream's start
        if isinstance(self.loader.peek_event(), yaml.StreamEndEvent):
            return None
        self.loader.get_event()  # the document's start
        data = self.value(())
        self.loader.get_event()  # the document's end
        following = self.loader.peek_event()
        if not isinstance(following, yaml.StreamEndEvent):
            raise yaml.MarkedYAMLError(
                context="expected a single document in the stream",
                problem="but found another document",
                problem_mark=following.start_mark,
            )
        return data

    def value(self, path: PathKey) -> Any:
        """The value whose event comes next, read at ``path``."""
        event = self.loader.get_event()
        kind = type(event)  # the parser makes events of these exact classes
        if kind is yaml.AliasEvent:
            return self.alias(event, path)
        mark = event.start_mark
        if len(path) > MAX_DEPTH:
            raise _too_deep(mark)
        start = len(self.lines)
        self.lines[path] = mark.line + 1
        if start >= MAX_VALUES:  # every value is counted once per path to it, aliases included
            raise _too_many(mark)
        if event.anchor is not None:
            self.begin_anchor(event.anchor, mark)
        if kind is yaml.ScalarEvent:
            data = self.scalar(event)
        elif kind is yaml.SequenceStartEvent:
            data = self.sequence(path)
        else:
            data = self.mapping(path)
        if event.anchor is not None:
            del self.pending[event.anchor]
            self.anchors[event.anchor] = (data, self.lines_since(start, path), mark)
        return data

    def key(self) -> Any:
        """A mapping's key: a single value (``_MERGE`` for ``<<``)."""
        event = self.loader.get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent and event.anchor is None:
            return self.scalar(event)  # a text, number, date...: hashable
        mark = event.start_mark
        if kind is yaml.AliasEvent:
            data = self.alias(event, None)
        elif kind is yaml.ScalarEvent:
            self.begin_anchor(event.anchor, mark)
            data = self.scalar(event)
            del self.pending[event.anchor]
            self.anchors[event.anchor] = (data, [((), mark.line + 1)], mark)
        else:
            data = []
        if not isinstance(data, Hashable):
            raise yaml.MarkedYAMLError(
                problem="a key must be a single value, not a list or a mapping", problem_mark=mark
            )
        return data

    def begin_anchor(self, anchor: str, mark: yaml.Mark) -> None:
        if anchor in self.anchors or anchor in self.pending:
            first = self.anchors[anchor][2] if anchor in self.anchors else self.pending[anchor]
            raise yaml.MarkedYAMLError(
                context=f"found duplicate anchor {anchor!r}; first occurrence",
                context_mark=first,
                problem="second occurrence",
                problem_mark=mark,
            )
        self.pending[anchor] = mark

    def lines_since(self, start: int, path: PathKey) -> list[tuple[PathKey, int]]:
        """The lines noted since the dict held ``start`` of them (all inside ``path``), relative to ``path``."""
        return [(key[len(path) :], line) for key, line in itertools.islice(self.lines.items(), start, None)]

    def alias(self, event: yaml.AliasEvent, path: PathKey | None) -> Any:
        """The anchored value again, with its lines under ``path`` (a key's alias has none)."""
        name = event.anchor
        if name in self.pending:
            raise _too_deep(event.start_mark)
        if name not in self.anchors:
            raise yaml.MarkedYAMLError(problem=f"found undefined alias {name!r}", problem_mark=event.start_mark)
        data, inside, _ = self.anchors[name]
        if path is None:
            return data
        if len(path) + max(len(relative) for relative, _ in inside) > MAX_DEPTH:
            raise _too_deep(event.start_mark)
        for relative, line in inside:
            self.lines[(*path, *relative)] = line
        if len(self.lines) > MAX_VALUES:
            raise _too_many(event.start_mark)
        return data

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        """A plain string (most of a case file) as it is; anything else constructed by PyYAML."""
        tag = event.tag
        if tag is None or tag == "!":
            known = (event.value, event.implicit)
            tag = self.tags.get(known)
            if tag is None:
                tag = self.tags[known] = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in (_STR_TAG, _VALUE_TAG):
            return event.value
        if tag == _MERGE_TAG:
            return _MERGE
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        return self.loader.construct_object(node, deep=True)

    def sequence(self, path: PathKey) -> list[Any]:
        items: list[Any] = []
        while type(self.loader.peek_event()) is not yaml.SequenceEndEvent:
            items.append(self.value((*path, len(items))))
        self.loader.get_event()
        return items

    def mapping(self, path: PathKey) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[tuple[Any, list[tuple[PathKey, int]]]] = []
        while type(self.loader.peek_event()) is not yaml.MappingEndEvent:
            mark = self.loader.peek_event().start_mark
            key = self.key()
            if key is _MERGE:
                merged.append(self.merged(path))
                continue
            if key in result:
                raise yaml.MarkedYAMLError(problem=f"duplicate key '{key}'", problem_mark=mark)
            child = (*path, key)
            following = self.loader.peek_event()
            plain = type(following) is yaml.ScalarEvent and following.anchor is None
            if plain and len(child) <= MAX_DEPTH and len(self.lines) < MAX_VALUES:
                self.loader.get_event()  # a plain value, most of a case file, read here rather than by value()
                self.lines[child] = mark.line + 1
                result[key] = self.scalar(following)
                continue
            result[key] = self.value(child)
            self.lines[child] = mark.line + 1
        self.loader.get_event()
        return _with_merged(result, merged, path, self.lines) if merged else result

    def merged(self, path: PathKey) -> tuple[Any, list[tuple[PathKey, int]]]:
        """What a merge key brings: a mapping or a list of mappings, with the lines inside it (relative to it)."""
        at = (*path, _MERGE)
        mark = self.loader.peek_event().start_mark
        start = len(self.lines)
        value = self.value(at)
        inside = self.lines_since(start, at)
        for relative, _ in inside:
            del self.lines[(*at, *relative)]
        mappings = value if isinstance(value, list) else [value]
        if not all(isinstance(mapping, dict) for mapping in mappings):
            problem = "a merge key (<<) needs a mapping or a list of mappings"
            raise yaml.MarkedYAMLError(problem=problem, problem_mark=mark)
        return value, inside


class _Merge:
    """The key ``<<``: the value after it is merged into the mapping, not kept under a key."""

    def __repr__(self) -> str:
        return "<<"


_MERGE = _Merge()


def _with_merged(
    own: dict[Any, Any], merged: list[tuple[Any, list[tuple[PathKey, int]]]], path: PathKey, lines: dict[PathKey, int]
) -> dict[Any, Any]:
    """``own`` after the keys it lacks from the merged mappings, as PyYAML's ``flatten_mapping`` orders them (of
    a list of mappings the first that has a key gives it, of two merge keys the later), each such key with the
    lines of the mapping that gives it."""
    flattened: list[tuple[dict[Any, Any], list[tuple[PathKey, int]]]] = []
    for value, inside in merged:
        if isinstance(value, dict):
            flattened.append((value, [(relative, line) for relative, line in inside if relative]))
            continue
        items = [
            (mapping, [(relative[1:], line) for relative, line in inside if len(relative) > 1 and relative[0] == index])
            for index, mapping in enumerate(value)
        ]
        flattened += reversed(items)
    result: dict[Any, Any] = {}
    giver: dict[Any, int] = {}
    for position, (mapping, _) in enumerate(flattened):
        for key, item in mapping.items():
            result[key] = item
            giver[key] = position
    for position, (_, mapping_lines) in enumerate(flattened):
        for relative, line in mapping_lines:
            if relative[0] not in own and giver.get(relative[0]) == position:
                lines[(*path, *relative)] = line
    result.update(own)
    return result


def _too_deep(mark: yaml.Mark) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(
        problem=f"nested more than {MAX_DEPTH} levels deep (is an alias inside its own anchor?)", problem_mark=mark
    )


def _too_many(mark: yaml.Mark) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(
        problem=f"more than {MAX_VALUES} values once its aliases are expanded: use fewer anchors and aliases",
        problem_mark=mark,
    )
