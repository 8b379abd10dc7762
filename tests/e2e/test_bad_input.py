"""Bad input end to end: a missing setting or a bad profile stops the run with its one line; a profile key that cases
need and the profile lacks fails those cases alone, with one line each, while the others run and are reported."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.e2e.harness import PROJECT_ROOT, Project

BAD_ENV = PROJECT_ROOT / "tests" / "bad_env"
CLOSED_PORT = {"DINGTALK_OAPI_URL": "http://127.0.0.1:9", "DINGTALK_API_URL": "http://127.0.0.1:9"}
"""Where a live run would go were a bad setting not caught: loopback, never DingTalk."""


@pytest.mark.parametrize("name", ["live-without-appkey.env", "profile-a-folder.env"])
def test_a_bad_env_file_stops_the_run_with_its_one_line(project: Project, name: str) -> None:
    """A live run without its app key (the README's example) and a bad profile, each found at start-up in its own
    place (every bad file's line: tests/framework/test_bad_env.py)."""
    env_file = BAD_ENV / name
    expected = env_file.read_text(encoding="utf-8").splitlines()[0].removeprefix("# error: ")
    (project.root / ".env").write_bytes(env_file.read_bytes())
    run = project.run("-q", env=CLOSED_PORT)
    assert run.returncode == 4, run.output
    assert [line for line in run.stderr.splitlines() if line.strip()] == [f"ERROR: {expected}"]
    assert "Traceback" not in run.output


def test_a_profile_without_a_key_fails_only_the_cases_that_need_it(project: Project) -> None:
    profiles = project.root / "data" / "profiles"
    kept = [line for line in (profiles / "sandbox.yaml").read_text().splitlines() if not line.startswith("category_id")]
    (profiles / "mine.yaml").write_text("\n".join(kept) + "\n")
    cases = yaml.safe_load((project.root / "data" / "blackboard.yaml").read_text(encoding="utf-8"))["cases"]
    needing = {case["id"] for case in cases if "profile.category_id" in json.dumps(case, ensure_ascii=False)}

    mine = {"DINGTALK_PROFILE": "data/profiles/mine.yaml"}
    # the category cases: some need the key (one of them in two places), the others do not
    run = project.run("testcases/test_cases.py", "-q", "--case-file=blackboard.yaml", "-k", "category", env=mine)

    assert run.returncode == 1, run.output
    results = {result["fullName"].removeprefix("blackboard:"): result for result in project.allure_results()}
    failed = {case_id for case_id, result in results.items() if result["status"] not in ("passed", "skipped")}
    assert failed == needing & set(results)
    assert failed and set(results) - failed, sorted(results)  # else this test shows nothing
    complaints = [
        line
        for line in run.output.splitlines()
        if "the tenant profile has no key 'category_id'" in line and line.startswith("data/")  # not the summary
    ]
    # a case that needs the key in several places says so once per place, all in its one message
    assert {line.split(" case '")[1].split("'")[0] for line in complaints} == failed
    assert all(line.startswith("data/blackboard.yaml:") for line in complaints)
    assert "Traceback" not in run.output
    assert all("has no key 'category_id'" in results[case_id]["statusDetails"]["message"] for case_id in failed)
