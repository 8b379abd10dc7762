"""`python -m sandbox`: run the DingTalk sandbox until Ctrl-C or SIGTERM."""

import argparse
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET, DEFAULT_TOKEN_TTL, SandboxConfig
from sandbox.server import SandboxServer

READY_LINE = "DingTalk sandbox listening on {url}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free one")
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, help="access_token lifetime, s")
    parser.add_argument("--appkey", default=DEFAULT_APPKEY)
    parser.add_argument("--appsecret", default=DEFAULT_APPSECRET)
    parser.add_argument("--verbose", action="store_true", help="log each request (secrets masked) to stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = SandboxConfig(appkey=args.appkey, appsecret=args.appsecret, token_ttl=args.token_ttl, verbose=args.verbose)
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with SandboxServer(args.host, args.port, config) as server:
        print(READY_LINE.format(url=server.url), flush=True)
        stopping.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
