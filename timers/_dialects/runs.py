"""The ``runs`` dialect: ``spec/timers-runs.yaml`` (``/timers/{id}/run|runs|runs/{run_id}``).

Its wire form is the models' own (``TimerRun.to_dict()``), so parsing is ``from_dict``. The
service filters and pages; the client only passes the filters on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from timers import _bridge
from timers._args import ListFilters
from timers._dialects import Exchange, check_asked
from timers._models import RunPage, TimerRun, parse_page, parse_run
from timers._time import format_datetime

__all__ = ["DEFAULT_BASE_URL", "LOCAL_FILTERS", "NAME", "fetch", "list_page", "trigger"]

NAME: Final = "runs"
LOCAL_FILTERS: Final = False
"""The service filters; the client only passes the filters on."""
DEFAULT_BASE_URL: Final = "https://timer.automate.globus.org/api/v1"
"""The spec's server (``servers[0].url`` in ``spec/timers-runs.yaml``; a test keeps them equal)."""


def trigger(timer_id: UUID) -> Exchange[TimerRun]:
    return Exchange(_bridge.run_timer(timer_id), _run_of(timer_id, None))


def fetch(timer_id: UUID, run_id: UUID) -> Exchange[TimerRun]:
    return Exchange(_bridge.get_timer_run(timer_id, run_id), _run_of(timer_id, run_id))


def _run_of(timer_id: UUID, run_id: UUID | None) -> Callable[[Any, str | None], TimerRun]:
    """``parse_run``, refusing a run of another timer (or, given ``run_id``, another run)."""

    def parse(data: Any, request_id: str | None) -> TimerRun:
        run = parse_run(data, request_id)
        check_asked(run.timer_id, timer_id, "timer_id")
        if run_id is not None:
            check_asked(run.id, run_id, "id")
        return run

    return parse


def _page_of(timer_id: UUID) -> Callable[[Any, str | None], RunPage]:
    """``parse_page``, refusing a page that holds a run of another timer."""
    expected = str(timer_id)

    def parse(data: Any, request_id: str | None) -> RunPage:
        page = parse_page(data, request_id)
        for i, run in enumerate(page.runs):
            if run.timer_id != expected:  # inline: a page holds up to a thousand runs
                check_asked(run.timer_id, timer_id, f"runs[{i}].timer_id")
        return page

    return parse


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
    return Exchange((method, path, params), _page_of(filters.timer_id))
