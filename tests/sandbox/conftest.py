"""Fixtures for the sandbox's own tests: one in-process sandbox per session, reset before every test that uses it."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox import SandboxConfig, SandboxServer
from sandbox.faults import FaultSettings
from sandbox.testing import FakeClock, SandboxClient
from sandbox.testing.seeded import seeded_tenant_copies

PROFILE = Path(__file__).resolve().parents[2] / "data" / "profiles" / "sandbox.yaml"


@pytest.fixture(scope="session", autouse=True)
def tenant_copies() -> Iterator[None]:
    """Every in-process sandbox of these tests seeds its tenant from a copy (test_seeded.py proves it the same)."""
    with seeded_tenant_copies():
        yield


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    """The session sandbox's clock; it only ever moves forward."""
    return FakeClock()


@pytest.fixture(scope="session")
def session_sandbox(clock: FakeClock) -> Iterator[SandboxServer]:
    """No QPS limit: the clock stands still, so every test's calls fall in one second (test_qps.py tests it)."""
    with SandboxServer(config=SandboxConfig(clock=clock, faults=FaultSettings(qps=0))) as server:
        yield server


@pytest.fixture
def sandbox(session_sandbox: SandboxServer) -> SandboxServer:
    """The session's sandbox, back to the seeded tenant with zero call counts (tests that do not use it skip the
    reset: rebuilding the tenant is most of what a small sandbox test costs)."""
    session_sandbox.state.reset()
    return session_sandbox


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
