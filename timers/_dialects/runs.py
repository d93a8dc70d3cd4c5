"""The ``runs`` dialect: ``spec/timers-runs.yaml`` (``/timers/{id}/run|runs|runs/{run_id}``).

Its wire form is the models' own (``TimerRun.to_dict()``), so parsing is ``from_dict``. The
service filters and pages; the client only passes the filters on.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from timers import _bridge
from timers._args import MAX_LIMIT, ListFilters
from timers._dialects import PRODUCTION_URL, Exchange
from timers._models import RunPage, TimerRun, parse_page, parse_run
from timers._time import format_datetime

__all__ = [
    "DEFAULT_BASE_URL",
    "LOCAL_FILTERS",
    "MAX_PAGE_SIZE",
    "MISSING_ROUTE_HINT",
    "NAME",
    "NEWEST_FIRST",
    "fetch",
    "list_page",
    "trigger",
]

NAME: Final = "runs"
LOCAL_FILTERS: Final = False
MAX_PAGE_SIZE: Final[int | None] = MAX_LIMIT
NEWEST_FIRST: Final = True
MISSING_ROUTE_HINT: Final[str | None] = (
    "the production Globus Timers service has no such path: it keeps run history under its "
    "/jobs API, use api='jobs'"
)
DEFAULT_BASE_URL: Final = f"{PRODUCTION_URL}/api/v1"
"""The spec's server (``servers[0].url`` in ``spec/timers-runs.yaml``; a test keeps them equal)."""


def trigger(timer_id: UUID) -> Exchange[TimerRun]:
    return Exchange(_bridge.run_timer(timer_id), parse_run)


def fetch(timer_id: UUID, run_id: UUID) -> Exchange[TimerRun]:
    return Exchange(_bridge.get_timer_run(timer_id, run_id), parse_run)


def list_page(filters: ListFilters, limit: int | None, marker: str | None) -> Exchange[RunPage]:
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
    return Exchange((method, path, params), parse_page)
