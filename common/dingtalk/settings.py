"""Run settings from the environment and an optional git-ignored ``.env``; checked once at start-up."""

from __future__ import annotations

import difflib
import io
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from common.core.errors import ConfigError

TARGETS = ("sandbox", "live")
DEFAULT_OAPI_URL = "https://oapi.dingtalk.com"
DEFAULT_API_URL = "https://api.dingtalk.com"
DEFAULT_REPORT_URL = "reports/allure-report/index.html"
SETTING_PREFIX = "DINGTALK_"
SETTING_NAMES = frozenset(
    {
        *("TARGET", "APPKEY", "APPSECRET", "OAPI_URL", "API_URL", "PROFILE", "TIMEOUT", "ALLOW_WRITES"),
        *("RETRIES", "RETRY_BACKOFF", "QPS", "SANDBOX_FAULTS", "SANDBOX_MUTANT"),
        *("ROBOT_WEBHOOK", "ROBOT_TOKEN", "ROBOT_URL", "ROBOT_SECRET", "REPORT_URL"),
    }
)
"""Every DINGTALK_* name (without the prefix) the framework and its sandbox read; another one in ``.env`` is a typo."""


@dataclass(frozen=True)
class RobotSettings:
    """Where the run's notification goes: a DingTalk custom robot's webhook (its token in the query), the robot's
    signing secret ("" for a robot secured by keywords or IPs) and the report link; secrets never in ``repr``."""

    webhook: str
    secret: str
    report_url: str

    def __repr__(self) -> str:
        return f"RobotSettings(webhook={self.webhook.split('?', 1)[0]!r}, access_token=***, secret=***)"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to reach its target; secrets are never part of ``repr``."""

    target: str
    appkey: str
    appsecret: str
    oapi_url: str
    api_url: str
    profile_path: Path
    timeout: float
    allow_writes: bool
    retries: int = 3
    retry_backoff: float = 0.2
    qps: int = 20
    """Calls per second per API, shared by every worker; 0: no limit."""
    robot: RobotSettings | None = None
    """The run notification's robot (controller only); None: no notification."""

    def __repr__(self) -> str:
        return (
            f"Settings(target={self.target!r}, oapi_url={self.oapi_url!r}, api_url={self.api_url!r}, "
            f"profile={str(self.profile_path)!r}, appsecret=***)"
        )

    def base_url(self, api: str) -> str:
        """The base URL of an API generation: ``oapi`` (old host) or ``api`` (new host)."""
        return self.oapi_url if api == "oapi" else self.api_url

    def for_sandbox(self, url: str, appkey: str, appsecret: str) -> Settings:
        """The same settings pointed at a sandbox at ``url``."""
        return replace(self, oapi_url=url, api_url=url, appkey=appkey, appsecret=appsecret)

    def to_environ(self) -> dict[str, str]:
        """These settings as the environment variables that produce them (for worker processes)."""
        return {
            "DINGTALK_TARGET": self.target,
            "DINGTALK_APPKEY": self.appkey,
            "DINGTALK_APPSECRET": self.appsecret,
            "DINGTALK_OAPI_URL": self.oapi_url,
            "DINGTALK_API_URL": self.api_url,
            "DINGTALK_PROFILE": str(self.profile_path),
            "DINGTALK_TIMEOUT": str(self.timeout),
            "DINGTALK_ALLOW_WRITES": "1" if self.allow_writes else "0",
            "DINGTALK_RETRIES": str(self.retries),
            "DINGTALK_RETRY_BACKOFF": str(self.retry_backoff),
            "DINGTALK_QPS": str(self.qps),
        }


