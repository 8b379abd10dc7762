"""common.cases.profile: the tenant profile is a mapping of filled-in ids; every problem names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.cases.profile import load_profile
from common.core.errors import ConfigError
from tests.framework.fakes import PROJECT


def load(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path, "data/profiles/mine.yaml")


def test_a_profile_is_its_mapping(tmp_path: Path) -> None:
    assert load(tmp_path, "# ids\nadmin_userid: m1\ntest_dept_id: 1\nusers: [a, b]\n") == {
        "admin_userid": "m1",
        "test_dept_id": 1,
        "users": ["a", "b"],
    }


@pytest.mark.parametrize("name", ["sandbox.yaml", "live.example.yaml"])
def test_the_checked_in_profiles_load(name: str) -> None:
    assert "admin_userid" in load_profile(PROJECT / "data" / "profiles" / name, name)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_profile(tmp_path / "nope.yaml", "data/profiles/nope.yaml")
    assert str(raised.value).startswith("data/profiles/nope.yaml: tenant profile not found")
    assert "DINGTALK_PROFILE" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\nb: [1, 2\n", 3), ("a: 1\nb: c: d\n", 2), ("a: 1\na: 2\n", 2)],
    ids=["unclosed-list", "mapping-in-value", "duplicate-key"],
)
def test_invalid_yaml_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert str(raised.value).startswith(f"data/profiles/mine.yaml:{line}: not valid YAML: ")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [("", ""), ("# nothing\n", ""), ("- a\n- b\n", ":1"), ("# ids\njust text\n", ":2"), ("{}\n", ":1")],
)
def test_a_profile_must_be_a_mapping(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert str(raised.value) == (
        f"data/profiles/mine.yaml{where}: a tenant profile is a YAML mapping of keys to the tenant's ids"
    )


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [("a: 1\nb:\n", "b", 2), ("a: 1\n\nc: ''\n", "c", 3), ("d: '   '\n", "d", 1), ("a: 1\ne: null\n", "e", 2)],
)
def test_an_empty_value_names_the_key_and_line(tmp_path: Path, text: str, key: str, line: int) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert str(raised.value) == f"data/profiles/mine.yaml:{line} {key}: has no value: fill it in"


@pytest.mark.parametrize(("text", "line", "field"), [("a: 1\nbad-key: x\n", 2, "bad-key"), ("1: x\n", 1, "[1]")])
def test_a_key_must_be_a_plain_name(tmp_path: Path, text: str, line: int, field: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert str(raised.value).startswith(f"data/profiles/mine.yaml:{line} {field}: ")
    assert str(raised.value).endswith("is not a plain name: use letters, digits and _, not starting with a digit")


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Tokyo", "UTC", "America/Los_Angeles"])
def test_a_timezone_is_an_iana_zone_name(tmp_path: Path, zone: str) -> None:
    assert load(tmp_path, f"admin_userid: m1\ntimezone: {zone}\n")["timezone"] == zone


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Asia/Beijing", "is 'Asia/Beijing', which is not a known time zone"),
        ("'UTC+8'", "is 'UTC+8', which is not a known time zone"),
        ("../../etc/passwd", "is '../../etc/passwd', which is not a known time zone"),
        ("8", "must be a time zone name, got a number 8"),
        ("[Asia/Shanghai]", "must be a time zone name, got a list ['Asia/Shanghai']"),
    ],
)
def test_an_unknown_timezone_is_one_line_naming_file_line_and_key(tmp_path: Path, value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, f"admin_userid: m1\n\ntimezone: {value}\n")
    assert str(raised.value).startswith(f"data/profiles/mine.yaml:3 timezone: {problem}: ")
    assert "'Asia/Shanghai'" in str(raised.value)
    assert "\n" not in str(raised.value)
