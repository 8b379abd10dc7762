"""xdist's ``loadgroup`` scheduling, minus two costs that grow with the square of the test count.

Under ``--dist loadgroup`` every test outside an ``xdist_group`` is a work unit of its own, and xdist keeps every unit
it ever gave a worker: at each finished test it counts the pending tests of all of them (over 3,000 units here, about
4 CPU-seconds of the controller in a run), and it finds each test's index by a linear search of the worker's
collection. Here a unit whose tests are all done is forgotten, and the indexes are looked up in a table. What is
handed out, to whom and in which order is xdist's own.
"""

from __future__ import annotations

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadGroupScheduling
from xdist.workermanage import WorkerController


class FinishedUnitsForgotten(LoadGroupScheduling):
    """``LoadGroupScheduling`` that drops a worker's finished units and indexes its collection once."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        self._collection_indexes: dict[WorkerController, dict[str, int]] = {}

    def mark_test_complete(self, node: WorkerController, item_index: int, duration: float = 0) -> None:
        scope = self._split_scope(self.registered_collections[node][item_index])
        unit = self.assigned_work[node][scope]
        super().mark_test_complete(node, item_index, duration)  # marks it done, then maybe hands out more
        if all(unit.values()) and self.assigned_work.get(node, {}).get(scope) is unit:
            del self.assigned_work[node][scope]

    def _assign_work_unit(self, node: WorkerController) -> None:
        scope, unit = self.workqueue.popitem(last=False)
        self.assigned_work.setdefault(node, {})[scope] = unit
        index = self._indexes(node)
        node.send_runtest_some([index[nodeid] for nodeid, completed in unit.items() if not completed])

    def _indexes(self, node: WorkerController) -> dict[str, int]:
        """The position of each test in the worker's collection, built at its first use."""
        if node not in self._collection_indexes:
            collection = self.registered_collections[node]
            self._collection_indexes[node] = {nodeid: i for i, nodeid in enumerate(collection)}
        return self._collection_indexes[node]
