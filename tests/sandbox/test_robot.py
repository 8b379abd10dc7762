"""The sandbox's custom robot webhook `/robot/send`: signature, timestamp window, rate limit, size and types."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.testing import FakeClock

TOKEN = "sandbox-robot-token"
SECRET = "SECsandbox-robot-secret"
HOUR_MS = 3_600_000
MARKDOWN = {"msgtype": "markdown", "markdown": {"title": "run 1", "text": "### run 1\n- passed: 3"}}


@pytest.fixture(scope="module")
def robot_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def robot_sandbox(robot_clock: FakeClock) -> Iterator[SandboxServer]:
    """A sandbox of this module's own, so that moving its clock by minutes touches no other test."""
    with SandboxServer(config=SandboxConfig(clock=robot_clock)) as server:
        yield server


@pytest.fixture
def robot(robot_sandbox: SandboxServer, robot_clock: FakeClock) -> Iterator[Robot]:
    """A client of the sandbox's robot whose inbox and throttles start empty."""
    with requests.Session() as session:
        client = Robot(robot_sandbox.url, session, robot_clock)
        assert client.service("POST", "reset") == {"status": "reset"}
        yield client


def sign(secret: str, timestamp: int | str) -> str:
    """The signature as DingTalk's documentation computes it, URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class Robot:
    """Posts to `/robot/send` with a query written out by hand, so that each test controls every byte."""

    def __init__(self, url: str, session: requests.Session, clock: FakeClock) -> None:
        self.url, self.session, self.clock = url, session, clock

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def post(self, query: str, body: bytes | Any) -> dict[str, Any]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        response = self.session.post(f"{self.url}/robot/send?{query}", data=data, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, body: bytes | Any = MARKDOWN, secret: str = SECRET, token: str = TOKEN, offset_ms: int = 0) -> Any:
        """Send ``body`` signed with ``secret``, timestamped ``offset_ms`` from the sandbox's clock."""
        timestamp = self.now_ms() + offset_ms
        return self.post(f"access_token={token}&timestamp={timestamp}&sign={sign(secret, timestamp)}", body)

    def errcode(self, **kwargs: Any) -> int:
        return self.send(**kwargs)["errcode"]

    def service(self, method: str, name: str) -> Any:
        return self.session.request(method, f"{self.url}/__sandbox/robot/{name}").json()

    def messages(self) -> list[dict[str, Any]]:
        return self.service("GET", "messages")["messages"]


def test_a_signed_markdown_message_is_accepted_and_kept(robot: Robot, robot_clock: FakeClock) -> None:
    assert robot.send() == {"errcode": 0, "errmsg": "ok"}
    assert robot.messages() == [{"robot": TOKEN, "received_at": robot_clock(), "message": MARKDOWN}]


def test_a_text_message_is_accepted(robot: Robot) -> None:
    text = {"msgtype": "text", "text": {"content": "all green"}, "at": {"isAtAll": False}}
    assert robot.errcode(body=text) == 0
    assert [kept["message"] for kept in robot.messages()] == [text]


def test_a_signature_made_with_another_secret_is_rejected(robot: Robot) -> None:
    assert robot.send(secret="SECanother-secret") == {"errcode": 310000, "errmsg": "sign not match"}
    assert robot.messages() == []


@pytest.mark.parametrize("query", ["access_token={token}&timestamp={ts}", "access_token={token}&sign={sign}"])
def test_a_missing_signature_or_timestamp_is_rejected(robot: Robot, query: str) -> None:
    timestamp = robot.now_ms()
    answer = robot.post(query.format(token=TOKEN, ts=timestamp, sign=sign(SECRET, timestamp)), MARKDOWN)
    assert answer["errcode"] == 310000
    assert robot.messages() == []


def test_a_signature_sent_without_url_encoding_is_rejected(robot: Robot) -> None:
    """A '+' in base64 that is not sent as %2B arrives as a space."""
    timestamp = next(t for t in range(robot.now_ms(), robot.now_ms() + 1000) if "%2B" in sign(SECRET, t))
    raw_sign = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert robot.post(f"access_token={TOKEN}&timestamp={timestamp}&sign={raw_sign}", MARKDOWN)["errcode"] == 310000
    assert robot.post(f"access_token={TOKEN}&timestamp={timestamp}&sign={quote_plus(raw_sign)}", MARKDOWN) == {
        "errcode": 0,
        "errmsg": "ok",
    }


