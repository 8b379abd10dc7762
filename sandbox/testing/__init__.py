"""Helpers and pytest plugins for tests that drive a sandbox, kept apart from the emulator.

`doubles.py` `FakeClock` and `RecordingSleep` · `clients.py` `SandboxClient`, `logged_in`, `raw_exchange`,
`sandbox_with_faults` and `SandboxFaults` · `fixtures.py` the pytest fixtures (`-p sandbox.testing.fixtures`) ·
`seeded.py` `seeded_tenant_copies`, the seeded tenant built once and copied. (The API suite's own sandbox is started by
`sandbox/pytest_plugin.py`, which imports none of these.)
"""

from sandbox.testing.clients import SandboxClient, SandboxFaults, logged_in, raw_exchange, sandbox_with_faults
from sandbox.testing.doubles import FakeClock, RecordingSleep

__all__ = [
    "FakeClock",
    "RecordingSleep",
    "SandboxClient",
    "SandboxFaults",
    "logged_in",
    "raw_exchange",
    "sandbox_with_faults",
]
