"""Access tokens and the errors every endpoint shares: the cases of data/auth.yaml."""

import pytest

pytestmark = pytest.mark.yaml_cases("auth.yaml")


def test_auth(case, run_case):
    run_case(case)
