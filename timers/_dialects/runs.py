"""The ``runs`` dialect: ``spec/timers-runs.yaml`` (``/timers/{id}/run|runs|runs/{run_id}``).

Its wire form is the models' own (``TimerRun.to_dict()``), so parsing is ``from_dict``. The
filters are the service's: it filters and pages, the client only passes them on.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from timers import _bridge
from timers._args import ListFilters
from timers._bridge import RequestSpec
from timers._models import RunPage, parse_run  # runs: the wire form is the models' own
from timers._time import format_datetime

__all__ = ["DEFAULT_BASE_URL", "NAME", "fetch", "list_page", "parse_page", "parse_run", "trigger"]

NAME: Final = "runs"
DEFAULT_BASE_URL: Final = "https://timer.automate.globus.org/api/v1"
"""The spec's server (``servers[0].url`` in ``spec/timers-runs.yaml``; a test keeps them equal)."""


def trigger(timer_id: UUID) -> RequestSpec:
    return _bridge.run_timer(timer_id)


def fetch(timer_id: UUID, run_id: UUID) -> RequestSpec:
    return _bridge.get_timer_run(timer_id, run_id)


def list_page(filters: ListFilters, limit: int | None, marker: str | None) -> RequestSpec:
    method, path, params = _bridge.list_timer_runs(
        filters.timer_id,
        limit=limit,
        marker=marker,
        status=None if filters.status is None else filters.status.value,
        start_after=filters.start_after,
        start_before=filters.start_before,
    )
    # The generated code sends isoformat() ("+00:00"); the service documents RFC 3339 with "Z".
    for name in ("start_after", "start_before"):
        moment = getattr(filters, name)
        if moment is not None:
            params[name] = format_datetime(moment)
    return method, path, params


def parse_page(data: Any, filters: ListFilters) -> RunPage:
    # The service applied the filters already.
    return RunPage.from_dict(data)
