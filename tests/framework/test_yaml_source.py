"""common.cases.yaml_source: YAML data plus the 1-based line of every key and list item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from common.cases.yaml_source import MAX_DEPTH, YamlSyntaxError, parse_yaml, read_yaml

NESTED = """\
# a comment on line 1
epic: E
cases:
  - id: first
    request:
      path: /a
      json:
        list: [1, 2]
  - id: second

    steps:
      - name: s
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("epic",), 2),
        (("cases",), 3),
        (("cases", 0), 4),
        (("cases", 0, "id"), 4),
        (("cases", 0, "request"), 5),
        (("cases", 0, "request", "path"), 6),
        (("cases", 0, "request", "json", "list"), 8),
        (("cases", 0, "request", "json", "list", 1), 8),
        (("cases", 1), 9),
        (("cases", 1, "steps"), 11),
        (("cases", 1, "steps", 0), 12),
        (("cases", 1, "steps", 0, "name"), 12),
    ],
)
def test_line_of_keys_and_items(path: tuple[str | int, ...], line: int) -> None:
    assert parse_yaml(NESTED, "f.yaml").line_of(path) == line


def test_the_data_is_the_plain_yaml_data() -> None:
    doc = parse_yaml(NESTED, "f.yaml")
    assert doc.file == "f.yaml"
    assert doc.data["cases"][0]["request"]["json"] == {"list": [1, 2]}
    assert doc.data["cases"][1] == {"id": "second", "steps": [{"name": "s"}]}


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("cases", 0, "request", "no-such-key"), 5),  # the nearest ancestor that has a line
        (("cases", 7), 3),
        (("nothing",), 2),  # the document itself starts on line 2
    ],
)
def test_line_of_an_unknown_path_is_its_nearest_ancestors(path: tuple[str | int, ...], line: int) -> None:
    assert parse_yaml(NESTED, "f.yaml").line_of(path) == line


def test_empty_document_has_no_data_and_no_lines() -> None:
    doc = parse_yaml("# only a comment\n", "f.yaml")
    assert doc.data is None
    assert doc.line_of(("anything",)) is None


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a: 1\nb: c: d\n", 2, "mapping values are not allowed"),
        ("a:\n  b: 1\n\tc: 2\n", 3, "tab"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
        ("x:\n  - 1\n  - 2\n  y: 3\n", 4, ""),
        ("a: 1\nb:\n  c: 1\n  c: 2\n", 4, "duplicate key 'c'"),
        ("a: *nothing\n", 1, "found undefined alias 'nothing'"),
        ("a: &x 1\nb: &x 2\n", 2, "second occurrence"),
        ("a: &x [1, *x]\n", 1, "is an alias inside its own anchor?"),
        ("a: 1\n---\nb: 2\n", 2, "but found another document"),
        ("? [a, b]\n: 1\n", 1, "a key must be a single value"),
        ("a:\n  <<: 5\n", 2, "a merge key (<<) needs a mapping or a list of mappings"),
    ],
    ids=[
        "mapping-in-value",
        "tab",
        "duplicate-top-key",
        "key-after-list",
        "duplicate-nested-key",
        "undefined-alias",
        "duplicate-anchor",
        "alias-in-itself",
        "two-documents",
        "list-key",
        "merge-a-number",
    ],
)
def test_syntax_errors_carry_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text, "f.yaml")
    assert raised.value.line == line
    assert problem in raised.value.problem
    assert "\n" not in raised.value.problem


def test_aliases_repeat_the_anchored_value() -> None:
    doc = parse_yaml("base: &ids [a, b]\ncopy: *ids\n", "f.yaml")
    assert doc.data == {"base": ["a", "b"], "copy": ["a", "b"]}
    assert doc.line_of(("copy",)) == 2


def test_merge_keys_bring_in_the_anchored_mapping() -> None:
    doc = parse_yaml("defaults: &d {page: 1, size: 30}\nquery:\n  <<: *d\n  extra: x\n", "f.yaml")
    assert doc.data["query"] == {"page": 1, "size": 30, "extra": "x"}


def test_a_mapping_may_override_a_merged_key() -> None:
    doc = parse_yaml("defaults: &d {page: 1, size: 30}\nquery:\n  <<: *d\n  size: 5\n", "f.yaml")
    assert doc.data["query"] == {"page": 1, "size": 5}
    assert doc.line_of(("query", "size")) == 4


def test_a_key_repeated_beside_a_merge_is_still_a_duplicate() -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml("d: &d {a: 1}\nq:\n  <<: *d\n  b: 1\n  b: 2\n", "f.yaml")
    assert (raised.value.line, raised.value.problem) == (5, "duplicate key 'b'")


@pytest.mark.parametrize("leaf", ["1", "[1]", "{b: 1}"])
def test_a_value_nested_past_the_depth_limit_is_refused_whatever_it_is(leaf: str) -> None:
    deepest = MAX_DEPTH if leaf == "1" else MAX_DEPTH - 1  # a list's or a mapping's own values sit one level deeper
    at_the_limit, past_it = ("{a: " * depth + leaf + "}" * depth for depth in (deepest, deepest + 1))
    assert parse_yaml(at_the_limit, "x.yaml").line_of(("a",) * deepest) == 1
    with pytest.raises(YamlSyntaxError, match=f"nested more than {MAX_DEPTH} levels deep"):
        parse_yaml(past_it, "x.yaml")


