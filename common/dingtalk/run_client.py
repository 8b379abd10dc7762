"""The run's DingTalk client, built one way for the test processes, the end-of-run sweep and the sweep command.

Retries, the rate limiter and the token file are shared through the run's directory, so a run makes one
gettoken call and stays under the QPS limit however many processes send; every token is masked once known.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError
from common.dingtalk.api import ApiRequest, DingTalkClient, Outcome, RobotCredentials
from common.dingtalk.run_token import ExchangeReporter, RunToken
from common.dingtalk.settings import Settings, load_settings
from common.dingtalk.token_cache import SharedTokenCache
from common.http.masking import Masker
from common.http.rate_limit import SharedRateLimiter
from common.http.retry import Retrying, RetryPolicy
from common.http.transport import Response, Transport

Send = Callable[[ApiRequest], Response]
TOKEN_FILE = "token.json"


class Reporter(ExchangeReporter, Protocol):
    """Where the token request and the retries are shown (the run's Allure reporter)."""

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
    """The run's client over HTTP, sharing ``run_dir``'s token file and rate-limit counts (see ``run_client``)."""
    from common.http.requests_transport import HttpTransport  # requests loads when a run first sends, not before

    limiter = SharedRateLimiter(run_dir, settings.qps) if settings.qps else None
    transport = HttpTransport(settings.timeout, masker, before_send=limiter.acquire if limiter else None)
    try:
        yield run_client(settings, transport, masker, schemas, run_dir / TOKEN_FILE, reporter, profile)
    finally:
        transport.close()


def run_client(
    settings: Settings,
    transport: Transport,
    masker: Masker,
    schemas: SchemaStore,
    token_file: Path,
    reporter: Reporter | None = None,
    profile: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.time,
) -> DingTalkClient:
    """A client for the target of ``settings`` over ``transport``, with the run's token shared through
    ``token_file``; with a ``reporter``, the token request and every retry show as Allure steps; with a ``profile``
    that names a custom robot, requests may use the robot's credentials (masked like the token)."""
    robot = robot_credentials(profile or {})
    if robot is not None:
        masker.add(robot.token)
        masker.add(robot.secret)
    token = RunToken(settings, SharedTokenCache(token_file, clock), schemas, masker, reporter)
    retry = RetryPolicy(settings.retries, settings.retry_backoff)
    reported = {"on_retry": reporter.retry} if reporter is not None else {}
    return DingTalkClient(settings, transport, token.flow, retry, robot=robot, clock=clock, **reported)


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
