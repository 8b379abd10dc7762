"""Tokens that expire mid-run, against an in-process sandbox on a hand-moved clock: each worker's call with the
expired token is refused, the token is replaced once for all of them, and every call is replayed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.dingtalk.api import ApiRequest, DingTalkClient
from common.dingtalk.run_client import run_client
from common.dingtalk.settings import load_settings
from common.http.masking import Masker
from common.http.requests_transport import HttpTransport
from sandbox import SandboxConfig, SandboxServer
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.faults import FaultSettings
from sandbox.testing import FakeClock
from tests.framework.fakes import PROJECT

TTL = 60
CATEGORIES = ApiRequest(
    "oapi", "POST", "/topapi/blackboard/category/list", {}, {"operation_userid": "manager4220"}, {}, Auth.TOKEN
)


@pytest.fixture
def server_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(server_clock: FakeClock) -> Iterator[SandboxServer]:
    config = SandboxConfig(clock=server_clock, token_ttl=TTL, faults=FaultSettings(qps=0))
    with SandboxServer(config=config) as server:
        yield server


def worker(sandbox: SandboxServer, token_file: Path, schemas: SchemaStore) -> tuple[DingTalkClient, HttpTransport]:
    """One worker's client, sharing ``token_file`` with the others; its own clock stands still (so it trusts its
    token until the server refuses it)."""
    environ = {
        "DINGTALK_TARGET": "live",
        "DINGTALK_OAPI_URL": sandbox.url,
        "DINGTALK_API_URL": sandbox.url,
        "DINGTALK_APPKEY": DEFAULT_APPKEY,
        "DINGTALK_APPSECRET": DEFAULT_APPSECRET,
        "DINGTALK_PROFILE": str(PROJECT / "data" / "profiles" / "sandbox.yaml"),
    }
    settings = load_settings(PROJECT, environ=environ)
    masker = Masker()
    transport = HttpTransport(settings.timeout, masker)
    transport.session.trust_env = False
    return run_client(settings, transport, masker, schemas, token_file, clock=FakeClock(0.0)), transport


def test_an_expired_token_is_replaced_once_for_every_worker(
    sandbox: SandboxServer, server_clock: FakeClock, tmp_path: Path, schemas: SchemaStore
) -> None:
    workers = [worker(sandbox, tmp_path / "token.json", schemas) for _ in range(3)]
    assert all(client.send(CATEGORIES).body["errcode"] == 0 for client, _ in workers)
    server_clock.advance(TTL + 1)
    answers = [client.send(CATEGORIES) for client, _ in workers]
    for _, transport in workers:
        transport.close()
    stats = sandbox.state.stats()
    assert [answer.body["errcode"] for answer in answers] == [0, 0, 0]
    assert [[earlier.body["sub_code"] for earlier in answer.history] for answer in answers] == [["40014"]] * 3
    assert stats["faults"]["token_expired"] == 1  # the sandbox counts the current token only; then it was replaced
    assert stats["calls"]["GET /gettoken"] == 2  # the first token, and one replacement for all three
