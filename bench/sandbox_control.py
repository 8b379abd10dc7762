"""The one sandbox every contender of a benchmark invocation talks to, so all pay the same server cost.

It runs without its QPS limit (which would bound every figure at 20 calls per API per second); benchmark 4
adds latency at run time through ``POST /__sandbox/faults``.
"""

from __future__ import annotations

from typing import Any, Self

import requests

from bench.workspace import PROFILE, BenchError
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.process import SandboxProcess, SandboxStartError

FAULTS = "/__sandbox/faults"


class BenchSandbox:
    """A sandbox process of the benchmark's own; use it as a context manager."""

    def __init__(self) -> None:
        self._process = SandboxProcess()
        self._http = requests.Session()

    def __enter__(self) -> Self:
        try:
            self._process.start()
        except SandboxStartError as exc:
            raise BenchError(f"the sandbox did not start: {exc}") from None
        self.set_faults(qps=0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()
        self._process.stop()

    @property
    def url(self) -> str:
        return self._process.url

    def set_faults(self, **settings: Any) -> None:
        """Change the sandbox's fault settings (``latency_ms``, ``qps``, ...) from now on."""
        answer = self._http.post(self.url + FAULTS, json=settings, timeout=10)
        if answer.status_code != 200:
            raise BenchError(f"POST {FAULTS} {settings} answered HTTP {answer.status_code}: {answer.text[:200]}")

    def calls(self) -> dict[str, int]:
        """Calls per endpoint so far, e.g. ``{"GET /gettoken": 1, ...}``."""
        return self._http.get(f"{self.url}/__sandbox/stats", timeout=10).json()["calls"]

    def token(self) -> str:
        """An access token, for clients that talk to the sandbox directly."""
        params = {"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}
        return self._http.get(f"{self.url}/gettoken", params=params, timeout=10).json()["access_token"]

    def framework_environ(self) -> dict[str, str]:
        """Settings that point the framework's suite at this sandbox, with its client-side rate limit off."""
        return {
            "DINGTALK_TARGET": "live",
            "DINGTALK_OAPI_URL": self.url,
            "DINGTALK_API_URL": self.url,
            "DINGTALK_APPKEY": DEFAULT_APPKEY,
            "DINGTALK_APPSECRET": DEFAULT_APPSECRET,
            "DINGTALK_PROFILE": PROFILE,
            "DINGTALK_QPS": "0",
        }

    def baseline_environ(self, schema_dir: str) -> dict[str, str]:
        """Settings of the hand-written module and of Tavern's fixtures."""
        return {
            "BENCH_BASE_URL": self.url,
            "BENCH_SCHEMA_DIR": schema_dir,
            "BENCH_APPKEY": DEFAULT_APPKEY,
            "BENCH_APPSECRET": DEFAULT_APPSECRET,
        }
