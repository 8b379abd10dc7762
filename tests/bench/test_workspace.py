"""The benchmark's workspace makes the comparison fair: every contender writes bytecode in it and produces the
same outputs as the framework. The framework's copy starts with the checkout's compiled Python."""

from __future__ import annotations

import compileall
import configparser
import importlib.machinery
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.workspace import JUNIT_XML, REPO_ROOT, Workspace, clean_environ


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    created = Workspace()
    yield created
    created.close()


def addopts(ini: Path) -> list[str]:
    parser = configparser.ConfigParser()
    parser.read(ini, encoding="utf-8")
    return shlex.split(parser.get("pytest", "addopts", fallback=""))


def test_contenders_may_write_bytecode_in_the_throwaway_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("DINGTALK_TARGET", "sandbox")
    monkeypatch.setenv("PATH", "/usr/bin")
    environ = clean_environ({"DINGTALK_QPS": "0"})
    assert "PYTHONDONTWRITEBYTECODE" not in environ
    assert "DINGTALK_TARGET" not in environ
    assert environ["PATH"] == "/usr/bin"
    assert environ["DINGTALK_QPS"] == "0"


def test_the_suites_compared_with_the_framework_write_the_junit_xml_it_writes(workspace: Workspace) -> None:
    assert JUNIT_XML in addopts(REPO_ROOT / "pytest.ini")
    assert JUNIT_XML in addopts(workspace.handwritten(4) / "pytest.ini")
    assert JUNIT_XML in addopts(workspace.tavern(4) / "pytest.ini")


def test_pytests_trivial_tests_write_nothing_more(workspace: Workspace) -> None:
    assert addopts(workspace.trivial(4) / "pytest.ini") == []


def compiled_files(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*.pyc")}


def test_the_copy_of_the_framework_reads_the_checkouts_compiled_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    assert compileall.compile_dir(REPO_ROOT / "common", quiet=2)
    copy = Workspace()
    try:
        common = copy.framework / "common"
        before = compiled_files(common)
        for source in common.rglob("*.py"):
            module = ".".join(source.relative_to(copy.framework).with_suffix("").parts)
            importlib.machinery.SourceFileLoader(module, str(source)).get_code(module)  # compiles what is stale
        assert before
        assert compiled_files(common) == before
    finally:
        copy.close()
