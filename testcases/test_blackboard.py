"""公告 (blackboard): the cases of data/blackboard.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("blackboard.yaml")


def test_blackboard(case, run_case):
    run_case(case)
