"""The API suite run end to end, as the README runs it: results, token use, errors and report content."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
import requests

from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from sandbox import SandboxConfig, SandboxServer
from sandbox.config import DEFAULT_APPSECRET
from sandbox.faults import FaultSettings
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN
from tests.e2e.harness import PROJECT_ROOT, Project, RunningSandbox

CRUD_COPY = """
  - id: crud-copy-{n}
    title: parallel copy {n} of the announcement life cycle
    writes: true
    steps:
      - request:
          path: /topapi/blackboard/create
          json:
            create_request:
              operation_userid: ${{profile.admin_userid}}
              title: apitest ${{uid}} copy
              content: parallel copy {n}
              ding: false
              push_top: false
              blackboard_receiver: {{userid_list: "${{profile.test_userids}}"}}
      - request:
          path: /topapi/blackboard/listids
          json:
            query_request: {{operation_userid: "${{profile.admin_userid}}", page: 1, page_size: 30,
                             start_time: "${{datetime(-1d)}}", end_time: "${{datetime(+1d)}}"}}
        save: {{ids: result}}
      - for_each: ${{ids}}
        request:
          path: /topapi/blackboard/get
          json: {{blackboard_id: "${{item}}", operation_userid: "${{profile.admin_userid}}"}}
        until: {{result.title: "apitest ${{uid}} copy"}}
        save: {{bb_id: result.id}}
    teardown:
      - request:
          path: /topapi/blackboard/delete
          json: {{blackboard_id: "${{bb_id}}", operation_userid: "${{profile.admin_userid}}"}}
"""


def _project_cases() -> list[Case]:
    profile = load_profile(PROJECT_ROOT / "data/profiles/sandbox.yaml", "sandbox.yaml")
    loader = CaseLoader(SchemaStore(PROJECT_ROOT / "schemas"), profile, PROJECT_ROOT)
    cases = [case for path in sorted((PROJECT_ROOT / "data").glob("*.yaml")) for case in loader.load(path)]
    assert all(isinstance(case, Case) for case in cases), "the shipped cases must all be valid"
    return cases  # type: ignore[return-value]


def _summary(run_output: str) -> dict[str, int]:
    """Counts from pytest's closing line, e.g. {'passed': 45, 'failed': 1}."""
    last = [line for line in run_output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)][-1]
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", last)}


YAML_CASES = "testcases/test_cases.py"
"""The module that runs every YAML case (the hand-written examples beside it are left out of these counts)."""


def test_default_run_uses_the_embedded_sandbox_and_passes(project: Project) -> None:
    run = project.run(YAML_CASES, "-n", "2", "-q")
    assert run.returncode == 0, run.output
    assert _summary(run.output) == {"passed": len(_project_cases())}
    results = list((project.reports / "allure-results").glob("*-result.json"))
    assert len(results) == len(_project_cases())


def test_a_parallel_run_requests_one_token(project: Project, sandbox: RunningSandbox) -> None:
    run = project.run("-n", "3", "-q", env=sandbox.environ())
    assert run.returncode == 0, run.output
    gettoken_cases = sum(
        1
        for case in _project_cases()
        for step in case.steps
        if (step.request.method, step.request.path) == ("GET", "/gettoken")
    )
    # every call to /gettoken beyond the cases that test gettoken itself is the run's own token request
    assert sandbox.stats()["calls"]["GET /gettoken"] - gettoken_cases == 1


def test_parallel_flows_run_side_by_side_and_leave_nothing_behind(project: Project, sandbox: RunningSandbox) -> None:
    before = sandbox.stats()["objects"]["blackboard"]
    project.add_cases("blackboard.yaml", "".join(CRUD_COPY.format(n=n) for n in range(8)))
    run = project.run("-n", "4", "-q", "-k", "crud", env=sandbox.environ())
    assert run.returncode == 0, run.output
    assert _summary(run.output) == {"passed": 9}
    assert sandbox.stats()["objects"]["blackboard"] == before


def test_malformed_cases_are_one_line_each_and_the_rest_still_run(project: Project) -> None:
    project.add_cases("blackboard.yaml", "\n  - id: typo\n    title: a typo\n    reqest: {path: /topapi/x}\n")
    # a new data file runs with no Python added; its YAML error fails it alone
    (project.root / "data" / "broken.yaml").write_text("epic: x\nfeature: y\ncases:\n  - id: a\n    title: [\n")
    run = project.run(YAML_CASES, "-n", "2", "-q")
    assert run.returncode == 1
    assert _summary(run.output) == {"passed": len(_project_cases()), "errors": 2}
    last_line = len((project.root / "data" / "blackboard.yaml").read_text().splitlines())
    assert f"data/blackboard.yaml:{last_line} case 'typo' reqest: unknown key 'reqest': did you mean 'request'?" in (
        run.output
    )
    assert "data/broken.yaml:6: not valid YAML" in run.output
    assert "Traceback" not in run.output
    # the results of the cases that ran are written, and the two bad ones are reported as well
    assert len(list((project.reports / "allure-results").glob("*-result.json"))) == len(_project_cases()) + 2


