"""common.live.sweep: data/live/sweep.yaml run against a hand-made tenant: what carries a run id is found and removed,
nothing else is touched, and what cannot be read or removed is reported, not skipped."""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from common.core.errors import ConfigError
from common.dingtalk.api import ApiRequest
from common.http.transport import Response
from common.live.sweep import Selection, Sweeper, SweepError, SweepSpec, duration, load_spec, report
from tests.framework.fakes import PROJECT, FakeClock, oapi_error, ok

SPEC = load_spec(PROJECT / "data" / "live" / "sweep.yaml")
CHINA = timezone(timedelta(hours=8))
RUN = "20240601093000-1a2b"
OTHER_RUN = "20240530120000-ffff"
PROFILE = {"admin_userid": "admin"}
BUSY = -1
NOT_FOUND = 400002


@dataclass
class Tenant:
    """Announcements by id (title, created seconds ago), answering listids, get and delete as DingTalk does."""

    clock: FakeClock
    boards: dict[str, tuple[str, float]]
    busy_reads: set[str] = field(default_factory=set)
    busy_deletes: set[str] = field(default_factory=set)
    gone_before_delete: set[str] = field(default_factory=set)
    contents: dict[str, str] = field(default_factory=dict)
    sent: list[ApiRequest] = field(default_factory=list)
    zone: tzinfo = CHINA
    """The zone the tenant writes ``gmt_create`` in: DingTalk's China time unless the test says otherwise."""

    def send(self, request: ApiRequest) -> Response:
        self.sent.append(request)
        if request.path == "/topapi/blackboard/listids":
            query = request.json["query_request"]
            start = (query["page"] - 1) * query["page_size"]
            return ok(result=sorted(self.boards)[start : start + query["page_size"]])
        assert request.json["operation_userid"] == "admin"
        board = request.json["blackboard_id"]
        if request.path == "/topapi/blackboard/get":
            return self._get(board)
        assert request.path == "/topapi/blackboard/delete"
        if board in self.busy_deletes:
            return oapi_error(BUSY)
        if board in self.gone_before_delete:
            self.boards.pop(board, None)
        if self.boards.pop(board, None) is None:
            return oapi_error(NOT_FOUND)
        return ok(result=True)

    def _get(self, board: str) -> Response:
        if board in self.busy_reads:
            return oapi_error(BUSY)
        if board not in self.boards:
            return oapi_error(NOT_FOUND)
        title, age = self.boards[board]
        created = datetime.fromtimestamp(self.clock() - age, self.zone).strftime("%Y-%m-%d %H:%M:%S")
        content = self.contents.get(board, "c")
        return ok(result={"id": board, "title": title, "content": content, "gmt_create": created})

    def deletes(self) -> list[str]:
        return [r.json["blackboard_id"] for r in self.sent if r.path == "/topapi/blackboard/delete"]


@pytest.fixture
def tenant(clock: FakeClock) -> Tenant:
    return Tenant(
        clock,
        {
            "b1": (f"apitest {RUN}-000001", 600.0),
            "b2": (f"apitest {RUN}-000002 edited", 7200.0),
            "b3": (f"apitest {OTHER_RUN}-000003", 7200.0),
            "b4": (f"apitest {OTHER_RUN}-000004", 60.0),
            "b5": (f"minutes of run {RUN}-000005", 7200.0),
            "b6": ("入职须知", 7200.0),
            "b7": ("apitest by hand", 7200.0),
        },
    )


def _sweeper(tenant: Tenant, spec: SweepSpec = SPEC) -> Sweeper:
    return Sweeper(spec, tenant.send, PROFILE, tenant.clock)


def test_a_run_id_sweep_removes_that_runs_objects_and_nothing_else(tenant: Tenant) -> None:
    outcome = _sweeper(tenant).sweep(Selection(run_id=RUN))

    assert sorted(leftover.id for leftover in outcome.removed) == ["b1", "b2"]
    assert outcome.failed == []
    assert sorted(tenant.deletes()) == ["b1", "b2"]
    assert sorted(tenant.boards) == ["b3", "b4", "b5", "b6", "b7"]
    assert {leftover.run_id for leftover in outcome.removed} == {RUN}


@pytest.mark.parametrize(
    ("selection", "removed"),
    [
        (Selection(older_than=3600.0), ["b2", "b3"]),
        (Selection(older_than=300.0), ["b1", "b2", "b3"]),
        (Selection(run_id=OTHER_RUN, older_than=30.0), ["b3", "b4"]),
        (Selection(run_id=RUN, older_than=3600.0), ["b2"]),
    ],
)
def test_an_age_sweep_removes_only_what_is_old_enough(tenant: Tenant, selection: Selection, removed: list[str]) -> None:
    outcome = _sweeper(tenant).sweep(selection)

    assert sorted(leftover.id for leftover in outcome.removed) == removed
    assert sorted(tenant.deletes()) == removed


