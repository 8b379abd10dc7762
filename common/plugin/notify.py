"""After a run, one DingTalk group message with its outcome, sent by the controlling process.

Off unless a robot is configured (``DINGTALK_ROBOT_WEBHOOK`` or ``DINGTALK_ROBOT_TOKEN``). Sending never changes
the run's result: whatever goes wrong becomes one masked warning line under the summary.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from common.dingtalk.settings import RobotSettings
from common.plugin.drift import notification_lines
from common.plugin.suite import SUITE, Suite
from common.report.notify import RunInfo, RunOutcome, failure_reason, failure_status, first_line, target_text
from common.report.robot import NOTICE, mask_robot, notify


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
        mask_robot(suite.masker, robot)

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
            settings = self.suite.settings
            info = RunInfo(
                self.suite.run_id,
                target_text(settings.target, settings.oapi_url),
                self.robot.report_url,
                interrupted=exitstatus == pytest.ExitCode.INTERRUPTED,
                drift=notification_lines(session.config),
            )
            self.result = notify(self.robot, self.outcome, info, self.suite.masker, settings.timeout)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.result:
            terminalreporter.write_line(self.result, yellow=not self.result.startswith(f"{NOTICE} sent"))
