"""The reference service's state: its timers and their runs, its clock, and its seeded randomness.

``ServiceState`` is what every API dialect reads and changes; it knows nothing of HTTP. It
holds the one lock of a service, the accepted tokens, the clock (``now()``), the timers and
their runs (``_records``; no two runs of a timer start at the same millisecond, as the jobs
API tells runs apart by start time), the run lifecycle (a triggered run is ``pending``, then
``in_progress``, then ``success`` or ``failure``), how runs are added and histories seeded,
and a random sequence per purpose, each fixed by the seed.
"""

from __future__ import annotations

import copy
import math
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from timers.testing._checks import (
    aware,
    check_rate,
    checked_count,
    checked_tokens,
    checked_uuid,
)
from timers.testing._outcomes import (
    Callback,
    callback_target,
    random_uuid,
    realistic_duration,
    realistic_result,
)
from timers.testing._records import MILLISECOND, Run, Timer, after_newest
from timers.testing._wire import (
    canonical_uuid,
    format_datetime,
    json_bytes,
    truncate_to_milliseconds,
)

__all__ = ["NotInServiceError", "ServiceState"]

_FINAL_STATUSES: Final = ("success", "failure")


class NotInServiceError(KeyError):
    """An unknown timer or run: a ``KeyError`` whose message reads as written (not quoted)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _seeded(*parts: object) -> random.Random:
    """A random sequence fixed by ``parts`` (string seeds hash the same in every process)."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - reproducible on purpose


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
        if type(seed) is not int:
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self.lock: threading.RLock = threading.RLock()
        self.tokens: set[str] = checked_tokens(tokens)
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._seed = seed
        self._pending = pending
        self._in_progress = in_progress
        self.requests = []
        self.reset()

    def reset(self) -> None:
        """Forget timers, runs, ``requests``, ``runs_created`` and the time ``advance()``
        added; restart every random sequence from the seed. Tokens and the clock stay."""
        with self.lock:
            self._offset = timedelta(0)
            self.runs_created = 0
            self.requests = []  # a list you kept keeps what it recorded
            self.timers = {}
            self._rng = _seeded(self._seed, "service")
            self._request_ids = _seeded(self._seed, "requests")

    def now(self) -> datetime:
        """``clock()`` plus everything ``advance()`` added."""
        with self.lock:
            return aware(self._clock(), "clock()") + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward; ``TypeError`` unless ``seconds`` is a number, ``ValueError``
        if it is negative, infinite or NaN, or would take ``now()`` past year 9999."""
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise TypeError(f"seconds must be a number, got {type(seconds).__name__}: {seconds!r}")
        if seconds < 0:
            raise ValueError("the service's clock only moves forward")
        if not seconds < math.inf:  # also refuses NaN
            raise ValueError(f"seconds must be a finite number, got {seconds!r}")
        with self.lock:
            try:
                offset = self._offset + timedelta(seconds=seconds)
                aware(self._clock(), "clock()") + offset  # still a date Python can hold
            except OverflowError:
                raise ValueError(f"advance({seconds!r}) would take now() past year 9999") from None
            self._offset = offset

    def next_request_id(self) -> str:
        """The next ``X-Request-Id`` (16 hex digits, from the seed)."""
        with self.lock:
            return f"{self._request_ids.getrandbits(64):016x}"

    def timer(self, timer_id: str) -> Timer:
        """The timer with this id (any case); ``KeyError`` if there is none."""
        timer = self.timers.get(canonical_uuid(timer_id) or timer_id)
        if timer is None:
            raise NotInServiceError(f"no timer {timer_id}")
        return timer

    def add_timer(self, timer_id: str | None, callback: Callback, failure_rate: float) -> str:
        """Create a timer; see ``FakeTimersService.add_timer``."""
        if callback not in ("web", "flow"):
            raise ValueError(f"callback must be 'web' or 'flow', got {callback!r}")
        check_rate(failure_rate)
        if timer_id is not None and not isinstance(timer_id, str):
            raise TypeError(f"timer_id must be a str, got {type(timer_id).__name__}")
        with self.lock:
            if timer_id is None:
                while (new_id := random_uuid(self._rng)) in self.timers:
                    pass
            else:
                new_id = checked_uuid(timer_id, "timer_id")
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
        if not isinstance(status, str):
            raise TypeError(f"status must be a str, got {type(status).__name__}: {status!r}")
        status = str.__str__(status)  # a RunStatus (a str enum) as its value
        with self.lock:
            timer = self.timer(timer_id)
            if start_time is None:
                start = after_newest(timer, truncate_to_milliseconds(self.now()))
            else:
                start = truncate_to_milliseconds(aware(start_time, "start_time"))
                if timer.has_run_starting_at(start):
                    # The jobs API has no run ids: a client tells a timer's runs apart by start.
                    raise ValueError(
                        f"timer {timer.id} already has a run starting at {format_datetime(start)}: "
                        "the jobs API has no run ids, so clients tell a timer's runs apart by "
                        "their start time"
                    )
            new_id = (
                timer.new_run_id(timer.rng) if run_id is None else checked_uuid(run_id, "run_id")
            )
            final = status in _FINAL_STATUSES
            if end_time is not None:
                end: datetime | None = truncate_to_milliseconds(aware(end_time, "end_time"))
            elif final:
                end = start + realistic_duration(
                    timer.rng, timer.callback, success=status == "success"
                )
            else:
                end = None
            if result is not None:
                if not isinstance(result, Mapping):
                    raise TypeError(
                        f"result must be a mapping (the run's result object), got "
                        f"{type(result).__name__}: {result!r}"
                    )
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
        checked_count(count, "count")
        if not isinstance(interval, timedelta):
            raise TypeError(f"interval must be a timedelta, got {type(interval).__name__}")
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        check_rate(failure_rate)
        with self.lock:
            timer = self.timer(timer_id)
            last = truncate_to_milliseconds(self.now() if end is None else aware(end, "end"))
            try:
                last - count * interval - timedelta(seconds=31)  # the first start, jitter too
            except OverflowError:
                why = f"{count} runs {interval} apart would start before the year 1"
                raise ValueError(why) from None
            timer.histories += 1
            timer.interval = interval
            rng = _seeded(self._seed, "history", timer.id, timer.histories)
            max_jitter = min(interval / 10, timedelta(seconds=30))
            unfinished = rng.random()  # < 0.25: newest pending; < 0.5: in progress
            runs: list[Run] = []
            seen: set[str] = set()
            taken: set[datetime] = set()
            for i in range(count):
                jitter = timedelta(milliseconds=1) + rng.random() * max_jitter
                start = truncate_to_milliseconds(last - i * interval - jitter)
                while start in taken or timer.has_run_starting_at(start):
                    start -= MILLISECOND  # one start time per run (the jobs API's run ids)
                taken.add(start)
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
        """Start a run of ``timer`` now (or 1 ms after its newest run, if that one did not
        start before now): ``pending``, then ``in_progress``, then final."""
        with self.lock:
            triggered = truncate_to_milliseconds(self.now())
            start = after_newest(timer, triggered)
            run_id = timer.new_run_id(timer.rng)
            success = timer.rng.random() >= timer.failure_rate
            result = realistic_result(timer.rng, timer.callback, timer.target, success=success)
            # The lifecycle counts from the trigger, even when the start was moved on.
            pending_until = triggered + self._pending
            finishes_at = pending_until + self._in_progress
            end = max(finishes_at, start)  # never before its start
            run = Run(run_id, timer.id, start, "success" if success else "failure", end, result)
            run.pending_until, run.finishes_at = pending_until, finishes_at
            timer.add([run])
            self.runs_created += 1
            return run

    def run_json(self, timer_id: str, run_id: str) -> dict[str, Any]:
        """A copy of the run's wire JSON as of ``now()``; ``KeyError`` if unknown."""
        with self.lock:
            timer = self.timer(timer_id)
            run = timer.runs.get(canonical_uuid(run_id) or run_id)
            if run is None:
                raise NotInServiceError(f"timer {timer.id} has no run {run_id}")
            return copy.deepcopy(run.to_json(self.now()))
