"""Helpers for tests that drive a sandbox: a hand-moved clock, a recording sleep, clients, a faults handle."""

import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET, SandboxConfig
from sandbox.faults import parse_settings
from sandbox.server import SandboxServer

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
class RecordingSleep:
    """A sleep function that only writes down how long it was asked to wait (`SandboxConfig(sleep=...)`)."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send bytes on a fresh socket to the sandbox at `url` and read until the server closes it."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def sandbox_with_faults(faults: str = "", **config: Any) -> SandboxServer:
    """An in-process sandbox (not started: use `with`) whose settings are `faults` as in DINGTALK_SANDBOX_FAULTS."""
    return SandboxServer(config=SandboxConfig(**config).with_settings(parse_settings(faults)))


class SandboxFaults:
    """Per-test control of a running sandbox's faults over HTTP; `reset()` brings back what it had at the start."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.initial = self.get()

    def get(self) -> Json:
        return self._checked(requests.get(f"{self.url}/__sandbox/faults", timeout=5))

    def set(self, **settings: Any) -> Json:
        """Change the given settings (`busy=1.0`, `qps=0`, ...); the others stay. Answers every setting."""
        return self._checked(requests.post(f"{self.url}/__sandbox/faults", json=settings, timeout=5))

    def counts(self) -> Json:
        """How many calls each fault hit since the last reset (`/__sandbox/stats` `faults`)."""
        return self._checked(requests.get(f"{self.url}/__sandbox/stats", timeout=5))["faults"]

    def reset(self) -> None:
        """The settings the sandbox had when this handle was made, the seeded tenant, zero counts."""
        self.set(**self.initial)
        self._checked(requests.post(f"{self.url}/__sandbox/reset", timeout=5))

    @staticmethod
    def _checked(response: requests.Response) -> Json:
        if response.status_code != 200:
            raise ValueError(f"{response.request.method} {response.url}: HTTP {response.status_code} {response.text}")
        return response.json()


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


def logged_in(server: SandboxServer) -> SandboxClient:
    """A client of `server` that holds a valid token."""
    client = SandboxClient(server.url, requests.Session())
    client.login()
    return client
