"""`python -m common.run.strength` on a user's own, small suite, run once for every claim here: a mutant its cases
catch is killed and named with its catchers, one they do not is a survivor named with its contract point, and a case
failing against the faithful sandbox is a false alarm, never a kill. (That the command exits 0 when the faithful run
passes and every mutant is killed is tests/framework/test_strength.py's.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import Project, copy_project

pytestmark = pytest.mark.xdist_group("strength-run")

KEPT = ("auth", "robot")
CAUGHT = "gettoken-new-token-each-call"
"""Caught by auth.yaml's CATCHER."""
CATCHER = "auth:gettoken-same-token-while-valid"
SURVIVOR = "robot-stale-timestamp-accepted"
"""Caught only by robot.yaml's send-stale-timestamp, which the small suite drops."""
FALSE_ALARM = "auth:expects-the-wrong-errcode"
WRONG_ABOUT_DINGTALK = """
  - id: expects-the-wrong-errcode
    title: a case that is wrong about DingTalk
    request: {path: /gettoken, auth: none}
    expect: {errcode: 12345}
"""
"""Fails against the faithful sandbox and against both mutants (it is in auth.yaml, which the caught mutant's first
run takes, and in the whole suite, which the survivor's runs end with)."""


def _drop_case(root: Path, file: str, case_id: str) -> None:
    """Remove the case ``case_id`` (up to the next case) from ``data/<file>``."""
    path = root / "data" / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {case_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id: ")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


@pytest.fixture(scope="module")
def strength_output(tmp_path_factory: pytest.TempPathFactory, bytecode: Path) -> str:
    """The command's output and exit code on the auth and robot cases (a suite a team might start from), without the
    case that catches SURVIVOR and with a case that is wrong about DingTalk, against CAUGHT and SURVIVOR."""
    project: Project = copy_project(tmp_path_factory.mktemp("strength"), bytecode)
    project.keep_case_files(*KEPT)
    (project.root / "testcases" / "test_handwritten_example.py").unlink()
    _drop_case(project.root, "robot.yaml", "send-stale-timestamp")
    project.add_cases("auth.yaml", WRONG_ABOUT_DINGTALK)
    run = project.python("-m", "common.run.strength", "--mutants", f"{CAUGHT},{SURVIVOR}", "--jobs", "2", "--root", ".")
    return run.output + f"\nexit {run.returncode}"


def _row(output: str, mutant: str) -> str:
    """The mutant's row of the report's table of every mutant."""
    (row,) = [line for line in output.splitlines() if line.startswith(f"| `{mutant}` |")]
    return row


def test_a_mutant_its_cases_catch_is_killed_and_named_with_its_catchers(strength_output: str) -> None:
    assert "**1 of 2 mutants killed.**" in strength_output, strength_output
    assert _row(strength_output, CAUGHT).endswith(f"| `{CATCHER}` |"), strength_output


def test_a_mutant_no_case_catches_is_a_survivor_with_its_contract_point(strength_output: str) -> None:
    assert "## Survivors: contract points no case checks" in strength_output, strength_output
    assert f"- `{SURVIVOR}` (POST /robot/send): " in strength_output, strength_output
    assert _row(strength_output, SURVIVOR).endswith("| **survived** |"), strength_output


def test_a_case_failing_on_the_faithful_sandbox_is_a_false_alarm_not_a_kill(strength_output: str) -> None:
    assert "**False alarm: the faithful sandbox failed 1 case(s).**" in strength_output, strength_output
    assert f"- `{FALSE_ALARM}`" in strength_output, strength_output
    # it failed against both mutants too, and is the catcher of neither
    assert FALSE_ALARM not in _row(strength_output, CAUGHT) + _row(strength_output, SURVIVOR)
    assert strength_output.endswith("exit 1"), strength_output
