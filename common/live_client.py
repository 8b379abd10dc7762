"""A DingTalk client outside a test: for the sweep at the end of a run and for ``python -m common.sweep``.

It is built as the run's own is (retries, the shared rate limiter, the shared token file), so that a sweep at the
end of a run makes no extra gettoken call and stays under the same QPS limit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common.dingtalk import ApiRequest, DingTalkClient, make_token_fetcher
from common.errors import ConfigError
from common.masking import Masker
from common.profile import load_profile
from common.rate_limit import SharedRateLimiter
from common.retry import RetryPolicy
from common.schema_store import SchemaStore
from common.settings import Settings, load_settings
from common.token_cache import SharedTokenCache
from common.transport import HttpTransport, Response

Send = Callable[[ApiRequest], Response]


@contextmanager
def live_client(settings: Settings, masker: Masker, schemas: SchemaStore, run_dir: Path) -> Iterator[Send]:
    """``send`` for requests to the target of ``settings``; the token file and rate-limit counts are in
    ``run_dir`` (a run's own, shared with its workers); every token is masked from then on."""
    limiter = SharedRateLimiter(run_dir, settings.qps) if settings.qps else None
    transport = HttpTransport(settings.timeout, masker, before_send=limiter.acquire if limiter else None)

    def masked(value: str) -> str:
        masker.add(value)
        return value

    def on_token_exchange(response: Response) -> None:
        if isinstance(response.body, dict) and response.body.get("access_token"):
            masker.add(response.body["access_token"])

    retry = RetryPolicy(settings.retries, settings.retry_backoff)
    client = DingTalkClient(
        settings, transport, lambda: masked(tokens.get()), lambda rejected: masked(tokens.refresh(rejected)), retry
    )
    tokens = SharedTokenCache(
        make_token_fetcher(settings, client.send, schemas, on_token_exchange), run_dir / "token.json"
    )
    try:
        yield client.send
    finally:
        transport.close()


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
        live_client(settings, Masker([settings.appsecret]), schemas, Path(folder)) as send,
    ):
        yield send, profile
