"""common.cases.yaml_source: YAML data plus the 1-based line of every key and list item."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.cases.yaml_source import YamlSyntaxError, parse_yaml, read_yaml

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
    ],
    ids=["mapping-in-value", "tab", "duplicate-top-key", "key-after-list", "duplicate-nested-key"],
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
