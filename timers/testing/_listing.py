"""Listing a timer's runs: filters, marker positions and newest-first pages (oldest-first
ones too, unfiltered: the jobs API's order is not published).

Runs are listed newest first by ``start_time``, ties broken by id (descending). A page starts
after a position, the sort key ``(start_time, id)`` of the last run of the page before, so
runs created between page fetches are neither skipped nor repeated. This is the algorithm
only: how a dialect spells its query parameters and its markers is up to its routes.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from timers.testing._records import Run, Timer

__all__ = ["RunFilter", "RunPage", "list_oldest_first", "list_runs", "marker_position"]

Position = tuple[datetime, str]


@dataclass(frozen=True, slots=True)
class RunFilter:
    """What to list: at most ``limit`` runs with this ``status`` (as of now, ``None``: any),
    started strictly between ``start_after`` and ``start_before`` (each ``None``: unbounded),
    strictly older than ``after`` (``None``: from the newest)."""

    limit: int
    status: str | None = None
    start_after: datetime | None = None
    start_before: datetime | None = None
    after: Position | None = None


@dataclass(frozen=True, slots=True)
class RunPage:
    """One page: its ``runs`` (newest first), how many match in all, and whether more follow."""

    runs: list[Run]
    total: int
    has_next: bool

    @property
    def next_position(self) -> Position | None:
        """Where the next page starts, or ``None`` on the last page."""
        return self.runs[-1].key if self.has_next and self.runs else None


def marker_position(timer: Timer, run_id: str, start_time: datetime | None) -> Position | None:
    """Where the run a marker names sorts; ``None`` when the timer has no such run, or it
    started at another time than the marker says (``start_time``; ``None`` for a marker that
    names only a run): the service issued no such marker (runs are never deleted)."""
    run = timer.runs.get(run_id)
    if run is None or (start_time is not None and start_time != run.start_time):
        return None
    return run.key


def list_runs(timer: Timer, wanted: RunFilter, now: datetime) -> RunPage:
    """The page of ``timer``'s runs that ``wanted`` describes, statuses as of ``now``."""
    keys = timer.keys
    lo = 0
    hi = len(keys)
    if wanted.start_after is not None:
        lo = bisect.bisect_right(keys, wanted.start_after, key=itemgetter(0))
    if wanted.start_before is not None:
        hi = bisect.bisect_left(keys, wanted.start_before, key=itemgetter(0))
    hi = max(lo, hi)
    after = wanted.after
    if wanted.status is None:
        total = hi - lo
        # Everything strictly older than the marker's position, newest first.
        end = hi if after is None else max(lo, min(hi, bisect.bisect_left(keys, after)))
        start = max(lo, end - wanted.limit)
        page_keys = keys[start:end][::-1]
        has_next = start > lo
    else:
        matching = [key for key in keys[lo:hi] if timer.runs[key[1]].state(now)[0] == wanted.status]
        total = len(matching)
        end = len(matching) if after is None else bisect.bisect_left(matching, after)
        start = max(0, end - wanted.limit)
        page_keys = matching[start:end][::-1]
        has_next = start > 0
    return RunPage([timer.runs[key[1]] for key in page_keys], total, has_next)


def list_oldest_first(timer: Timer, limit: int, after: Position | None) -> RunPage:
    """The page of ``limit`` runs of ``timer`` oldest first, from just after the position
    ``after`` (``None``: from the oldest)."""
    keys = timer.keys
    start = 0 if after is None else bisect.bisect_right(keys, after)
    page_keys = keys[start : start + limit]
    return RunPage([timer.runs[key[1]] for key in page_keys], len(keys), start + limit < len(keys))
