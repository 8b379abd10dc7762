"""One sandbox's mutable state: the tenant, the app's token, call and fault counts, settings, behind one lock."""

import secrets
import threading
from collections import Counter
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.faults import COUNTED, FaultDecider, Injection
from sandbox.qps import QpsLimiter
from sandbox.robot_inbox import RobotInbox
from sandbox.seed import build_tenant


class TenantState:
    """Hold `lock` while reading or changing `tenant`; the other methods lock themselves.

    `config` is replaced as a whole by `configure` (settings changed at run time), never changed in place.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._decider = FaultDecider(config.faults)
        self._qps = QpsLimiter()
        self.robot_inbox = RobotInbox()
        self._token: str | None = None
        self._token_expiry = 0.0
        self.tenant = build_tenant(self.now())

    def now(self) -> float:
        return self.config.clock()

    def reset(self) -> None:
        """Back to the seeded tenant with zero call and fault counts, fresh QPS windows and an empty robot inbox.

        Issued access tokens and the settings stay as they are.
        """
        tenant = build_tenant(self.now())
        with self.lock:
            self.tenant = tenant
            self._calls.clear()
            self._faults.clear()
            self._qps.clear()
        self.robot_inbox.reset()

    def configure(self, config: SandboxConfig) -> None:
        """Run with new settings from now on; the fault decider starts again from the (new) seed."""
        decider = FaultDecider(config.faults)
        with self.lock:
            self.config = config
            self._decider = decider

    def draw_fault(self) -> Injection | None:
        """This call's injected fault, if any, counted in the stats."""
        with self.lock:
            injection = self._decider.draw()
            if injection is not None:
                self._faults[injection.fault.value] += 1
            return injection

    def admit(self, appkey: str, api: str) -> bool:
        """Count a call of `api` by `appkey` against the QPS limit; False (and counted) once over it."""
        now = self.now()
        with self.lock:
            admitted = self._qps.admit(appkey, api, now, self.config.faults.qps)
            if not admitted:
                self._faults["qps_limited"] += 1
            return admitted

    def issue_token(self) -> str:
        """The app's token: the current one with its expiry renewed, or a new one once it has expired."""
        now = self.now()
        with self.lock:
            if self._token is None or now >= self._token_expiry:
                self._token = secrets.token_hex(16)
            self._token_expiry = now + self.config.token_ttl
            return self._token

    def token_is_valid(self, token: str) -> bool:
        """True for the current token before its expiry; the current token after it counts as `token_expired`."""
        now = self.now()
        with self.lock:
            if self._token is None or not secrets.compare_digest(token.encode(), self._token.encode()):
                return False
            if now < self._token_expiry:
                return True
            self._faults["token_expired"] += 1
            return False

    def count_call(self, key: str) -> None:
        with self.lock:
            self._calls[key] += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self._calls),
                "total": sum(self._calls.values()),
                "objects": self.tenant.object_counts(),
                "faults": {key: self._faults[key] for key in COUNTED},
            }
