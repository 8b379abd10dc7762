"""A DingTalk for the token's tests, as a handler function of ``HandlerTransport`` (no sockets): gettoken issues
``run-token-1``, ``run-token-2`` …; a request with a token it no longer accepts is refused the way its host
refuses one; answers queued for a path come first; every request it was sent is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.dingtalk.api import ApiRequest, DingTalkClient
from common.dingtalk.run_client import run_client
from common.dingtalk.settings import Settings
from common.http.masking import Masker
from common.http.requests_transport import HandlerTransport
from common.http.transport import (
    Failure,
    Handler,
    OutgoingRequest,
    Response,
    SendFailure,
    json_answer,
)

OAPI_URL = "http://127.0.0.1:9001"
API_URL = "http://127.0.0.1:9002"
APPKEY = "dingkey"
APPSECRET = "the-app-secret"
SETTINGS = Settings(
    "sandbox", APPKEY, APPSECRET, OAPI_URL, API_URL, Path("p.yaml"), 1.0, False, retries=3, retry_backoff=0.0, qps=0
)
LIFETIME = 7200
GETTOKEN = "/gettoken"
OAPI_PATH = "/topapi/blackboard/get"
API_PATH = "/v1.0/hrm/employees/dismissions"
OAPI_REJECTION = {"errcode": 88, "sub_code": "40014", "sub_msg": "不合法的access_token", "errmsg": "ding talk error"}
API_REJECTION = {"requestid": "r", "code": "InvalidAuthentication", "message": "不合法的access_token"}
Answer = tuple[int, Any] | Failure
"""A queued answer: an HTTP status and a JSON body, or no answer at all."""


def issued(number: int) -> str:
    """The ``number``-th token gettoken issues."""
    return f"run-token-{number}"


def path_of(request: OutgoingRequest) -> str:
    return urlsplit(request.url).path


def query_of(request: OutgoingRequest) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def token_of(request: OutgoingRequest) -> str | None:
    """The token a request carries where its host looks for it."""
    if request.url.startswith(API_URL):
        return request.headers.get("x-acs-dingtalk-access-token")
    return query_of(request).get("access_token")


def api_request(api: str = "oapi", auth: Auth = Auth.TOKEN) -> ApiRequest:
    """A request to one endpoint of each host."""
    return ApiRequest(api, "POST", OAPI_PATH if api == "oapi" else API_PATH, {"q": "1"}, {"id": "x"}, {"h": "v"}, auth)


@dataclass
class FakeDingTalk:
    """Issues tokens that live ``lifetime`` seconds and accepts them until ``revoke``."""

    lifetime: int = LIFETIME
    accepted: set[str] = field(default_factory=set)
    queued: dict[str, list[Answer]] = field(default_factory=dict)
    sent: list[OutgoingRequest] = field(default_factory=list)
    tokens_issued: int = 0

    def queue(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to ``path`` with ``answers``, whatever they carry."""
        self.queued.setdefault(path, []).extend(answers)

    def revoke(self) -> None:
        """Refuse every token issued so far (they expired on the server's clock)."""
        self.accepted.clear()

    def calls(self, path: str) -> int:
        """How many requests to ``path`` it was sent."""
        return sum(path_of(request) == path for request in self.sent)

    def tokens_sent(self) -> list[str | None]:
        """The token of each request but gettoken, in order."""
        return [token_of(request) for request in self.sent if path_of(request) != GETTOKEN]

    def __call__(self, request: OutgoingRequest) -> Response:
        self.sent.append(request)
        path = path_of(request)
        if self.queued.get(path):
            answer = self.queued[path].pop(0)
            if isinstance(answer, Failure):
                raise SendFailure(f"{request.method} {path}: {answer.name}", answer, request)
            return json_answer(request, answer[1], answer[0])
        if path == GETTOKEN:
            return self._gettoken(request)
        token = token_of(request)
        if token is not None and token not in self.accepted:
            if request.url.startswith(API_URL):
                return json_answer(request, API_REJECTION, 401)
            return json_answer(request, OAPI_REJECTION)
        return json_answer(request, {"errcode": 0, "errmsg": "ok", "result": True})

    def _gettoken(self, request: OutgoingRequest) -> Response:
        if query_of(request) != {"appkey": APPKEY, "appsecret": APPSECRET}:
            return json_answer(request, {"errcode": 40096, "errmsg": "不合法的appKey或appSecret"})
        self.tokens_issued += 1
        token = issued(self.tokens_issued)
        self.accepted.add(token)
        body = {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.lifetime}
        return json_answer(request, body)


def client_of(
    dingtalk: Handler, token_file: Path, schemas: SchemaStore, masker: Masker | None = None, **options: Any
) -> DingTalkClient:
    """One worker's client, built as a run builds it (``run_client``), talking to ``dingtalk`` with no socket."""
    masker = masker or Masker([APPSECRET])
    return run_client(SETTINGS, HandlerTransport(dingtalk), masker, schemas, token_file, **options)
