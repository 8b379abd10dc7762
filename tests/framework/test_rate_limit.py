"""common.http.rate_limit: at most N calls per API in any second, counted across processes through files; the clock
and the sleep are injected, so nothing here waits for real."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from common.http.rate_limit import SharedRateLimiter
from tests.framework.fakes import FakeClock
from tests.framework.processes import FORK, run_in_processes

API = "http://127.0.0.1:9001/topapi/blackboard/get"
OTHER_API = "http://127.0.0.1:9001/topapi/blackboard/listids"


@dataclass
class SleepingClock:
    """A fake clock whose ``sleep`` moves it forward, and a record of every sleep."""

    clock: FakeClock

    def __post_init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def time(clock: FakeClock) -> SleepingClock:
    return SleepingClock(clock)


def limiter(tmp_path: Path, time: SleepingClock, limit: int = 3) -> SharedRateLimiter:
    return SharedRateLimiter(tmp_path, limit, window=1.0, clock=time.clock, sleep=time.sleep)


def test_calls_under_the_limit_do_not_wait(tmp_path: Path, time: SleepingClock) -> None:
    shared = limiter(tmp_path, time)
    assert [shared.acquire(API) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert time.slept == []


def test_the_call_over_the_limit_waits_until_the_oldest_leaves_the_window(tmp_path: Path, time: SleepingClock) -> None:
    shared = limiter(tmp_path, time)
    shared.acquire(API)
    time.clock.advance(0.25)
    shared.acquire(API)
    shared.acquire(API)
    assert shared.acquire(API) == pytest.approx(0.75)
    assert shared.acquire(API) == pytest.approx(0.25)  # now the second call (at 0.25) is the oldest in the window
    assert time.slept == pytest.approx([0.75, 0.25])


def test_each_api_has_its_own_limit(tmp_path: Path, time: SleepingClock) -> None:
    shared = limiter(tmp_path, time, limit=1)
    shared.acquire(API)
    assert shared.acquire(OTHER_API) == 0.0
    assert shared.acquire(API) == pytest.approx(1.0)


def test_limiters_on_the_same_directory_share_the_count(tmp_path: Path, time: SleepingClock) -> None:
    mine, theirs = limiter(tmp_path, time, limit=2), limiter(tmp_path, time, limit=2)
    mine.acquire(API)
    theirs.acquire(API)
    assert mine.acquire(API) == pytest.approx(1.0)


def test_the_wait_is_the_total_of_every_sleep(tmp_path: Path, time: SleepingClock) -> None:
    mine, theirs = limiter(tmp_path, time, limit=1), limiter(tmp_path, time, limit=1)
    mine.acquire(API)
    sleeps = iter([lambda: theirs.acquire(API), lambda: None])  # another process takes the place freed first

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        next(sleeps)()

    shared = SharedRateLimiter(tmp_path, 1, window=1.0, clock=time.clock, sleep=sleep)
    assert shared.acquire(API) == pytest.approx(2.0)
    assert time.slept == pytest.approx([1.0, 1.0])


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path, time: SleepingClock) -> None:
    limiter(tmp_path, time).acquire(API)
    [state] = tmp_path.glob("rate-*.json")
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_an_unreadable_state_file_counts_as_no_calls(tmp_path: Path, time: SleepingClock) -> None:
    shared = limiter(tmp_path, time, limit=1)
    shared.acquire(API)
    for state in tmp_path.glob("rate-*.json"):
        state.write_text("{not json")
    assert shared.acquire(API) == 0.0


def test_a_limit_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one call"):
        SharedRateLimiter(tmp_path, 0)


# ── several processes ───────────────────────────────────────────────────────────────────────────────
PROCESSES = 4
CALLS_EACH = 15
LIMIT = 10
START = 1000.0


@dataclass
class _Crowd:
    """Processes sharing one limiter directory and one clock that only their sleeps move forward."""

    directory: Path
    now: Any
    calls: Path

    def clock(self) -> float:
        return self.now.value

    def sleep(self, seconds: float) -> None:
        with self.now.get_lock():
            self.now.value += seconds

    def work(self) -> None:
        shared = SharedRateLimiter(self.directory, LIMIT, window=1.0, clock=self.clock, sleep=self.sleep)
        for _ in range(CALLS_EACH):
            shared.acquire(API)
            with self.calls.open("a") as handle:
                handle.write(f"{self.clock()!r}\n")


def test_processes_sharing_a_directory_stay_under_the_limit_together(tmp_path: Path) -> None:
    crowd = _Crowd(tmp_path, FORK.Value("d", START), tmp_path / "calls")
    run_in_processes(crowd.work, PROCESSES)
    assert len((tmp_path / "calls").read_text().split()) == PROCESSES * CALLS_EACH
    # 60 calls at 10 a second: the last ten cannot start before 5 s after the first ten, so the processes
    # must have slept at least that long between them (without the shared count nobody would sleep at all)
    assert crowd.now.value - START >= (PROCESSES * CALLS_EACH / LIMIT - 1) * 1.0
    # every sleeping process moves the shared clock on, so the last window may hold fewer than LIMIT calls
    [state] = tmp_path.glob("rate-*.json")
    assert 1 <= len(json.loads(state.read_text())) <= LIMIT
