"""Request dispatch without sockets: a `Request` in, a `Reply` out (the server only moves bytes)."""

import json
import logging
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from sandbox import front_door, recorded
from sandbox.drift import drifted
from sandbox.faults import Fault
from sandbox.openapi import load_schemas
from sandbox.protocol.envelopes import (
    AcsError,
    OapiError,
    Style,
    error_answer,
    sandbox_bug,
    status_error,
    wrong_method,
)
from sandbox.protocol.fault_answers import fault_answer
from sandbox.protocol.messages import Reply, Request
from sandbox.protocol.parameters import handler_parameters, query_of, require_token
from sandbox.request_log import Exchange, RequestLog
from sandbox.routes import Route, robot
from sandbox.settings import read_settings
from sandbox.state import TenantState

_log = logging.getLogger("sandbox")


class App:
    """Routes requests to handlers and frames their answers and errors in each API style.

    `handle` answers None when the connection is to be closed without an answer (a dropped connection).
    `requests` holds the recent exchanges, masked, for the front door (sandbox/front_door).
    """

    def __init__(self, state: TenantState, routes: dict[tuple[str, str], Route]) -> None:
        self.state = state
        self._mutant = None
        if state.config.mutant:  # a contract mutant (sandbox/mutants): wrappers around one endpoint
            from sandbox.mutants import install  # here: sandbox.mutants imports this module

            routes, self._mutant = install(state.config.mutant, routes)
        self._routes = routes
        self._paths = {path: route for (_, path), route in routes.items()}
        self.requests = RequestLog()
        self.recorded = recorded.load()  # recorded examples of endpoints not emulated (sandbox/recorded.py)

    @cached_property
    def schemas(self) -> dict[str, dict[str, Any]]:
        """The answer schemas the front door's OpenAPI document embeds, read when it is first asked for."""
        return load_schemas()

    @property
    def routes(self) -> dict[tuple[str, str], Route]:
        return self._routes

    def handle(self, request: Request) -> Reply | None:
        """Answer a request; every one but the front door's own pages goes into `requests`."""
        path = urlsplit(request.target).path
        if front_door.serves(request.method, path):
            return Reply(*front_door.serve(self, request.method, path, dict(request.headers)))
        reply = self._handle(request)
        exchange = self.describe(request, reply, self.requests.next_number())
        self.requests.add(exchange)
        return reply

    def describe(self, request: Request, reply: Reply | None, number: int = 0) -> Exchange:
        """The exchange as shown and logged: secrets masked."""
        known = (self.state.config.appsecret, *robot.ROBOTS, *robot.ROBOTS.values())
        status, answer = (None, None) if reply is None else (reply.status, reply.body)
        return Exchange(
            number,
            self.state.now(),
            request.method,
            request.target,
            request.headers,
            request.body,
            status,
            answer,
            known,
        )

    def _handle(self, request: Request) -> Reply | None:
        path = urlsplit(request.target).path
        if path.startswith("/__sandbox/"):
            return self._service(request, path)
        route = self._paths.get(path)
        if route is None:
            return Reply(*recorded.answer(self.recorded, self.state, request))
        self.state.count_call(f"{request.method} {path}")
        injection = self.state.draw_fault()
        latency_ms = self.state.config.faults.latency_ms
        if latency_ms:
            self.state.config.sleep(latency_ms / 1000)
        if injection is not None and injection.fault is Fault.DROP:
            return None
        if injection is not None and injection.fault is not Fault.DROP_AFTER:
            return Reply(*fault_answer(route.style, injection.fault, injection.status))
        reply = self._answer(request, route)
        drift = self.state.config.faults.drift
        if reply is not None and drift:  # contract drift on request (sandbox/drift.py)
            reply = Reply(reply.status, drifted(path, reply.body, drift))
        return None if injection is not None else reply

    def _answer(self, request: Request, route: Route) -> Reply | None:
        """The dispatched answer, through the contract mutant's exchange wrapper when there is one."""

        def dispatch(sent: Request) -> Reply:
            return self._dispatch(sent, route)

        return dispatch(request) if self._mutant is None else self._mutant(request, self.state, dispatch)

    def _dispatch(self, request: Request, path_route: Route) -> Reply:
        """Authenticate, apply the QPS limit, run the handler; errors answered in the path's style."""
        style, path = path_route.style, path_route.path
        try:
            route = self._routes.get((request.method, path))
            if route is None:
                raise wrong_method(style, path_route.method)
            query = query_of(request.target)
            appkey = self._appkey(style, request, query)
            params = handler_parameters(style, request, query)
            if appkey is not None and not self.state.admit(appkey, path):
                return Reply(*fault_answer(style, Fault.RATE_LIMITED))
            return Reply(200, route.handler(self.state, params))
        except (OapiError, AcsError) as error:
            return Reply(*error_answer(style, error))
        except Exception:
            _log.exception("sandbox bug while answering %s %s", request.method, path)
            return Reply(*sandbox_bug())

    def _appkey(self, style: Style, request: Request, query: dict[str, str]) -> str | None:
        """The calling app, its token checked where the style needs one: `/gettoken`'s `appkey` parameter (None
        without one), none for the robot, else the app the token was issued to (the sandbox has one app)."""
        if style is Style.GETTOKEN:
            return query.get("appkey") or None
        if style is Style.ROBOT:
            return None
        require_token(style, request, query, self.state.token_is_valid)
        return self.state.config.appkey

    def _service(self, request: Request, path: str) -> Reply:
        """The sandbox's own endpoints under `/__sandbox/`."""
        method = request.method
        if (method, path) == ("GET", "/__sandbox/health"):
            return Reply(200, {"status": "ok"})
        if (method, path) == ("GET", "/__sandbox/stats"):
            return Reply(200, self.state.stats())
        if (method, path) == ("POST", "/__sandbox/reset"):
            self.state.reset()
            return Reply(200, {"status": "reset"})
        if (method, path) == ("GET", "/__sandbox/faults"):
            return Reply(200, self.state.config.settings())
        if (method, path) == ("POST", "/__sandbox/faults"):
            return self._set_faults(request.body)
        answer = robot.service(self.state, method, path) if path.startswith(robot.SERVICE_PREFIX) else None
        return Reply(*(answer or status_error(404, f"no sandbox endpoint {method} {path}")))

    def _set_faults(self, body: bytes) -> Reply:
        """`POST /__sandbox/faults`: apply a JSON object of settings; HTTP 400 with one line if it is bad."""
        try:
            settings = json.loads(body or b"{}")
            if not isinstance(settings, dict):
                raise ValueError("expected a JSON object of settings")
            config = read_settings(self.state.config, [("", settings)])
        except (ValueError, RecursionError) as error:
            return Reply(*status_error(400, f"POST /__sandbox/faults: {error}"))
        self.state.configure(config)
        return Reply(200, config.settings())
