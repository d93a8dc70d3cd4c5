"""``summarize_runs``: a timer's health at a glance, from any iterable of runs, in one pass.

Memory does not grow with the number of runs: counts are counters (``MAX_STATUSES`` unlisted
statuses apart at most, for a service whose status strings are free text), durations are kept
up to ``_EXACT``, then counted in logarithmic bins (so a percentile is within 1% of the exact
one, however far apart the durations are), error codes go into a Space-Saving table of
``MAX_ERROR_CODES`` entries, and outcomes into hourly buckets (UTC), rolled up into days once
a history spans more than ``_MAX_HOURS`` hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal

from timers._errors import InvalidArgumentError
from timers._models import RunStatus, TimerRun
from timers._redact import quote
from timers._time import format_datetime

__all__ = [
    "MAX_BUCKETS",
    "MAX_ERROR_CODES",
    "MAX_STATUSES",
    "OTHER_STATUSES",
    "Bucket",
    "ErrorCount",
    "RunSummary",
    "summarize_runs",
]

MAX_ERROR_CODES = 64
"""Error codes tracked exactly: with more distinct codes, counts are Space-Saving estimates."""
MAX_STATUSES = 64
"""Unlisted statuses counted apart in ``counts`` (the four listed ones always are); runs with
any further one count together."""
OTHER_STATUSES = "(other statuses)"
"""The ``counts`` key of the runs whose unlisted status came after ``MAX_STATUSES`` others."""
MAX_BUCKETS = 1000
"""The timeline's length at most: the latest 1000 days (older runs count in every other figure)."""
TOP_ERRORS = 5
_EXACT = 4096  # durations kept as they are; beyond, the sketch's bins
_ACCURACY = 0.01  # a percentile from the bins is within 1% of the exact one
_GAMMA = (1 + _ACCURACY) / (1 - _ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
_ZERO = -(2**31)  # the bin of the durations of 0 (before every other in sorted order)
_MAX_HOURS = 24 * 100
_NO_TIME = timedelta(0)
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class ErrorCount:
    """How often an error code occurred, and when last (the latest start of a run with it)."""

    code: str
    count: int
    last_seen: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "count": self.count,
            "last_seen": format_datetime(self.last_seen),
        }


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Bucket:
    """Outcomes of the runs that started in ``[start, start + one hour or day)``, a UTC hour or
    day."""

    start: datetime
    successes: int = 0
    failures: int = 0
    others: int = 0  # not finished, or finished with a status other than success/failure

    @property
    def total(self) -> int:
        return self.successes + self.failures + self.others

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": format_datetime(self.start),
            "successes": self.successes,
            "failures": self.failures,
            "others": self.others,
        }


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RunSummary:
    """What a history of runs says about a timer (see ``summarize_runs``).

    ``counts``: runs per status (a status the service added under its own string); after 64
    distinct unlisted statuses, runs with a further one count together under ``"(other
    statuses)"`` (the four listed statuses are always counted apart).
    ``success_rate``: successes over runs that succeeded or failed (0.0 to 1.0; None when
    none did): a run that finished with a status the client does not know (``api="jobs"``,
    whose statuses are not published) is in ``finished`` but not in the rate.
    ``duration_p50`` / ``duration_p95`` / ``duration_max``: over finished runs with an end
    time not before their start (None when there are none). A percentile is the lower
    nearest rank (of the durations sorted, the ``floor(q * (n - 1))``-th from 0: p50 of 1 s
    and 59 s is 1 s), exact for up to 4,096 durations, then within 1% (or a microsecond) of
    it; the maximum is exact. ``top_errors``: the most frequent error codes, most frequent
    first; exact while there are at most ``MAX_ERROR_CODES`` (64) distinct codes, beyond that
    a bounded estimate (a count may be too high, never too low, for a code that is listed).
    ``first_start`` / ``last_start``: the earliest and latest start. ``bucket``: ``"hour"``
    when the history spans at most two days, else ``"day"``; ``buckets``: outcome counts per
    UTC hour or day, oldest first, empty buckets included, for the latest ``MAX_BUCKETS`` days
    at most.
    """

    total: int
    counts: Mapping[str, int] = field(hash=False)  # compared by ==; a mapping has no hash
    finished: int
    success_rate: float | None
    duration_p50: timedelta | None
    duration_p95: timedelta | None
    duration_max: timedelta | None
    top_errors: tuple[ErrorCount, ...]
    first_start: datetime | None
    last_start: datetime | None
    bucket: Literal["hour", "day"]
    buckets: tuple[Bucket, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["counts"] = dict(self.counts)  # a read-only mapping cannot be pickled as such
        return (_restore_summary, (values,))

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (durations in seconds, times RFC 3339 UTC)."""

        def seconds(value: timedelta | None) -> float | None:
            return None if value is None else value.total_seconds()

        def when(value: datetime | None) -> str | None:
            return None if value is None else format_datetime(value)

        return {
            "total": self.total,
            "counts": dict(self.counts),
            "finished": self.finished,
            "success_rate": self.success_rate,
            "duration_p50_seconds": seconds(self.duration_p50),
            "duration_p95_seconds": seconds(self.duration_p95),
            "duration_max_seconds": seconds(self.duration_max),
            "top_errors": [error.to_dict() for error in self.top_errors],
            "first_start": when(self.first_start),
            "last_start": when(self.last_start),
            "bucket": self.bucket,
            "buckets": [bucket.to_dict() for bucket in self.buckets],
        }


def _restore_summary(values: dict[str, Any]) -> RunSummary:
    return RunSummary(**{**values, "counts": MappingProxyType(values["counts"])})


class _Durations:
    """Durations (seconds, >= 0) in bounded memory: the first ``_EXACT`` kept as they are, then
    counted in bins ``(GAMMA**(i - 1), GAMMA**i]`` (DDSketch), whose middle is within
    ``_ACCURACY`` of every value in it; a duration of 0 has a bin of its own. Between a
    microsecond and the longest ``timedelta`` there are about 2,300 bins."""

    __slots__ = ("bins", "count", "exact", "maximum", "minimum")

    def __init__(self) -> None:
        self.exact: list[float] | None = []
        self.bins: dict[int, int] = {}
        self.count = 0
        self.minimum = math.inf
        self.maximum = 0.0

    def add(self, seconds: float) -> None:
        self.count += 1
        self.minimum = min(self.minimum, seconds)
        self.maximum = max(self.maximum, seconds)
        if self.exact is None:
            self._count(seconds)
            return
        self.exact.append(seconds)
        if len(self.exact) > _EXACT:
            for value in self.exact:
                self._count(value)
            self.exact = None

    def _count(self, seconds: float) -> None:
        index = math.ceil(math.log(seconds) / _LOG_GAMMA) if seconds > 0 else _ZERO
        self.bins[index] = self.bins.get(index, 0) + 1

    def quantile(self, q: float) -> float:
        """The lower nearest rank: the ``floor(q * (count - 1))``-th smallest duration (from
        0), exact while there are at most ``_EXACT``, then within ``_ACCURACY`` of it (and
        never outside the smallest and largest)."""
        rank = math.floor(q * (self.count - 1))
        if self.exact is not None:
            return sorted(self.exact)[rank]
        seen = 0
        for index in sorted(self.bins):
            seen += self.bins[index]
            if seen > rank:
                middle = 0.0 if index == _ZERO else 2 * _GAMMA**index / (_GAMMA + 1)
                return min(max(middle, self.minimum), self.maximum)
        return self.maximum  # pragma: no cover - the counts add up to count


class _SpaceSaving:
    """The most frequent error codes in bounded memory (exact up to ``MAX_ERROR_CODES``)."""

    __slots__ = ("counts", "last_seen")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.last_seen: dict[str, datetime] = {}

    def add(self, code: str, when: datetime) -> None:
        if code not in self.counts and len(self.counts) >= MAX_ERROR_CODES:
            smallest = min(self.counts, key=self.counts.__getitem__)
            self.counts[code] = self.counts.pop(smallest)  # Space-Saving: inherit the count
            self.last_seen.pop(smallest)
        self.counts[code] = self.counts.get(code, 0) + 1
        previous = self.last_seen.get(code)
        self.last_seen[code] = when if previous is None else max(previous, when)

    def top(self, n: int) -> tuple[ErrorCount, ...]:
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))[:n]
        return tuple(ErrorCount(code, count, self.last_seen[code]) for code, count in ranked)


def summarize_runs(runs: Iterable[TimerRun], *, top_errors: int = TOP_ERRORS) -> RunSummary:
    """Summarize ``runs`` (any iterable, e.g. ``client.iter_runs(...)``) in one pass, in
    memory that does not grow with their number.

    >>> week = client.iter_runs(timer_id, start_after=week_ago)  # doctest: +SKIP
    >>> summary = summarize_runs(week)  # doctest: +SKIP
    >>> summary.success_rate, summary.duration_p95  # doctest: +SKIP
    (0.97, datetime.timedelta(seconds=4, microseconds=812000))
    >>> summary.top_errors[0].code, summary.top_errors[0].count  # doctest: +SKIP
    ('CALLBACK_FAILED', 3)

    ``top_errors``: how many error codes to rank, at most (an int >= 0). Raises
    ``InvalidArgumentError`` for another ``top_errors``, for ``runs`` that is not iterable,
    and for an item that is not a ``TimerRun`` (naming its position).
    """
    if type(top_errors) is not int or top_errors < 0:
        raise InvalidArgumentError(f"top_errors must be an int >= 0, got {quote(top_errors)}")
    try:
        items = iter(runs)
    except TypeError:
        raise InvalidArgumentError(
            f"runs must be an iterable of TimerRun (e.g. client.iter_runs(...)), got "
            f"{type(runs).__name__}"
        ) from None
    counts: dict[str, int] = {}
    unlisted = 0  # statuses counted apart that the spec does not list
    total = finished = successes = failures = 0
    durations = _Durations()
    errors = _SpaceSaving()
    first: datetime | None = None
    last: datetime | None = None
    size = _HOUR  # of a bucket
    outcomes: dict[int, list[int]] = {}  # bucket number -> [successes, failures, others]
    for run in items:
        if not isinstance(run, TimerRun):
            hint = " (TimerRun.from_dict reads the wire form)" if isinstance(run, Mapping) else ""
            raise InvalidArgumentError(
                f"runs[{total}] must be a TimerRun, got {type(run).__name__}{hint}"
            )
        total += 1
        status = run.status
        key = status.value
        if key in counts:
            counts[key] += 1
        elif status.is_known or unlisted < MAX_STATUSES:
            counts[key] = 1
            unlisted += not status.is_known
        else:  # a service making up a new status for each run: memory stays bounded
            counts[OTHER_STATUSES] = counts.get(OTHER_STATUSES, 0) + 1
        start = run.start_time
        first = start if first is None or start < first else first
        last = start if last is None or start > last else last
        if run.is_finished:
            finished += 1
            duration = run.duration
            if duration is not None and duration >= _NO_TIME:  # clocks that disagree: left out
                durations.add(duration.total_seconds())
        success = status is RunStatus.SUCCESS
        successes += success
        failure = status is RunStatus.FAILURE
        failures += failure
        error = run.result.error if run.result is not None else None
        if error is not None:
            errors.add(error.code, start)
        # Whole numbers (a float timestamp would round the end of year 9999 up, past it).
        slot = outcomes.setdefault((start - _EPOCH) // size, [0, 0, 0])
        slot[0 if success else 1 if failure else 2] += 1
        if size == _HOUR and len(outcomes) > _MAX_HOURS:
            size, outcomes = _DAY, _rolled_up(outcomes)
        elif size == _DAY and len(outcomes) > 2 * MAX_BUCKETS:  # keep what the timeline shows
            oldest = max(outcomes) - MAX_BUCKETS
            outcomes = {day: slot for day, slot in outcomes.items() if day > oldest}
    return _summary(
        total, counts, finished, successes, failures, durations, errors, top_errors, first, last,
        size, outcomes,
    )  # fmt: skip


def _rolled_up(hours: dict[int, list[int]]) -> dict[int, list[int]]:
    days: dict[int, list[int]] = {}
    for hour, slot in hours.items():
        day = days.setdefault(hour // 24, [0, 0, 0])
        for i in range(3):
            day[i] += slot[i]
    return days


def _summary(
    total: int,
    counts: dict[str, int],
    finished: int,
    successes: int,
    failures: int,
    durations: _Durations,
    errors: _SpaceSaving,
    top_errors: int,
    first: datetime | None,
    last: datetime | None,
    size: timedelta,
    outcomes: dict[int, list[int]],
) -> RunSummary:
    if first is not None and last is not None and size == _HOUR and last - first > 2 * _DAY:
        size, outcomes = _DAY, _rolled_up(outcomes)
    buckets: list[Bucket] = []
    if outcomes:
        newest = max(outcomes)
        for number in range(max(min(outcomes), newest - MAX_BUCKETS + 1), newest + 1):
            slot = outcomes.get(number, [0, 0, 0])
            buckets.append(Bucket(_EPOCH + number * size, *slot))
    have = durations.count > 0
    return RunSummary(
        total=total,
        counts=MappingProxyType(counts),
        finished=finished,
        success_rate=successes / (successes + failures) if successes + failures else None,
        duration_p50=timedelta(seconds=durations.quantile(0.5)) if have else None,
        duration_p95=timedelta(seconds=durations.quantile(0.95)) if have else None,
        duration_max=timedelta(seconds=durations.maximum) if have else None,
        top_errors=errors.top(top_errors),
        first_start=first,
        last_start=last,
        bucket="hour" if size == _HOUR else "day",
        buckets=tuple(buckets),
    )
