"""Starts one sandbox process per test run, shared by every xdist worker, for the framework's plugin (`conftest.py`).

It imports only what reads the sandbox's settings; what starts the process (`sandbox.process`) is imported when a
run targets the sandbox, and neither the emulator (`sandbox.server`) nor the helpers of `sandbox/testing/` ever.

Faults: `DINGTALK_SANDBOX_FAULTS` and then `--sandbox-faults` (same `key=value,...` syntax, later keys win), read
once here; the child process gets them all on its command line.
"""

from __future__ import annotations

import os

import pytest

from common.core.errors import ConfigError
from common.dingtalk.settings import Settings
from sandbox.config import SandboxConfig
from sandbox.settings import ENV_VAR, read_settings


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dingtalk").addoption(
        "--sandbox-faults",
        default="",
        metavar="KEY=VALUE,...",
        help=f"faults for the sandbox this run starts, e.g. busy=0.1,latency_ms=50 (added to {ENV_VAR})",
    )


def run_config(config: pytest.Config) -> SandboxConfig:
    """The run's sandbox with its faults; ConfigError (one line) if a setting is bad."""
    sources = [(ENV_VAR, os.environ.get(ENV_VAR, "")), ("--sandbox-faults", config.getoption("sandbox_faults"))]
    try:
        return read_settings(SandboxConfig(), sources)
    except ValueError as exc:
        raise ConfigError(f"sandbox faults: {exc}") from None


def pytest_dingtalk_start_sandbox(config: pytest.Config, settings: Settings) -> Settings:
    """Start the sandbox on a free loopback port, with the run's faults; it stops when the run ends."""
    from sandbox.process import SandboxProcess, SandboxStartError  # not on a live target, which never calls this

    sandbox = run_config(config)
    process = SandboxProcess(config=sandbox)
    try:
        process.start()
    except SandboxStartError as exc:
        raise ConfigError(f"the sandbox did not start: {exc}") from None
    config.add_cleanup(process.stop)
    return settings.for_sandbox(process.url, sandbox.appkey, sandbox.appsecret)
