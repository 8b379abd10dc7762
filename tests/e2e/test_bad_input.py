"""Bad input end to end: a bad setting stops the run with its one line; a profile key that cases need and
the profile lacks fails those cases alone, with one line each, while the others run and are reported."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.e2e.harness import PROJECT_ROOT, Project

BAD_ENV = PROJECT_ROOT / "tests" / "bad_env"


@pytest.mark.parametrize("name", ["target-foo.env", "profile-a-folder.env"])
def test_a_bad_env_file_stops_the_run_with_its_one_line(project: Project, name: str) -> None:
    """A bad setting and a bad profile, each found at start-up in its own place (every bad file's line:
    tests/framework/test_bad_env.py)."""
    env_file = BAD_ENV / name
    expected = env_file.read_text(encoding="utf-8").splitlines()[0].removeprefix("# error: ")
    (project.root / ".env").write_bytes(env_file.read_bytes())
    run = project.run("-q")
    assert run.returncode == 4, run.output
    assert [line for line in run.stderr.splitlines() if line.strip()] == [f"ERROR: {expected}"]
    assert "Traceback" not in run.output


def test_a_profile_without_a_key_fails_only_the_cases_that_need_it(project: Project) -> None:
    profiles = project.root / "data" / "profiles"
    kept = [line for line in (profiles / "sandbox.yaml").read_text().splitlines() if not line.startswith("category_id")]
    (profiles / "mine.yaml").write_text("\n".join(kept) + "\n")
    cases = yaml.safe_load((project.root / "data" / "blackboard.yaml").read_text(encoding="utf-8"))["cases"]
    needing = {case["id"] for case in cases if "profile.category_id" in json.dumps(case, ensure_ascii=False)}
    assert needing  # else this test shows nothing

    mine = {"DINGTALK_PROFILE": "data/profiles/mine.yaml"}
    run = project.run("testcases/test_cases.py", "-q", "--case-file=blackboard.yaml", env=mine)

    assert run.returncode == 1, run.output
    complaints = [
        line
        for line in run.output.splitlines()
        if "the tenant profile has no key 'category_id'" in line and line.startswith("data/")  # not the summary
    ]
    # a case that needs the key in several places says so once per place, all in its one message
    assert {line.split(" case '")[1].split("'")[0] for line in complaints} == needing
    assert all(line.startswith("data/blackboard.yaml:") for line in complaints)
    assert "Traceback" not in run.output
    results = [json.loads(path.read_text()) for path in (project.reports / "allure-results").glob("*-result.json")]
    assert len(results) == len(cases)
    failed = [result for result in results if result["status"] not in ("passed", "skipped")]
    assert len(failed) == len(needing)
    assert all("has no key 'category_id'" in result["statusDetails"]["message"] for result in failed)
