"""The run's DingTalk client, built one way for the test processes, the end-of-run sweep and the sweep command.

Retries, the rate limiter and the token file are shared through the run's directory, so a run makes one
gettoken call and stays under the QPS limit however many processes send; every token is masked once known.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError
from common.dingtalk.api import ApiRequest, DingTalkClient, Outcome, RobotCredentials, make_token_fetcher
from common.dingtalk.settings import Settings, load_settings
from common.dingtalk.token_cache import SharedTokenCache
from common.http.masking import Masker
from common.http.rate_limit import SharedRateLimiter
from common.http.retry import Retrying, RetryPolicy
from common.http.transport import HttpTransport, Response

Send = Callable[[ApiRequest], Response]


class Reporter(Protocol):
    """Where the token request and the retries are shown (the run's Allure reporter)."""

    def step(self, title: str) -> AbstractContextManager[object]: ...

    def exchange(self, response: Response) -> None: ...

    def retry(self, retrying: Retrying[Outcome]) -> None: ...


@contextmanager
def open_run_client(
    settings: Settings,
    masker: Masker,
    schemas: SchemaStore,
    run_dir: Path,
    reporter: Reporter | None = None,
    profile: Mapping[str, Any] | None = None,
) -> Iterator[DingTalkClient]:
    """A client for the target of ``settings`` sharing ``run_dir``'s token file and rate-limit counts; with a
    ``reporter``, the token request and every retry show as Allure steps; with a ``profile`` that names a custom
    robot, requests may use the robot's credentials (masked like the token)."""
    limiter = SharedRateLimiter(run_dir, settings.qps) if settings.qps else None
    transport = HttpTransport(settings.timeout, masker, before_send=limiter.acquire if limiter else None)

    def masked(value: str) -> str:
        masker.add(value)
        return value

    def on_token_exchange(response: Response) -> None:
        if isinstance(response.body, dict) and response.body.get("access_token"):
            masker.add(response.body["access_token"])
        if reporter is not None:
            with reporter.step("gettoken: the run's one token request"):
                reporter.exchange(response)

    robot = robot_credentials(profile or {})
    if robot is not None:
        masked(robot.token)
        masked(robot.secret)
    retry = RetryPolicy(settings.retries, settings.retry_backoff)
    reported = {"on_retry": reporter.retry} if reporter is not None else {}
    client = DingTalkClient(
        settings,
        transport,
        lambda: masked(tokens.get()),
        lambda rejected: masked(tokens.refresh(rejected)),
        retry,
        robot=robot,
        **reported,
    )
    # the token cache fetches through the client, so gettoken is retried like any query
    tokens = SharedTokenCache(
        make_token_fetcher(settings, client.send, schemas, on_token_exchange), run_dir / "token.json"
    )
    try:
        yield client
    finally:
        transport.close()


def robot_credentials(profile: Mapping[str, Any]) -> RobotCredentials | None:
    """The custom robot the tenant profile names (``robot_token`` and ``robot_secret``), if it names one."""
    token, secret = profile.get("robot_token"), profile.get("robot_secret")
    return RobotCredentials(str(token), str(secret)) if token and secret else None


@contextmanager
def open_live_client(project_root: Path) -> Iterator[tuple[Send, dict[str, Any]]]:
    """``send`` and the tenant profile for the live target the settings describe; raise ConfigError otherwise."""
    settings = load_settings(project_root)
    if settings.target != "live":
        raise ConfigError(
            "DINGTALK_TARGET is not live: the built-in sandbox is thrown away after each run, so there is nothing "
            "to sweep; set DINGTALK_TARGET=live and the tenant's settings as for a live run"
        )
    profile = load_profile(settings.profile_path, str(settings.profile_path))
    schemas = SchemaStore(project_root / "schemas")
    with (
        tempfile.TemporaryDirectory(prefix="dingtalk-sweep-") as folder,
        open_run_client(settings, Masker([settings.appsecret]), schemas, Path(folder)) as client,
    ):
        yield client.send, profile
