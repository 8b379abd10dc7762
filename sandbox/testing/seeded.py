"""The seeded tenant for tests, built once per moment and handed out as copies: the tenant every `TenantState`
builds (and rebuilds at each reset) is most of what a small sandbox test costs, a copy a tenth of it.

A copy is the pickled tenant loaded again, except its immutable records (a frozen dataclass that hashes: no list or
dict inside, such as a check-in or a user), which every copy shares: they cannot change, and they are most of it."""

import io
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pytest

from sandbox import state
from sandbox.model import Tenant
from sandbox.seed import build_tenant


def immutable_record(value: object) -> bool:
    """A frozen dataclass whose fields are all immutable (it hashes by its fields: a list or dict field would not)."""
    params = getattr(type(value), "__dataclass_params__", None)
    if params is None or not (params.frozen and params.eq):  # without eq, a dataclass hashes by identity
        return False
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _RecordSharingPickler(pickle.Pickler):
    """Pickles a tenant, its immutable records by their place in ``shared``."""

    def __init__(self, file: io.BytesIO, shared: list[Any]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: Any) -> int | None:
        if not immutable_record(obj):
            return None
        self.shared.append(obj)
        return len(self.shared) - 1


@lru_cache(maxsize=8)
def _pickled_tenant(now: float) -> tuple[bytes, tuple[Any, ...]]:
    """The tenant of ``now`` pickled, and the immutable records its copies share."""
    file, shared = io.BytesIO(), []
    _RecordSharingPickler(file, shared).dump(build_tenant(now))
    return file.getvalue(), tuple(shared)


def copied_tenant(now: float) -> Tenant:
    """What `build_tenant(now)` answers, as a copy of the one built for `now` before: equal, and shares nothing that
    can change."""
    pickled, shared = _pickled_tenant(now)
    unpickler = pickle.Unpickler(io.BytesIO(pickled))
    unpickler.persistent_load = shared.__getitem__
    return unpickler.load()


@contextmanager
def seeded_tenant_copies() -> Iterator[None]:
    """Within the block, every sandbox in this process seeds (and resets) its tenant with `copied_tenant`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "build_tenant", copied_tenant)
        yield
