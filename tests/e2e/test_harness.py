"""The harness's runs of the API suite compile their Python into the test session's bytecode folder, never beside
the sources: not in the project copy, not in the checkout; the framework's packages are compiled once for every copy
of the session."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e import harness
from tests.e2e.harness import PROJECT_ROOT, SANDBOX_RUN, Project, SuiteRun, shared_bytecode


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


@pytest.mark.xdist_group(SANDBOX_RUN)
def test_a_run_compiles_neither_the_framework_nor_what_is_installed(
    sandbox_run: tuple[Project, SuiteRun], bytecode: Path
) -> None:
    """The framework is compiled once for every copy of the session; an installed package's compiled files are the
    interpreter's own (used as they were: a file compiled again would be a new one)."""
    project, _ = sandbox_run
    compiled = f"common/core/paths.{sys.implementation.cache_tag}.pyc"
    in_copy = bytecode / project.root.resolve().relative_to(project.root.anchor) / compiled
    assert os.path.samefile(in_copy, shared_bytecode(bytecode) / compiled)
    spec = yaml.__spec__
    assert spec is not None and spec.origin and spec.cached
    installed = Path(spec.origin)
    as_run = bytecode / installed.parent.relative_to(installed.anchor) / Path(spec.cached).name
    assert os.path.samefile(as_run, spec.cached)


def test_compiled_files_on_another_filesystem_are_left_for_the_runs_to_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A /tmp in memory cannot hold links to the installed files: nothing is linked, and nothing fails."""

    def across_devices(source: object, target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(harness.os, "link", across_devices)
    harness._link_installed_bytecode(tmp_path)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
