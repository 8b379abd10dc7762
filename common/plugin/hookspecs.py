"""Hooks the framework asks other plugins to implement."""

from __future__ import annotations

import pytest

from common.dingtalk.settings import Settings


@pytest.hookspec(firstresult=True)
def pytest_dingtalk_start_sandbox(config: pytest.Config, settings: Settings) -> Settings | None:
    """Start the sandbox for this run (in the controlling process) and return settings pointing at it.

    Called once per run when the target is ``sandbox``; the implementation stops it at the end.
    """
