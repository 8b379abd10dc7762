"""One sandbox's mutable state: the tenant, the app's access token and the call counts, behind one lock."""

import secrets
import threading
from collections import Counter
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.seed import build_tenant


class TenantState:
    """Hold `lock` while reading or changing `tenant`; the token and counter methods lock themselves."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._token: str | None = None
        self._token_expiry = 0.0
        self.tenant = build_tenant(self.now())

    def now(self) -> float:
        return self.config.clock()

    def reset(self) -> None:
        """Back to the seeded tenant with zero call counts; issued access tokens stay valid."""
        tenant = build_tenant(self.now())
        with self.lock:
            self.tenant = tenant
            self._calls.clear()

    def issue_token(self) -> str:
        """The app's token: the current one with its expiry renewed, or a new one once it has expired."""
        now = self.now()
        with self.lock:
            if self._token is None or now >= self._token_expiry:
                self._token = secrets.token_hex(16)
            self._token_expiry = now + self.config.token_ttl
            return self._token

    def token_is_valid(self, token: str) -> bool:
        now = self.now()
        with self.lock:
            current, expiry = self._token, self._token_expiry
        return current is not None and now < expiry and secrets.compare_digest(token.encode(), current.encode())

    def count_call(self, key: str) -> None:
        with self.lock:
            self._calls[key] += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self._calls),
                "total": sum(self._calls.values()),
                "objects": self.tenant.object_counts(),
            }
