"""The seeded tenant for tests, built once per moment and handed out as copies: the tenant every `TenantState`
builds (and rebuilds at each reset) is most of what a small sandbox test costs, a copy less than half of it."""

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pytest

from sandbox import state
from sandbox.model import Tenant
from sandbox.seed import build_tenant


@lru_cache(maxsize=8)
def _pickled_tenant(now: float) -> bytes:
    return pickle.dumps(build_tenant(now), protocol=pickle.HIGHEST_PROTOCOL)


def copied_tenant(now: float) -> Tenant:
    """What `build_tenant(now)` answers, as a copy of the one built for `now` before: equal, and shares nothing."""
    return pickle.loads(_pickled_tenant(now))


@contextmanager
def seeded_tenant_copies() -> Iterator[None]:
    """Within the block, every sandbox in this process seeds (and resets) its tenant with `copied_tenant`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "build_tenant", copied_tenant)
        yield
