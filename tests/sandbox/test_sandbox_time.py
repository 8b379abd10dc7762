"""The sandbox writes and reads `yyyy-MM-dd HH:mm:ss` in China time (UTC+8) whatever the machine's zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from sandbox.protocol.parameters import format_datetime, optional_datetime

MOMENT = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
IN_CHINA = "2023-11-15 06:13:20"


@pytest.fixture(params=["UTC", "Asia/Shanghai", "Pacific/Auckland", "America/Los_Angeles"])
def machine_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The machine's local time zone (TZ) for the duration of the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_date_times_are_written_in_china_time(machine_zone: str) -> None:
    assert format_datetime(MOMENT) == IN_CHINA


def test_date_times_are_read_in_china_time(machine_zone: str) -> None:
    assert optional_datetime({"start_time": IN_CHINA}, "start_time") == MOMENT
