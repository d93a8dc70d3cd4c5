"""How pytest-xdist hands the tests to its workers: one test at a time, as ``--dist load``
does, except that every test of a module named in ``ONE_WORKER`` goes to the same worker.

Those modules have a costly module-scoped fixture, which xdist would start again on every
worker that draws one of their tests (a full run started 22 Prism mocks for 14 fixtures, at
3 s of CPU each, and ran the benchmark's quick run twice). xdist's own ``--dist loadgroup``
cannot do this here: under pytest 9.2 it silently groups nothing, because it renames
``item._nodeid``, which pytest no longer reads (pytest-dev/pytest-xdist#1386).
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScopeScheduling

# The module file, and the fixture that must start once.
ONE_WORKER = {
    "test_prism_contract.py": "a Prism mock, a dynamic mock and a Prism proxy",
    "test_prism_jobs_contract.py": "a Prism mock, four seeded mocks and a Prism proxy",
    "test_prism_support.py": "a Prism mock and a Prism proxy",
    "test_bench_smoke.py": "the benchmark's quick run (25 s)",
    "test_packaging.py": "the wheel",
    "test_architecture.py": "every module imported alone in fresh interpreters",
}


def scope_of(nodeid: str) -> str:
    """The unit of work ``nodeid`` belongs to: its module when listed, else the test alone."""
    module = nodeid.split("::", 1)[0]
    return module if module.rsplit("/", 1)[-1] in ONE_WORKER else nodeid


class OneWorkerModules(LoadScopeScheduling):
    """``LoadScopeScheduling`` (units of work handed out as workers free up, the largest
    first) with ``scope_of`` as the units."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)

    def remove_node(self, node: Any) -> str | None:
        # As --dist load does: the test that crashed a worker is reported, not run again.
        workload = self.assigned_work.get(node, {})
        for unit in workload.values():
            pending = [nodeid for nodeid, done in unit.items() if not done]
            if pending:
                unit[pending[0]] = True
                crashitem = pending[0]
                break
        else:
            crashitem = None
        super().remove_node(node)
        return crashitem

    def _reschedule(self, node: Any) -> None:
        # A worker runs a test only once it holds the next one (or is told to stop): keep
        # at least two on every worker, a replacement for a crashed one included.
        super()._reschedule(node)
        while (
            not node.shutting_down
            and self.workqueue
            and self._pending_of(self.assigned_work[node]) < 2
        ):
            self._assign_work_unit(node)


class SchedulingPlugin:
    """Registered on the controller when xdist runs with its default ``--dist load``."""

    @staticmethod
    def pytest_xdist_make_scheduler(config: Any, log: Any) -> OneWorkerModules | None:
        if config.getvalue("dist") != "load":
            return None  # another mode was asked for: xdist's own
        return OneWorkerModules(config, log)
