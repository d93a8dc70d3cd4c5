"""The state of ``wait_for_run``, shared by the sync and async clients (they only do the I/O).

Polls start ``poll_interval`` apart and grow by half each time, up to ``MAX_POLL_INTERVAL`` (or
``poll_interval`` itself when it is longer: never closer than asked); a 429's ``Retry-After``
replaces the interval once when it is longer. No sleep goes past the deadline: one last
poll happens at the deadline, then ``WaitTimeoutError`` (carrying the last run seen).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

from timers._args import check_positive_number
from timers._errors import InvalidArgumentError, RateLimitError, WaitTimeoutError
from timers._models import TimerRun
from timers._redact import quote

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "MAX_POLL_INTERVAL",
    "MAX_WAIT",
    "WaitSettings",
    "Waiter",
]

DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 2.0
MAX_POLL_INTERVAL = 30.0
MAX_WAIT = 7 * 86_400.0
"""The longest ``wait_for_run`` timeout (a week)."""
_GROWTH = 1.5


class WaitSettings(NamedTuple):
    """A wait's checked ``timeout`` (>= 0) and first ``poll_interval`` (> 0), in seconds, and
    the function told of each status change."""

    timeout: float
    poll_interval: float
    on_update: Callable[[TimerRun], object] | None = None

    @classmethod
    def checked(cls, timeout: Any, poll_interval: Any, on_update: Any = None) -> WaitSettings:
        """The settings from user arguments, checked (``InvalidArgumentError``): ``timeout``
        from 0 to ``MAX_WAIT`` seconds, ``poll_interval`` above 0, ``on_update`` None or a
        plain function (it is called, never awaited)."""
        wait = check_positive_number("timeout", timeout, allow_zero=True)
        if wait > MAX_WAIT:
            raise InvalidArgumentError(
                f"timeout must be at most {MAX_WAIT:g} s (a week), got {wait:g}"
            )
        if on_update is not None and not callable(on_update):
            raise InvalidArgumentError(
                f"on_update must be a function taking a run, got {type(on_update).__name__}"
            )
        if inspect.iscoroutinefunction(on_update):
            raise InvalidArgumentError(
                "on_update must be a plain function: it is called, not awaited (to run a "
                "coroutine for each update, start it from there, e.g. asyncio.create_task)"
            )
        return cls(wait, check_positive_number("poll_interval", poll_interval), on_update)

    @classmethod
    def for_trigger(
        cls, wait: Any, timeout: Any, poll_interval: Any, on_update: Any
    ) -> WaitSettings | None:
        """``run_timer``'s settings: None without ``wait``, when ``timeout``,
        ``poll_interval`` and ``on_update`` must be left out (``InvalidArgumentError``, before
        any request: they would be ignored, and a run created all the same)."""
        if type(wait) is not bool:
            raise InvalidArgumentError(f"wait must be True or False, got {quote(wait)}")
        if wait:
            return cls.checked(timeout, poll_interval, on_update)
        given = [
            name
            for name, value, default in (
                ("timeout", timeout, DEFAULT_WAIT_TIMEOUT),
                ("poll_interval", poll_interval, DEFAULT_POLL_INTERVAL),
                ("on_update", on_update, None),
            )
            if value is not default and value != default
        ]
        if given:
            raise InvalidArgumentError(
                f"run_timer waits only with wait=True, so {' and '.join(given)} cannot be used "
                "without it (it would be ignored)"
            )
        return None


class Waiter:
    """Deadline, poll interval, and status-change reporting for one wait."""

    __slots__ = (
        "_clock",
        "_interval",
        "_longest",
        "_on_update",
        "_refused",
        "_run_id",
        "deadline",
        "last",
        "timeout",
    )

    def __init__(self, *, run_id: str, settings: WaitSettings, clock: Callable[[], float]) -> None:
        self._run_id = run_id
        self.timeout = settings.timeout  # seconds
        self._clock = clock
        self.deadline = clock() + settings.timeout  # the clock() time at which waiting ends
        self._interval = settings.poll_interval
        self._longest = max(settings.poll_interval, MAX_POLL_INTERVAL)
        self._on_update = settings.on_update
        self._refused = 0  # polls answered 429 since the last run seen
        self.last: TimerRun | None = None

    def observe(self, run: TimerRun) -> bool:
        """Record a polled run (reporting a status change); True when it has finished."""
        if self._on_update is not None and (self.last is None or run.status != self.last.status):
            returned = self._on_update(run)
            if inspect.isawaitable(returned):  # an async __call__, a lambda around a coroutine
                if inspect.iscoroutine(returned):
                    returned.close()  # never awaited: no "was never awaited" warning either
                raise InvalidArgumentError(
                    "on_update returned an awaitable: it is called, not awaited (pass a plain "
                    "function)"
                )
        self.last = run
        self._refused = 0
        return run.is_finished

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.deadline - self._clock() <= 0

    def timeout_error(self, failed: Exception | None = None) -> WaitTimeoutError:
        """The error once the deadline has passed; ``failed``: the last poll's own error (not
        a 429), when it failed."""
        last = self.last
        seen = "never fetched" if last is None else f"still {quote(last.status.value)}"
        if self._refused and failed is None:  # rate limiting, not the run, may be why
            polls = "poll" if self._refused == 1 else f"{self._refused} polls"
            seen += f"; the service answered 429 to the last {polls}"
        return WaitTimeoutError(
            f"run {self._run_id} did not finish within {self.timeout:g} s ({seen})",
            run=last,
            timeout=self.timeout,
        )

    def next_delay(self, refused: RateLimitError | None = None) -> float:
        """Seconds to sleep before the next poll (after a poll ``refused`` with a 429, if it
        was), never less than the poll interval whatever a ``Retry-After`` says; raises
        ``WaitTimeoutError`` at the deadline."""
        retry_after = None if refused is None else refused.retry_after
        self._refused += refused is not None
        remaining = self.deadline - self._clock()
        if remaining <= 0:
            raise self.timeout_error()
        delay = self._interval
        if retry_after is not None:
            delay = max(retry_after, delay)
        else:
            self._interval = min(self._interval * _GROWTH, self._longest)
        return min(delay, remaining)
