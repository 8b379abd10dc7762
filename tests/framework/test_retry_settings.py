"""The resilience settings: DINGTALK_RETRIES, DINGTALK_RETRY_BACKOFF and DINGTALK_QPS — defaults, values, and one
line naming the variable for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.core.errors import ConfigError
from common.dingtalk.settings import load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert (settings.retries, settings.retry_backoff, settings.qps) == (3, 0.2, 20)


def test_values_are_read_and_survive_the_trip_to_the_workers(tmp_path: Path) -> None:
    environ = {"DINGTALK_RETRIES": "5", "DINGTALK_RETRY_BACKOFF": "0.05", "DINGTALK_QPS": "7"}
    settings = load_settings(tmp_path, environ=environ)
    assert (settings.retries, settings.retry_backoff, settings.qps) == (5, 0.05, 7)
    assert load_settings(tmp_path, environ=settings.to_environ()) == settings


def test_zero_turns_retries_backoff_and_the_limiter_off(tmp_path: Path) -> None:
    environ = {"DINGTALK_RETRIES": "0", "DINGTALK_RETRY_BACKOFF": "0", "DINGTALK_QPS": "0"}
    settings = load_settings(tmp_path, environ=environ)
    assert (settings.retries, settings.retry_backoff, settings.qps) == (0, 0.0, 0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DINGTALK_RETRIES", "-1", "DINGTALK_RETRIES='-1' must be a whole number of retries (0: never retry), e.g. 3"),
        (
            "DINGTALK_RETRIES",
            "2.5",
            "DINGTALK_RETRIES='2.5' must be a whole number of retries (0: never retry), e.g. 3",
        ),
        ("DINGTALK_RETRIES", "three", "DINGTALK_RETRIES='three' must be a whole number"),
        ("DINGTALK_RETRIES", "٣", "DINGTALK_RETRIES='٣' must be a whole number"),
        ("DINGTALK_RETRY_BACKOFF", "-0.1", "DINGTALK_RETRY_BACKOFF='-0.1' must be 0 or more seconds, e.g. 0.2"),
        ("DINGTALK_RETRY_BACKOFF", "nan", "DINGTALK_RETRY_BACKOFF='nan' must be 0 or more seconds, e.g. 0.2"),
        ("DINGTALK_RETRY_BACKOFF", "fast", "DINGTALK_RETRY_BACKOFF='fast' must be 0 or more seconds"),
        (
            "DINGTALK_QPS",
            "20.5",
            "DINGTALK_QPS='20.5' must be a whole number of calls per second per API (0: no limit)",
        ),
        ("DINGTALK_QPS", "-20", "DINGTALK_QPS='-20' must be a whole number"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={name: value})
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_the_timeout_still_refuses_zero(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DINGTALK_TIMEOUT='0' must be a positive number of seconds"):
        load_settings(tmp_path, environ={"DINGTALK_TIMEOUT": "0"})
