"""common.dingtalk.token_cache: one fetch per run, shared through a locked 0600 file, refreshed on rejection."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from common.dingtalk.token_cache import IssuedToken, SharedTokenCache
from tests.framework.fakes import FakeClock
from tests.framework.processes import FORK, run_in_processes

LIFETIME = 7200.0
MARGIN = 60.0


@dataclass
class CountingFetch:
    """A token endpoint that issues ``t1``, ``t2``, … and counts its calls."""

    lifetime: float = LIFETIME
    issued: list[str] = field(default_factory=list)

    def __call__(self) -> IssuedToken:
        self.issued.append(f"t{len(self.issued) + 1}")
        return IssuedToken(self.issued[-1], self.lifetime)


@pytest.fixture
def fetch() -> CountingFetch:
    return CountingFetch()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "token.json"


def make_cache(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> SharedTokenCache:
    return SharedTokenCache(fetch, token_file, clock=clock, margin=MARGIN)


def test_many_gets_make_one_fetch(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> None:
    cache = make_cache(fetch, token_file, clock)
    assert [cache.get() for _ in range(10)] == ["t1"] * 10
    assert fetch.issued == ["t1"]


@pytest.mark.parametrize(
    ("elapsed", "token", "fetches"),
    [
        (0, "t1", 1),
        (LIFETIME - MARGIN - 1, "t1", 1),  # still valid for longer than the margin
        (LIFETIME - MARGIN + 1, "t2", 2),  # within the margin of expiry: replaced early
        (LIFETIME + 1, "t2", 2),  # expired
    ],
)
def test_a_token_is_refetched_when_it_nears_expiry(
    fetch: CountingFetch, token_file: Path, clock: FakeClock, elapsed: float, token: str, fetches: int
) -> None:
    cache = make_cache(fetch, token_file, clock)
    cache.get()
    clock.advance(elapsed)
    assert cache.get() == token
    assert len(fetch.issued) == fetches


def test_a_short_lived_token_is_renewed_a_quarter_of_its_life_early(token_file: Path, clock: FakeClock) -> None:
    fetch = CountingFetch(lifetime=4.0)  # shorter than the margin: the margin would make it stale from the start
    cache = make_cache(fetch, token_file, clock)
    assert [cache.get(), cache.get()] == ["t1", "t1"]
    clock.advance(2.9)
    assert cache.get() == "t1"
    clock.advance(0.2)
    assert cache.get() == "t2"
    assert fetch.issued == ["t1", "t2"]


def test_refresh_of_the_rejected_token_fetches_a_new_one(
    fetch: CountingFetch, token_file: Path, clock: FakeClock
) -> None:
    cache = make_cache(fetch, token_file, clock)
    assert cache.get() == "t1"
    assert cache.refresh("t1") == "t2"
    assert cache.get() == "t2"
    assert fetch.issued == ["t1", "t2"]


def test_refresh_takes_another_process_s_replacement_without_fetching(
    fetch: CountingFetch, token_file: Path, clock: FakeClock
) -> None:
    mine, theirs = make_cache(fetch, token_file, clock), make_cache(fetch, token_file, clock)
    assert mine.get() == theirs.get() == "t1"
    assert theirs.refresh("t1") == "t2"
    assert mine.refresh("t1") == "t2"
    assert fetch.issued == ["t1", "t2"]


def test_refresh_fetches_when_the_stored_replacement_has_expired(
    fetch: CountingFetch, token_file: Path, clock: FakeClock
) -> None:
    mine, theirs = make_cache(fetch, token_file, clock), make_cache(fetch, token_file, clock)
    mine.get()
    theirs.refresh("t1")
    clock.advance(LIFETIME)
    assert mine.refresh("t1") == "t3"


def test_caches_sharing_a_file_share_the_token(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> None:
    first, second = make_cache(fetch, token_file, clock), make_cache(fetch, token_file, clock)
    assert first.get() == "t1"
    assert second.get() == "t1"
    assert fetch.issued == ["t1"]


def test_a_cache_picks_up_a_token_renewed_by_another(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> None:
    first, second = make_cache(fetch, token_file, clock), make_cache(fetch, token_file, clock)
    first.get()
    clock.advance(LIFETIME)
    assert first.get() == "t2"
    assert second.get() == "t2"
    assert fetch.issued == ["t1", "t2"]


def test_the_token_file_is_readable_by_its_owner_only(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> None:
    make_cache(fetch, token_file, clock).get()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_an_unreadable_token_file_means_fetching(fetch: CountingFetch, token_file: Path, clock: FakeClock) -> None:
    token_file.write_text("not json")
    assert make_cache(fetch, token_file, clock).get() == "t1"


# ── several processes ───────────────────────────────────────────────────────────────────────────────
PROCESSES = 8


@dataclass
class _Race:
    """What the worker processes share: where fetches and results are written, and an event set once every
    worker has entered ``get()``; a fetch waits for it, so without the lock every worker would fetch."""

    token_file: Path
    fetches: Path
    results: Path
    entered: Any
    all_in: Any

    def fetch(self) -> IssuedToken:
        self.all_in.wait(timeout=30)
        with self.fetches.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return IssuedToken(f"token-of-{os.getpid()}", LIFETIME)

    def work(self) -> None:
        cache = SharedTokenCache(self.fetch, self.token_file)
        with self.entered.get_lock():
            self.entered.value += 1
            if self.entered.value == PROCESSES:
                self.all_in.set()
        token = cache.get()
        with self.results.open("a") as handle:
            handle.write(token + "\n")


def test_concurrent_processes_fetch_once(tmp_path: Path) -> None:
    race = _Race(tmp_path / "token.json", tmp_path / "fetches", tmp_path / "results", FORK.Value("i", 0), FORK.Event())
    run_in_processes(race.work, PROCESSES)
    fetchers = race.fetches.read_text().split()
    assert len(fetchers) == 1
    assert race.results.read_text().split() == [f"token-of-{fetchers[0]}"] * PROCESSES


@dataclass
class _Rejected:
    """Processes that all hold token ``t1`` and, once all are there, are told at once that it is rejected."""

    token_file: Path
    fetches: Path
    results: Path
    all_there: Any

    def fetch(self) -> IssuedToken:
        with self.fetches.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return IssuedToken(f"token-of-{os.getpid()}", 5.0)

    def work(self) -> None:
        cache = SharedTokenCache(self.fetch, self.token_file)
        self.all_there.wait(timeout=30)
        token = cache.refresh("t1")
        with self.results.open("a") as handle:
            handle.write(token + "\n")


def test_processes_told_at_once_that_the_token_is_rejected_fetch_one_replacement(tmp_path: Path) -> None:
    token_file = tmp_path / "token.json"
    SharedTokenCache(lambda: IssuedToken("t1", 5.0), token_file).get()
    race = _Rejected(token_file, tmp_path / "fetches", tmp_path / "results", FORK.Barrier(PROCESSES))
    run_in_processes(race.work, PROCESSES)
    fetchers = race.fetches.read_text().split()
    assert len(fetchers) == 1
    assert race.results.read_text().split() == [f"token-of-{fetchers[0]}"] * PROCESSES
