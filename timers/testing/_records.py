"""What the reference service keeps of each timer and run: a ``Run`` says its state at any
moment; a ``Timer`` keeps its runs by id and sorted by ``(start_time, id)``.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from timers.testing._outcomes import Callback, random_uuid
from timers.testing._wire import format_datetime

__all__ = ["MILLISECOND", "Run", "Timer", "after_newest"]

MILLISECOND: Final = timedelta(milliseconds=1)


@dataclass(slots=True)
class Run:
    """One run of a timer, able to say its state at any moment."""

    id: str
    timer_id: str
    start_time: datetime
    status: str  # the final status of a live run; the fixed status of any other run
    end_time: datetime | None
    result: dict[str, Any] | None
    # Set for runs that go through the lifecycle (pending -> in_progress -> final), which
    # ends at ``finishes_at`` (``end_time`` unless the start was moved on to keep it unique).
    pending_until: datetime | None = None
    finishes_at: datetime | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        """Where the run sorts: by start time, then id."""
        return (self.start_time, self.id)

    def state(self, now: datetime) -> tuple[str, datetime | None, dict[str, Any] | None]:
        """``(status, end_time, result)`` as of ``now``."""
        if self.pending_until is not None and self.end_time is not None:
            if now < self.pending_until:
                return "pending", None, None
            if now < (self.end_time if self.finishes_at is None else self.finishes_at):
                return "in_progress", None, None
        return self.status, self.end_time, self.result

    def to_json(self, now: datetime) -> dict[str, Any]:
        """The spec's ``TimerRun`` as of ``now``."""
        status, end_time, result = self.state(now)
        return {
            "id": self.id,
            "timer_id": self.timer_id,
            "status": status,
            "start_time": format_datetime(self.start_time),
            "end_time": None if end_time is None else format_datetime(end_time),
            "result": result,
        }


@dataclass(slots=True)
class Timer:
    """A timer: its callback, and its runs by id and in sort order."""

    id: str
    callback: Callback
    failure_rate: float
    target: str  # the web hook URL or the flow id
    rng: random.Random
    created_at: datetime  # when ``add_timer`` made it (service time)
    runs: dict[str, Run] = field(default_factory=dict)
    keys: list[tuple[datetime, str]] = field(default_factory=list)  # sorted ascending
    histories: int = 0
    interval: timedelta = timedelta(hours=1)  # its schedule: the last ``seed_history`` interval

    def add(self, runs: list[Run]) -> None:
        """Add ``runs``; ``ValueError`` (and nothing added) if one's id is taken."""
        for run in runs:
            if run.id in self.runs:
                raise ValueError(f"timer {self.id} already has a run {run.id}")
        for run in runs:
            self.runs[run.id] = run
        if len(runs) == 1:
            bisect.insort(self.keys, runs[0].key)
        else:
            self.keys.extend(run.key for run in runs)
            self.keys.sort()

    def newest_start(self) -> datetime | None:
        """The start time of the timer's newest run, ``None`` if it has none."""
        return self.keys[-1][0] if self.keys else None

    def has_run_starting_at(self, moment: datetime) -> bool:
        """Whether one of the timer's runs starts exactly at ``moment``."""
        i = bisect.bisect_left(self.keys, (moment, ""))
        return i < len(self.keys) and self.keys[i][0] == moment

    def new_run_id(self, rng: random.Random) -> str:
        """A run id drawn from ``rng`` that this timer does not have yet."""
        while (run_id := random_uuid(rng)) in self.runs:
            pass
        return run_id


def after_newest(timer: Timer, moment: datetime) -> datetime:
    """``moment``, or 1 ms after the timer's newest run if that did not start before it.

    The start times the service chooses itself never repeat within a timer: the jobs API has
    no run ids, so a client tells a timer's runs apart by their start time."""
    newest = timer.newest_start()
    return moment if newest is None or moment > newest else newest + MILLISECOND
