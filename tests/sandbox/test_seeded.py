"""The tenant copies the sandbox's own tests seed from are the seeded tenant, and each is a tenant of its own."""

from sandbox import state
from sandbox.config import SandboxConfig
from sandbox.seed import build_tenant
from sandbox.state import TenantState
from sandbox.testing import FakeClock
from sandbox.testing.seeded import copied_tenant

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
