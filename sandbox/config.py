"""Settings of one sandbox instance."""

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Self

from sandbox.faults import FaultSettings

DEFAULT_APPKEY = "sandbox-appkey"
DEFAULT_APPSECRET = "sandbox-appsecret"
DEFAULT_TOKEN_TTL = 7200
_FAULT_FIELDS = frozenset(item.name for item in fields(FaultSettings))


@dataclass(frozen=True)
class SandboxConfig:
    """Credentials, token lifetime, faults, time source, sleep function and logging switch of a sandbox."""

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

    def with_settings(self, settings: Mapping[str, Any]) -> Self:
        """A copy with converted settings (`sandbox.faults.CONVERTERS` keys) applied; ValueError if they clash."""
        changes = {key: value for key, value in settings.items() if key in _FAULT_FIELDS}
        token_ttl = settings.get("token_ttl", self.token_ttl)
        return replace(self, token_ttl=token_ttl, faults=replace(self.faults, **changes))
