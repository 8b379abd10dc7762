"""common.cases.templating: ``${...}`` compiled once, rendered per step, with a fake clock for the time functions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common.cases.templating import CHINA_TIME, Context, TemplateError, UndefinedVariable, compile_template, tenant_zone
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
        ("$${n}{x}", "$42{x}"),  # a "$" before a placeholder and a "{" after it open nothing
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


MACHINE_ZONES = ["UTC", "Asia/Shanghai", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]


@pytest.fixture(params=MACHINE_ZONES)
def machine_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The machine's local time zone (TZ) is one of several for the duration of the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # START is 2023-11-14 22:13:20 UTC, 2023-11-15 06:13:20 in China (UTC+8, no summer time)
        ("${datetime()}", "2023-11-15 06:13:20"),
        ("${datetime(+1h)}", "2023-11-15 07:13:20"),
        ("${datetime(-7h)}", "2023-11-14 23:13:20"),
        ("${datetime(-1d)}", "2023-11-14 06:13:20"),
        ("${datetime(-179d)}", "2023-05-20 06:13:20"),
        ("from ${datetime(-10s)} on", "from 2023-11-15 06:13:10 on"),
    ],
)
def test_datetime_is_china_time_whatever_the_machine_s_zone(machine_zone: str, source: str, expected: str) -> None:
    assert render(source) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Shanghai", "2023-11-15 06:13:20"),
        ("UTC", "2023-11-14 22:13:20"),
        ("Asia/Tokyo", "2023-11-15 07:13:20"),
        ("Asia/Kolkata", "2023-11-15 03:43:20"),
        ("Pacific/Auckland", "2023-11-15 11:13:20"),  # summer time there: UTC+13
        ("America/Los_Angeles", "2023-11-14 14:13:20"),  # winter time there: UTC-8
    ],
)
def test_datetime_renders_in_the_context_s_zone(machine_zone: str, zone: str, expected: str) -> None:
    context = Context(VARIABLES, FakeClock(), ZoneInfo(zone))
    assert compile_template("${datetime()}").render(context) == expected


@pytest.mark.parametrize(
    ("zone", "start", "rendered"),
    [
        # 2023-11-05 08:30 UTC is 01:30 summer time in Los Angeles; an hour later it is 01:30 winter time
        ("America/Los_Angeles", 1_699_173_000.0, ["2023-11-04 01:30:00", "2023-11-05 01:30:00", "2023-11-05 01:30:00"]),
        # 2023-09-23 13:30 UTC is 01:30 winter time in Auckland; an hour later it is 03:30 summer time
        ("Pacific/Auckland", 1_695_475_800.0, ["2023-09-23 01:30:00", "2023-09-24 01:30:00", "2023-09-24 03:30:00"]),
        # China keeps UTC+8 all year: a day and an hour are always 24 and 1 on the wall clock
        ("Asia/Shanghai", 1_699_173_000.0, ["2023-11-04 16:30:00", "2023-11-05 16:30:00", "2023-11-05 17:30:00"]),
    ],
)
def test_datetime_follows_the_zone_s_summer_time(zone: str, start: float, rendered: list[str]) -> None:
    context = Context({}, FakeClock(start), ZoneInfo(zone))
    sources = ["${datetime(-1d)}", "${datetime()}", "${datetime(+1h)}"]
    assert [compile_template(source).render(context) for source in sources] == rendered


def test_now_ms_does_not_depend_on_any_zone(machine_zone: str) -> None:
    for zone in (CHINA_TIME, ZoneInfo("UTC"), ZoneInfo("Pacific/Auckland")):
        assert compile_template("${now_ms(-1d)}").render(Context({}, FakeClock(), zone)) == int(START * 1000) - DAY_MS


def test_a_context_is_in_china_time_unless_told_otherwise() -> None:
    assert Context({}).zone == CHINA_TIME == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("profile", "zone"),
    [
        (None, "Asia/Shanghai"),
        ({}, "Asia/Shanghai"),
        ({"admin_userid": "manager1"}, "Asia/Shanghai"),
        ({"admin_userid": "manager1", "timezone": "Asia/Tokyo"}, "Asia/Tokyo"),
        ({"timezone": "UTC"}, "UTC"),
    ],
)
def test_the_tenant_zone_is_the_profile_s_timezone_else_china(profile: dict[str, Any] | None, zone: str) -> None:
    assert tenant_zone(profile) == ZoneInfo(zone)


def test_functions_are_evaluated_at_each_render() -> None:
    clock = FakeClock()
    template = compile_template("${now_ms()}")
    first = template.render(Context({}, clock))
    clock.advance(5)
    assert template.render(Context({}, clock)) == first + 5000


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "${nope()}",
            "unknown function 'nope()': known are chars, csv, datetime, now_ms, repeat (add your own with "
            "@template_function in functions.py)",
        ),
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


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("${chars(12)}", "012345678901"),
        ("apitest ${chars(3)}", "apitest 012"),
        ("${repeat(ids, 5)}", ["a", "b", "a", "b", "a"]),
        ("${repeat(one, 3)}", ["x", "x", "x"]),
        ("${repeat(word, 2)}", ["bob", "bob"]),  # a text is one value, not a list of letters
        ("${repeat(n, 2)}", [42, 42]),
        ("${repeat(empty, 2)}", [[], []]),  # an empty list is one value too: there are no items to cycle
        ("${chars(1)}", "0"),
    ],
)
def test_functions_that_make_values_of_a_size(source: str, rendered: Any) -> None:
    context = Context({"ids": ["a", "b"], "one": "x", "word": "bob", "n": 42, "empty": []})
    assert compile_template(source).render(context) == rendered


def test_chars_over_a_limit_is_the_limit_plus_one() -> None:
    assert len(compile_template("${chars(1001)}").render(Context({}))) == 1001


def test_the_largest_size_is_a_million() -> None:
    assert len(compile_template("${chars(1000000)}").render(Context({}))) == 1_000_000


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("${chars(0)}", "'0' is not a size: write a whole number from 1 to 1000000"),
        ("${chars(x)}", "'x' is not a size"),
        ("${repeat(5)}", "repeat(5) needs a variable and a size"),
        ("${repeat(ids, 2000000)}", "'2000000' is not a size"),
    ],
)
def test_sizes_are_checked_at_compile_time(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        compile_template(source)
    assert message in str(raised.value)


def test_a_repeated_variable_is_a_reference_the_loader_checks() -> None:
    assert compile_template("${repeat(profile.test_userids, 1001)}").references == {("profile", "test_userids")}


def test_a_sum_of_lists_joins_them_in_order() -> None:
    template = compile_template("${ids + profile.test_userids + ids}")
    assert template.render(Context(VARIABLES)) == ["a", "b", "u1", "u2", "a", "b"]
    assert template.references == {("ids",), ("profile", "test_userids")}
    assert VARIABLES["ids"] == ["a", "b"]  # the lists joined are left as they were


def test_a_sum_with_a_term_that_is_no_list_fails_when_rendered() -> None:
    with pytest.raises(TemplateError) as raised:
        compile_template("${ids + n}").render(Context(VARIABLES))
    assert str(raised.value) == "${n} is not a list, so it cannot be joined with +: 42"


def test_a_sum_with_an_undefined_term_names_it() -> None:
    with pytest.raises(UndefinedVariable) as raised:
        compile_template("${ids + missing}").render(Context(VARIABLES))
    assert raised.value.name == "missing"