def test_a_dry_run_names_what_it_would_remove_and_deletes_nothing(tenant: Tenant) -> None:
    outcome = _sweeper(tenant).sweep(Selection(run_id=RUN), dry_run=True)
    out = io.StringIO()
    report(outcome, SPEC, dry_run=True, out=out)

    assert tenant.deletes() == []
    assert len(tenant.boards) == 7
    assert out.getvalue().splitlines()[:3] == [
        f"would remove announcement b1 'apitest {RUN}-000001' (run {RUN})",
        f"would remove announcement b2 'apitest {RUN}-000002 edited' (run {RUN})",
        "sweep: would remove 2, could not remove 0",
    ]
    assert out.getvalue().splitlines()[3].startswith("not removable: report: DingTalk has no report (日志) delete API")


def test_every_page_is_walked(clock: FakeClock) -> None:
    tenant = Tenant(clock, {f"b{n:03}": (f"apitest {RUN}-{n:06}", 60.0) for n in range(65)})

    outcome = _sweeper(tenant).sweep(Selection(run_id=RUN))

    pages = [r.json["query_request"]["page"] for r in tenant.sent if r.path == "/topapi/blackboard/listids"]
    assert pages == [1, 2, 3]
    assert len(outcome.removed) == 65
    assert tenant.boards == {}


def test_what_cannot_be_read_or_removed_is_a_failure_and_the_rest_is_still_swept(tenant: Tenant) -> None:
    tenant.boards["b8"] = (f"apitest {RUN}-000008", 60.0)
    tenant.busy_reads.add("b1")
    tenant.busy_deletes.add("b2")

    outcome = _sweeper(tenant).sweep(Selection(run_id=RUN))

    assert [leftover.id for leftover in outcome.removed] == ["b8"]
    assert len(outcome.failed) == 2
    assert outcome.failed[0].startswith('announcement b1: /topapi/blackboard/get answered {"errcode": -1')
    assert outcome.failed[1].startswith(
        f"announcement b2 'apitest {RUN}-000002 edited' (run {RUN}): /topapi/blackboard/delete answered "
    )
    assert "b1" in tenant.boards and "b2" in tenant.boards


def test_an_object_already_gone_when_deleted_counts_as_removed(tenant: Tenant) -> None:
    tenant.gone_before_delete.add("b1")  # e.g. an earlier attempt did it and its answer was lost

    outcome = _sweeper(tenant).sweep(Selection(run_id=RUN))

    assert sorted(leftover.id for leftover in outcome.removed) == ["b1", "b2"]
    assert outcome.failed == []


@pytest.mark.parametrize("refusal", [oapi_error(90018), oapi_error(90018, result=["b1"])], ids=["bare", "with a list"])
def test_a_listing_the_tenant_refuses_stops_the_sweep_with_one_line(tenant: Tenant, refusal: Response) -> None:
    def refuse(request: ApiRequest) -> Response:
        return refusal

    with pytest.raises(SweepError) as caught:
        Sweeper(SPEC, refuse, PROFILE, tenant.clock).sweep(Selection(run_id=RUN))

    assert str(caught.value).startswith('sweep announcement: /topapi/blackboard/listids answered no list: {"errcode"')


def test_a_listing_that_never_ends_stops_the_sweep_at_max_pages(tmp_path: Path, tenant: Tenant) -> None:
    path, _ = _spec_with(tmp_path, "max_pages: 200", "max_pages: 3")
    listed: list[ApiRequest] = []

    def full_pages(request: ApiRequest) -> Response:
        listed.append(request)
        return ok(result=[f"b{n}" for n in range(30)])

    with pytest.raises(SweepError) as caught:
        Sweeper(load_spec(path), full_pages, PROFILE, tenant.clock).sweep(Selection(run_id=RUN))

    assert str(caught.value) == "sweep announcement: /topapi/blackboard/listids still had pages after max_pages=3"
    assert [request.json["query_request"]["page"] for request in listed] == [1, 2, 3]


