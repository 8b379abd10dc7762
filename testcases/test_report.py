"""日志 (report): the cases of data/report.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("report.yaml")


def test_report(case, run_case):
    run_case(case)
