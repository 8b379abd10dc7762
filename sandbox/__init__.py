"""A local, stateful emulator of the DingTalk Open API (see README.md)."""

from typing import TYPE_CHECKING, Any

from sandbox.config import SandboxConfig
from sandbox.process import SandboxProcess

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxProcess", "SandboxServer"]


def __getattr__(name: str) -> Any:
    """``SandboxServer`` (the emulator itself) is imported when first asked for: the suite's pytest plugin starts
    the sandbox as a process, and on a live target not at all, so neither imports the emulator's routes."""
    if name == "SandboxServer":
        from sandbox.server import SandboxServer

        return SandboxServer
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