def _spec_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The shipped spec with ``old`` replaced by ``new``, and the line of the change."""
    text = (PROJECT / "data" / "live" / "sweep.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sweep.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("(?P<run_id>", "(", "kinds[0].match: needs a named group (?P<run_id>...) around the run id"),
        ("'^apitest", "'^apitest (", "kinds[0].match: not a regular expression: "),
        ("label: [result.title,", "label: [result..title,", "kinds[0].read.label: "),
        ("page: json.query_request.page", "page: result", "kinds[0].list.page: the page number's place"),
        (
            'json: {blackboard_id: "${item}", operation_userid: "${profile.admin_userid}"}',
            'json: {blackboard_id: "${id}"}',
            "kinds[0].read.request.json: ${id} is not known here: use item, profile",
        ),
        ("max_pages: 200", "max_pages: many", "kinds[0].list.max_pages: must be an integer, got 'many'"),
        ("  - name: announcement\n", "  - name: [announcement]\n", "kinds[0].name: must be a string"),
        (
            "      created: result.gmt_create\n",
            "      utc_offset_hours: 8\n      created: result.gmt_create\n",
            "kinds[0].read.utc_offset_hours: is no longer read: created times are in the tenant's zone",
        ),
    ],
)
def test_a_malformed_spec_is_one_line(tmp_path: Path, old: str, new: str, error: str) -> None:
    path, line = _spec_with(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_spec(path, "sweep.yaml")
    assert str(caught.value).startswith(f"sweep.yaml:{line} {error}")
    assert "\n" not in str(caught.value)


def test_the_listing_window_is_china_time_whatever_the_machine_s_zone(tenant: Tenant) -> None:
    _sweeper(tenant).sweep(Selection(run_id=RUN), dry_run=True)

    # the fake clock is 2023-11-14 22:13:20 UTC: 2023-11-15 06:13:20 in China; 178 days back, one day ahead
    query = tenant.sent[0].json["query_request"]
    assert (query["start_time"], query["end_time"]) == ("2023-05-21 06:13:20", "2023-11-16 06:13:20")


def test_the_listing_window_stays_within_dingtalk_s_180_days_when_its_ends_are_read_a_second_apart(
    tenant: Tenant,
) -> None:
    readings = iter(range(10_000))

    def ticking() -> float:
        """One second later at every reading."""
        return tenant.clock() + next(readings)

    Sweeper(SPEC, tenant.send, PROFILE, ticking).sweep(Selection(run_id=RUN), dry_run=True)

    query = tenant.sent[0].json["query_request"]
    start, end = (datetime.strptime(query[key], "%Y-%m-%d %H:%M:%S") for key in ("start_time", "end_time"))
    assert end - start <= timedelta(days=180)  # listids refuses a longer window (errcode 400002)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Auckland", "Asia/Shanghai"])
@pytest.mark.parametrize(
    ("selection", "removed"),
    [(Selection(older_than=3600.0), ["b2", "b3"]), (Selection(older_than=300.0), ["b1", "b2", "b3"])],
)
def test_a_tenant_in_another_zone_is_read_in_its_profile_s_timezone(
    tenant: Tenant, zone: str, selection: Selection, removed: list[str]
) -> None:
    tenant.zone = ZoneInfo(zone)
    outcome = Sweeper(SPEC, tenant.send, {**PROFILE, "timezone": zone}, tenant.clock).sweep(selection)

    assert sorted(leftover.id for leftover in outcome.removed) == removed
    window = datetime.fromtimestamp(tenant.clock(), ZoneInfo(zone)) + timedelta(days=1)
    assert tenant.sent[0].json["query_request"]["end_time"] == window.strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30.0), ("45m", 2700.0), ("1h", 3600.0), ("2d", 172800.0)])
def test_durations(text: str, seconds: float) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["1", "h", "1.5h", "-1h", "1w"])
def test_a_bad_duration_says_what_to_write(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"use e\.g\. 30m, 1h, 2d"):
        duration(text)


def test_a_profile_without_what_the_spec_needs_is_one_line(tenant: Tenant) -> None:
    with pytest.raises(SweepError) as caught:
        Sweeper(SPEC, tenant.send, {}, tenant.clock).sweep(Selection(run_id=RUN))

    assert (
        str(caught.value) == "sweep announcement /topapi/blackboard/listids: undefined variable ${profile.admin_userid}"
    )
    assert tenant.sent == []


def test_an_announcement_whose_title_cannot_carry_the_run_id_is_found_by_its_content(clock: FakeClock) -> None:
    tenant = Tenant(clock, {"b1": (123, 600.0), "b2": (456, 600.0)}, contents={"b1": f"apitest {RUN}-00000a body"})  # type: ignore[dict-item]
    outcome = Sweeper(SPEC, tenant.send, PROFILE, clock).sweep(Selection(run_id=RUN))
    assert [leftover.id for leftover in outcome.removed] == ["b1"]
    assert tenant.deletes() == ["b1"]
