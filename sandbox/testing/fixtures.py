"""pytest fixtures for tests that need a sandbox with faults (`-p sandbox.testing.fixtures` or `pytest_plugins`).

Like pytest-httpserver: one sandbox for the session, and a per-test handle that changes its faults and puts
everything back after the test.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from sandbox.server import SandboxServer
from sandbox.testing.clients import SandboxFaults, sandbox_with_faults


@pytest.fixture(scope="session")
def faults_sandbox() -> Iterator[SandboxServer]:
    """An in-process sandbox for the session, on a free loopback port, with the default settings."""
    with sandbox_with_faults() as server:
        yield server


@pytest.fixture
def sandbox_faults(faults_sandbox: SandboxServer) -> Iterator[SandboxFaults]:
    """Set this test's faults (`sandbox_faults.set(busy=1.0)`); settings, counts and tenant are reset after it."""
    handle = SandboxFaults(faults_sandbox.url)
    yield handle
    handle.reset()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    """Start in-process sandboxes, `start_sandbox("busy=1.0", clock=FakeClock())`; all stopped after the test."""
    with ExitStack() as stack:

        def start(faults: str = "", **config: Any) -> SandboxServer:
            return stack.enter_context(sandbox_with_faults(faults, **config))

        yield start
