"""组织与服务 (organisation and services): the cases of data/org.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("org.yaml")


def test_org(case, run_case):
    run_case(case)
