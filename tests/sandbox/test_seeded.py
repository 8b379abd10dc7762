"""The tenant copies the sandbox's own tests seed from are the seeded tenant, and each is a tenant of its own: they
share only records that cannot change."""

from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass

import pytest

from sandbox import state
from sandbox.config import SandboxConfig
from sandbox.model import Directory, Tenant, User
from sandbox.seed import build_tenant
from sandbox.state import TenantState
from sandbox.testing import FakeClock
from sandbox.testing.seeded import copied_tenant, immutable_record

NOW = 1_717_207_200.0


def test_a_copy_equals_the_tenant_built_for_its_moment() -> None:
    assert copied_tenant(NOW) == build_tenant(NOW)
    assert copied_tenant(NOW + 86_400) == build_tenant(NOW + 86_400) != build_tenant(NOW)


def test_a_change_to_one_copy_is_not_in_the_next() -> None:
    changed = copied_tenant(NOW)
    blackboard = next(iter(changed.blackboards.values()))
    blackboard.userids.append("someone-new")
    changed.blackboards.clear()
    assert copied_tenant(NOW) == build_tenant(NOW)


def test_the_sandbox_states_of_these_tests_seed_from_copies() -> None:
    assert state.build_tenant is copied_tenant
    seeded = TenantState(SandboxConfig(clock=FakeClock(NOW)))
    assert seeded.tenant == build_tenant(NOW)


def _pairs(first: object, second: object) -> Iterator[tuple[object, object]]:
    """Every object of ``first`` beside its counterpart in ``second`` (two tenants of the same moment)."""
    yield first, second
    if is_dataclass(first) and not isinstance(first, type):
        for field in fields(first):
            yield from _pairs(getattr(first, field.name), getattr(second, field.name))
    elif isinstance(first, dict):
        for key in first:
            yield from _pairs(first[key], second[key])  # type: ignore[index]
    elif isinstance(first, list | tuple):
        for one, other in zip(first, second, strict=True):  # type: ignore[call-overload]
            yield from _pairs(one, other)


def test_two_copies_share_their_immutable_records_and_nothing_that_can_change() -> None:
    shared = kept_apart = 0
    for one, other in _pairs(copied_tenant(NOW), copied_tenant(NOW)):
        if isinstance(one, str | int | float | bool | type(None)):
            continue
        if immutable_record(one):
            assert one is other, one
            shared += 1
        elif not isinstance(one, tuple):
            assert one is not other, one
            kept_apart += 1
    assert shared and kept_apart


@dataclass(eq=False)
class Counter:
    """A mutable dataclass that hashes (by identity)."""

    count: int = 0


@dataclass(frozen=True, eq=False)
class Pinned:
    """A frozen dataclass with a list inside that hashes all the same (by identity)."""

    userids: list[str]


@pytest.mark.parametrize(
    ("value", "immutable"),
    [
        (User(userid="u1", name="张三", dept_id=1), True),
        (Directory(users={}, depts={}, main_admin="u1", sub_admins=(), categories={}), False),  # frozen, dicts inside
        (Tenant(directory=Directory(users={}, depts={}, main_admin="u1", sub_admins=(), categories={})), False),
        (Counter(), False),
        (Pinned(userids=["u1"]), False),
        ({"userid": "u1"}, False),
        ("u1", False),
    ],
)
def test_an_immutable_record_is_a_frozen_dataclass_without_lists_or_dicts(value: object, immutable: bool) -> None:
    assert immutable_record(value) is immutable
