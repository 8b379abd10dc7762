"""The framework under faults, end to end: the whole suite passes against a sandbox that is slow, busy,
rate-limited and hands out short-lived tokens (the shared ``live_writing_run``), with every retry in the report;
a dead host or refused credentials stop the run with one line; a create whose answer was lost is never sent
again."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from common.cases.model import Auth, Case
from common.core.errors import CheckFailure, FrameworkError
from common.dingtalk.api import ApiRequest
from sandbox import SandboxConfig, SandboxServer
from sandbox.faults import FaultSettings
from tests.e2e.harness import LIVE_WRITING_RUN, RETRIES_UNDER_FAULTS, LiveRun, Project, RunningSandbox, direct_run
from tests.e2e.test_api_suite import _summary

RETRY_STEP = re.compile(
    r"^retry \d of (\d) after (errcode -1|errcode 90018|HTTP 429 system\.busy|HTTP 403 \S+QpsLimit)"
)


def _steps(step: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for child in step.get("steps", []):
        yield child
        yield from _steps(child)


def _all_steps(results: Path) -> list[dict[str, Any]]:
    """Every step in every Allure result under ``results``, nested steps included."""
    return [step for path in results.glob("*-result.json") for step in _steps(json.loads(path.read_text()))]


@pytest.mark.xdist_group(LIVE_WRITING_RUN)
def test_the_whole_suite_passes_under_faults_and_shows_every_retry(live_writing_run: LiveRun) -> None:
    """The shared live run's sandbox is slow, busy and rate-limited (FLAKY_DINGTALK), its tokens short-lived."""
    run, project = live_writing_run.run, live_writing_run.project
    assert run.returncode == 0, run.output[-3000:]
    # on this live-mode run only what it cannot judge is skipped: the sandbox's own behaviour (not DingTalk's
    # documented contract) and the exact counts its profile does not pin
    assert set(_summary(run.output)) <= {"passed", "skipped"}, run.output[-3000:]
    skips = [line for line in run.output.splitlines() if line.startswith("SKIPPED")]
    assert all(re.search(r"the sandbox's own behaviour|the tenant profile does not pin", line) for line in skips), skips
    faults = live_writing_run.stats["faults"]
    assert faults["busy"] > 0 and faults["rate_limited"] > 0, faults
    results = project.reports / "allure-results"
    steps = _all_steps(results)
    retries = [step for step in steps if step["name"].startswith("retry ")]
    assert retries, "no retry step in the report"
    for step in retries:
        assert (match := RETRY_STEP.match(step["name"])) and match[1] == RETRIES_UNDER_FAULTS["DINGTALK_RETRIES"], step[
            "name"
        ]
        # the refused answer is attached to its step, masked like every other
        [answer] = [item for item in step["attachments"] if item["name"] == "response"]
        text = (results / answer["source"]).read_text()
        assert re.search(r'"(errcode|code)": (-1|90018)|"code": "(system.busy|Forbidden\.\S+Qps)', text), text
    # the refused calls of the cases were retried in steps of their own (the end-of-run sweep's are not in a case)
    assert len(retries) <= faults["busy"] + faults["rate_limited"] + faults["qps_limited"]
    # the short-lived tokens were renewed while the run went on, by whichever worker needed one first
    assert [step["name"] for step in steps].count("gettoken: the run's one token request") > 1


BURST_CASE = """
  - id: burst-{n}
    title: one of many category/list calls at once
    request:
      path: /topapi/blackboard/category/list
      json: {{operation_userid: "${{profile.admin_userid}}"}}
"""


def test_the_rate_limiter_keeps_parallel_workers_under_the_sandbox_s_qps_limit(project: Project) -> None:
    project.keep_case_files("blackboard")
    project.add_cases("blackboard.yaml", "".join(BURST_CASE.format(n=n) for n in range(24)))
    with SandboxServer(config=SandboxConfig(faults=FaultSettings(qps=10))) as server:
        sandbox = RunningSandbox(server.url)
        # no retries: a single call over the limit would fail its case (or the end-of-run sweep)
        env = {**sandbox.environ(), "DINGTALK_QPS": "10", "DINGTALK_RETRIES": "0"}
        run = project.run("-n", "2", "-q", "-k", "burst", env=env)
        stats = sandbox.stats()
    assert run.returncode == 0, run.output[-3000:]
    assert _summary(run.output) == {"passed": 24}
    assert stats["calls"]["POST /topapi/blackboard/category/list"] == 24
    assert stats["faults"]["qps_limited"] == 0


