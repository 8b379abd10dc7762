"""The seeded tenant, built deterministically from a fixed random seed, each part from its own stream."""

import random

from sandbox.model import Tenant
from sandbox.seed.blackboard import build_blackboards
from sandbox.seed.people import build_directory
from sandbox.seed.report import build_reports, build_templates
from sandbox.seed.union import build_auth_info, build_service_accounts, build_spaces
from sandbox.seed.workforce import build_checkins, build_former_and_future, build_statuses

SEED = 20240601


def _rng(part: str) -> random.Random:
    """A random stream of its own for each part, so growing one part leaves the others' data unchanged."""
    return random.Random(f"{SEED}:{part}")


def build_tenant(now: float) -> Tenant:
    """The seeded tenant, with times relative to `now` (epoch seconds)."""
    directory = build_directory(_rng("directory"))
    templates = build_templates(_rng("template"), directory)
    preentry, dismissed = build_former_and_future(_rng("hrm"))
    return Tenant(
        directory=directory,
        blackboards=build_blackboards(_rng("blackboard"), directory, now),
        templates=templates,
        reports=build_reports(_rng("report"), directory, templates, now),
        checkins=build_checkins(_rng("checkin"), directory, now),
        employee_status=build_statuses(_rng("status"), directory),
        preentry=preentry,
        dismissed=dismissed,
        spaces=build_spaces(_rng("union")),
        service_accounts=build_service_accounts(_rng("serviceaccount")),
        auth_info=build_auth_info(directory),
    )