def test_read_yaml_uses_the_display_name(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: [1]\n", encoding="utf-8")
    doc = read_yaml(path, "shown/x.yaml")
    assert (doc.file, doc.data, doc.line_of(("a", 0))) == ("shown/x.yaml", {"a": [1]}, 1)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a:\n  b: 1\n\tc: 2\n", 3, 1),  # libyaml: "found a tab character that violates indentation"
        ("a:\n\tb: 1\n", 2, 1),  # libyaml: "found character that cannot start any token"
        ("- a\n-\tb\n", 2, 2),
        ("a:\n  - x\n  -\ty: 1\n", 3, 4),
        ("a: |\n\tx\n", 2, 1),  # libyaml: "found a tab character where an indentation space is expected"
    ],
    ids=["under-a-mapping", "first-indent", "after-a-dash", "after-a-nested-dash", "in-a-block-scalar"],
)
def test_a_tab_is_called_a_tab_with_its_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text, "f.yaml")
    assert (raised.value.line, raised.value.column) == (line, column)
    assert raised.value.problem == f"column {column} is a tab character: indent with spaces"


def test_other_syntax_errors_keep_pyyamls_words_and_give_the_column() -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml("a: 1\nb: c: d\n", "f.yaml")
    assert (raised.value.line, raised.value.column) == (2, 5)
    assert raised.value.problem == "mapping values are not allowed in this context"


def test_a_tab_inside_a_quoted_string_is_text() -> None:
    assert parse_yaml('a: "x\ty"\n', "f.yaml").data == {"a": "x\ty"}


# The reader builds data from the parser's events; PyYAML's own composer and constructor are the oracle.

ROOT = Path(__file__).resolve().parents[2]
ANCHORS_AND_MERGES = [
    "base: &ids [a, b]\ncopy: *ids\nnested: {again: *ids}\n",
    "d: &d {page: 1, size: 30}\nq:\n  <<: *d\n  size: 5\n",
    "a: &a {x: 1, y: {z: 2}}\nb: &b {x: 3, w: 4}\nc:\n  <<: [*a, *b]\n  v: 5\n",
    "a: &a {x: 1}\nb: &b {x: 2}\nc:\n  <<: *a\n  <<: *b\n",
    "c:\n  <<: {x: 1, y: [1, 2]}\n  z: 3\n",
    "list:\n  - &item {id: 1, tags: [x]}\n  - *item\n  - <<: *item\n    id: 2\n",
    "&top {a: 1}\n",
    "t: 2024-01-02\nn: ~\nb: yes\nf: 1.5\ni: 0x1F\ns: !!str 12\nbig: 1_000\n",
]
CORPUS_FILES = sorted([*(ROOT / "data").rglob("*.yaml"), *(ROOT / "tests" / "bad_cases").glob("*.yaml")])


def _pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _composed_lines(text: str) -> dict[tuple[Any, ...], int]:
    """The line of every path as PyYAML's composed nodes give it (merge keys flattened the way PyYAML does)."""
    loader = yaml.CSafeLoader(text)
    node = loader.get_single_node()
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            loader.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                walk(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if node is not None:
        walk(node, ())
    loader.dispose()
    return lines


def _readable(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
        _pyyaml(text)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    return text


@pytest.mark.parametrize("text", ANCHORS_AND_MERGES)
def test_anchors_aliases_and_merges_read_as_pyyaml_reads_them(text: str) -> None:
    doc = parse_yaml(text, "f.yaml")
    assert doc.data == _pyyaml(text)
    assert doc.lines == _composed_lines(text)


def test_an_alias_as_a_key_is_the_anchored_text_on_the_aliases_line() -> None:
    doc = parse_yaml("k: &k key\n*k : value\n", "f.yaml")
    assert doc.data == {"k": "key", "key": "value"}
    assert doc.line_of(("key",)) == 2


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_yaml_file_of_the_project_reads_as_pyyaml_reads_it(path: Path) -> None:
    text = _readable(path)
    if text is None:  # not YAML at all: its own tests say how it is refused
        with pytest.raises(YamlSyntaxError):
            read_yaml(path, path.name)
        return
    try:
        doc = parse_yaml(text, path.name)
    except YamlSyntaxError as error:  # PyYAML takes the last of two equal keys, and nests a value in itself
        assert "duplicate key" in error.problem or "alias inside its own anchor" in error.problem
        return
    assert doc.data == _pyyaml(text)
    assert doc.lines == _composed_lines(text)


_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.floats(allow_nan=False))
_DOCUMENTS = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(_DOCUMENTS, st.booleans(), st.booleans())
def test_any_document_reads_as_pyyaml_reads_it(data: Any, shared: bool, flow: bool) -> None:
    document = {"first": data, "again": data} if shared else data  # a shared value is dumped as anchor and alias
    text = yaml.dump(document, Dumper=yaml.SafeDumper, default_flow_style=flow, allow_unicode=True)
    doc = parse_yaml(text, "f.yaml")
    assert doc.data == _pyyaml(text)
    assert doc.lines == _composed_lines(text)
