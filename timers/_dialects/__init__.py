"""API dialects: how one API spells the operations the clients offer.

The clients' core (``timers._core``) works in operations: trigger a run, fetch one, list a
page. A dialect is one module that turns those into requests (through ``timers._bridge``)
and parses the answers into the public models; it does no I/O. ``runs`` speaks
``spec/timers-runs.yaml``; a second API is a second module, not edits across the client.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from timers._args import ListFilters
from timers._bridge import RequestSpec
from timers._errors import InvalidArgumentError
from timers._models import RunPage, TimerRun

__all__ = ["API_NAMES", "Dialect", "dialect_for"]

API_NAMES = ("runs",)


class Dialect(Protocol):
    """What the core asks of an API (each dialect module provides these names)."""

    NAME: str
    DEFAULT_BASE_URL: str

    def trigger(self, timer_id: UUID) -> RequestSpec:
        """The request that starts a run now."""
        ...

    def fetch(self, timer_id: UUID, run_id: UUID) -> RequestSpec:
        """The request that reads one run."""
        ...

    def list_page(self, filters: ListFilters, limit: int | None, marker: str | None) -> RequestSpec:
        """The request for one page of a listing."""
        ...

    def parse_run(self, data: Any) -> TimerRun:
        """One run from a decoded body (``ResponseValidationError`` naming the field)."""
        ...

    def parse_page(self, data: Any, filters: ListFilters) -> RunPage:
        """One page of runs from a decoded body, with ``filters`` applied."""
        ...


def dialect_for(api: str) -> Dialect:
    """The dialect module for ``api`` (one of ``API_NAMES``)."""
    if api == "runs":
        from timers._dialects import runs

        return runs
    valid = " or ".join(repr(name) for name in API_NAMES)
    raise InvalidArgumentError(f"api must be {valid}, got {api!r}")
