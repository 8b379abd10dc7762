"""After a run, one DingTalk group message with its outcome, sent by the controlling process.

Off unless a robot is configured (``DINGTALK_ROBOT_WEBHOOK`` or ``DINGTALK_ROBOT_TOKEN``). Sending never changes
the run's result: whatever goes wrong becomes one masked warning line under the summary.
"""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import urlsplit

import pytest

from common.errors import FrameworkError
from common.masking import Masker
from common.notify import RunInfo, RunOutcome, failure_reason, failure_status, first_line, markdown_message
from common.notify_robot import RobotClient, robot_token
from common.pytest_plugin import SUITE, Suite
from common.settings import RobotSettings
from common.transport import HttpTransport

PREFIX = "dingtalk-apitest: run notification"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every process: a failed phase's report carries its Allure status and first line (they survive xdist)."""
    report = yield
    if report.failed:
        report.notify_status = failure_status(call.excinfo, report.when)  # type: ignore[attr-defined]
        report.notify_reason = failure_reason(call.excinfo, report.longreprtext)  # type: ignore[attr-defined]
    return report


def pytest_configure(config: pytest.Config) -> None:
    """The controller, when a robot is configured, tallies the run and notifies at its end."""
    if hasattr(config, "workerinput") or SUITE not in config.stash:
        return
    suite = config.stash[SUITE]
    if suite.settings.robot is not None:
        config.pluginmanager.register(RunNotifier(suite, suite.settings.robot), "dingtalk-run-notifier")


class RunNotifier:
    """Counts each test's outcome as reports arrive and sends the message when the session ends."""

    def __init__(self, suite: Suite, robot: RobotSettings) -> None:
        self.suite = suite
        self.robot = robot
        self.outcome = RunOutcome()
        self.result = ""
        suite.masker.add(robot.secret)
        suite.masker.add(robot_token(robot.webhook))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:  # a report made elsewhere (a crashed xdist worker's) has no notify_* attributes
            status = getattr(report, "notify_status", "broken")
            reason = getattr(report, "notify_reason", None) or first_line(report.longreprtext)
            self.outcome.record(report.nodeid, status, reason)
        elif report.skipped:
            self.outcome.record(report.nodeid, "skipped")
        elif report.when == "call":
            self.outcome.record(report.nodeid, "passed")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.outcome.record(report.nodeid, "broken", first_line(report.longreprtext))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not session.config.option.collectonly:
            self.result = self.notify(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.result:
            terminalreporter.write_line(self.result, yellow=not self.result.startswith(f"{PREFIX} sent"))

    def notify(self, interrupted: bool) -> str:
        """Send the message; the line to show: where it went, or why not (never an exception)."""
        masker = self.suite.masker
        transport = HttpTransport(self.suite.settings.timeout, masker)
        try:
            info = RunInfo(self.suite.run_id, _target(self.suite), self.robot.report_url, interrupted)
            RobotClient(self.robot, transport).send(markdown_message(self.outcome, info, masker))
        except Exception as exc:  # a notification must never fail the run
            reason = str(exc) if isinstance(exc, FrameworkError) else f"{type(exc).__name__}: {exc}"
            return _one_line(masker, f"{PREFIX} not sent: {reason}")
        finally:
            transport.close()
        host = urlsplit(self.robot.webhook)
        where = f"{host.hostname}:{host.port}" if host.port else host.hostname
        return _one_line(masker, f"{PREFIX} sent to the DingTalk robot at {where}")


def _target(suite: Suite) -> str:
    settings = suite.settings
    return "sandbox (the built-in emulator)" if settings.target == "sandbox" else f"live ({settings.oapi_url})"


def _one_line(masker: Masker, text: str) -> str:
    return " ".join(masker(text).split())
