"""Driving a sandbox from tests: a small client, raw bytes on a socket, in-process sandboxes with faults, and a
handle on a running sandbox's faults."""

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET, SandboxConfig
from sandbox.server import SandboxServer
from sandbox.settings import read_settings

Json = dict[str, Any]


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
    return SandboxServer(config=read_settings(SandboxConfig(**config), [("faults", faults)]))


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
