"""Every checked-in tenant profile has every key and list item the cases in data/ read from it."""

from __future__ import annotations

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import InvalidCase
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from tests.framework.fakes import PROJECT

SUITE_FILES = sorted(path.name for path in (PROJECT / "data").glob("*.yaml"))
"""Every case file the suite collects (testcases/test_cases.py runs them all)."""


@pytest.mark.parametrize("name", ["sandbox.yaml", "live.example.yaml"])
def test_every_case_loads_with_the_profile(name: str) -> None:
    profile = load_profile(PROJECT / "data" / "profiles" / name, name)
    loader = CaseLoader(SchemaStore(PROJECT / "schemas"), profile, PROJECT)
    cases = [case for file_name in SUITE_FILES for case in loader.load(PROJECT / "data" / file_name)]
    assert len(cases) > 100
    assert [case.message for case in cases if isinstance(case, InvalidCase)] == []