UNREACHABLE = {
    "DINGTALK_TARGET": "live",
    "DINGTALK_APPKEY": "k",
    "DINGTALK_APPSECRET": "never-shown-secret",
    "DINGTALK_PROFILE": "data/profiles/sandbox.yaml",
    "DINGTALK_TIMEOUT": "0.5",
    "DINGTALK_RETRY_BACKOFF": "0.01",
}


@pytest.fixture
def silent_host() -> Iterator[str]:
    """A port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize(
    ("host", "problem", "workers"),
    [
        ("http://127.0.0.1:9", "cannot connect (connection refused: is the host up and the URL right?)", ("-n", "2")),
        ("silent", "no answer within 0.5 s (timeout)", ()),
    ],
    ids=["refused-two-workers", "timeout"],
)
def test_an_unreachable_host_stops_the_run_with_one_line_keeping_what_was_written(
    project: Project, silent_host: str, host: str, problem: str, workers: tuple[str, ...]
) -> None:
    """Both ways a host is unreachable stop the run; the refused one on two workers, each of which stops."""
    url = silent_host if host == "silent" else host
    project.keep_case_files("auth", "blackboard")
    env = {**UNREACHABLE, "DINGTALK_OAPI_URL": url, "DINGTALK_API_URL": url}
    run = project.run(*workers, "-q", "--junitxml=reports/junit.xml", env=env)
    reason = f"the run stops: GET {url}/gettoken: {problem} (after 4 attempts)"
    assert run.returncode == 2, run.output[-3000:]  # pytest's "interrupted"
    assert f"Interrupted: {reason}" in run.output
    # each worker fails the case it was running, then stops: the other cases never wait for the host
    assert 1 <= _summary(run.output).get("failed", 0) <= 2, run.output[-3000:]
    assert "never-shown-secret" not in run.output and "Traceback" not in run.output
    # what ran before the stop is in the report: a result per case pytest counted, far fewer than the suite has
    results = list((project.reports / "allure-results").glob("*-result.json"))
    assert len(results) == sum(_summary(run.output).values()) < 10
    assert 'failures="' in (project.reports / "junit.xml").read_text()


def test_refused_credentials_stop_the_run_with_one_line(project: Project, sandbox: RunningSandbox) -> None:
    project.keep_case_files("auth", "blackboard")  # more than the 40 cases a run that stops must stay under
    run = project.run("testcases/test_cases.py", "-q", env={**sandbox.environ(), "DINGTALK_APPSECRET": "wrong-secret"})
    assert run.returncode == 2, run.output[-3000:]
    assert f"Interrupted: the run stops: DingTalk refused the app credentials at {sandbox.url}/gettoken" in run.output
    # the run stops after the case that met the refusal (a case sending the app's credentials itself fails too)
    summary = _summary(run.output)
    assert summary.get("failed", 0) >= 1
    assert summary.get("failed", 0) + summary.get("passed", 0) < 40, summary
    assert "wrong-secret" not in run.output


CREATE_CASE = """\
epic: E
feature: f
cases:
  - id: create
    title: create an announcement whose answer is lost
    writes: true
    request:
      path: /topapi/blackboard/create
      json:
        create_request:
          operation_userid: ${profile.admin_userid}
          title: lost answer ${uid}
          content: sent once
          blackboard_receiver: {userid_list: "${profile.test_userids}"}
"""


def test_a_create_whose_answer_is_lost_is_sent_once_and_fails_with_one_line(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    direct = direct_run(sandbox, tmp_path)
    # the token first: the dropped answers below are the create's alone
    direct.client.send(ApiRequest("oapi", "POST", "/topapi/blackboard/category/list", {}, {}, {}, Auth.TOKEN))
    (tmp_path / "cases.yaml").write_text(CREATE_CASE)
    [case] = direct.loader.load(tmp_path / "cases.yaml")
    assert isinstance(case, Case) and case.steps[0].request.creates
    before = sandbox.stats()
    requests.post(f"{sandbox.url}/__sandbox/faults", json={"drop_after": 1.0}, timeout=5).raise_for_status()
    with pytest.raises((CheckFailure, FrameworkError)) as raised:
        direct.runner.run(case, uid="r-1")
    direct.transport.close()
    after = sandbox.stats()
    assert (
        after["calls"]["POST /topapi/blackboard/create"] == before["calls"].get("POST /topapi/blackboard/create", 0) + 1
    )
    assert after["objects"]["blackboard"] == before["objects"]["blackboard"] + 1
    assert after["faults"]["drop_after"] == 1
    assert str(raised.value) == (
        f"cases.yaml:4 step 'POST /topapi/blackboard/create': POST {sandbox.url}/topapi/blackboard/create: "
        "connection lost (the server closed the connection without answering) "
        "(not sent again: a create may have reached the server)"
    )
