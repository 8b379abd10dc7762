"""The API suite passes whatever the machine's time zone: DingTalk reads `yyyy-MM-dd HH:mm:ss` as China time.

`${datetime(...)}` renders in the tenant's zone (Asia/Shanghai unless the profile says otherwise) and the
built-in sandbox keeps China time too, so a CI machine on UTC, or a laptop in Auckland or Los Angeles, sends
the same time windows as one in Shanghai. The whole suite runs once in Los Angeles (the shared sandbox run);
the case that finds what it created in a window of twenty minutes runs alone in the other zones, in this process
(the suite's runner and a sandbox both in the zone, as the suite runs its built-in sandbox in its own process).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.cases.model import Case
from sandbox import SandboxConfig, SandboxServer
from tests.e2e.harness import FAR_FROM_CHINA, SANDBOX_RUN, Project, RunningSandbox, SuiteRun, direct_run
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


@pytest.fixture(params=["UTC", "Asia/Shanghai", "Pacific/Auckland"])
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This process's local time zone (TZ) is one of several for the duration of the test."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_a_narrow_time_window_finds_what_was_just_created_in_every_zone(machine_zone: str, tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text(f"epic: e\nfeature: f\ncases:{NARROW_WINDOW}", encoding="utf-8")
    with SandboxServer(config=SandboxConfig()) as server:
        direct = direct_run(RunningSandbox(server.url), tmp_path)
        [case] = direct.loader.load(tmp_path / "cases.yaml")
        assert isinstance(case, Case) and case.id == NARROW_CASE
        try:
            direct.runner.run(case, uid="r-1")  # raises CheckFailure if the window misses the announcement
        finally:
            direct.transport.close()
        assert server.state.stats()["calls"]["POST /topapi/blackboard/get"] >= 1