def test_a_new_yaml_case_shows_up_in_the_report_with_its_labels_and_exchanges(project: Project) -> None:
    project.add_cases(
        "blackboard.yaml",
        "\n  - id: added-by-a-user\n    title: 用户新加的用例\n    severity: minor\n    request:\n"
        '      path: /topapi/blackboard/category/list\n      json: {operation_userid: "${profile.admin_userid}"}\n',
    )
    run = project.run("-q", "-k", "added-by-a-user")
    assert run.returncode == 0, run.output
    [result_file] = (project.reports / "allure-results").glob("*-result.json")
    result = json.loads(result_file.read_text())
    labels = {(label["name"], label["value"]) for label in result["labels"]}
    assert result["name"] == "用户新加的用例"
    assert {
        ("epic", "公告 Blackboard"),
        ("feature", "blackboard"),
        ("story", "/topapi/blackboard/category/list"),
        ("severity", "minor"),
    } <= labels
    attachments = [a["name"] for step in result["steps"] for a in _all_attachments(step)]
    assert {"request", "response", "curl"} <= set(attachments)


def _all_attachments(step: dict) -> list[dict]:
    found = list(step.get("attachments", []))
    for child in step.get("steps", []):
        found += _all_attachments(child)
    return found


class SteppingClock:
    """Real time plus a small step at every reading: the sandbox's tokens expire after so many calls, not seconds."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.ahead = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.ahead += self.step
            return time.time() + self.ahead


def test_no_secret_or_token_reaches_reports_logs_or_junit(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # a token lives for 300 sandbox clock readings (about a hundred calls), so the run has to refresh its token
    config = SandboxConfig(clock=SteppingClock(0.01), token_ttl=3, faults=FaultSettings(qps=0))
    with SandboxServer(config=config) as server:
        issued: list[str] = []
        issue_token = server.state.issue_token

        def issue_and_record() -> str:
            issued.append(issue_token())
            return issued[-1]

        monkeypatch.setattr(server.state, "issue_token", issue_and_record)
        environ = {
            **RunningSandbox(server.url).environ(),
            "DINGTALK_ROBOT_WEBHOOK": f"{server.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
            "DINGTALK_ROBOT_SECRET": DEFAULT_ROBOT_SECRET,
        }
        args = ("-n", "2", "-q", "--junitxml=reports/junit.xml", "--log-file=reports/run.log", "--log-file-level=DEBUG")
        run = project.run(*args, env=environ)
        robot_messages = requests.get(f"{server.url}/__sandbox/robot/messages", timeout=5).json()["messages"]
    assert run.returncode == 0, run.output
    tokens = set(issued)
    assert len(tokens) >= 2, "the run should have refreshed its token"
    notifications = [message for message in robot_messages if message["message"].get("msgtype") == "markdown"]
    assert len(notifications) == 1, "the run should have notified the robot once (robot cases send text messages)"
    secrets = {"the appsecret": DEFAULT_APPSECRET, "the robot secret": DEFAULT_ROBOT_SECRET}
    secrets |= {"the robot token": DEFAULT_ROBOT_TOKEN} | {f"access token {t[:4]}…": t for t in sorted(tokens)}
    written = [path for path in project.reports.rglob("*") if path.is_file()]
    assert {"run.log", "junit.xml"} <= {path.name for path in written}
    log = (project.reports / "run.log").read_text(encoding="utf-8")
    # the debug log did record token-bearing URLs (so the scan below means something), masked
    assert re.search(r'"POST /topapi/\S+\?access_token=\*\*\* HTTP/1.1" 200', log), log[:2000]
    assert re.search(r'"GET /gettoken\?appkey=\S+&appsecret=\*\*\* HTTP/1.1"', log), log[:2000]
    for name, text in [("the run's output", run.output)] + [(str(p), p.read_text(errors="replace")) for p in written]:
        leaked = [what for what, secret in secrets.items() if secret in text]
        assert not leaked, f"{', '.join(leaked)} leaked into {name}"


def test_writes_are_skipped_on_a_live_target_unless_allowed(project: Project, sandbox: RunningSandbox) -> None:
    run = project.run(YAML_CASES, "-q", "-rs", env=sandbox.environ(allow_writes=False))
    assert run.returncode == 0, run.output
    skipped = sum(1 for case in _project_cases() if case.writes or case.sandbox_only is not None)
    assert _summary(run.output) == {"passed": len(_project_cases()) - skipped, "skipped": skipped}
    assert "DINGTALK_ALLOW_WRITES=1" in run.output
    assert sandbox.stats()["calls"].get("POST /topapi/blackboard/create", 0) == 0


def test_a_missing_live_credential_stops_the_run_with_one_line(project: Project) -> None:
    run = project.run("-q", env={"DINGTALK_TARGET": "live", "DINGTALK_PROFILE": "data/profiles/sandbox.yaml"})
    assert run.returncode == 4
    assert "DINGTALK_APPKEY is not set" in run.stderr
    assert "Traceback" not in run.output
    error_lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1, run.stderr
