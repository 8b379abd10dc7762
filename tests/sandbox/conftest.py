"""Fixtures for the sandbox's own tests: one in-process sandbox per session, reset before every test."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox import SandboxConfig, SandboxServer
from sandbox.faults import FaultSettings
from sandbox.testing import FakeClock, SandboxClient

PROFILE = Path(__file__).resolve().parents[2] / "data" / "profiles" / "sandbox.yaml"


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    """The session sandbox's clock; it only ever moves forward."""
    return FakeClock()


@pytest.fixture(scope="session")
def sandbox(clock: FakeClock) -> Iterator[SandboxServer]:
    """No QPS limit: the clock stands still, so every test's calls fall in one second (test_qps.py tests it)."""
    with SandboxServer(config=SandboxConfig(clock=clock, faults=FaultSettings(qps=0))) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """Every test starts with the seeded tenant and zero call counts."""
    sandbox.state.reset()
    return sandbox


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[SandboxClient]:
    """A client holding a valid access token."""
    with requests.Session() as session:
        client = SandboxClient(sandbox.url, session)
        client.login()
        yield client


@pytest.fixture(scope="session")
def profile() -> dict[str, Any]:
    """The tenant profile the YAML cases use against the sandbox."""
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
