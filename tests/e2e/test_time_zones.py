"""The API suite passes whatever the machine's time zone: DingTalk reads `yyyy-MM-dd HH:mm:ss` as China time.

`${datetime(...)}` renders in the tenant's zone (Asia/Shanghai unless the profile says otherwise) and the
built-in sandbox keeps China time too, so a CI machine on UTC, or a laptop in Auckland or Los Angeles, sends
the same time windows as one in Shanghai. The whole suite runs once in Los Angeles (the shared sandbox run);
the case that finds what it created in a window of twenty minutes runs alone in the other zones.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import FAR_FROM_CHINA, SANDBOX_RUN, YAML_CASES, Project, SuiteRun
from tests.e2e.suite_additions import NARROW_WINDOW

NARROW_CASE = "found-in-a-narrow-window"


def _statuses(project: Project) -> dict[str, str]:
    """Each case's status by its id (the Allure full name is ``file:case``)."""
    return {result["fullName"].split(":", 1)[-1]: result["status"] for result in project.allure_results()}


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_the_whole_suite_passes_on_a_machine_far_from_china_time(sandbox_run: tuple[Project, SuiteRun]) -> None:
    project, run = sandbox_run
    statuses = _statuses(project)
    assert statuses[NARROW_CASE] == "passed", f"TZ={FAR_FROM_CHINA}\n{run.output[-6000:]}"
    assert re.search(r"\d+ passed, 2 errors in ", run.output), f"TZ={FAR_FROM_CHINA}\n{run.output[-6000:]}"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "Pacific/Auckland"])
def test_a_narrow_time_window_finds_what_was_just_created_in_every_zone(project: Project, zone: str) -> None:
    project.add_cases("blackboard.yaml", NARROW_WINDOW)
    run = project.run(YAML_CASES, "-q", "-k", NARROW_CASE, env={"TZ": zone})
    assert run.returncode == 0, f"TZ={zone}\n{run.output[-6000:]}"
    assert "1 passed" in run.output, run.output[-3000:]
