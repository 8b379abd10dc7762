"""Everything that is DingTalk's own: the two API generations, where the token goes, the error envelopes, how
a rejected token is recognised, and the client that sends (the run's token comes from common/dingtalk/run_token.py).

    oapi (old host)  token in ?access_token=            error: HTTP 200, errcode != 0 in the body
                                                         (auth errors wrapped in errcode 88 + sub_code)
    api  (new host)  token in x-acs-dingtalk-access-token error: HTTP 4xx/5xx, {requestid, code, message}

Busy and rate-limited answers (-1, 90018, 90002; HTTP 429 system.busy, 403 QpsLimitForAppkeyAndApi) mean the
server refused the call without carrying it out, so any request may be sent again. A 5xx or a lost
connection may come after the work was done: only requests that do not create anything are sent again then.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from common.cases.model import Auth
from common.core.errors import ConfigError, TransportError
from common.dingtalk.settings import Settings
from common.dingtalk.signing import sign
from common.http.retry import Attempted, Retrying, RetryPolicy
from common.http.transport import Response, SendFailure, Transport

OAPI = "oapi"
API = "api"
TOKEN_QUERY_PARAM = "access_token"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
REJECTED_TOKEN_CODES = frozenset({"40014", "42001", "33001", "40001"})
"""errcodes (flat, or as sub_code inside errcode 88) meaning "this token is invalid or expired"."""
AUTH_WRAPPER_ERRCODE = 88
REJECTED_TOKEN_API_CODES = frozenset({"InvalidAuthentication"})
REFUSED_ERRCODES = frozenset({-1, 90002, 90018})
"""Old-host errcodes for "busy, try again" (-1) and the per-second rate limits (per app and API, per API)."""
REFUSED_API_ANSWERS = frozenset({(429, "system.busy"), (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")})
"""New-host (HTTP status, code) pairs for "busy" and "over the per-app, per-API QPS limit"."""
Outcome = Response | SendFailure
"""What one attempt at a request ends with: an answer, or no answer."""


def errcode(body: Any) -> Any:
    """The old host's errcode, also from the TOP gateway's ``error_response`` shape; None if absent."""
    if not isinstance(body, dict):
        return None
    if "errcode" in body:
        return body["errcode"]
    wrapped = body.get("error_response")
    return wrapped.get("code") if isinstance(wrapped, dict) else None


def errmsg(body: Any) -> str:
    """The old host's errmsg, also from the TOP gateway's ``error_response`` shape; "" if absent."""
    if not isinstance(body, dict):
        return ""
    wrapped = body.get("error_response")
    message = body.get("errmsg", wrapped.get("msg", "") if isinstance(wrapped, dict) else "")
    return str(message)


def is_error(api: str, response: Response) -> bool:
    """True when the response is an error envelope of its API generation."""
    if api == API or response.status >= 400:
        return response.status >= 400
    code = errcode(response.body)
    return code is not None and code != 0


def token_rejected(api: str, response: Response) -> bool:
    """True when the server says the token is invalid or expired (so a refresh may help)."""
    body = response.body if isinstance(response.body, dict) else {}
    if api == API:
        return response.status in (400, 401) and body.get("code") in REJECTED_TOKEN_API_CODES
    code = body.get("errcode")
    if code == AUTH_WRAPPER_ERRCODE:
        return str(body.get("sub_code")) in REJECTED_TOKEN_CODES
    gateway = body.get("error_response")
    if isinstance(gateway, dict):  # the TOP gateway's shape (service/get_auth_info): the cause is its sub_code
        return str(gateway.get("sub_code")) in REJECTED_TOKEN_CODES
    return str(code) in REJECTED_TOKEN_CODES


def refused(api: str, response: Response) -> str | None:
    """Why the server refused the call without carrying it out (busy, rate-limited), or None."""
    body = response.body if isinstance(response.body, dict) else {}
    if api == API:
        if (response.status, body.get("code")) not in REFUSED_API_ANSWERS:
            return None
        return f"HTTP {response.status} {body['code']}: {body.get('message', '')}"
    code = errcode(body)
    if code not in REFUSED_ERRCODES:
        return None
    return f"errcode {code}: {errmsg(body)}"


def retry_reason(request: ApiRequest, outcome: Outcome) -> str | None:
    """Why ``outcome`` deserves another attempt, or None: a create is sent again only when it certainly was not
    carried out; a request that creates nothing also after a server error or a lost answer."""
    if isinstance(outcome, SendFailure):
        return outcome.kind.value if not (request.creates and outcome.reached_server) else None
    reason = refused(request.api, outcome)
    if reason is None and outcome.status >= 500 and not request.creates:
        reason = f"HTTP {outcome.status}"
    return reason


def with_token(request: ApiRequest, token: str) -> ApiRequest:
    """``request`` with ``token`` where its API wants it: the query on the old host, a header on the new one."""
    if request.api == API:
        return replace(request, headers={**request.headers, TOKEN_HEADER: token})
    return with_query(request, {TOKEN_QUERY_PARAM: token})


def with_query(request: ApiRequest, credentials: Mapping[str, str]) -> ApiRequest:
    """``request`` with ``credentials`` added to its query."""
    return replace(request, params={**request.params, **credentials})


@dataclass(frozen=True)
class ApiRequest:
    """A rendered request: plain data, ready to send."""

    api: str
    method: str
    path: str
    params: Mapping[str, Any]
    json: Any
    headers: Mapping[str, str]
    auth: Auth
    creates: bool = False
    """Sending it twice would create two things: it is sent again only when it certainly was not carried out."""


AuthFlow = Generator[ApiRequest, Response, Response]
"""How a request gets its token (httpx's ``Auth.auth_flow``): it yields each request to send, is sent each answer,
and returns the answer that is the request's."""


class NoAnswer(TransportError):
    """No answer came, however often the request was sent (or it was a create that may have been received)."""

    def __init__(self, failure: SendFailure, attempts: int, creates: bool) -> None:
        if creates and failure.reached_server:
            tried = "not sent again: a create may have reached the server"
        else:
            tried = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        super().__init__(f"{failure} ({tried})")
        self.failure = failure
        self.attempts = attempts


NO_RETRY = RetryPolicy(retries=0, backoff=0.0)
STALE_SECONDS = 2 * 3600
"""How old ``robot_stale_timestamp`` makes the timestamp: the robot accepts one within an hour of its clock."""


@dataclass(frozen=True)
class RobotCredentials:
    """A custom robot's access token and signing secret (the tenant profile's ``robot_token``, ``robot_secret``)."""

    token: str
    secret: str

    def query(self, auth: Auth, now: float) -> dict[str, str]:
        """The webhook's query for ``auth``: the token, a timestamp and its sign (wrong or stale when asked)."""
        stamp = int((now - (STALE_SECONDS if auth is Auth.ROBOT_STALE_TIMESTAMP else 0)) * 1000)
        secret = self.secret[::-1] + "x" if auth is Auth.ROBOT_WRONG_SIGN else self.secret
        return {"access_token": self.token, "timestamp": str(stamp), "sign": unquote(sign(secret, stamp))}


ROBOT_AUTH = frozenset({Auth.ROBOT, Auth.ROBOT_WRONG_SIGN, Auth.ROBOT_STALE_TIMESTAMP})


def _ignore(retrying: Retrying[Outcome]) -> None:
    """The default ``on_retry``: nothing to report to."""


class DingTalkClient:
    """Sends ``ApiRequest``s to their host with their credentials: one that needs the run's token through
    ``token_flow`` (which may first ask for the token, and replays the request once when DingTalk rejects it), any
    other with what its auth mode adds. Every request sent, gettoken included, is retried under ``retry`` when
    ``retry_reason`` allows, ``on_retry`` told before each retry."""

    def __init__(
        self,
        settings: Settings,
        transport: Transport,
        token_flow: Callable[[ApiRequest], AuthFlow],
        retry: RetryPolicy = NO_RETRY,
        on_retry: Callable[[Retrying[Outcome]], None] = _ignore,
        robot: RobotCredentials | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self._token_flow = token_flow
        self._retry = retry
        self._on_retry = on_retry
        self._robot = robot
        self._clock = clock

    def send(self, request: ApiRequest) -> Response:
        """Send ``request`` with its credentials; raise ``NoAnswer`` when no answer ever came."""
        if request.auth is Auth.TOKEN:
            return self._follow(self._token_flow(request))
        return self._deliver(self._with_credentials(request))

    def _follow(self, flow: AuthFlow) -> Response:
        """Send each request ``flow`` yields and give it the answer, until it returns the request's answer; closed
        also when a request gets no answer (so that it lets go of the token file's lock)."""
        try:
            request = next(flow)
            while True:
                request = flow.send(self._deliver(request))
        except StopIteration as finished:
            return finished.value
        finally:
            flow.close()

    def _deliver(self, request: ApiRequest) -> Response:
        """Send ``request`` as it is, retrying when that is safe; raise ``NoAnswer`` when no answer ever came."""
        attempted: Attempted[Outcome] = self._retry.run(
            lambda: self._attempt(request), lambda outcome: retry_reason(request, outcome), self._on_retry
        )
        if isinstance(attempted.outcome, SendFailure):
            raise NoAnswer(attempted.outcome, attempted.attempts, request.creates)
        return replace(attempted.outcome, attempts=attempted.attempts)

    def _attempt(self, request: ApiRequest) -> Outcome:
        url = self.settings.base_url(request.api) + request.path
        try:
            return self.transport.send(
                request.method, url, params=request.params, json_body=request.json, headers=request.headers
            )
        except SendFailure as failure:
            return failure

    def _with_credentials(self, request: ApiRequest) -> ApiRequest:
        """``request`` with what its auth mode adds: nothing, a made-up token, the app's key and secret, or the
        robot's signed query."""
        if request.auth is Auth.INVALID:
            return with_token(request, secrets.token_hex(16))
        if request.auth is Auth.APP:
            return with_query(request, {"appkey": self.settings.appkey, "appsecret": self.settings.appsecret})
        if request.auth in ROBOT_AUTH:
            if self._robot is None:
                raise ConfigError(
                    f"{request.path} uses auth: {request.auth.value}, but the tenant profile has no robot_token and "
                    "robot_secret: add the custom robot's access token and signing secret to the profile"
                )
            return with_query(request, self._robot.query(request.auth, self._clock()))
        return request
