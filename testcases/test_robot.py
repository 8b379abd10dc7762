"""自定义机器人 (custom robot): the cases of data/robot.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("robot.yaml")


def test_robot(case, run_case):
    run_case(case)
