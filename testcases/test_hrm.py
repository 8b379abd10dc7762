"""智能人事 (smart HR): the cases of data/hrm.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("hrm.yaml")


def test_hrm(case, run_case):
    run_case(case)
