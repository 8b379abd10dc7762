"""common.dingtalk.settings: defaults, .env under the environment, and one clear line for every bad setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.core.errors import ConfigError
from common.dingtalk.settings import DEFAULT_API_URL, DEFAULT_OAPI_URL, SETTING_NAMES, load_settings
from tests.framework.fakes import PROJECT

SECRET = "app-secret-never-shown"
LIVE = {
    "DINGTALK_TARGET": "live",
    "DINGTALK_APPKEY": "dingappkey",
    "DINGTALK_APPSECRET": SECRET,
    "DINGTALK_PROFILE": "data/profiles/live.yaml",
}


def test_defaults_target_the_sandbox(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.target == "sandbox"
    assert settings.oapi_url == DEFAULT_OAPI_URL == "https://oapi.dingtalk.com"
    assert settings.api_url == DEFAULT_API_URL == "https://api.dingtalk.com"
    assert settings.profile_path == tmp_path / "data" / "profiles" / "sandbox.yaml"
    assert settings.timeout == 10.0
    assert settings.allow_writes is False


def test_dot_env_is_read_from_the_project_root(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "\n".join(f"{key}={value}" for key, value in LIVE.items()) + "\nDINGTALK_TIMEOUT=3\n"
    )
    settings = load_settings(tmp_path, environ={})
    assert (settings.target, settings.appkey, settings.appsecret) == ("live", "dingappkey", SECRET)
    assert settings.profile_path == tmp_path / "data" / "profiles" / "live.yaml"
    assert settings.timeout == 3.0


def test_the_environment_wins_over_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DINGTALK_TIMEOUT=3\nDINGTALK_OAPI_URL=http://127.0.0.1:1\n")
    settings = load_settings(tmp_path, environ={"DINGTALK_TIMEOUT": "7.5"})
    assert settings.timeout == 7.5
    assert settings.oapi_url == "http://127.0.0.1:1"


def test_an_absolute_profile_path_is_kept(tmp_path: Path) -> None:
    assert load_settings(tmp_path, environ={"DINGTALK_PROFILE": "/etc/p.yaml"}).profile_path == Path("/etc/p.yaml")


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_profile_on_the_sandbox_is_the_sandbox_profile(tmp_path: Path, blank: str) -> None:
    """CI systems pass an unset variable as an empty string."""
    settings = load_settings(tmp_path, environ={"DINGTALK_PROFILE": blank})
    assert settings.profile_path == tmp_path / "data" / "profiles" / "sandbox.yaml"


def test_urls_lose_their_trailing_slash(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={"DINGTALK_OAPI_URL": "http://127.0.0.1:8080/"})
    assert settings.base_url("oapi") + "/gettoken" == "http://127.0.0.1:8080/gettoken"
    assert settings.base_url("api") == DEFAULT_API_URL


@pytest.mark.parametrize("missing", ["DINGTALK_APPKEY", "DINGTALK_APPSECRET", "DINGTALK_PROFILE"])
@pytest.mark.parametrize("unset", ["absent", "blank"])
def test_live_needs_credentials_and_a_profile(tmp_path: Path, missing: str, unset: str) -> None:
    environ = {key: value for key, value in LIVE.items() if key != missing}
    if unset == "blank":
        environ[missing] = "  "
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ=environ)
    message = str(raised.value)
    assert message.startswith(f"{missing} is not set")
    assert "\n" not in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DINGTALK_TARGET", "prod"),
        ("DINGTALK_OAPI_URL", "oapi.dingtalk.com"),
        ("DINGTALK_OAPI_URL", "ftp://oapi.dingtalk.com"),
        ("DINGTALK_API_URL", "https:///v1.0"),
        ("DINGTALK_TIMEOUT", "abc"),
        ("DINGTALK_TIMEOUT", "0"),
        ("DINGTALK_TIMEOUT", "-1"),
        ("DINGTALK_TIMEOUT", "nan"),
        ("DINGTALK_TIMEOUT", "inf"),  # a timeout is always set
        ("DINGTALK_ALLOW_WRITES", "maybe"),
    ],
)
def test_a_bad_value_is_named_in_one_line(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={name: value})
    message = str(raised.value)
    assert message.startswith(f"{name}=")
    assert repr(value) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [("", False), ("0", False), ("false", False), ("no", False), ("off", False), ("1", True), ("true", True),
     ("yes", True), ("on", True), ("TRUE", True), (" 1 ", True)],
)  # fmt: skip
def test_allow_writes_flag(tmp_path: Path, raw: str, allowed: bool) -> None:
    assert load_settings(tmp_path, environ={"DINGTALK_ALLOW_WRITES": raw}).allow_writes is allowed


def test_the_secret_never_shows_in_repr_or_str(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ=LIVE)
    for text in (repr(settings), str(settings), f"{settings}", f"{[settings]}"):
        assert SECRET not in text
        assert "live" in text


def test_settings_survive_the_trip_through_the_environment(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={**LIVE, "DINGTALK_TIMEOUT": "2.5", "DINGTALK_ALLOW_WRITES": "1"})
    assert load_settings(tmp_path, environ=settings.to_environ()) == settings


def test_for_sandbox_points_both_hosts_at_the_sandbox(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ=LIVE).for_sandbox("http://127.0.0.1:5000", "key", "secret")
    assert (settings.base_url("oapi"), settings.base_url("api")) == ("http://127.0.0.1:5000",) * 2
    assert (settings.appkey, settings.appsecret, settings.target) == ("key", "secret", "live")


def test_every_setting_the_code_reads_is_a_known_name() -> None:
    """A name missing from SETTING_NAMES would make its own line in .env an error."""
    sources = [*(PROJECT / "common").rglob("*.py"), *(PROJECT / "sandbox").rglob("*.py")]
    read = {name for path in sources for name in re.findall(r'"DINGTALK_([A-Z_]+)"', path.read_text(encoding="utf-8"))}
    assert len(read) > 10
    assert read <= SETTING_NAMES
