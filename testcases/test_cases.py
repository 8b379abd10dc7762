"""Every case file of data/ runs through this one test: a new data/<name>.yaml needs no Python (ids name the file
and the case, e.g. ``blackboard:crud-flow``)."""

import pytest

pytestmark = pytest.mark.yaml_cases()


def test_case(case, run_case):
    run_case(case)
