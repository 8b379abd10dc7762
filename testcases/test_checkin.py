"""签到 (check-in): the cases of data/checkin.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("checkin.yaml")


def test_checkin(case, run_case):
    run_case(case)
