"""Reading YAML with the C loader while remembering the line of every key and list item."""

from __future__ import annotations

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
    try:
        node = loader.get_single_node()
        lines: dict[PathKey, int] = {}
        data = None if node is None else _to_data(loader, node, (), lines)
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
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(line, f"byte 0x{data[exc.start]:02x} is not UTF-8: save the file as UTF-8") from None
    return parse_yaml(text, display)


def _to_data(loader: Any, node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if len(path) > MAX_DEPTH:
        raise yaml.MarkedYAMLError(
            problem=f"nested more than {MAX_DEPTH} levels deep (is an alias inside its own anchor?)",
            problem_mark=node.start_mark,
        )
    if len(lines) > MAX_VALUES:  # every value is walked once per path to it, aliases included
        raise yaml.MarkedYAMLError(
            problem=f"more than {MAX_VALUES} values once its aliases are expanded: use fewer anchors and aliases",
            problem_mark=node.start_mark,
        )
    if isinstance(node, yaml.MappingNode):
        own: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = _construct(loader, key_node)
            if key in own:
                raise yaml.MarkedYAMLError(problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark)
            own.add(key)
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            child = (*path, key)
            result[key] = _to_data(loader, value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(loader, item, (*path, index), lines) for index, item in enumerate(node.value)]
    return _construct(loader, node)


def _construct(loader: Any, node: yaml.Node) -> Any:
    """A key or a scalar: a plain string (most of a case file) straight from its node, anything else by PyYAML."""
    if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)
