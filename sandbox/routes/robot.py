"""`/robot/send`: the custom group robot webhook (run notifications), with its signature, clock and rate checks.

The sandbox's robots are signed robots (加签) whose keywords are not checked; each sandbox keeps what its
robots accepted, for tests to read at `GET /__sandbox/robot/messages`.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping

from sandbox.protocol.envelopes import Body, OapiError, Style, flat_ok, invalid, missing
from sandbox.protocol.parameters import Params, json_object
from sandbox.routes.base import Route
from sandbox.state import TenantState

DEFAULT_ROBOT_TOKEN = "sandbox-robot-token"
DEFAULT_ROBOT_SECRET = "SECsandbox-robot-secret"
ROBOTS: Mapping[str, str] = {DEFAULT_ROBOT_TOKEN: DEFAULT_ROBOT_SECRET}
"""The sandbox's robots: access token → signing secret."""

SIGN_REJECTED = 310000  # keyword missing, invalid timestamp, sign not match, IP not allowed
TOKEN_NOT_FOUND = 300005
MESSAGE_TOO_LONG = 460101

MAX_MESSAGE_BYTES = 20_000
TIMESTAMP_TOLERANCE_MS = 3_600_000
REQUIRED_FIELDS = {"text": ("content",), "markdown": ("title", "text")}
MESSAGE_TYPES = (*REQUIRED_FIELDS, "link", "actionCard", "feedCard")

SERVICE_PREFIX = "/__sandbox/robot/"


def signature(secret: str, timestamp: str) -> str:
    """base64(HMAC-SHA256(secret, "timestamp\\nsecret")), before URL encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(state: TenantState, params: Params) -> Body:
    """Check the robot, its signature, the message and the robot's rate; store the message."""
    query: Mapping[str, str] = params["query"]
    raw: bytes = params["body"]
    token = query.get("access_token", "")
    secret = ROBOTS.get(token)
    if secret is None:
        raise OapiError(TOKEN_NOT_FOUND, "token not exist")
    now = state.now()
    _check_signature(secret, query.get("timestamp", ""), query.get("sign", ""), now)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise OapiError(MESSAGE_TOO_LONG, f"message too long, over {MAX_MESSAGE_BYTES} bytes")
    state.robot_inbox.accept(token, now, _message(raw))
    return flat_ok(errmsg="ok")


def _check_signature(secret: str, timestamp: str, sign: str, now: float) -> None:
    if not timestamp.isdigit() or abs(int(timestamp) - now * 1000) > TIMESTAMP_TOLERANCE_MS:
        raise OapiError(SIGN_REJECTED, "invalid timestamp")
    if not secrets.compare_digest(sign.encode(), signature(secret, timestamp).encode()):
        raise OapiError(SIGN_REJECTED, "sign not match")


def _message(raw: bytes) -> Body:
    """The JSON message, its type one of DingTalk's and its text or markdown fields present."""
    message = json_object(raw)
    msgtype = message.get("msgtype")
    if msgtype not in MESSAGE_TYPES:
        raise invalid("msgtype", f"{msgtype!r} is not one of {', '.join(MESSAGE_TYPES)}")
    content = message.get(msgtype)
    if not isinstance(content, dict):
        raise missing(msgtype)
    for name in REQUIRED_FIELDS.get(msgtype, ()):
        if not isinstance(content.get(name), str) or not content[name].strip():
            raise missing(f"{msgtype}.{name}")
    return message


def service(state: TenantState, method: str, path: str) -> tuple[int, Body] | None:
    """The sandbox's own robot endpoints: what the robots accepted, and forgetting it (None for another path)."""
    if (method, path) == ("GET", f"{SERVICE_PREFIX}messages"):
        return 200, {"messages": state.robot_inbox.messages()}
    if (method, path) == ("POST", f"{SERVICE_PREFIX}reset"):
        state.robot_inbox.reset()
        return 200, {"status": "reset"}
    return None


ROUTES = (Route("POST", "/robot/send", Style.ROBOT, send),)
