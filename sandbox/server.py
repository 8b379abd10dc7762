"""The HTTP/1.1 front of the sandbox: a threaded server on a background thread, moving bytes to `App`."""

import json
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from sandbox.app import App
from sandbox.config import SandboxConfig
from sandbox.lifecycle import Runnable
from sandbox.protocol.envelopes import Body, status_error
from sandbox.protocol.messages import Reply, Request
from sandbox.request_log import masked_target, one_line
from sandbox.routes import build_routes
from sandbox.state import TenantState

__all__ = ["SandboxConfig", "SandboxServer"]

MAX_BODY_BYTES = 1 << 20
POLL_SECONDS = 0.05  # how soon stop() is noticed
masked = masked_target  # the request target with secret query values replaced by `***`, fit for a log line


def body_bytes(body: Body) -> bytes:
    """A reply body as sent: UTF-8 JSON; a lone surrogate (from a request's \\ud800, echoed) stays a JSON escape."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8", errors="backslashreplace")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse-DNS lookup of the host name, which can stall."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # headers and body leave in one write, flushed after each request
    server: _HTTPServer

    def _handle(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send_closing(411, "chunked request bodies are not supported; send a Content-Length")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._send_closing(400 if length < 0 else 413, f"bad Content-Length (at most {MAX_BODY_BYTES})")
            return
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        reply = self.server.app.handle(request)
        if reply is None:  # a dropped connection: closed once this returns, nothing written
            self.close_connection = True
            self.log_message("%s %s dropped", self.command, masked(self.path))
        else:
            self._send(reply)
        if self.server.verbose and (reply is None or not isinstance(reply.body, str)):
            self._log_bodies(request, reply)

    def _log_bodies(self, request: Request, reply: Reply | None) -> None:
        """`--verbose`: the request body and the answer body, masked, indented under the request's line."""
        exchange = self.server.app.describe(request, reply)
        for label, text in (("request body", exchange.request_body), ("answer body", exchange.answer_body)):
            if text:
                sys.stderr.write(f"    {label}: {one_line(text)}\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    def _send(self, reply: Reply) -> None:
        page = isinstance(reply.body, str)  # the front door's HTML
        data = reply.body.encode("utf-8") if page else body_bytes(reply.body)
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/html;charset=utf-8" if page else "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_closing(self, status: int, message: str) -> None:
        self.close_connection = True
        self._send(Reply(*status_error(status, message)))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the base class raises (bad request line, unknown method) as JSON 4xx, never HTML or 5xx.

        An unreadable request line leaves the version at HTTP/0.9, which has no status line; answer in HTTP/1.1.
        """
        self.request_version = self.protocol_version
        self._send_closing(400 if code >= 500 else code, message or self.responses[code][0])

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.verbose:
            self.log_message("%s %s %s", self.command, masked(self.path), code)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class SandboxServer(Runnable):
    """A sandbox in this process: `start()` serves on a daemon thread, `stop()` shuts it down."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.state = TenantState(self.config)
        self.app = App(self.state, build_routes())
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind, listen and serve in the background; returns once connections are accepted."""
        if self._httpd is not None:
            raise RuntimeError("the sandbox server is already running")
        self._httpd = _HTTPServer(self._address, self.app, self.config.verbose)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(POLL_SECONDS,), name="dingtalk-sandbox", daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._httpd is None or self._thread is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None
