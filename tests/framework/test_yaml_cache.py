"""common.cases.yaml_cache: an unchanged case file is not parsed again, and nothing else is ever taken from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.cases import yaml_cache
from common.cases.yaml_cache import ParseCache
from common.cases.yaml_source import YamlDocument, YamlSyntaxError, read_yaml
from tests.spies import Calls, record_calls

CASES = """\
epic: E
defaults: &token
  auth: token
cases:
  - id: first
    request:
      <<: *token
      path: /a
      json: {flag: true, count: 1, ratio: 0.5, none: null, zero: 0, text: "1"}
  - id: second
    tags: [smoke, 2]
    request: *token
"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """The parses the cache has the real parser make: (bytes, name shown), in order."""
    return record_calls(monkeypatch, yaml_cache, "parse_yaml_bytes")


def parsed(parses: Calls) -> list[str]:
    return [shown for _, shown in parses]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def same(kept: YamlDocument, fresh: YamlDocument) -> None:
    """Equal data, types and key order included (``1`` is not ``True``), equal lines."""
    assert repr(kept.data) == repr(fresh.data)
    assert kept.data == fresh.data
    assert list(kept.lines.items()) == list(fresh.lines.items())
    assert kept.file == fresh.file


def test_an_unchanged_file_is_read_from_the_cache_as_it_was_parsed(tmp_path: Path, parses: Calls) -> None:
    path = write(tmp_path, "data/a.yaml", CASES)
    cache = ParseCache(tmp_path / "cache")
    first = cache.read(path, "data/a.yaml")
    again = ParseCache(tmp_path / "cache").read(path, "data/a.yaml")  # a later run
    assert parsed(parses) == ["data/a.yaml"]
    same(again, read_yaml(path, "data/a.yaml"))
    same(first, again)
    assert again.line_of(("cases", 0, "request", "auth")) == 3  # a merged key keeps its anchor's line


def test_a_file_is_shown_under_the_name_it_is_read_with(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", CASES)
    ParseCache(tmp_path / "cache").read(path, "data/a.yaml")
    assert ParseCache(tmp_path / "cache").read(path, "data/a.yaml").file == "data/a.yaml"


@pytest.mark.parametrize("edit", ["id: first", "count: 1", "auth: token"])
def test_a_changed_file_is_parsed_again(tmp_path: Path, parses: Calls, edit: str) -> None:
    path = write(tmp_path, "a.yaml", CASES)
    cache = ParseCache(tmp_path / "cache")
    cache.read(path, "a.yaml")
    changed = CASES.replace(edit, edit[:-1] + "X")  # same length: only the bytes tell
    path.write_text(changed, encoding="utf-8")
    doc = cache.read(path, "a.yaml")
    assert parsed(parses) == ["a.yaml", "a.yaml"]
    same(doc, read_yaml(path, "a.yaml"))


def test_another_reader_does_not_take_what_this_one_kept(tmp_path: Path, parses: Calls) -> None:
    """A new PyYAML, Python or reader (its source is in the fingerprint) parses again."""
    path = write(tmp_path, "a.yaml", CASES)
    ParseCache(tmp_path / "cache").read(path, "a.yaml")
    other = ParseCache(tmp_path / "cache")
    other._fingerprint += b"# the reader changed"
    other.read(path, "a.yaml")
    assert parsed(parses) == ["a.yaml", "a.yaml"]


def test_the_fingerprint_holds_the_readers_source() -> None:
    source = Path(yaml_cache.yaml_source.__file__).read_bytes()
    assert yaml_cache._reader_fingerprint().endswith(source)


def test_files_shown_under_other_names_keep_their_own_parse(tmp_path: Path, parses: Calls) -> None:
    one = write(tmp_path, "data/x/cases.yaml", CASES)
    two = write(tmp_path, "data/y/cases.yaml", CASES.replace("first", "premier"))
    cache = ParseCache(tmp_path / "cache")
    for _ in range(2):
        assert cache.read(one, "data/x/cases.yaml").data["cases"][0]["id"] == "first"
        assert cache.read(two, "data/y/cases.yaml").data["cases"][0]["id"] == "premier"
    assert parsed(parses) == ["data/x/cases.yaml", "data/y/cases.yaml"]


@pytest.mark.parametrize("damage", [lambda blob: blob[:-7], lambda blob: blob[:16] + b"\x00garbage", lambda blob: b""])
def test_a_damaged_cache_file_is_parsed_over(tmp_path: Path, parses: Calls, damage) -> None:
    path = write(tmp_path, "a.yaml", CASES)
    ParseCache(tmp_path / "cache").read(path, "a.yaml")
    (kept,) = (tmp_path / "cache").iterdir()
    kept.write_bytes(damage(kept.read_bytes()))
    doc = ParseCache(tmp_path / "cache").read(path, "a.yaml")
    assert parsed(parses) == ["a.yaml", "a.yaml"]
    same(doc, read_yaml(path, "a.yaml"))
    ParseCache(tmp_path / "cache").read(path, "a.yaml")  # the parse was kept again
    assert parsed(parses) == ["a.yaml", "a.yaml"]


def test_a_folder_that_cannot_be_written_only_costs_a_parse(tmp_path: Path, parses: Calls) -> None:
    path = write(tmp_path, "a.yaml", CASES)
    blocked = write(tmp_path, "not-a-folder", "")
    for _ in range(2):
        same(ParseCache(blocked / "cache").read(path, "a.yaml"), read_yaml(path, "a.yaml"))
    assert parsed(parses) == ["a.yaml", "a.yaml"]
    assert blocked.read_text() == ""


def test_a_value_marshal_cannot_keep_is_parsed_in_every_run(tmp_path: Path, parses: Calls) -> None:
    path = write(tmp_path, "a.yaml", "cases:\n  - id: dated\n    date: 2026-11-29\n")
    for _ in range(2):
        assert str(ParseCache(tmp_path / "cache").read(path, "a.yaml").data["cases"][0]["date"]) == "2026-11-29"
    assert parsed(parses) == ["a.yaml", "a.yaml"]
    assert not list((tmp_path / "cache").glob("*"))


@pytest.mark.parametrize(("text", "line"), [("cases:\n  - id: [\n", 3), (b"cases: \xff\n", 1)])
def test_a_file_in_error_says_so_in_every_run(tmp_path: Path, text: str | bytes, line: int) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    for _ in range(2):
        with pytest.raises(YamlSyntaxError) as raised:
            ParseCache(tmp_path / "cache").read(path, "a.yaml")
        assert raised.value.line == line
    assert not (tmp_path / "cache").exists()
