"""The harness's runs of the API suite compile their Python into the test session's bytecode folder, never beside
the sources: not in the project copy, not in the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import PROJECT_ROOT, SANDBOX_RUN, Project, SuiteRun


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_a_run_keeps_its_compiled_python_in_the_session_s_folder(
    sandbox_run: tuple[Project, SuiteRun], bytecode: Path
) -> None:
    project, _ = sandbox_run
    assert project.bytecode == bytecode
    copy_in_bytecode = bytecode / project.root.relative_to(project.root.anchor)
    compiled = list((copy_in_bytecode / "common" / "run").glob("*.pyc"))
    assert {"runner", "checks"} <= {path.name.split(".")[0] for path in compiled}, compiled
    assert list(project.root.rglob("__pycache__")) == []
    since = min(path.stat().st_mtime for path in compiled)
    assert [path for path in PROJECT_ROOT.glob("common/**/*.pyc") if path.stat().st_mtime >= since] == []
