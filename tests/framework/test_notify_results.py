"""The run notification from a directory of Allure results: counting them as the report does, what cannot be
read (one warning line), the run's id and target, and sending to a loopback sandbox robot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common.dingtalk.settings import Settings, load_settings
from common.report import notify_results
from common.report.metadata import properties_text
from common.report.notify import RunInfo
from common.report.notify_results import read_properties, read_results, run_info
from sandbox import SandboxConfig, SandboxServer
from sandbox.routes.robot import DEFAULT_ROBOT_SECRET, DEFAULT_ROBOT_TOKEN

REPORT_URL = "https://github.com/acme/apitest/actions/runs/123"
ENVIRONMENT = {"Target": "live", "Old host (oapi)": "https://oapi.example:8443", "Run id": "20240601120000-ab12"}


def write_result(directory: Path, uuid: str, status: str, start: int, **fields: Any) -> None:
    """An Allure result as allure-pytest writes it (only the fields the notification reads, plus a few)."""
    result = {"uuid": uuid, "historyId": f"h-{uuid}", "name": f"title {uuid}", "fullName": f"testcases.t#{uuid}"}
    result |= {"status": status, "start": start, "stop": start + 5, "labels": []} | fields
    (directory / f"{uuid}-result.json").write_text(json.dumps(result), encoding="utf-8")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """A run of six tests: two passed, one failed, one broken, one skipped, one passed on its retry."""
    directory = tmp_path / "allure-results"
    directory.mkdir()
    write_result(directory, "a", "passed", 100)
    write_result(
        directory, "b", "failed", 300, statusDetails={"message": "Failed: data/x.yaml:4 case 'b': POST /x\n  - e"}
    )
    write_result(directory, "c", "broken", 200, statusDetails={"message": "", "trace": "KeyError: 'bb_id'\n  at …"})
    write_result(directory, "d", "skipped", 400, statusDetails={"message": "writes: not on live"})
    write_result(directory, "e", "passed", 500)
    write_result(directory, "flaky-1", "failed", 600, historyId="h-flaky", name="flaky", stop=610)
    write_result(directory, "flaky-2", "passed", 620, historyId="h-flaky", name="flaky", stop=630)
    (directory / "x-container.json").write_text("{}", encoding="utf-8")
    (directory / "y-attachment.txt").write_text("not a result", encoding="utf-8")
    (directory / "environment.properties").write_text(properties_text(ENVIRONMENT), encoding="ascii")
    return directory


# reading the results


def test_each_test_counts_once_with_the_latest_of_its_retries(results: Path) -> None:
    read = read_results(results)
    assert read.outcome.totals() == {"passed": 3, "failed": 1, "broken": 1, "skipped": 1}
    assert read.unreadable == []


def test_the_failures_are_named_by_their_title_in_the_order_they_ran_with_the_first_line_of_why(
    results: Path,
) -> None:
    failures = [(f.name, f.status, f.reason) for f in read_results(results).outcome.failures()]
    assert failures == [
        ("title c", "broken", "KeyError: 'bb_id'"),
        ("title b", "failed", "data/x.yaml:4 case 'b': POST /x"),
    ]


def test_tests_with_the_same_title_are_still_two_tests(tmp_path: Path) -> None:
    write_result(tmp_path, "one", "failed", 1, name="same title")
    write_result(tmp_path, "two", "failed", 2, name="same title")
    assert [f.name for f in read_results(tmp_path).outcome.failures()] == ["same title", "same title"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not a readable JSON file (JSONDecodeError)"),
        (b"\xff\xfe{}", "not a readable JSON file (UnicodeDecodeError)"),
        ("[1, 2]", "not a JSON object"),
        ('{"name": "x"}', "status None is not one of passed, failed, broken, skipped"),
        ('{"name": "x", "status": "unknown"}', "status 'unknown' is not one of passed, failed, broken, skipped"),
    ],
)
def test_a_file_that_is_not_an_allure_result_is_named_and_not_counted(
    results: Path, content: str | bytes, why: str
) -> None:
    bad = results / "zz-result.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    read = read_results(results)
    assert read.unreadable == [f"zz-result.json: {why}"]
    assert sum(read.outcome.totals().values()) == 6


def test_a_missing_directory_holds_no_results(tmp_path: Path) -> None:
    read = read_results(tmp_path / "nowhere")
    assert (sum(read.outcome.totals().values()), read.environment, read.unreadable) == (0, {}, [])


# the run's id and target


def test_environment_properties_read_back_as_the_suite_writes_them() -> None:
    values = {
        "Target": "sandbox",
        "Old host (oapi)": "http://127.0.0.1:8000",
        "Tenant profile": "data/profiles/我的.yaml",
        "a=b:c#d!e\\f": " leading blank\tand tab",
        "emoji": "🙂 outside the BMP",
        "empty": "",
    }
    assert read_properties(properties_text(values)) == values


def test_properties_written_by_hand_are_read_too() -> None:
    text = "# comment\n! comment\n\nkey1 = one\nkey2:two\nkey3 three\n  indented=yes\nalone\n"
    assert read_properties(text) == {"key1": "one", "key2": "two", "key3": "three", "indented": "yes", "alone": ""}


def test_the_run_id_given_wins_over_the_shard_s_and_the_target_comes_from_the_results() -> None:
    assert run_info(ENVIRONMENT, None, REPORT_URL) == (
        RunInfo("20240601120000-ab12", "线上钉钉（https://oapi.example:8443）", REPORT_URL)
    )
    assert run_info(ENVIRONMENT, "gh-77", REPORT_URL).run_id == "gh-77"
    assert run_info({"Target": "sandbox"}, None, REPORT_URL).target == "沙箱（内置模拟器）"
    assert run_info({}, None, REPORT_URL) == RunInfo("unknown", "unknown", REPORT_URL)


# sending


@pytest.fixture
def robot_sandbox() -> Iterator[SandboxServer]:
    """A sandbox in this process, on the real clock (messages are signed with the real time)."""
    with SandboxServer(config=SandboxConfig()) as server:
        yield server


def settings_for(tmp_path: Path, server: SandboxServer, secret: str = DEFAULT_ROBOT_SECRET) -> Settings:
    environ = {
        "DINGTALK_ROBOT_WEBHOOK": f"{server.url}/robot/send?access_token={DEFAULT_ROBOT_TOKEN}",
        "DINGTALK_ROBOT_SECRET": secret,
        "DINGTALK_REPORT_URL": REPORT_URL,
    }
    return load_settings(tmp_path, environ=environ)


def received(server: SandboxServer) -> list[dict]:
    return [kept["message"] for kept in server.state.robot_inbox.messages()]


def test_the_results_are_sent_as_one_signed_message(
    tmp_path: Path, results: Path, robot_sandbox: SandboxServer
) -> None:
    lines = notify_results.notify_results(results, "gh-77", settings_for(tmp_path, robot_sandbox))
    assert lines == [
        f"dingtalk-apitest: run notification sent to the DingTalk robot at {robot_sandbox.url.removeprefix('http://')}"
    ]
    (message,) = received(robot_sandbox)  # the sandbox keeps only messages whose signature it checked
    assert message["markdown"]["text"].split("\n\n") == [
        "#### dingtalk-apitest：6 个用例中 2 个未通过",
        "运行 **gh-77** · 目标 **线上钉钉（https://oapi.example:8443）**",
        "通过 **3** · 失败 **1** · 损坏 **1** · 跳过 **1**",
        "- 损坏：title c — KeyError: 'bb_id'\n- 失败：title b — data/x.yaml:4 case 'b': POST /x",
        f"报告：[{REPORT_URL}]({REPORT_URL})",
    ]


def test_unreadable_files_are_one_warning_line_and_the_rest_is_sent(
    tmp_path: Path, results: Path, robot_sandbox: SandboxServer
) -> None:
    (results / "bad1-result.json").write_text("{", encoding="utf-8")
    (results / "bad2-result.json").write_text("[]", encoding="utf-8")
    warning, sent = notify_results.notify_results(results, None, settings_for(tmp_path, robot_sandbox))
    assert warning == (
        "dingtalk-apitest: run notification: not counted, not an Allure result: "
        "bad1-result.json: not a readable JSON file (JSONDecodeError) and 1 more"
    )
    assert sent.startswith("dingtalk-apitest: run notification sent to ")
    (message,) = received(robot_sandbox)
    assert "通过 **3** · 失败 **1** · 损坏 **1** · 跳过 **1**" in message["markdown"]["text"]


def test_no_results_nothing_sent(tmp_path: Path, robot_sandbox: SandboxServer) -> None:
    lines = notify_results.notify_results(tmp_path / "nowhere", None, settings_for(tmp_path, robot_sandbox))
    assert lines == [
        f"dingtalk-apitest: run notification not sent: no Allure results (*-result.json) in {tmp_path / 'nowhere'}: "
        "give --results the directory the run (or the merged shards) wrote"
    ]
    assert received(robot_sandbox) == []


def test_a_refused_message_is_one_masked_line(tmp_path: Path, results: Path, robot_sandbox: SandboxServer) -> None:
    wrong = "SECnot-the-robot-s-secret"
    (results / "leaky-result.json").write_text(f'{{"status": "{wrong} {DEFAULT_ROBOT_TOKEN}"}}', encoding="utf-8")
    lines = notify_results.notify_results(results, None, settings_for(tmp_path, robot_sandbox, secret=wrong))
    assert len(lines) == 2
    assert lines[0].startswith("dingtalk-apitest: run notification: not counted, not an Allure result: leaky-result")
    assert lines[1].startswith("dingtalk-apitest: run notification not sent: errcode 310000 sign not match: ")
    assert received(robot_sandbox) == []
    for line in lines:
        assert wrong not in line
        assert DEFAULT_ROBOT_TOKEN not in line


# the command


def run_command(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert notify_results.main(list(argv)) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def no_robot(monkeypatch: pytest.MonkeyPatch) -> None:
    """No robot, whatever a developer's .env says (the environment wins, and empty is unset)."""
    for name in ("DINGTALK_ROBOT_WEBHOOK", "DINGTALK_ROBOT_TOKEN", "DINGTALK_TARGET"):
        monkeypatch.setenv(name, "")


def test_the_command_without_a_robot_says_it_is_off(
    capsys: pytest.CaptureFixture[str], results: Path, no_robot: None
) -> None:
    assert run_command(capsys, "--results", str(results)) == [
        "dingtalk-apitest: run notification off: no robot configured (DINGTALK_ROBOT_WEBHOOK or DINGTALK_ROBOT_TOKEN)"
    ]


def test_the_command_with_a_bad_setting_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_robot: None
) -> None:
    monkeypatch.setenv("DINGTALK_TARGET", "staging")
    assert run_command(capsys) == [
        "dingtalk-apitest: run notification not sent: DINGTALK_TARGET='staging' is not a target: "
        "use 'sandbox' (default) or 'live'"
    ]
