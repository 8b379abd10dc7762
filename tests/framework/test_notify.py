"""Run notifications: settings, signing, the message, the robot's errcodes, and the plugin in a real pytest run
against a loopback sandbox robot (never failing the run, never showing the secret or the robot's token)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.dingtalk.settings import DEFAULT_REPORT_URL, RobotSettings, load_settings
from common.http.masking import Masker
from common.report import robot as notify_robot
from common.report.notify import (
    MAX_LISTED_FAILURES,
    RunInfo,
    RunOutcome,
    failure_reason,
    failure_status,
    markdown_message,
)
from common.report.robot import RobotClient, RobotError
from sandbox import SandboxConfig, SandboxServer
from tests.framework.fakes import PROJECT, FakeClock, ScriptedTransport, response

pytest_plugins = ("pytester",)

TOKEN = "sandbox-robot-token"
SECRET = "SECsandbox-robot-secret"
WEBHOOK = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
# printf '1700000000000\nSECsandbox-robot-secret' | openssl dgst -sha256 -hmac SECsandbox-robot-secret -binary | base64
OPENSSL_SIGN_1700000000000 = "Koxn3rncIo4Ec4ub8L4OwaXarFXUmFjkCaDJFZsR/Wg="
# printf '1577262236757\nSEC1234567890abcdef' | openssl dgst -sha256 -hmac SEC1234567890abcdef -binary | base64
OPENSSL_SIGN_1577262236757 = "f7qQ1A8KagEZ45y1gasTtKsEq5ERTeDXP9T+WkIqzDk="
INFO = RunInfo("20240601120000-ab12", "线上钉钉（https://oapi.dingtalk.com）", "https://ci.example/runs/7/report")


def robot_settings(secret: str = SECRET, webhook: str = WEBHOOK) -> RobotSettings:
    return RobotSettings(webhook, secret, DEFAULT_REPORT_URL)


def ok_transport() -> ScriptedTransport:
    return ScriptedTransport([response({"errcode": 0, "errmsg": "ok"})])


# settings


def test_the_robot_is_off_unless_a_webhook_or_token_is_set(tmp_path: Path) -> None:
    assert load_settings(tmp_path, environ={"DINGTALK_ROBOT_SECRET": SECRET}).robot is None


def test_a_full_webhook_url_is_used_as_it_is(tmp_path: Path) -> None:
    environ = {"DINGTALK_ROBOT_WEBHOOK": WEBHOOK, "DINGTALK_ROBOT_SECRET": SECRET}
    assert load_settings(tmp_path, environ=environ).robot == RobotSettings(WEBHOOK, SECRET, DEFAULT_REPORT_URL)


@pytest.mark.parametrize("name", ["DINGTALK_ROBOT_WEBHOOK", "DINGTALK_ROBOT_TOKEN"])
def test_a_token_alone_goes_to_dingtalk_or_to_dingtalk_robot_url(tmp_path: Path, name: str) -> None:
    assert load_settings(tmp_path, environ={name: TOKEN}).robot == RobotSettings(WEBHOOK, "", DEFAULT_REPORT_URL)
    environ = {name: TOKEN, "DINGTALK_ROBOT_URL": "http://127.0.0.1:8000/"}
    robot = load_settings(tmp_path, environ=environ).robot
    assert robot is not None
    assert robot.webhook == f"http://127.0.0.1:8000/robot/send?access_token={TOKEN}"


def test_robot_settings_come_from_dot_env_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"DINGTALK_ROBOT_WEBHOOK={WEBHOOK}\nDINGTALK_ROBOT_SECRET={SECRET}\nDINGTALK_REPORT_URL=https://ci.example/r\n"
    )
    assert load_settings(tmp_path, environ={}).robot == RobotSettings(WEBHOOK, SECRET, "https://ci.example/r")


def test_a_bad_webhook_does_not_stop_the_run_at_start_up(tmp_path: Path) -> None:
    robot = load_settings(tmp_path, environ={"DINGTALK_ROBOT_WEBHOOK": "http://"}).robot
    assert robot is not None
    with pytest.raises(RobotError, match=r"^DINGTALK_ROBOT_WEBHOOK is not a robot webhook URL with \?access_token="):
        RobotClient(robot, ok_transport()).send({})


def test_robot_settings_never_show_the_secret_or_the_token(tmp_path: Path) -> None:
    environ = {"DINGTALK_ROBOT_WEBHOOK": WEBHOOK, "DINGTALK_ROBOT_SECRET": SECRET}
    settings = load_settings(tmp_path, environ=environ)
    for text in (repr(settings), repr(settings.robot), str(settings.robot)):
        assert SECRET not in text
        assert TOKEN not in text
    assert repr(settings.robot) == (
        "RobotSettings(webhook='https://oapi.dingtalk.com/robot/send', access_token=***, secret=***)"
    )


# signing and the robot's answers


@pytest.mark.parametrize(
    ("secret", "timestamp_ms", "openssl_base64"),
    [
        (SECRET, 1_700_000_000_000, OPENSSL_SIGN_1700000000000),
        ("SEC1234567890abcdef", 1_577_262_236_757, OPENSSL_SIGN_1577262236757),
    ],
)
def test_a_signed_robot_gets_the_timestamp_and_the_url_encoded_signature(
    secret: str, timestamp_ms: int, openssl_base64: str
) -> None:
    transport = ok_transport()
    client = RobotClient(robot_settings(secret), transport, clock=FakeClock(timestamp_ms / 1000))
    client.send({"msgtype": "text", "text": {"content": "hi"}})
    (call,) = transport.calls
    expected_sign = openssl_base64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert call["url"] == f"{WEBHOOK}&timestamp={timestamp_ms}&sign={expected_sign}"
    assert (call["method"], call["json"]) == ("POST", {"msgtype": "text", "text": {"content": "hi"}})


def test_an_unsigned_robot_gets_the_webhook_alone() -> None:
    transport = ok_transport()
    RobotClient(robot_settings(secret=""), transport).send({})
    assert transport.calls[0]["url"] == WEBHOOK


@pytest.mark.parametrize(
    ("errcode", "advice"),
    [
        (310000, "set DINGTALK_ROBOT_SECRET to the robot's 加签 secret"),
        (300005, "copy the webhook again from the group's robot settings"),
        (410100, "the robot is throttled (20 messages a minute, then 10 minutes)"),
        (660026, "the robot is throttled (20 messages a minute, then 10 minutes)"),
        (460101, "the message is over 20,000 bytes"),
        (400002, "see DingTalk's custom robot documentation"),
    ],
)
def test_each_robot_errcode_says_what_to_do(errcode: int, advice: str) -> None:
    transport = ScriptedTransport([response({"errcode": errcode, "errmsg": "nope"})])
    with pytest.raises(RobotError) as raised:
        RobotClient(robot_settings(), transport).send({})
    assert str(raised.value).startswith(f"errcode {errcode} nope: ")
    assert advice in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("answer", [response(text="<html>not found</html>", status=404), response({"ok": True})])
def test_an_answer_that_is_not_a_robot_s_is_an_error(answer: object) -> None:
    with pytest.raises(RobotError, match=r"^HTTP \d+ without a robot's errcode"):
        RobotClient(robot_settings(), ScriptedTransport([answer])).send({})  # type: ignore[list-item]


# what a failure is and the message


def test_assertions_and_pytest_fail_are_failed_anything_else_is_broken() -> None:
    with pytest.raises(AssertionError) as assertion:
        raise AssertionError("expected 0")
    with pytest.raises(pytest.fail.Exception) as failed:
        pytest.fail("data/x.yaml:3 case 'a': POST /x → HTTP 200\n  - errcode: expected 0, got 40014", pytrace=False)
    with pytest.raises(KeyError) as key_error:
        raise KeyError("bb_id")
    assert [failure_status(e, "call") for e in (assertion, failed, key_error)] == ["failed", "failed", "broken"]
    assert failure_status(assertion, "setup") == failure_status(assertion, "teardown") == "broken"
    assert failure_status(None, "call") == "failed"  # a strict xpass
    assert failure_reason(failed, "") == "data/x.yaml:3 case 'a': POST /x → HTTP 200"
    assert failure_reason(key_error, "") == "KeyError: 'bb_id'"
    assert failure_reason(None, "\n[XPASS(strict)] flaky\nmore") == "[XPASS(strict)] flaky"


def outcome_of(*records: tuple[str, str, str]) -> RunOutcome:
    outcome = RunOutcome()
    for test_id, status, reason in records:
        outcome.record(test_id, status, reason)
    return outcome


def test_the_first_phase_that_does_not_pass_decides_a_test_s_status() -> None:
    outcome = outcome_of(
        ("t::ok", "passed", ""),
        ("t::bad", "failed", "expected 0"),
        ("t::bad", "broken", "teardown error after the failure"),
        ("t::teardown", "passed", ""),
        ("t::teardown", "broken", "RuntimeError: cleanup"),
        ("t::skip", "skipped", ""),
    )
    assert outcome.totals() == {"passed": 1, "failed": 1, "broken": 1, "skipped": 1}
    assert [(f.name, f.status, f.reason) for f in outcome.failures()] == [
        ("t::bad", "failed", "expected 0"),
        ("t::teardown", "broken", "RuntimeError: cleanup"),
    ]


def test_the_message_has_the_totals_the_failures_the_run_the_target_and_the_report() -> None:
    outcome = outcome_of(
        ("testcases/test_auth.py::test_auth[ok]", "passed", ""),
        (
            "testcases/test_auth.py::test_auth[bad-secret]",
            "failed",
            "data/auth.yaml:9 case 'bad-secret': GET /gettoken",
        ),
        ("testcases/test_report.py::test_report[list]", "skipped", ""),
    )
    message = markdown_message(outcome, INFO, Masker())
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == "dingtalk-apitest：3 个用例中 1 个未通过"
    assert message["markdown"]["text"].split("\n\n") == [
        "#### dingtalk-apitest：3 个用例中 1 个未通过",
        "运行 **20240601120000-ab12** · 目标 **线上钉钉（https://oapi.dingtalk.com）**",
        "通过 **1** · 失败 **1** · 损坏 **0** · 跳过 **1**",
        "- 失败：testcases/test_auth.py::test_auth[bad-secret] — data/auth.yaml:9 case 'bad-secret': GET /gettoken",
        "报告：[https://ci.example/runs/7/report](https://ci.example/runs/7/report)",
    ]


def test_a_green_run_says_so_and_a_local_report_is_a_plain_path() -> None:
    info = RunInfo("r1", "沙箱（内置模拟器）", DEFAULT_REPORT_URL, interrupted=True)
    text = markdown_message(outcome_of(("t::a", "passed", "")), info, Masker())["markdown"]["text"]
    assert text.startswith("#### dingtalk-apitest：全部 1 个用例通过（运行被中断）\n\n")
    assert text.endswith("\n\n报告：reports/allure-report/index.html")


def test_many_failures_are_capped_and_counted() -> None:
    failures = [(f"t::case-{n}", "failed", f"reason {n}") for n in range(40)]
    text = markdown_message(outcome_of(*failures), INFO, Masker())["markdown"]["text"]
    listed = [line for line in text.splitlines() if line.startswith("- 失败：")]
    assert listed == [f"- 失败：t::case-{n} — reason {n}" for n in range(MAX_LISTED_FAILURES)]
    assert f"\n- …… 另有 {40 - MAX_LISTED_FAILURES} 个\n" in text


def test_long_failures_keep_the_message_well_under_dingtalk_s_20000_bytes() -> None:
    failures = [(f"t::{'x' * 3000}-{n}", "broken", "失败" * 3000) for n in range(30)]
    message = markdown_message(outcome_of(*failures), INFO, Masker())
    body = json.dumps(message).encode()  # as requests sends it
    assert len(body) <= 16_000
    text = message["markdown"]["text"]
    listed = [line for line in text.splitlines() if line.startswith("- 损坏：")]
    assert 1 <= len(listed) < 30
    assert f"- …… 另有 {30 - len(listed)} 个" in text


def test_the_message_is_masked() -> None:
    outcome = outcome_of(("t::a", "failed", f"POST /x?access_token=abc123 body has {SECRET}"))
    text = markdown_message(outcome, INFO, Masker([SECRET]))["markdown"]["text"]
    assert "- 失败：t::a — POST /x?access_token=*** body has ***" in text
    assert SECRET not in text


# the plugin in a real pytest run

RUN_TESTS = """
import pytest

