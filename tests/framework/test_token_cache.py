"""common.dingtalk.token_cache, as the run's token flow uses it: one gettoken per run, shared through a locked 0600
file, replaced before it expires; several processes at once still make one gettoken."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from common.cases.schemas import SchemaStore
from common.dingtalk.api import DingTalkClient
from common.http.transport import OutgoingRequest, Response, json_answer
from tests.framework.fake_dingtalk import (
    GETTOKEN,
    LIFETIME,
    OAPI_REJECTION,
    FakeDingTalk,
    api_request,
    client_of,
    issued,
    path_of,
    token_of,
)
from tests.framework.fakes import FakeClock
from tests.framework.processes import FORK, run_in_processes

MARGIN = 60.0
Worker = Callable[[], DingTalkClient]
"""Makes one more worker's client."""


@pytest.fixture
def worker(dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore, clock: FakeClock) -> Worker:
    """Makes workers: clients of ``dingtalk`` sharing ``token_file`` and the hand-moved clock."""
    return lambda: client_of(dingtalk, token_file, schemas, clock=clock)


@pytest.mark.parametrize(
    ("elapsed", "token", "gettokens"),
    [
        (0, issued(1), 1),
        (LIFETIME - MARGIN - 1, issued(1), 1),  # still valid for longer than the margin
        (LIFETIME - MARGIN + 1, issued(2), 2),  # within the margin of expiry: replaced early
        (LIFETIME + 1, issued(2), 2),  # expired
    ],
)
def test_a_token_is_fetched_again_when_it_nears_expiry(
    dingtalk: FakeDingTalk, worker: Worker, clock: FakeClock, elapsed: float, token: str, gettokens: int
) -> None:
    client = worker()
    client.send(api_request())
    clock.advance(elapsed)
    client.send(api_request())
    assert dingtalk.tokens_sent()[-1] == token
    assert dingtalk.calls(GETTOKEN) == gettokens


def test_a_short_lived_token_is_renewed_a_quarter_of_its_life_early(
    dingtalk: FakeDingTalk, worker: Worker, clock: FakeClock
) -> None:
    dingtalk.lifetime = 4  # shorter than the margin: the margin would make it stale from the start
    client = worker()
    client.send(api_request())
    client.send(api_request())
    clock.advance(2.9)
    client.send(api_request())
    clock.advance(0.2)
    client.send(api_request())
    assert dingtalk.tokens_sent() == [issued(1), issued(1), issued(1), issued(2)]


def test_workers_sharing_the_file_share_the_token(dingtalk: FakeDingTalk, worker: Worker) -> None:
    first, second = worker(), worker()
    first.send(api_request())
    second.send(api_request("api"))
    assert dingtalk.tokens_sent() == [issued(1), issued(1)]
    assert dingtalk.calls(GETTOKEN) == 1


def test_a_worker_picks_up_a_token_renewed_by_another(dingtalk: FakeDingTalk, worker: Worker, clock: FakeClock) -> None:
    first, second = worker(), worker()
    first.send(api_request())
    clock.advance(LIFETIME)
    first.send(api_request())
    second.send(api_request())
    assert dingtalk.tokens_sent() == [issued(1), issued(2), issued(2)]
    assert dingtalk.calls(GETTOKEN) == 2


def test_a_replacement_that_expired_meanwhile_is_not_taken(
    dingtalk: FakeDingTalk, token_file: Path, schemas: SchemaStore, clock: FakeClock
) -> None:
    def slow_to_refuse(request: OutgoingRequest) -> Response:
        """``dingtalk``, whose refusals take longer than a token lives."""
        answer = dingtalk(request)
        if answer.body == OAPI_REJECTION:
            clock.advance(LIFETIME)
        return answer

    first = client_of(slow_to_refuse, token_file, schemas, clock=clock)
    second = client_of(dingtalk, token_file, schemas, clock=clock)
    first.send(api_request())
    dingtalk.revoke()
    second.send(api_request("api"))  # replaced by the second worker, stored in the file …
    first.send(api_request())  # … and expired by the time the first one's token is refused
    assert dingtalk.tokens_sent() == [issued(1), issued(1), issued(2), issued(1), issued(3)]


