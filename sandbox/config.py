"""Settings of one sandbox instance."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_APPKEY = "sandbox-appkey"
DEFAULT_APPSECRET = "sandbox-appsecret"
DEFAULT_TOKEN_TTL = 7200


@dataclass(frozen=True)
class SandboxConfig:
    """Credentials, token lifetime, time source and logging switch of a sandbox."""

    appkey: str = DEFAULT_APPKEY
    appsecret: str = DEFAULT_APPSECRET
    token_ttl: int = DEFAULT_TOKEN_TTL
    clock: Callable[[], float] = field(default=time.time)
    verbose: bool = False
