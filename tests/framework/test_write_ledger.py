"""common.run.write_ledger and the live run's closing line: what the server reported created is compared with what was
deleted or swept, per kind of object, and "nothing was left behind" is said only when it is true."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from common.plugin.live import closing_line
from common.run.write_ledger import WriteLedger, WriteTally

REMOVABLE = {"announcement"}
NOT_REMOVABLE = {"report", "robot message"}


def tally(created: dict[str, int], deleted: dict[str, int] | None = None) -> WriteTally:
    return WriteTally(Counter(created), Counter(deleted or {}))


def test_workers_share_one_ledger_and_updates_count_for_nothing(tmp_path: Path) -> None:
    first, second = WriteLedger(tmp_path), WriteLedger(tmp_path)
    first.record("create", "announcement")
    second.record("update", "announcement")
    second.record("send", "robot message")
    first.record("delete", "announcement")
    counted = WriteLedger(tmp_path).tally()
    assert dict(counted.created) == {"announcement": 1, "robot message": 1}
    assert dict(counted.deleted) == {"announcement": 1}
    assert (tmp_path / "writes.jsonl").stat().st_mode & 0o777 == 0o600


def test_an_empty_ledger_tallies_nothing(tmp_path: Path) -> None:
    assert WriteLedger(tmp_path).tally() == tally({})


@pytest.mark.parametrize(
    ("written", "swept", "line"),
    [
        (tally({}), {}, "run R created nothing on the live tenant"),
        (
            tally({"announcement": 2}, {"announcement": 2}),
            {},
            "run R on the live tenant: created 2 announcements; deleted 2 announcements; nothing was left behind",
        ),
        (
            tally({"announcement": 2}, {"announcement": 1}),
            {"announcement": 1},
            "run R on the live tenant: created 2 announcements; deleted 1 announcement, swept 1 announcement; "
            "nothing was left behind",
        ),
        (
            tally({"announcement": 3}, {"announcement": 1}),
            {"announcement": 1},
            "run R on the live tenant: created 3 announcements; deleted 1 announcement, swept 1 announcement; "
            "LEFT BEHIND: 1 announcement: run `python -m common.live.sweep --run-id R` to remove what it can",
        ),
        (
            tally({"announcement": 1, "report": 2}, {"announcement": 1}),
            {},
            "run R on the live tenant: created 1 announcement, 2 reports; deleted 1 announcement; kept, as DingTalk "
            "cannot delete them (data/live/sweep.yaml): 2 reports carrying 'apitest R-'",
        ),
        (
            tally({"robot message": 1}),
            {},
            "run R on the live tenant: created 1 robot message; kept, as DingTalk cannot delete them "
            "(data/live/sweep.yaml): 1 robot message carrying 'apitest R-'",
        ),
        (
            tally({"calendar event": 1}),
            {},
            "run R on the live tenant: created 1 calendar event; LEFT BEHIND: 1 calendar event: "
            "run `python -m common.live.sweep --run-id R` to remove what it can",
        ),
    ],
)
def test_the_closing_line_says_what_was_created_and_removed(
    written: WriteTally, swept: dict[str, int], line: str
) -> None:
    assert closing_line("R", written, Counter(swept), REMOVABLE, NOT_REMOVABLE) == line