def test_the_token_file_is_readable_by_its_owner_only(worker: Worker, token_file: Path) -> None:
    worker().send(api_request())
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_an_unreadable_token_file_means_fetching(dingtalk: FakeDingTalk, worker: Worker, token_file: Path) -> None:
    token_file.write_text("not json")
    worker().send(api_request())
    assert dingtalk.tokens_sent() == [issued(1)]


# ── several processes ───────────────────────────────────────────────────────────────────────────────
PROCESSES = 8


def _append(path: Path, line: str) -> None:
    with path.open("a") as handle:
        handle.write(line + "\n")


def _issue(request: OutgoingRequest, fetches: Path) -> Response:
    """gettoken's answer in a worker process: a token named after the process, which is noted in ``fetches``."""
    _append(fetches, str(os.getpid()))
    body = {"errcode": 0, "errmsg": "ok", "access_token": f"token-of-{os.getpid()}", "expires_in": LIFETIME}
    return json_answer(request, body)


@dataclass
class _Race:
    """DingTalk as the worker processes share it: where gettoken's callers and the tokens sent are written, and an
    event set once every worker is about to send; gettoken waits for it, so without the lock every worker would ask."""

    token_file: Path
    schemas: SchemaStore
    fetches: Path
    results: Path
    entered: Any
    all_in: Any

    def __call__(self, request: OutgoingRequest) -> Response:
        if path_of(request) == GETTOKEN:
            self.all_in.wait(timeout=30)
            return _issue(request, self.fetches)
        _append(self.results, str(token_of(request)))
        return json_answer(request, {"errcode": 0, "errmsg": "ok"})

    def work(self) -> None:
        client = client_of(self, self.token_file, self.schemas)
        with self.entered.get_lock():
            self.entered.value += 1
            if self.entered.value == PROCESSES:
                self.all_in.set()
        client.send(api_request())


def test_concurrent_processes_make_one_gettoken(tmp_path: Path, schemas: SchemaStore) -> None:
    race = _Race(
        tmp_path / "token.json", schemas, tmp_path / "fetches", tmp_path / "results", FORK.Value("i", 0), FORK.Event()
    )
    run_in_processes(race.work, PROCESSES)
    fetchers = race.fetches.read_text().split()
    assert len(fetchers) == 1
    assert race.results.read_text().split() == [f"token-of-{fetchers[0]}"] * PROCESSES


@dataclass
class _Rejected:
    """DingTalk refusing the run's first token to processes that all sent it, once all of them have."""

    token_file: Path
    schemas: SchemaStore
    fetches: Path
    results: Path
    all_there: Any

    def __call__(self, request: OutgoingRequest) -> Response:
        if path_of(request) == GETTOKEN:
            return _issue(request, self.fetches)
        if token_of(request) == issued(1):
            self.all_there.wait(timeout=30)
            return json_answer(request, OAPI_REJECTION)
        _append(self.results, str(token_of(request)))
        return json_answer(request, {"errcode": 0, "errmsg": "ok"})

    def work(self) -> None:
        client_of(self, self.token_file, self.schemas).send(api_request())


def test_processes_told_at_once_that_the_token_is_rejected_make_one_gettoken(
    tmp_path: Path, schemas: SchemaStore
) -> None:
    token_file = tmp_path / "token.json"
    client_of(FakeDingTalk(), token_file, schemas).send(api_request())
    race = _Rejected(token_file, schemas, tmp_path / "fetches", tmp_path / "results", FORK.Barrier(PROCESSES))
    run_in_processes(race.work, PROCESSES)
    fetchers = race.fetches.read_text().split()
    assert len(fetchers) == 1
    assert race.results.read_text().split() == [f"token-of-{fetchers[0]}"] * PROCESSES
