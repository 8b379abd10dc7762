"""The load generator counts every answer and every non-200 answer; its percentiles are ordered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.cases import bench_cases
from bench.loadgen import encoded_requests, measure
from common.cases.profile import load_profile
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile(ROOT / "data/profiles/sandbox.yaml", "sandbox.yaml")


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    server = SandboxServer().start()
    try:
        yield server.url
    finally:
        server.stop()


def _token(url: str) -> str:
    params = {"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}
    return requests.get(f"{url}/gettoken", params=params, timeout=5).json()["access_token"]


def test_answers_to_the_bench_requests_are_all_200(sandbox_url: str) -> None:
    load = measure(sandbox_url, encoded_requests(sandbox_url, _token(sandbox_url), bench_cases(4), PROFILE), 2, 0.2)
    assert load.requests >= 2
    assert load.failures == 0
    assert 0 < load.p50_ms <= load.p99_ms


def test_answers_other_than_200_are_counted_as_failures(sandbox_url: str) -> None:
    unknown = [b"GET /no/such/endpoint HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 0\r\n\r\n"]
    load = measure(sandbox_url, unknown, 1, 0.1)
    assert load.failures == load.requests >= 1
