"""Sending the run notification to a DingTalk custom group robot: the signed webhook URL, what its errcodes ask
of you, and the one line that says whether the message went."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from common.core.errors import FrameworkError
from common.dingtalk.settings import RobotSettings
from common.dingtalk.signing import sign
from common.http.masking import Masker
from common.http.transport import Transport
from common.report.notify import RunInfo, RunOutcome, markdown_message

NOTICE = "dingtalk-apitest: run notification"
"""How every line about the notification starts."""

THROTTLED = "the robot is throttled (20 messages a minute, then 10 minutes): wait, or give each pipeline its own robot"
ADVICE = {
    310000: "the robot refused the signature, timestamp or keyword: set DINGTALK_ROBOT_SECRET to the robot's "
    "加签 secret (SEC...) and check this machine's clock; a robot without 加签 needs a keyword or allowed IP",
    300005: "no robot has this token: copy the webhook again from the group's robot settings "
    "into DINGTALK_ROBOT_WEBHOOK",
    410100: THROTTLED,
    660026: THROTTLED,
    460101: "the message is over 20,000 bytes: a dingtalk-apitest bug, please report it",
}


class RobotError(FrameworkError):
    """The robot did not take the message; one line saying what to do."""


def robot_token(webhook: str) -> str:
    """The robot's access_token in a webhook URL ("" without one)."""
    return parse_qs(urlsplit(webhook).query).get("access_token", [""])[0]


class RobotClient:
    """Posts messages to one robot: signed with a fresh timestamp when the robot has a secret."""

    def __init__(self, robot: RobotSettings, transport: Transport, clock: Callable[[], float] = time.time) -> None:
        self.robot = robot
        self.transport = transport
        self.clock = clock

    def url(self) -> str:
        """The webhook URL to post to now: the configured one plus ``timestamp`` and ``sign`` when signed."""
        parts = urlsplit(self.robot.webhook)
        if parts.scheme not in ("http", "https") or not parts.hostname or not robot_token(self.robot.webhook):
            raise RobotError(
                "DINGTALK_ROBOT_WEBHOOK is not a robot webhook URL with ?access_token=: copy it from the group's "
                "robot settings (or set only the token in DINGTALK_ROBOT_TOKEN)"
            )
        if not self.robot.secret:
            return self.robot.webhook
        timestamp = int(self.clock() * 1000)
        return f"{self.robot.webhook}&timestamp={timestamp}&sign={sign(self.robot.secret, timestamp)}"

    def send(self, message: dict[str, Any]) -> None:
        """Post ``message``; raise RobotError (or the transport's TransportError) unless the robot took it."""
        response = self.transport.send("POST", self.url(), json_body=message)
        body = response.body
        if response.status != 200 or not isinstance(body, dict) or not isinstance(body.get("errcode"), int):
            raise RobotError(
                f"HTTP {response.status} without a robot's errcode: is DINGTALK_ROBOT_WEBHOOK (or DINGTALK_ROBOT_URL) "
                "a DingTalk robot webhook?"
            )
        errcode = body["errcode"]
        if errcode != 0:
            advice = ADVICE.get(errcode, "see DingTalk's custom robot documentation for this errcode")
            raise RobotError(f"errcode {errcode} {body.get('errmsg', '')}: {advice}")


def mask_robot(masker: Masker, robot: RobotSettings) -> None:
    """From now on, ``masker`` hides the robot's secret and its token."""
    masker.add(robot.secret)
    masker.add(robot_token(robot.webhook))


def notify(robot: RobotSettings, outcome: RunOutcome, info: RunInfo, masker: Masker, timeout: float) -> str:
    """Send the run's message; the masked line to show: where it went, or why not (never an exception)."""
    from common.http.requests_transport import HttpTransport  # requests loads only when a message goes out

    mask_robot(masker, robot)
    transport = HttpTransport(timeout, masker)
    try:
        RobotClient(robot, transport).send(markdown_message(outcome, info, masker))
    except Exception as exc:  # a notification must never fail the run
        reason = str(exc) if isinstance(exc, FrameworkError) else f"{type(exc).__name__}: {exc}"
        return one_line(masker, f"{NOTICE} not sent: {reason}")
    finally:
        transport.close()
    host = urlsplit(robot.webhook)
    where = f"{host.hostname}:{host.port}" if host.port else host.hostname
    return one_line(masker, f"{NOTICE} sent to the DingTalk robot at {where}")


def one_line(masker: Masker, text: str) -> str:
    """``text`` masked, on one line."""
    return " ".join(masker(text).split())
