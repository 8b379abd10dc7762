"""The custom robot's signature (加签), as DingTalk's page '自定义机器人安全设置' documents it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def sign(secret: str, timestamp_ms: int) -> str:
    """url-encode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))), as DingTalk documents it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())
