"""A small closed-loop HTTP/1.1 load generator: keep-alive connections on raw sockets, one thread each.

Each connection sends a request, reads the whole answer, and sends the next, for a fixed time; the client
does as little work per request as it can (requests are encoded once), so the figure is the server's.
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from bench.cases import BenchCase, resolved_json


@dataclass(frozen=True)
class Throughput:
    """What the load generator saw: answers per second and latency percentiles in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def encoded_requests(url: str, token: str, cases: list[BenchCase], profile: dict) -> list[bytes]:
    """The cases' requests as raw HTTP/1.1 bytes, ready to send on a keep-alive connection."""
    host = urlsplit(url).netloc
    encoded = []
    for case in cases:
        body = json.dumps(resolved_json(case, profile)).encode()
        head = (
            f"POST {case.path}?access_token={token} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        encoded.append(head.encode() + body)
    return encoded


def measure(url: str, requests: list[bytes], connections: int, seconds: float) -> Throughput:
    """Keep ``connections`` connections busy for ``seconds``, cycling through ``requests``."""
    address = urlsplit(url)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    deadline: list[float] = []
    # the clock starts once every connection is open (on a busy machine opening them can take a while)
    start = threading.Barrier(connections + 1, action=lambda: deadline.append(time.perf_counter() + seconds))

    def client(number: int) -> None:
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = sock.makefile("rb")
            start.wait()
            sent = number
            while time.perf_counter() < deadline[0]:
                began = time.perf_counter()
                sock.sendall(requests[sent % len(requests)])
                if not _read_answer(reader):
                    failures[number] += 1
                latencies[number].append(time.perf_counter() - began)
                sent += 1

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - (deadline[0] - seconds)
    every = sorted(latency for per_connection in latencies for latency in per_connection)
    if len(every) < 2:
        raise RuntimeError(f"the load generator got {len(every)} answers in {elapsed:.1f} s")
    percentiles = statistics.quantiles(every, n=100, method="inclusive")
    return Throughput(len(every), elapsed, percentiles[49] * 1000, percentiles[98] * 1000, sum(failures))


def _read_answer(reader: BinaryIO) -> bool:
    """Read one HTTP answer with a Content-Length body; True when its status is 200."""
    status = reader.readline()
    length = 0
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    reader.read(length)
    return status.split(b" ", 2)[1:2] == [b"200"]