@pytest.mark.parametrize("offset_ms", [-HOUR_MS - 1, HOUR_MS + 1])
def test_a_timestamp_more_than_an_hour_off_is_rejected(robot: Robot, offset_ms: int) -> None:
    assert robot.send(offset_ms=offset_ms) == {"errcode": 310000, "errmsg": "invalid timestamp"}


@pytest.mark.parametrize("offset_ms", [-HOUR_MS, HOUR_MS])
def test_a_timestamp_exactly_an_hour_off_is_accepted(robot: Robot, offset_ms: int) -> None:
    assert robot.errcode(offset_ms=offset_ms) == 0


def test_a_timestamp_that_is_not_a_number_is_rejected(robot: Robot) -> None:
    query = f"access_token={TOKEN}&timestamp=soon&sign={sign(SECRET, 'soon')}"
    assert robot.post(query, MARKDOWN) == {"errcode": 310000, "errmsg": "invalid timestamp"}


@pytest.mark.parametrize("token", ["sandbox-robot-tokem", ""])
def test_an_unknown_robot_token_is_300005(robot: Robot, token: str) -> None:
    assert robot.send(token=token) == {"errcode": 300005, "errmsg": "token not exist"}


def test_twenty_messages_a_minute_then_ten_minutes_throttled(robot: Robot, robot_clock: FakeClock) -> None:
    assert [robot.errcode() for _ in range(20)] == [0] * 20
    assert robot.send() == {"errcode": 410100, "errmsg": "send too fast, exceed 20 times per minute"}
    robot_clock.advance(599)
    assert robot.errcode() == 410100
    robot_clock.advance(1)
    assert robot.errcode() == 0
    assert len(robot.messages()) == 21


def test_the_limit_counts_the_last_minute_only(robot: Robot, robot_clock: FakeClock) -> None:
    for _ in range(10):
        assert robot.errcode() == 0
    robot_clock.advance(30)
    for _ in range(10):
        assert robot.errcode() == 0
    robot_clock.advance(30)  # the first ten are now a minute old
    assert [robot.errcode() for _ in range(11)] == [0] * 10 + [410100]


def _text_of_size(size: int) -> bytes:
    """A text message whose JSON body is exactly ``size`` bytes."""
    empty = json.dumps({"msgtype": "text", "text": {"content": ""}}).encode()
    body = json.dumps({"msgtype": "text", "text": {"content": "x" * (size - len(empty))}}).encode()
    assert len(body) == size
    return body


def test_a_message_of_20000_bytes_is_accepted_and_one_byte_more_is_460101(robot: Robot) -> None:
    assert robot.errcode(body=_text_of_size(20_000)) == 0
    assert robot.errcode(body=_text_of_size(20_001)) == 460101
    assert len(robot.messages()) == 1


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"msgtype": "markdown", "markdown": {"title": "t"}}, 40035),
        ({"msgtype": "markdown", "markdown": {"title": " ", "text": "x"}}, 40035),
        ({"msgtype": "text", "text": "not an object"}, 40035),
        ({"msgtype": "html", "html": {"content": "x"}}, 400002),
        ({"text": {"content": "x"}}, 400002),
        (b"not json", 400002),
        ([MARKDOWN], 400002),
    ],
)
def test_a_malformed_message_is_refused_and_not_kept(robot: Robot, body: Any, errcode: int) -> None:
    assert robot.errcode(body=body) == errcode
    assert robot.messages() == []


def test_reset_forgets_messages_and_throttles(robot: Robot) -> None:
    for _ in range(21):
        robot.send()
    robot.service("POST", "reset")
    assert robot.messages() == []
    assert robot.errcode() == 0


def test_the_sandbox_reset_empties_the_robot_inbox_too(robot: Robot) -> None:
    for _ in range(21):
        robot.send()
    robot.session.post(f"{robot.url}/__sandbox/reset")
    assert robot.messages() == []
    assert robot.errcode() == 0


def test_an_unknown_robot_service_endpoint_is_404(robot_sandbox: SandboxServer) -> None:
    assert requests.get(f"{robot_sandbox.url}/__sandbox/robot/nothing", timeout=5).status_code == 404
