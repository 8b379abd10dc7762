"""Settings of one sandbox instance."""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.faults import FaultSettings

DEFAULT_APPKEY = "sandbox-appkey"
DEFAULT_APPSECRET = "sandbox-appsecret"
DEFAULT_TOKEN_TTL = 7200


@dataclass(frozen=True)
class SandboxConfig:
    """Credentials, token lifetime, faults, time source, sleep function and logging switch of a sandbox.

    The run-time settings (`token_ttl` and `faults`) are read from text and JSON by `sandbox.settings`."""

    appkey: str = DEFAULT_APPKEY
    appsecret: str = DEFAULT_APPSECRET
    token_ttl: int = DEFAULT_TOKEN_TTL
    faults: FaultSettings = field(default_factory=FaultSettings)
    clock: Callable[[], float] = field(default=time.time)
    sleep: Callable[[float], None] = field(default=time.sleep)  # waits out injected latency
    verbose: bool = False
    mutant: str | None = None  # a contract mutant's name (sandbox/mutants), None for the faithful sandbox

    def settings(self) -> dict[str, Any]:
        """The settings `/__sandbox/faults` shows: the fault settings and `token_ttl`."""
        return {**asdict(self.faults), "token_ttl": self.token_ttl}
