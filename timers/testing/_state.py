"""The reference service's state: its timers and their runs, its clock, and its seeded randomness.

``ServiceState`` is what every API dialect reads and changes; it knows nothing of HTTP. It
holds the one lock of a service, the accepted tokens, the clock (``now()``), the timers and
their runs (kept sorted by ``(start_time, id)``), the run lifecycle (a triggered run is
``pending``, then ``in_progress``, then ``success`` or ``failure``), how runs are added and
histories seeded, and a random sequence per purpose, each fixed by the seed.
"""

from __future__ import annotations

import bisect
import copy
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from timers.testing._outcomes import (
    Callback,
    callback_target,
    random_uuid,
    realistic_duration,
    realistic_result,
)
from timers.testing._wire import (
    canonical_uuid,
    format_datetime,
    json_bytes,
    truncate_to_milliseconds,
)

__all__ = ["Run", "ServiceState", "Timer"]

_FINAL_STATUSES: Final = ("success", "failure")


@dataclass(slots=True)
class Run:
    """One run of a timer, able to say its state at any moment."""

    id: str
    timer_id: str
    start_time: datetime
    status: str  # the final status of a live run; the fixed status of any other run
    end_time: datetime | None
    result: dict[str, Any] | None
    # Set for runs that go through the lifecycle (pending -> in_progress -> final).
    pending_until: datetime | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        """Where the run sorts: by start time, then id."""
        return (self.start_time, self.id)

    def state(self, now: datetime) -> tuple[str, datetime | None, dict[str, Any] | None]:
        """``(status, end_time, result)`` as of ``now``."""
        if self.pending_until is not None and self.end_time is not None:
            if now < self.pending_until:
                return "pending", None, None
            if now < self.end_time:
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

    def new_run_id(self, rng: random.Random) -> str:
        """A run id drawn from ``rng`` that this timer does not have yet."""
        while (run_id := random_uuid(rng)) in self.runs:
            pass
        return run_id


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _seeded(*parts: object) -> random.Random:
    """A random sequence fixed by ``parts`` (string seeds hash the same in every process)."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - reproducible on purpose


def _checked_uuid(value: str, name: str) -> str:
    canonical = canonical_uuid(value)
    if canonical is None:
        raise ValueError(f"{name} must be a UUID (8-4-4-4-12 hex digits), got {value!r}")
    return canonical


class ServiceState:
    """Everything a service remembers; ``lock`` guards all of it (callers hold it to read).

    The public methods take the lock themselves and raise as ``FakeTimersService``'s do.
    """

    runs_created: int
    requests: list[tuple[str, str]]
    timers: dict[str, Timer]

    def __init__(
        self,
        *,
        tokens: Iterable[str],
        clock: Callable[[], datetime] | None,
        seed: int,
        pending: timedelta,
        in_progress: timedelta,
    ) -> None:
        self.lock = threading.RLock()
        self.tokens = set(tokens)
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._seed = seed
        self._pending = pending
        self._in_progress = in_progress
        self.requests = []
        self.reset()

    def reset(self) -> None:
        """Forget timers, runs, ``requests`` and ``runs_created``; restart every random
        sequence from the seed. Tokens and the clock stay."""
        with self.lock:
            self.runs_created = 0
            self.requests.clear()
            self.timers = {}
            self._rng = _seeded(self._seed, "service")
            self._request_ids = _seeded(self._seed, "requests")

    def now(self) -> datetime:
        """``clock()`` plus everything ``advance()`` added."""
        with self.lock:
            return _aware(self._clock(), "clock()") + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward; ``ValueError`` for a negative ``seconds``."""
        if seconds < 0:
            raise ValueError("the service's clock only moves forward")
        with self.lock:
            self._offset += timedelta(seconds=seconds)

    def next_request_id(self) -> str:
        """The next ``X-Request-Id`` (16 hex digits, from the seed)."""
        with self.lock:
            return f"{self._request_ids.getrandbits(64):016x}"

    def timer(self, timer_id: str) -> Timer:
        """The timer with this id (any case); ``KeyError`` if there is none."""
        timer = self.timers.get(canonical_uuid(timer_id) or timer_id)
        if timer is None:
            raise KeyError(f"no timer {timer_id}")
        return timer

    def add_timer(self, timer_id: str | None, callback: Callback, failure_rate: float) -> str:
        """Create a timer; see ``FakeTimersService.add_timer``."""
        if callback not in ("web", "flow"):
            raise ValueError(f"callback must be 'web' or 'flow', got {callback!r}")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")
        with self.lock:
            if timer_id is None:
                while (new_id := random_uuid(self._rng)) in self.timers:
                    pass
            else:
                new_id = _checked_uuid(timer_id, "timer_id")
                if new_id in self.timers:
                    raise ValueError(f"there is already a timer {new_id}")
            rng = _seeded(self._seed, "timer", new_id)
            target = callback_target(rng, callback)
            created = truncate_to_milliseconds(self.now())
            self.timers[new_id] = Timer(
                new_id, callback, failure_rate, target, rng, created_at=created
            )
            return new_id

    def add_run(
        self,
        timer_id: str,
        status: str,
        start_time: datetime | None,
        end_time: datetime | None,
        result: Mapping[str, Any] | None,
        run_id: str | None,
    ) -> dict[str, Any]:
        """Add one run with a fixed status; see ``FakeTimersService.add_run``."""
        with self.lock:
            timer = self.timer(timer_id)
            new_id = (
                timer.new_run_id(timer.rng) if run_id is None else _checked_uuid(run_id, "run_id")
            )
            start = truncate_to_milliseconds(
                self.now() if start_time is None else _aware(start_time, "start_time")
            )
            final = status in _FINAL_STATUSES
            if end_time is not None:
                end: datetime | None = truncate_to_milliseconds(_aware(end_time, "end_time"))
            elif final:
                end = start + realistic_duration(
                    timer.rng, timer.callback, success=status == "success"
                )
            else:
                end = None
            if result is not None:
                body: dict[str, Any] | None = copy.deepcopy(dict(result))
                try:
                    json_bytes(body)
                except (TypeError, ValueError) as error:
                    raise ValueError(f"result is not JSON: {error}") from None
            elif final:
                body = realistic_result(
                    timer.rng, timer.callback, timer.target, success=status == "success"
                )
            else:
                body = None
            run = Run(new_id, timer.id, start, status, end, body)
            timer.add([run])
            return copy.deepcopy(run.to_json(self.now()))

    def seed_history(
        self,
        timer_id: str,
        count: int,
        end: datetime | None,
        interval: timedelta,
        failure_rate: float,
    ) -> None:
        """Add ``count`` past runs; see ``FakeTimersService.seed_history``."""
        if count < 0:
            raise ValueError("count must not be negative")
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")
        with self.lock:
            timer = self.timer(timer_id)
            timer.histories += 1
            timer.interval = interval
            rng = _seeded(self._seed, "history", timer.id, timer.histories)
            last = truncate_to_milliseconds(self.now() if end is None else _aware(end, "end"))
            max_jitter = min(interval / 10, timedelta(seconds=30))
            unfinished = rng.random()  # < 0.25: newest pending; < 0.5: in progress
            runs: list[Run] = []
            seen: set[str] = set()
            for i in range(count):
                jitter = timedelta(milliseconds=1) + rng.random() * max_jitter
                start = truncate_to_milliseconds(last - i * interval - jitter)
                success = rng.random() >= failure_rate
                duration = realistic_duration(rng, timer.callback, success=success)
                result = realistic_result(rng, timer.callback, timer.target, success=success)
                while (new_id := random_uuid(rng)) in timer.runs or new_id in seen:
                    pass
                seen.add(new_id)
                run = Run(new_id, timer.id, start, "success" if success else "failure",
                          start + duration, result)  # fmt: skip
                if i == 0 and unfinished < 0.25:
                    run.pending_until = last + self._pending
                    run.end_time = run.pending_until + self._in_progress
                elif (i == 0 and unfinished < 0.5) or (i == 1 and unfinished < 0.375):
                    run.pending_until = start
                    run.end_time = max(start + duration, last + (i + 1) * self._in_progress)
                elif start + duration > last:  # still running at ``end``
                    run.pending_until = start
                runs.append(run)
            timer.add(runs)

    def trigger(self, timer: Timer) -> Run:
        """Start a run of ``timer`` now: ``pending``, then ``in_progress``, then final."""
        with self.lock:
            now = truncate_to_milliseconds(self.now())
            run_id = timer.new_run_id(timer.rng)
            success = timer.rng.random() >= timer.failure_rate
            result = realistic_result(timer.rng, timer.callback, timer.target, success=success)
            pending_until = now + self._pending
            end = pending_until + self._in_progress
            run = Run(run_id, timer.id, now, "success" if success else "failure", end, result)
            run.pending_until = pending_until
            timer.add([run])
            self.runs_created += 1
            return run

    def run_json(self, timer_id: str, run_id: str) -> dict[str, Any]:
        """A copy of the run's wire JSON as of ``now()``; ``KeyError`` if unknown."""
        with self.lock:
            timer = self.timer(timer_id)
            run = timer.runs.get(canonical_uuid(run_id) or run_id)
            if run is None:
                raise KeyError(f"timer {timer.id} has no run {run_id}")
            return copy.deepcopy(run.to_json(self.now()))
