"""Fixtures for the end-to-end tests: a project copy to edit and a sandbox whose stats outlive the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import SandboxProcess
from tests.e2e.harness import Project, RunningSandbox, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the suite's files that the test may edit."""
    return copy_project(tmp_path)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox process of this test's own."""
    process = SandboxProcess().start()
    try:
        yield RunningSandbox(process.url)
    finally:
        process.stop()
