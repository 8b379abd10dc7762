"""The run's one access token as an auth flow, after httpx's ``Auth.auth_flow``: a generator that yields each
request to send and is sent each answer, so that fetching, sharing, refreshing and replaying read top to bottom.

    token    ← this process's; else, under the token file's lock, another worker's; else GET /gettoken
    answer   ← the request with the token
    if DingTalk rejected the token:
        token    ← under the lock, another worker's replacement; else GET /gettoken
        answer   ← the request replayed once with it

``DingTalkClient`` sends what the flow yields, each request retried like any other. Holding the lock while
gettoken is asked makes the other workers wait for its answer instead of asking too: one gettoken per run.
gettoken's token is masked as soon as it is read, before the exchange is shown as a report step; its answer is
checked against the gettoken schema, and refused app credentials stop the run with one line.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError, TransportError
from common.dingtalk.api import OAPI, ApiRequest, AuthFlow, errcode, token_rejected, with_token
from common.dingtalk.settings import Settings
from common.dingtalk.token_cache import IssuedToken, SharedTokenCache
from common.http.masking import Masker
from common.http.transport import Response

TOKEN_PATH = "/gettoken"
TOKEN_SCHEMA = "oapi/gettoken"
GETTOKEN_STEP = "gettoken: the run's one token request"

Asking = Generator[ApiRequest, Response, str]
"""A part of the flow that may send requests and ends with a token."""


class ExchangeReporter(Protocol):
    """Where the gettoken exchange is shown (the run's Allure reporter)."""

    def step(self, title: str) -> AbstractContextManager[object]: ...

    def exchange(self, response: Response) -> None: ...


class RunToken:
    """The run's token for requests that need it: shared by every worker through ``cache``, asked for with the app
    credentials of ``settings``, learnt by ``masker`` and its gettoken exchange shown to ``reporter``."""

    def __init__(
        self,
        settings: Settings,
        cache: SharedTokenCache,
        schemas: SchemaStore,
        masker: Masker,
        reporter: ExchangeReporter | None = None,
    ) -> None:
        self._settings = settings
        self._cache = cache
        self._schemas = schemas
        self._masker = masker
        self._reporter = reporter

    def flow(self, request: ApiRequest) -> AuthFlow:
        """``request`` with the run's token; replayed once with a replacement when DingTalk rejects the token."""
        token = yield from self._token()
        answer = yield with_token(request, token)
        if not token_rejected(request.api, answer):
            return answer
        replacement = yield from self._token(rejected=token)
        replayed = yield with_token(request, replacement)
        return replace(replayed, history=(answer,))

    def _token(self, rejected: str | None = None) -> Asking:
        """A fresh token other than ``rejected``: this process's, one another worker stored, or gettoken's."""
        token = self._cache.held(other_than=rejected)
        if token is None:
            with self._cache.locked():
                token = self._cache.stored(other_than=rejected)
                if token is None:
                    token = self._cache.store((yield from self._gettoken()))
        self._masker.add(token)
        return token

    def _gettoken(self) -> Generator[ApiRequest, Response, IssuedToken]:
        """Ask gettoken with the app's credentials, mask and show what it answers, and check it."""
        credentials = {"appkey": self._settings.appkey, "appsecret": self._settings.appsecret}
        answer = yield ApiRequest(OAPI, "GET", TOKEN_PATH, credentials, None, {}, Auth.NONE)
        body = answer.body if isinstance(answer.body, dict) else {}
        if isinstance(body.get("access_token"), str):
            self._masker.add(body["access_token"])
        if self._reporter is not None:
            with self._reporter.step(GETTOKEN_STEP):
                self._reporter.exchange(answer)
        code = errcode(answer.body)
        if code != 0:
            message = body.get("errmsg", "") if isinstance(answer.body, dict) else answer.text[:80]
            raise ConfigError(
                f"DingTalk refused the app credentials at {self._settings.oapi_url}{TOKEN_PATH} "
                f"(errcode {code} {message}): check DINGTALK_APPKEY and DINGTALK_APPSECRET"
            )
        problems = self._schemas.problems(TOKEN_SCHEMA, answer.body)
        if problems:
            raise TransportError(f"GET {TOKEN_PATH} answered an unexpected shape: {problems[0]}")
        return IssuedToken(body["access_token"], float(body["expires_in"]))
