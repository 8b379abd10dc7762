"""A local, stateful emulator of the DingTalk Open API (see README.md)."""

from typing import TYPE_CHECKING, Any

from sandbox.config import SandboxConfig

if TYPE_CHECKING:
    from sandbox.process import SandboxProcess
    from sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxProcess", "SandboxServer"]


def __getattr__(name: str) -> Any:
    """``SandboxServer`` (the emulator itself) and ``SandboxProcess`` are imported when first asked for: the suite's
    pytest plugin starts the sandbox as a process, so it never imports the emulator's routes, and on a live target
    it starts nothing."""
    if name == "SandboxServer":
        from sandbox.server import SandboxServer

        return SandboxServer
    if name == "SandboxProcess":
        from sandbox.process import SandboxProcess

        return SandboxProcess
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
