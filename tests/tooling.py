"""Tools some tests need beside Python packages (npm's Allure, Debian's chromium, Tavern's virtualenv)."""

from __future__ import annotations

import os

import pytest


def require(available: bool, what: str, how: str) -> None:
    """Skip without ``what`` outside CI; in CI (``CI`` set) fail, as .ci/run should have installed it."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/run must install it ({how})", pytrace=False)
    pytest.skip(f"{what} is missing: {how}")
