"""A local, stateful emulator of the DingTalk Open API (see README.md)."""

from sandbox.config import SandboxConfig
from sandbox.process import SandboxProcess
from sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxProcess", "SandboxServer"]
