"""The framework tests' xdist scheduler (tests/scheduling.py) hands out exactly what xdist's ``loadgroup`` hands out,
to the same workers in the same order, and after a worker crashes every test still runs once, while it forgets the
units a worker has finished (after a crash xdist queues those again and sends them as empty batches)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling

from tests.scheduling import FinishedUnitsForgotten

COLLECTION = [
    *(f"test_a.py::test_{i}" for i in range(7)),
    "test_b.py::test_shared_one@shared-run",
    "test_b.py::test_shared_two@shared-run",
    *(f"test_c.py::test_{i}[{i}]" for i in range(5)),
    "test_c.py::test_other@another-run",
]


@dataclass(eq=False)
class FakeWorker:
    """What a scheduler uses of xdist's WorkerController: it records what it is sent."""

    name: str
    sent: list[list[int]] = field(default_factory=list)
    shutting_down: bool = False

    @property
    def gateway(self) -> SimpleNamespace:
        return SimpleNamespace(id=self.name)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.append(list(indices))

    def shutdown(self) -> None:
        self.shutting_down = True


def _config() -> Any:
    return SimpleNamespace(getvalue=lambda name: ["2*popen"], option=SimpleNamespace(loadscopereorder=False))


def _run(scheduler_class: type[LoadGroupScheduling], crash_at: int | None = None) -> dict[str, Any]:
    """Two workers that finish what they are sent, first in first out, taking turns; the one that finishes test
    ``crash_at`` of the collection then dies, its pending tests go back to the queue, and xdist starts another."""
    scheduler = scheduler_class(_config())
    workers = [FakeWorker("gw0"), FakeWorker("gw1")]  # and the ones started after a crash
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    done: dict[str, list[int]] = defaultdict(list)
    crashed = None
    while scheduler.has_pending:
        for worker in [w for w in workers if w in scheduler.assigned_work]:
            queued = [index for batch in worker.sent for index in batch if index not in done[worker.name]]
            if queued:
                scheduler.mark_test_complete(worker, queued[0])
                done[worker.name].append(queued[0])
                if queued[0] == crash_at:
                    crashed = scheduler.remove_node(worker)
                    workers.append(FakeWorker(f"gw{len(workers)}"))
                    scheduler.add_node(workers[-1])
                    scheduler.add_node_collection(workers[-1], COLLECTION)
                    scheduler.schedule()
    sent = {worker.name: [batch for batch in worker.sent if batch] for worker in workers}
    return {"sent": sent, "done": done, "crashed": crashed, "scheduler": scheduler}


def test_it_hands_out_what_loadgroup_hands_out() -> None:
    ours, xdists = _run(FinishedUnitsForgotten), _run(LoadGroupScheduling)
    assert ours["sent"] == xdists["sent"]
    assert ours["done"] == xdists["done"]
    assert ours["scheduler"].tests_finished and xdists["scheduler"].tests_finished


@pytest.mark.parametrize("crash_at", [None, 2, COLLECTION.index("test_b.py::test_shared_one@shared-run")])
def test_every_test_runs_once_and_finished_units_are_forgotten(crash_at: int | None) -> None:
    """No crash; a crash between units; a crash inside a unit of two tests (the other one is handed out again)."""
    ours, xdists = _run(FinishedUnitsForgotten, crash_at), _run(LoadGroupScheduling, crash_at)
    assert ours["crashed"] == xdists["crashed"]
    finished = sorted(index for indices in ours["done"].values() for index in indices)
    assert finished == sorted(index for indices in xdists["done"].values() for index in indices)
    assert finished == list(range(len(COLLECTION)))
    assert ours["scheduler"].tests_finished
    assert all(not units for units in ours["scheduler"].assigned_work.values())
