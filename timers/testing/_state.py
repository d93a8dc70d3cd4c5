"""The reference service's state: its timers and their runs, its clock, and its seeded randomness.

``ServiceState`` is what every API dialect reads and changes; it knows nothing of HTTP. It
holds the one lock of a service, the accepted tokens, the clock (``now()``), the timers and
their runs (kept sorted by ``(start_time, id)``; no two runs of a timer start at the same
millisecond, as the jobs API tells runs apart by start time), the run lifecycle (a triggered
run is ``pending``, then ``in_progress``, then ``success`` or ``failure``), how runs are added
and histories seeded, and a random sequence per purpose, each fixed by the seed.
"""

from __future__ import annotations

import bisect
import copy
import math
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Self, cast, overload

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

__all__ = ["NotInServiceError", "Run", "ServiceState", "Timer", "checked_seconds", "checked_tokens"]

_FINAL_STATUSES: Final = ("success", "failure")
_MILLISECOND: Final = timedelta(milliseconds=1)


class NotInServiceError(KeyError):
    """An unknown timer or run: a ``KeyError`` whose message reads as written (not quoted)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


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


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}: {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _after_newest(timer: Timer, moment: datetime) -> datetime:
    """``moment``, or 1 ms after the timer's newest run if that did not start before it.

    The start times the service chooses itself never repeat within a timer: the jobs API has
    no run ids, so a client tells a timer's runs apart by their start time."""
    newest = timer.newest_start()
    return moment if newest is None or moment > newest else newest + _MILLISECOND


def _seeded(*parts: object) -> random.Random:
    """A random sequence fixed by ``parts`` (string seeds hash the same in every process)."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - reproducible on purpose


_CENTURY = 100 * 365 * 86_400  # the longest duration taken: any time plus it is a datetime


def checked_seconds(value: float, name: str) -> float:
    """``value`` if it is a number of seconds from 0 to a century; ``TypeError``/``ValueError``
    if not."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        kind = type(value).__name__
        raise TypeError(f"{name} must be a number of seconds, got {kind}: {value!r}")
    if not 0 <= value <= _CENTURY:  # also refuses NaN and infinities
        raise ValueError(
            f"{name} must be a number of seconds from 0 to {_CENTURY} (a century), got {value!r}"
        )
    return value


class SecondsAttribute:
    """An attribute of seconds, checked as ``checked_seconds`` checks them whenever it is set
    (``service.latency = "0.1"`` fails there, not in the request it would break)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name, self._key = name, f"_{name}_seconds"

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> float: ...
    def __get__(self, instance: object, owner: type | None = None) -> Self | float:
        return self if instance is None else cast(float, vars(instance)[self._key])

    def __set__(self, instance: object, value: float) -> None:
        vars(instance)[self._key] = checked_seconds(value, self._name)


def checked_requests(requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``requests`` if it is a list (the service appends each request it gets to it)."""
    if not isinstance(requests, list):
        raise TypeError(f"requests must be a list, got {type(requests).__name__}")
    return requests


def checked_count(count: int, name: str) -> int:
    """``count`` if it is an int of at least 0 (not a bool)."""
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"{name} must be an int, got {type(count).__name__}: {count!r}")
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _checked_token(token: str) -> str:
    # Never the token itself in a message: it may come from a secret store into a CI log.
    if not isinstance(token, str):
        raise TypeError(f"a token must be a str, got {type(token).__name__}")
    if not token or not all("!" <= char <= "~" for char in token):
        # Authorization: Bearer <token> cannot carry it: no request could ever use it.
        raise ValueError(
            "a token must be a non-empty str of printable ASCII without spaces (as an "
            "Authorization header carries it)"
        )
    return token


def checked_tokens(tokens: Iterable[str]) -> set[str]:
    """The tokens as a set; ``TypeError`` for a bare ``str`` (its characters are not tokens)
    or a token that is not a ``str``, ``ValueError`` for an empty one or one with spaces."""
    if isinstance(tokens, str | bytes):
        kind = type(tokens).__name__
        raise TypeError(f"tokens must be a list of tokens, not one {kind}: pass [token]")
    if not isinstance(tokens, Iterable):
        raise TypeError(f"tokens must be a list of tokens, got {type(tokens).__name__}")
    return {_checked_token(token) for token in tokens}


def _check_rate(failure_rate: float) -> None:
    if not isinstance(failure_rate, int | float) or isinstance(failure_rate, bool):
        kind = type(failure_rate).__name__
        raise TypeError(f"failure_rate must be a number from 0 to 1, got {kind}: {failure_rate!r}")
    if not 0.0 <= failure_rate <= 1.0:
        raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")


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
            return _aware(self._clock(), "clock()") + self._offset

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
                _aware(self._clock(), "clock()") + offset  # still a date Python can hold
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
        _check_rate(failure_rate)
        if timer_id is not None and not isinstance(timer_id, str):
            raise TypeError(f"timer_id must be a str, got {type(timer_id).__name__}")
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
        if not isinstance(status, str):
            raise TypeError(f"status must be a str, got {type(status).__name__}: {status!r}")
        status = str.__str__(status)  # a RunStatus (a str enum) as its value
        with self.lock:
            timer = self.timer(timer_id)
            if start_time is None:
                start = _after_newest(timer, truncate_to_milliseconds(self.now()))
            else:
                start = truncate_to_milliseconds(_aware(start_time, "start_time"))
                if timer.has_run_starting_at(start):
                    # The jobs API has no run ids: a client tells a timer's runs apart by start.
                    raise ValueError(
                        f"timer {timer.id} already has a run starting at {format_datetime(start)}: "
                        "the jobs API has no run ids, so clients tell a timer's runs apart by "
                        "their start time"
                    )
            new_id = (
                timer.new_run_id(timer.rng) if run_id is None else _checked_uuid(run_id, "run_id")
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
        _check_rate(failure_rate)
        with self.lock:
            timer = self.timer(timer_id)
            last = truncate_to_milliseconds(self.now() if end is None else _aware(end, "end"))
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
                    start -= _MILLISECOND  # one start time per run (the jobs API's run ids)
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
            start = _after_newest(timer, triggered)
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