@pytest.fixture
def broken_setup():
    raise RuntimeError("no fixture today")

@pytest.fixture
def broken_teardown():
    yield
    raise OSError("cleanup failed")

def test_ok(): pass
def test_ok_too(): pass
def test_assert(): assert 1 == 2, "one is not two"
def test_fail(): pytest.fail("data/x.yaml:4 case 'x': POST /x → HTTP 200\\n  - errcode: expected 0", pytrace=False)
def test_key_error(): {}["bb_id"]
def test_setup(broken_setup): pass
def test_teardown(broken_teardown): pass
def test_skip(): pytest.skip("not today")
@pytest.mark.xfail(reason="known bug", strict=True)
def test_xfail(): assert False
@pytest.mark.xfail(reason="fixed now", strict=True)
def test_xpass(): pass
"""


@pytest.fixture
def robot_sandbox() -> Iterator[SandboxServer]:
    """A sandbox in this process, on the real clock (the plugin signs with the real time)."""
    with SandboxServer(config=SandboxConfig()) as server:
        yield server


@pytest.fixture
def suite_env(monkeypatch: pytest.MonkeyPatch, robot_sandbox: SandboxServer) -> str:
    """The framework pointed at the sandbox (live target, so the plugin starts none), and its robot configured."""
    environ = {
        "DINGTALK_TARGET": "live",
        "DINGTALK_OAPI_URL": robot_sandbox.url,
        "DINGTALK_API_URL": robot_sandbox.url,
        "DINGTALK_APPKEY": "sandbox-appkey",
        "DINGTALK_APPSECRET": "sandbox-appsecret",
        "DINGTALK_PROFILE": str(PROJECT / "data" / "profiles" / "sandbox.yaml"),
        "DINGTALK_ROBOT_WEBHOOK": f"{robot_sandbox.url}/robot/send?access_token={TOKEN}",
        "DINGTALK_ROBOT_SECRET": SECRET,
        "DINGTALK_ROBOT_TOKEN": "",
        "DINGTALK_REPORT_URL": "https://ci.example/runs/7/report",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # the inner run loads only the plugins it names
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return robot_sandbox.url


def run_suite(pytester: pytest.Pytester, *args: str, tests: str = RUN_TESTS) -> pytest.RunResult:
    pytester.makepyfile(test_run=tests)
    plugins = ("-p", "common.plugin.suite", "-p", "common.plugin.notify", "-p", "no:cacheprovider")
    return pytester.runpytest_inprocess(*plugins, *args)


def received(server: SandboxServer) -> list[dict]:
    return [kept["message"] for kept in server.state.robot_inbox.messages()]


def test_a_run_sends_one_signed_message_with_its_outcome(
    pytester: pytest.Pytester, suite_env: str, robot_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    result = run_suite(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    (message,) = received(robot_sandbox)  # the sandbox keeps only messages whose signature it checked
    text = message["markdown"]["text"]
    assert "通过 **2** · 失败 **3** · 损坏 **3** · 跳过 **2**" in text
    failures = [line for line in text.splitlines() if line.startswith("- ")]
    assert failures[0].startswith("- 失败：test_run.py::test_assert — ")
    assert "one is not two" in failures[0]
    assert failures[1:] == [
        "- 失败：test_run.py::test_fail — data/x.yaml:4 case 'x': POST /x → HTTP 200",
        "- 损坏：test_run.py::test_key_error — KeyError: 'bb_id'",
        "- 损坏：test_run.py::test_setup — RuntimeError: no fixture today",
        "- 损坏：test_run.py::test_teardown — OSError: cleanup failed",
        "- 失败：test_run.py::test_xpass — [XPASS(strict)] fixed now",
    ]
    assert re.search(r"运行 \*\*\d{14}-[0-9a-f]{4}\*\* · 目标 \*\*线上钉钉（http://127\.0\.0\.1:\d+）\*\*", text)
    assert text.endswith("报告：[https://ci.example/runs/7/report](https://ci.example/runs/7/report)")
    result.stdout.fnmatch_lines(["dingtalk-apitest: run notification sent to the DingTalk robot at 127.0.0.1:*"])
    assert "/robot/send?access_token=***&timestamp=" in caplog.text  # the request was logged, masked
    for output in (result.stdout.str(), result.stderr.str(), caplog.text):
        assert SECRET not in output
        assert TOKEN not in output


def notification_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "run notification" in line]


def test_no_robot_configured_no_message_and_no_line(
    pytester: pytest.Pytester, suite_env: str, robot_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DINGTALK_ROBOT_WEBHOOK", "")
    result = run_suite(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert notification_lines(result) == []
    assert received(robot_sandbox) == []


def test_collect_only_sends_nothing(pytester: pytest.Pytester, suite_env: str, robot_sandbox: SandboxServer) -> None:
    result = run_suite(pytester, "--collect-only")
    assert result.ret == pytest.ExitCode.OK
    assert notification_lines(result) == []
    assert received(robot_sandbox) == []


@pytest.mark.parametrize(
    ("environ", "line"),
    [
        (
            {"DINGTALK_ROBOT_SECRET": "SECnot-the-robot-s-secret"},
            "dingtalk-apitest: run notification not sent: errcode 310000 sign not match: the robot refused the "
            "signature, timestamp or keyword: set DINGTALK_ROBOT_SECRET to the robot's 加签 secret (SEC...) *",
        ),
        (
            {"DINGTALK_ROBOT_WEBHOOK": "", "DINGTALK_ROBOT_TOKEN": "sandbox-robot-gone", "DINGTALK_ROBOT_URL": "{url}"},
            "dingtalk-apitest: run notification not sent: errcode 300005 token not exist: no robot has this token: "
            "copy the webhook again *",
        ),
        (
            {"DINGTALK_ROBOT_WEBHOOK": f"http://127.0.0.1:1/robot/send?access_token={TOKEN}"},
            "dingtalk-apitest: run notification not sent: POST http://127.0.0.1:1/robot/send: cannot connect *",
        ),
    ],
    ids=["wrong-secret", "unknown-token", "nobody-listening"],
)
def test_a_notification_that_fails_is_one_warning_line_and_the_run_s_result_stands(
    pytester: pytest.Pytester,
    suite_env: str,
    robot_sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    line: str,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value.format(url=suite_env))
    result = run_suite(pytester, tests="def test_ok(): pass\n")
    assert result.ret == pytest.ExitCode.OK
    assert len(notification_lines(result)) == 1
    result.stdout.fnmatch_lines([line])
    assert received(robot_sandbox) == []
    assert "sandbox-robot-gone" not in result.stdout.str()
    assert "SECnot-the-robot-s-secret" not in result.stdout.str()


def test_an_unexpected_error_while_notifying_is_one_masked_line_too(
    pytester: pytest.Pytester, suite_env: str, robot_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError(f"bad state\nholding {SECRET} and {TOKEN}")

    monkeypatch.setattr(notify_robot, "markdown_message", explode)
    result = run_suite(pytester, tests="def test_ok(): pass\n")
    assert result.ret == pytest.ExitCode.OK
    assert notification_lines(result) == [
        "dingtalk-apitest: run notification not sent: RuntimeError: bad state holding *** and ***"
    ]
    assert received(robot_sandbox) == []
