"""The one sandbox every contender of a benchmark invocation talks to, so all pay the same server cost.

It runs without its QPS limit (which would bound every figure at 20 calls per API per second); benchmark 4
adds latency at run time through ``POST /__sandbox/faults``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Self

from bench.workspace import PROFILE, BenchError
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.process import SandboxProcess, SandboxStartError

FAULTS = "/__sandbox/faults"


class BenchSandbox:
    """A sandbox process of the benchmark's own; use it as a context manager."""

    def __init__(self) -> None:
        self._process = SandboxProcess()

    def __enter__(self) -> Self:
        try:
            self._process.start()
        except SandboxStartError as exc:
            raise BenchError(f"the sandbox did not start: {exc}") from None
        self.set_faults(qps=0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._process.stop()

    @property
    def url(self) -> str:
        return self._process.url

    def set_faults(self, **settings: Any) -> None:
        """Change the sandbox's fault settings (``latency_ms``, ``qps``, ...) from now on."""
        self._answer(FAULTS, json.dumps(settings).encode())

    def calls(self) -> dict[str, int]:
        """Calls per endpoint so far, e.g. ``{"GET /gettoken": 1, ...}``."""
        return self._answer("/__sandbox/stats")["calls"]

    def token(self) -> str:
        """An access token, for clients that talk to the sandbox directly."""
        query = urllib.parse.urlencode({"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET})
        return self._answer(f"/gettoken?{query}")["access_token"]

    def _answer(self, path: str, body: bytes | None = None) -> Any:
        """The sandbox's JSON answer to a GET of ``path`` (a POST of the JSON ``body``); BenchError if it refuses.

        Through urllib, which the sandbox's process starter imports anyway: requests would cost the bench's own
        process about 0.2 CPU-seconds to import."""
        method = "GET" if body is None else "POST"
        request = urllib.request.Request(self.url + path, body, {"Content-Type": "application/json"}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")[:200]
            raise BenchError(f"{method} {path} answered HTTP {error.code}: {text}") from None

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
