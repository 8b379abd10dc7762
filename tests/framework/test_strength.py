"""Suite strength's judgement: a case failing against the faithful sandbox is a false alarm and kills no mutant."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from common.core.paths import PROJECT_ROOT
from common.run import strength
from common.run.strength import FAITHFUL, StrengthReport, SuiteVerdict, judge, measure, render
from sandbox.mutants import MUTANTS, Mutant

GETTOKEN_MUTANT = MUTANTS["gettoken-new-token-each-call"]
ROBOT_MUTANT = MUTANTS["robot-wrong-sign-accepted"]


def _suite_failing(failures: dict[str, tuple[str, ...]], runs: list[str]):
    """A ``run_suite`` whose run fails ``failures["case-files"]`` with ``--case-file`` and ``failures["whole"]``."""

    def run_suite(root: Path, mutant: str | None, extra_args: Sequence[str] = ()) -> SuiteVerdict:
        scope = "case-files" if extra_args else "whole"
        runs.append(scope)
        return SuiteVerdict(mutant or FAITHFUL, failures[scope], passed=10)

    return run_suite


def test_a_mutant_caught_only_by_a_false_alarm_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []
    failing = {"case-files": ("auth:wrong",), "whole": ("auth:wrong",)}
    monkeypatch.setattr(strength, "run_suite", _suite_failing(failing, runs))
    verdict = judge(PROJECT_ROOT, GETTOKEN_MUTANT, frozenset({"auth:wrong"}))
    assert verdict.failed == ()
    assert not verdict.killed
    assert runs == ["case-files", "whole"]  # the false alarm did not stop the search at the case files


def test_a_case_passing_on_the_faithful_sandbox_kills(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []
    failing = {"case-files": ("auth:wrong", "auth:right"), "whole": ()}
    monkeypatch.setattr(strength, "run_suite", _suite_failing(failing, runs))
    verdict = judge(PROJECT_ROOT, GETTOKEN_MUTANT, frozenset({"auth:wrong"}))
    assert verdict.failed == ("auth:right",)
    assert runs == ["case-files"]


def test_the_faithful_run_comes_first_and_its_failures_judge_every_mutant() -> None:
    seen: list[tuple[str, frozenset[str]]] = []

    def run(root: Path, mutant: Mutant | None, false_alarms: frozenset[str]) -> SuiteVerdict:
        name = FAITHFUL if mutant is None else mutant.name
        seen.append((name, false_alarms))
        failed = {FAITHFUL: ("auth:wrong",), GETTOKEN_MUTANT.name: (), ROBOT_MUTANT.name: ("robot:send-wrong-sign",)}
        return SuiteVerdict(name, failed[name], passed=10)

    report = measure(PROJECT_ROOT, [GETTOKEN_MUTANT, ROBOT_MUTANT], jobs=2, run=run)
    assert seen[0] == (FAITHFUL, frozenset())
    assert sorted(seen[1:]) == sorted((m.name, frozenset({"auth:wrong"})) for m in (GETTOKEN_MUTANT, ROBOT_MUTANT))
    assert report.survivors == [GETTOKEN_MUTANT]
    text = render(report)
    assert "**False alarm: the faithful sandbox failed 1 case(s).**" in text
    assert "**1 of 2 mutants killed.**" in text
    assert f"- `{GETTOKEN_MUTANT.name}` ({GETTOKEN_MUTANT.endpoint}): " in text


@pytest.mark.parametrize(
    ("faithful_failed", "killer_of_robot", "exit_code"),
    [((), ("robot:send-wrong-sign",), 0), (("auth:wrong",), ("robot:send-wrong-sign",), 1), ((), (), 1)],
    ids=["every-mutant-killed", "a-false-alarm", "a-survivor"],
)
def test_the_command_exits_0_only_when_the_faithful_run_passes_and_every_mutant_is_killed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    faithful_failed: tuple[str, ...],
    killer_of_robot: tuple[str, ...],
    exit_code: int,
) -> None:
    mutants = [GETTOKEN_MUTANT, ROBOT_MUTANT]
    verdicts = [
        SuiteVerdict(GETTOKEN_MUTANT.name, ("auth:right",), 9),
        SuiteVerdict(ROBOT_MUTANT.name, killer_of_robot, 9),
    ]
    report = StrengthReport(SuiteVerdict(FAITHFUL, faithful_failed, 10), tuple(zip(mutants, verdicts, strict=True)))
    monkeypatch.setattr(strength, "measure", lambda root, chosen, jobs, on_done: report)
    assert strength.main(["--mutants", ",".join(mutant.name for mutant in mutants)]) == exit_code
    printed = capsys.readouterr().out
    assert ("The faithful sandbox passes (10 cases): no false alarm." in printed) == (not faithful_failed)
