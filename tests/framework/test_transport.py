"""common.http.transport against a local server on 127.0.0.1: JSON parsed, text kept, failures as one masked line."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from common.core.errors import TransportError
from common.http import requests_transport as transport_module
from common.http.masking import Masker
from common.http.requests_transport import USER_AGENT, HttpTransport
from common.http.transport import Failure, SendFailure

TOKEN = "0123456789abcdef0123"


class Handler(BaseHTTPRequestHandler):
    """``/json`` echoes the request as JSON; ``/text`` answers plain text; ``/empty`` no body; ``/null`` JSON null;
    ``/redirect`` a 302."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        route = self.path.split("?", 1)[0]
        if route == "/json":
            echo = {"path": self.path, "method": self.command, "body": body, "headers": dict(self.headers)}
            self._send(200, "application/json", json.dumps(echo))
        elif route == "/text":
            self._send(502, "text/html", "<html>bad gateway</html>")
        elif route == "/empty":
            self._send(204, "text/plain", "")
        elif route == "/null":
            self._send(200, "application/json", "null")
        else:
            self.send_response(302)
            self.send_header("Location", "/json")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _send(self, status: int, content_type: str, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def transport() -> Iterator[HttpTransport]:
    sender = HttpTransport(timeout=2.0, masker=Masker([TOKEN]))
    sender.session.trust_env = False  # loopback only, whatever proxy the environment names
    yield sender
    sender.close()


def test_a_json_answer_is_parsed(server: str, transport: HttpTransport) -> None:
    answer = transport.send("POST", server + "/json", params={"access_token": TOKEN}, json_body={"a": [1, "é"]})
    assert answer.status == 200
    assert answer.is_json
    assert answer.body["method"] == "POST"
    assert answer.body["path"] == f"/json?access_token={TOKEN}"
    assert json.loads(answer.body["body"]) == {"a": [1, "é"]}
    assert answer.body["headers"]["Content-Type"] == "application/json"
    assert answer.body["headers"]["User-Agent"] == USER_AGENT
    assert json.loads(answer.text) == answer.body
    assert answer.elapsed >= 0
    assert answer.history == ()


def test_the_request_is_kept_as_sent(server: str, transport: HttpTransport) -> None:
    answer = transport.send("POST", server + "/json", params={"q": "1"}, json_body={"k": "v"}, headers={"X-A": "b"})
    sent = answer.request
    assert (sent.method, sent.url) == ("POST", server + "/json?q=1")
    assert json.loads(sent.body or b"") == {"k": "v"}
    assert sent.headers["X-A"] == "b"


def test_a_get_has_no_body(server: str, transport: HttpTransport) -> None:
    answer = transport.send("GET", server + "/json")
    assert (answer.request.body, answer.body["body"]) == (None, None)


@pytest.mark.parametrize(
    ("route", "status", "text", "is_json"),
    [
        ("/text", 502, "<html>bad gateway</html>", False),
        ("/empty", 204, "", False),
        ("/null", 200, "null", True),
    ],
)
def test_a_body_that_is_not_a_json_object_is_kept_as_text(
    server: str, transport: HttpTransport, route: str, status: int, text: str, is_json: bool
) -> None:
    answer = transport.send("GET", server + route)
    assert (answer.status, answer.body, answer.text, answer.is_json) == (status, None, text, is_json)


def test_redirects_are_not_followed(server: str, transport: HttpTransport) -> None:
    answer = transport.send("GET", server + "/redirect")
    assert (answer.status, answer.headers["Location"]) == (302, "/json")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_closed_port_is_a_one_line_transport_error_without_the_token(transport: HttpTransport) -> None:
    url = f"http://127.0.0.1:{_free_port()}/topapi/blackboard/get"
    with pytest.raises(TransportError) as raised:
        transport.send("POST", url, params={"access_token": TOKEN}, json_body={})
    message = str(raised.value)
    assert message.startswith(f"POST {url}: cannot connect (connection refused")
    assert "\n" not in message
    assert TOKEN not in message
    assert "access_token" not in message  # the query string is left out


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections (the kernel completes the handshake) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_server_that_never_answers_is_a_timeout(silent_server: str) -> None:
    transport = HttpTransport(timeout=0.2, masker=Masker())
    transport.session.trust_env = False
    with pytest.raises(TransportError) as raised:
        transport.send("GET", silent_server + "/gettoken", params={"appkey": "k", "appsecret": TOKEN})
    transport.close()
    message = str(raised.value)
    assert message == f"GET {silent_server}/gettoken: no answer within 0.2 s (timeout)"


# ── what a failure says about the request ───────────────────────────────────────────────────────────
def test_a_refused_connection_was_never_sent(transport: HttpTransport) -> None:
    with pytest.raises(SendFailure) as raised:
        transport.send("POST", f"http://127.0.0.1:{_free_port()}/topapi/blackboard/create", json_body={})
    assert raised.value.kind is Failure.NOT_SENT
    assert (raised.value.reached_server, raised.value.host_unreachable) == (False, True)
    assert raised.value.request.method == "POST"


def test_no_answer_in_time_may_have_reached_the_server(silent_server: str) -> None:
    transport = HttpTransport(timeout=0.2, masker=Masker())
    transport.session.trust_env = False
    with pytest.raises(SendFailure) as raised:
        transport.send("POST", silent_server + "/topapi/blackboard/create", json_body={})
    transport.close()
    assert raised.value.kind is Failure.NO_ANSWER
    assert (raised.value.reached_server, raised.value.host_unreachable) == (True, True)


@pytest.fixture
def hanging_up_server() -> Iterator[str]:
    """Reads each request whole, then closes the connection without answering (as a server that crashed
    after doing the work would)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                received = b""
                while b"\r\n\r\n" not in received:
                    received += connection.recv(4096)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_connection_closed_after_the_request_may_have_reached_the_server(
    hanging_up_server: str, transport: HttpTransport
) -> None:
    with pytest.raises(SendFailure) as raised:
        transport.send("GET", hanging_up_server + "/topapi/blackboard/listids", params={"access_token": TOKEN})
    assert raised.value.kind is Failure.DROPPED
    assert (raised.value.reached_server, raised.value.host_unreachable) == (True, False)
    assert str(raised.value) == (
        f"GET {hanging_up_server}/topapi/blackboard/listids: connection lost "
        "(the server closed the connection without answering)"
    )


def test_before_send_is_told_the_api_without_the_query(server: str) -> None:
    told: list[str] = []
    transport = HttpTransport(timeout=2.0, masker=Masker(), before_send=told.append)
    transport.session.trust_env = False
    transport.send("POST", server + "/json", params={"access_token": TOKEN}, json_body={})
    transport.send("GET", server + "/text")
    transport.close()
    assert told == [server + "/json", server + "/text"]


def test_proxy_settings_are_read_once_per_host(
    server: str, transport: HttpTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def resolve(request: requests.PreparedRequest, proxies: Any, trust_env: bool) -> dict[str, str]:
        asked.append(request.url or "")
        return {}

    monkeypatch.setattr(transport_module, "resolve_proxies", resolve)
    for number in range(3):
        assert transport.send("GET", f"{server}/json", params={"n": number}).status == 200
    other_host = server.replace("127.0.0.1", "localhost")
    assert transport.send("GET", f"{other_host}/json").status == 200
    assert [url.split("/json")[0] for url in asked] == [server, other_host]


_QUERY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.binary(max_size=8)
)


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1),
        st.one_of(_QUERY_VALUE, st.lists(_QUERY_VALUE, max_size=3), st.tuples(_QUERY_VALUE, _QUERY_VALUE)),
        max_size=4,
    ),
    st.sampled_from(["http://127.0.0.1:1/topapi/x", "http://127.0.0.1:1/x?fixed=1&b=%20"]),
)
def test_the_query_is_encoded_as_requests_encodes_a_mapping(params: dict[str, Any], url: str) -> None:
    session = requests.Session()
    ours, _ = transport_module.prepare(session, "GET", url, params)
    theirs = session.prepare_request(requests.Request("GET", url, params=params or None))
    assert ours.url == theirs.url
