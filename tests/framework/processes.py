"""Running one function in several forked processes at once, for tests of what processes share through files."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

FORK = multiprocessing.get_context("fork")
"""Where the shared values (``FORK.Value``, ``FORK.Event``, ``FORK.Barrier``) of such a test come from."""


def run_in_processes(work: Callable[[], Any], count: int) -> None:
    """Run ``work`` in ``count`` processes and wait for them; each must exit cleanly."""
    workers = [FORK.Process(target=work) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * count
