"""The README's examples work: its case example loads, and its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import common
from common import MIN_PYTHON
from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from sandbox.mutants import MUTANTS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_case_example_is_a_valid_case_file(tmp_path: Path) -> None:
    [example] = re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    profile = load_profile(ROOT / "data/profiles/sandbox.yaml", "sandbox.yaml")
    [case] = CaseLoader(SchemaStore(ROOT / "schemas"), profile, tmp_path).load(path)
    assert isinstance(case, Case), case
    assert case.severity == "critical" and case.steps[0].request.method == "POST"


def test_the_readme_opens_with_the_two_commands_ci_runs() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == [
        "pip install -r requirements.txt && pytest -n auto",
        "pip install -r requirements-dev.txt && pytest tests -n auto",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet --disable-pip-version-check -r requirements-dev.txt" in ci
    assert "python -m pytest tests -n auto" in ci and "python -m pytest -n auto" in ci


def test_the_mutants_the_readme_names_exist() -> None:
    named = re.findall(r"--mutant ([a-z0-9-]+)", README)
    assert named
    assert [name for name in named if name not in MUTANTS] == []


def test_the_readme_states_the_python_the_code_checks_for() -> None:
    assert f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer" in README.split("## Layout")[0]


def test_an_older_python_stops_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.sys, "version_info", (3, 9, 18))
    monkeypatch.setattr(common.sys, "version", "3.9.18 (main)")
    with pytest.raises(SystemExit) as stopped:
        common.require_python()
    assert str(stopped.value) == "dingtalk-apitest needs Python 3.11 or newer; this is Python 3.9.18"
