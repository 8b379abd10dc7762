"""Starts one sandbox process per test run, shared by every xdist worker, for the framework's plugin."""

from __future__ import annotations

import pytest

from common.errors import ConfigError
from common.settings import Settings
from sandbox.config import SandboxConfig
from sandbox.process import SandboxProcess, SandboxStartError


def pytest_dingtalk_start_sandbox(config: pytest.Config, settings: Settings) -> Settings:
    """Start the sandbox on a free loopback port; it stops when the run ends."""
    defaults = SandboxConfig()
    process = SandboxProcess()
    try:
        process.start()
    except SandboxStartError as exc:
        raise ConfigError(f"the sandbox did not start: {exc}") from None
    config.add_cleanup(process.stop)
    return settings.for_sandbox(process.url, defaults.appkey, defaults.appsecret)
