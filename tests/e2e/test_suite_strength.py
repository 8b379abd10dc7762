"""`python -m common.run.strength` on a user's own, small suite: a mutant its cases catch is killed, one they do
not is a survivor named with its contract point, and a case failing against the faithful sandbox is a false alarm,
never a kill."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import Project

KEPT = ("auth", "robot")
STALE_TIMESTAMP = "robot-stale-timestamp-accepted"
MUTANTS = f"gettoken-new-token-each-call,{STALE_TIMESTAMP}"
"""One mutant per case file; the survivor test drops the one case that kills the second."""


@pytest.fixture
def small_project(project: Project) -> Project:
    """The project with only the auth and robot cases: a suite a team might start from."""
    for data in (project.root / "data").glob("*.yaml"):
        if data.stem not in KEPT:
            data.unlink()
    (project.root / "testcases" / "test_handwritten_example.py").unlink()
    return project


def strength(project: Project, mutants: str) -> str:
    run = project.python("-m", "common.run.strength", "--mutants", mutants, "--jobs", "2", "--root", ".")
    return run.output + f"\nexit {run.returncode}"


def _drop_case(root: Path, file: str, case_id: str) -> None:
    """Remove the case ``case_id`` (up to the next case) from ``data/<file>``."""
    path = root / "data" / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {case_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id: ")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def test_every_mutant_is_killed_and_the_faithful_run_passes(small_project: Project) -> None:
    out = strength(small_project, MUTANTS)
    assert "The faithful sandbox passes" in out, out
    assert "**2 of 2 mutants killed.**" in out, out
    assert "`auth:gettoken-same-token-while-valid`" in out, out
    assert "`robot:send-stale-timestamp`" in out, out
    assert out.endswith("exit 0"), out


def test_a_mutant_no_case_catches_is_a_survivor_with_its_contract_point(small_project: Project) -> None:
    _drop_case(small_project.root, "robot.yaml", "send-stale-timestamp")
    out = strength(small_project, STALE_TIMESTAMP)
    assert "The faithful sandbox passes" in out, out  # so the exit 1 is the survivor's
    assert "**0 of 1 mutants killed.**" in out, out
    assert "## Survivors: contract points no case checks" in out, out
    assert f"- `{STALE_TIMESTAMP}` (POST /robot/send): " in out, out
    assert out.endswith("exit 1"), out


def test_a_case_failing_on_the_faithful_sandbox_is_a_false_alarm_not_a_kill(small_project: Project) -> None:
    small_project.add_cases(
        "auth.yaml",
        """
  - id: expects-the-wrong-errcode
    title: a case that is wrong about DingTalk
    request: {path: /gettoken, auth: none}
    expect: {errcode: 12345}
""",
    )
    out = strength(small_project, "gettoken-new-token-each-call")
    assert "**False alarm: the faithful sandbox failed 1 case(s).**" in out, out
    assert "- `auth:expects-the-wrong-errcode`" in out, out
    assert "**1 of 1 mutants killed.**" in out, out  # by a genuine case: no survivor, so the exit 1 is the alarm's
    assert out.endswith("exit 1"), out
