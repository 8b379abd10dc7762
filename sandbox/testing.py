"""Helpers for tests that drive a sandbox: a hand-moved clock and a small requests-based client."""

from dataclasses import dataclass
from typing import Any

import requests

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET

Json = dict[str, Any]


class FakeClock:
    """A clock tests move by hand (`SandboxConfig(clock=FakeClock())`): no sleeping to expire a token."""

    def __init__(self, now: float = 1_717_207_200.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SandboxClient:
    """`post` sends a JSON body with the access token, `acs_get` calls the new host, `raw` sends anything."""

    url: str
    session: requests.Session
    token: str = ""

    def gettoken(self, **params: str) -> Json:
        return self.session.get(f"{self.url}/gettoken", params=params).json()

    def login(self, appkey: str = DEFAULT_APPKEY, appsecret: str = DEFAULT_APPSECRET) -> str:
        self.token = self.gettoken(appkey=appkey, appsecret=appsecret)["access_token"]
        return self.token

    def raw(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.url}{path}", **kwargs)

    def post(self, path: str, body: Any, token: str | None = None) -> Json:
        """An old-host call; the answer must be HTTP 200, as every old-host answer is."""
        params = {"access_token": self.token if token is None else token}
        response = self.raw("POST", path, params=params, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def stats(self) -> Json:
        return self.raw("GET", "/__sandbox/stats").json()