def load_settings(project_root: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings: the environment wins over ``.env``; raise ConfigError naming the bad one."""
    values = _env_file_values(project_root / ".env")
    values.update(os.environ if environ is None else environ)
    source = ".env or the environment"

    target = values.get("DINGTALK_TARGET", "sandbox").strip().lower() or "sandbox"
    if target not in TARGETS:
        raise ConfigError(f"DINGTALK_TARGET={target!r} is not a target: use 'sandbox' (default) or 'live'")
    default_profile = "data/profiles/sandbox.yaml" if target == "sandbox" else ""
    profile = values.get("DINGTALK_PROFILE", "").strip() or default_profile  # empty is unset, as CI systems pass it
    if not profile:
        raise ConfigError(
            "DINGTALK_PROFILE is not set: a live run needs the tenant profile's path "
            f"(copy data/profiles/live.example.yaml, fill in your tenant's ids, and set it in {source})"
        )
    profile_path = Path(profile) if Path(profile).is_absolute() else project_root / profile
    settings = Settings(
        target=target,
        appkey=values.get("DINGTALK_APPKEY", "").strip(),
        appsecret=values.get("DINGTALK_APPSECRET", "").strip(),
        oapi_url=_url(values, "DINGTALK_OAPI_URL", DEFAULT_OAPI_URL),
        api_url=_url(values, "DINGTALK_API_URL", DEFAULT_API_URL),
        profile_path=profile_path,
        timeout=_positive_float(values, "DINGTALK_TIMEOUT", 10.0),
        allow_writes=_flag(values, "DINGTALK_ALLOW_WRITES"),
        retries=_whole_number(values, "DINGTALK_RETRIES", 3, "of retries (0: never retry)"),
        retry_backoff=_positive_float(values, "DINGTALK_RETRY_BACKOFF", 0.2, allow_zero=True),
        qps=_whole_number(values, "DINGTALK_QPS", 20, "of calls per second per API (0: no limit)"),
        robot=_robot(values),
    )
    if target == "live":
        for name, value in (("DINGTALK_APPKEY", settings.appkey), ("DINGTALK_APPSECRET", settings.appsecret)):
            if not value:
                raise ConfigError(
                    f"{name} is not set: a live run needs the app's credentials from the DingTalk developer "
                    f"console (set it in {source}, or run against the sandbox with DINGTALK_TARGET=sandbox)"
                )
    return settings


def _env_file_values(env_file: Path) -> dict[str, str]:
    """The settings in ``.env`` (none without one); a line python-dotenv cannot read is an error, not skipped."""
    if not env_file.is_file():
        return {}
    try:
        text = env_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = env_file.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(f".env:{line}: not UTF-8 text: save .env as UTF-8") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:  # name the line by its first word only: the rest may be a secret
            head = re.split(r"[=\s]", binding.original.string.strip(), maxsplit=1)[0][:40]
            raise ConfigError(
                f".env:{binding.original.line}: the line starting {head!r} is not NAME=value "
                "(is a quote left open?): fix or remove it"
            )
        name = binding.key or ""
        if name.startswith(SETTING_PREFIX) and name.removeprefix(SETTING_PREFIX) not in SETTING_NAMES:
            close = difflib.get_close_matches(name.removeprefix(SETTING_PREFIX), sorted(SETTING_NAMES), n=1)
            hint = f" (did you mean {SETTING_PREFIX}{close[0]}?)" if close else ""
            raise ConfigError(f".env:{binding.original.line}: {name} is not a setting{hint}: fix the name or remove it")
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def _url(values: Mapping[str, str], name: str, default: str) -> str:
    url = values.get(name, "").strip().rstrip("/") or default
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - only to check that the port is a number in range
    except ValueError as exc:
        raise ConfigError(f"{name}={url!r} is not an http(s) URL ({exc}): e.g. {default}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ConfigError(f"{name}={url!r} is not an http(s) URL: e.g. {default}")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name}={url!r} must be a base URL, without '?' or '#': e.g. {default}")
    return url


def _positive_float(values: Mapping[str, str], name: str, default: float, allow_zero: bool = False) -> float:
    raw = values.get(name, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        what = "0 or more seconds" if allow_zero else "a positive number of seconds"
        raise ConfigError(f"{name}={raw!r} must be {what}, e.g. {default:g}")
    return number


def _whole_number(values: Mapping[str, str], name: str, default: int, meaning: str) -> int:
    raw = values.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name}={raw!r} must be a whole number {meaning}, e.g. {default}")
    return int(raw)


def _flag(values: Mapping[str, str], name: str) -> bool:
    raw = values.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} must be 1 or 0")


def _robot(values: Mapping[str, str]) -> RobotSettings | None:
    """The notification robot: ``DINGTALK_ROBOT_WEBHOOK`` (the webhook URL, or only its token) or
    ``DINGTALK_ROBOT_TOKEN``, on ``DINGTALK_ROBOT_URL``. Not checked here: a bad one must not stop the run,
    so the notifier reports it when it sends."""
    webhook = values.get("DINGTALK_ROBOT_WEBHOOK", "").strip()
    token = values.get("DINGTALK_ROBOT_TOKEN", "").strip()
    if webhook and "://" not in webhook:
        webhook, token = "", webhook
    if not webhook and token:
        base = values.get("DINGTALK_ROBOT_URL", "").strip().rstrip("/") or DEFAULT_OAPI_URL
        webhook = f"{base}/robot/send?{urlencode({'access_token': token})}"
    if not webhook:
        return None
    secret = values.get("DINGTALK_ROBOT_SECRET", "").strip()
    report_url = values.get("DINGTALK_REPORT_URL", "").strip() or DEFAULT_REPORT_URL
    return RobotSettings(webhook, secret, report_url)
