"""`python -m sandbox`: run the DingTalk sandbox until Ctrl-C or SIGTERM."""

import argparse
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import FrameType
from typing import NoReturn

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET, DEFAULT_TOKEN_TTL, SandboxConfig
from sandbox.faults import DEFAULT_QPS_LIMIT
from sandbox.mutants import ENV_VAR as MUTANT_ENV_VAR
from sandbox.mutants import UnknownMutant, listing, lookup
from sandbox.server import SandboxServer
from sandbox.settings import ENV_VAR, Source, read_settings

READY_LINE = "DingTalk sandbox listening on {url}"
PROG = "python -m sandbox"
SETTING_FLAGS = {
    "--latency-ms": ("latency_ms", "MS", "added delay per API call, ms (default 0)"),
    "--busy-rate": ("busy", "P", "share of calls answered errcode -1 / HTTP 429 system.busy (default 0)"),
    "--rate-limited-rate": ("rate_limited", "P", "share answered errcode 90018 / HTTP 403 QpsLimitForAppkeyAndApi"),
    "--server-error-rate": ("server_error", "P", "share answered HTTP 500/502/503 (new host: 500 systemError)"),
    "--drop-rate": ("drop", "P", "share of connections closed without an answer before the call is processed"),
    "--drop-after-rate": ("drop_after", "P", "share processed, then closed without an answer"),
    "--token-ttl": ("token_ttl", "S", f"access_token lifetime, s (default {DEFAULT_TOKEN_TTL})"),
    "--qps-limit": ("qps", "N", f"calls per appkey per API per second (default {DEFAULT_QPS_LIMIT}; 0 = no limit)"),
    "--fault-seed": ("seed", "N", "seed of the fault draws (default: different each run)"),
}


class UsageError(Exception):
    """A bad flag or setting: one line, no usage text."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = _Parser(prog=PROG, description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free one")
    parser.add_argument("--appkey", default=DEFAULT_APPKEY)
    parser.add_argument("--appsecret", default=DEFAULT_APPSECRET)
    parser.add_argument(
        "--verbose", action="store_true", help="log each request and its bodies (secrets masked) to stderr"
    )
    parser.add_argument("--faults", default="", metavar="KEY=VALUE,...", help=f"settings as in {ENV_VAR}")
    parser.add_argument("--mutant", metavar="NAME", help=f"break one documented contract point (or {MUTANT_ENV_VAR})")
    parser.add_argument("--list-mutants", action="store_true", help="list the contract mutants and exit")
    for flag, (key, metavar, help_text) in SETTING_FLAGS.items():
        parser.add_argument(flag, dest=f"setting_{key}", metavar=metavar, help=help_text)
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace, environ: Mapping[str, str]) -> SandboxConfig:
    """The settings: defaults, then `DINGTALK_SANDBOX_FAULTS`, then `--faults`, then the single flags.

    The contract mutant: `--mutant`, else `DINGTALK_SANDBOX_MUTANT`; an unknown name is a usage error."""
    sources: list[tuple[str, Source]] = [(ENV_VAR, environ.get(ENV_VAR, "")), ("--faults", args.faults)]
    for flag, (key, _, _) in SETTING_FLAGS.items():
        if (text := getattr(args, f"setting_{key}")) is not None:
            sources.append((flag, {key: text}))
    try:
        config = read_settings(SandboxConfig(args.appkey, args.appsecret, verbose=args.verbose), sources)
        mutant = args.mutant or environ.get(MUTANT_ENV_VAR, "").strip() or None
        return config if mutant is None else replace(config, mutant=lookup(mutant).name)
    except (ValueError, UnknownMutant) as error:
        raise UsageError(str(error)) from None


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    try:
        args = parse_args(argv)
        if args.list_mutants:
            print("\n".join(listing()))
            return 0
        config = build_config(args, environ)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    server = SandboxServer(args.host, args.port, config)
    try:
        server.start()
    except (OSError, OverflowError) as error:  # port in use, bad host, no permission, port out of range
        print(f"{PROG}: cannot listen on {args.host}:{args.port}: {_reason(error)}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        print(READY_LINE.format(url=server.url), flush=True)
        stopping.wait()
    finally:
        server.stop()
    return 0


def _reason(error: Exception) -> str:
    """`Address already in use`, `Name or service not known`, ...: the OS's words, on one line."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error) or type(error).__name__
    return " ".join(reason.split())


if __name__ == "__main__":
    raise SystemExit(main())
