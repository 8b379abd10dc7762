"""The benchmark's workspace makes the comparison fair: every contender writes bytecode in it and produces the
same outputs as the framework."""

from __future__ import annotations

import configparser
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
