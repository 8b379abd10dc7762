"""common.templating: ``${...}`` compiled once, rendered per step, with a fake clock for the time functions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from common.templating import Context, TemplateError, UndefinedVariable, compile_template
from tests.framework.fakes import START, FakeClock

VARIABLES: dict[str, Any] = {
    "n": 42,
    "flag": True,
    "off": False,
    "name": "bob",
    "ids": ["a", "b"],
    "profile": {"admin_userid": "manager1", "test_userids": ["u1", "u2"]},
    "nothing": None,
}
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def render(value: Any, clock: FakeClock | None = None) -> Any:
    return compile_template(value).render(Context(VARIABLES, clock or FakeClock()))


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("${n}", 42),
        ("${flag}", True),
        ("${nothing}", None),
        ("${ids}", ["a", "b"]),
        ("${profile}", VARIABLES["profile"]),
        ("${ids[0]}", "a"),
        ("${ids[-1]}", "b"),
        ("${profile.admin_userid}", "manager1"),
        ("${profile.test_userids[1]}", "u2"),
        ("${ n }", 42),
    ],
)
def test_a_whole_value_placeholder_keeps_the_type(source: str, rendered: Any) -> None:
    assert render(source) == rendered
    assert type(render(source)) is type(rendered)


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("id-${n}", "id-42"),
        ("${n}${n}", "4242"),
        ("${name} and ${profile.admin_userid}", "bob and manager1"),
        ("is ${flag}/${off}", "is true/false"),
        ("apitest ${name} edited", "apitest bob edited"),
        ("no placeholder", "no placeholder"),
        ("$n and $ and {n}", "$n and $ and {n}"),
    ],
)
def test_placeholders_inside_text_become_text(source: str, rendered: str) -> None:
    assert render(source) == rendered


def test_nested_values_render_throughout() -> None:
    source = {"req": {"id": "${n}", "users": "${profile.test_userids}", "list": ["${name}", 1, {"t": "x${n}"}]}}
    assert render(source) == {"req": {"id": 42, "users": ["u1", "u2"], "list": ["bob", 1, {"t": "x42"}]}}


def test_static_values_are_left_alone() -> None:
    source = {"a": [1, "two", {"b": None}]}
    template = compile_template(source)
    assert template.is_static
    assert template.render(Context({})) == source
    assert template.references == frozenset()


def test_references_and_variables() -> None:
    template = compile_template({"a": "${profile.admin_userid}", "b": ["${ids[0]}", "x ${n}"]})
    assert not template.is_static
    assert template.references == {("profile", "admin_userid"), ("ids", 0), ("n",)}
    assert template.variables == {"profile", "ids", "n"}


@pytest.mark.parametrize(
    ("source", "expected_ms"),
    [
        ("${now_ms()}", int(START * 1000)),
        ("${now_ms(-1d)}", int(START * 1000) - DAY_MS),
        ("${now_ms(+1h)}", int(START * 1000) + HOUR_MS),
        ("${now_ms(30m)}", int(START * 1000) + 30 * 60_000),
        ("${now_ms(-10s)}", int(START * 1000) - 10_000),
        ("${now_ms(-179d)}", int(START * 1000) - 179 * DAY_MS),
        ("${ now_ms( -1d ) }", int(START * 1000) - DAY_MS),
    ],
)
def test_now_ms_reads_the_injected_clock(source: str, expected_ms: int) -> None:
    assert render(source) == expected_ms


def test_now_ms_keeps_the_clock_s_milliseconds() -> None:
    assert render("${now_ms(-1d)}", FakeClock(1_700_000_000.5)) == 1_699_913_600_500


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC for the duration of the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # START is 2023-11-14 22:13:20 UTC
        ("${datetime()}", "2023-11-14 22:13:20"),
        ("${datetime(+1h)}", "2023-11-14 23:13:20"),
        ("${datetime(+2h)}", "2023-11-15 00:13:20"),
        ("${datetime(-1d)}", "2023-11-13 22:13:20"),
        ("from ${datetime(-10s)} on", "from 2023-11-14 22:13:10 on"),
    ],
)
def test_datetime_formats_the_injected_clock(source: str, expected: str) -> None:
    assert render(source) == expected


def test_functions_are_evaluated_at_each_render() -> None:
    clock = FakeClock()
    template = compile_template("${now_ms()}")
    first = template.render(Context({}, clock))
    clock.advance(5)
    assert template.render(Context({}, clock)) == first + 5000


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("${nope()}", "unknown function 'nope()': known are datetime, now_ms"),
        ("${now_ms(1y)}", "bad time offset '1y': use e.g. -179d, +1h, 30m, 10s"),
        ("${datetime(tomorrow)}", "bad time offset 'tomorrow': use e.g. -179d, +1h, 30m, 10s"),
        ("${now_ms(1.5h)}", "bad time offset '1.5h': use e.g. -179d, +1h, 30m, 10s"),
        ("abc ${n", "unclosed placeholder in 'abc ${n'"),
        ("${n} and ${", "unclosed placeholder in '${n} and ${'"),
        ("${}", "bad placeholder '${}': empty path"),
        ("${a..b}", "bad placeholder '${a..b}': malformed path 'a..b' at character 3"),
        ("${[0]}", "bad placeholder '${[0]}': must start with a variable name"),
    ],
)
def test_malformed_placeholders_fail_at_compile_time(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        compile_template({"deep": [source]})
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("${missing}", "missing"),
        ("x ${missing} y", "missing"),
        ("${profile.no_key}", "profile.no_key"),
        ("${ids[5]}", "ids[5]"),
        ("${n.x}", "n.x"),
    ],
)
def test_undefined_variables_fail_at_render_time(source: str, name: str) -> None:
    template = compile_template(source)
    with pytest.raises(UndefinedVariable) as raised:
        template.render(Context(VARIABLES, FakeClock()))
    assert raised.value.name == name
    assert str(raised.value) == f"undefined variable ${{{name}}}"
    assert isinstance(raised.value, TemplateError)
