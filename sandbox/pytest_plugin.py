"""Starts one sandbox process per test run, shared by every xdist worker, for the framework's plugin.

Faults: `DINGTALK_SANDBOX_FAULTS` and then `--sandbox-faults` (same `key=value,...` syntax, later keys win).
"""

from __future__ import annotations

import os

import pytest

from common.core.errors import ConfigError
from common.dingtalk.settings import Settings
from sandbox.config import SandboxConfig
from sandbox.faults import ENV_VAR, read_settings
from sandbox.process import SandboxProcess, SandboxStartError


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dingtalk").addoption(
        "--sandbox-faults",
        default="",
        metavar="KEY=VALUE,...",
        help=f"faults for the sandbox this run starts, e.g. busy=0.1,latency_ms=50 (added to {ENV_VAR})",
    )


def run_faults(config: pytest.Config) -> str:
    """The run's fault settings as one `key=value,...` string; ConfigError (one line) if one is bad."""
    sources = [(ENV_VAR, os.environ.get(ENV_VAR, "")), ("--sandbox-faults", config.getoption("sandbox_faults"))]
    try:
        SandboxConfig().with_settings(read_settings(sources))
    except ValueError as exc:
        raise ConfigError(f"sandbox faults: {exc}") from None
    return ",".join(text for _, text in sources if text.strip())


def pytest_dingtalk_start_sandbox(config: pytest.Config, settings: Settings) -> Settings:
    """Start the sandbox on a free loopback port, with the run's faults; it stops when the run ends."""
    defaults = SandboxConfig()
    process = SandboxProcess(["--faults", run_faults(config)])
    try:
        process.start()
    except SandboxStartError as exc:
        raise ConfigError(f"the sandbox did not start: {exc}") from None
    config.add_cleanup(process.stop)
    return settings.for_sandbox(process.url, defaults.appkey, defaults.appsecret)
