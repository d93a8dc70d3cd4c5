"""The public data model: runs, their results and errors, pages of runs, and run statuses.

Every model is a frozen attrs class with slots. Optional fields are ``None`` when the service
leaves them out; datetimes are timezone-aware UTC. ``to_dict()`` gives the JSON-ready wire
form and ``from_dict()`` parses it back (strictly, raising ``ResponseValidationError``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

import attrs

from timers._time import format_datetime

__all__ = ["RunError", "RunPage", "RunResult", "RunStatus", "TimerRun"]


class RunStatus(StrEnum):
    """The status of a timer run.

    A ``str`` enum, so members compare equal to the service's strings::

        >>> RunStatus.SUCCESS == "success"
        True
        >>> RunStatus.IN_PROGRESS.is_terminal
        False

    The service may add statuses. A value this enum does not list still parses: it becomes a
    ``RunStatus`` that equals the server's string, is not terminal and not known::

        >>> s = RunStatus("paused")
        >>> s == "paused", s.is_terminal, s.is_known
        (True, False, False)
    """

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILURE = "failure"

    @property
    def is_terminal(self) -> bool:
        """True for ``SUCCESS`` and ``FAILURE``: the run will not change any more."""
        return self is RunStatus.SUCCESS or self is RunStatus.FAILURE

    @property
    def is_known(self) -> bool:
        """True for the four statuses the spec lists; False for a value the service added."""
        return self._name_ != _UNKNOWN_NAME

    @classmethod
    def _missing_(cls, value: object) -> RunStatus | None:
        # An open enum: keep statuses the spec does not list instead of failing the whole run.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = _UNKNOWN_NAME
        member._value_ = value
        return member

    @classmethod
    def known(cls) -> tuple[RunStatus, ...]:
        """The four statuses the spec lists, in lifecycle order."""
        return (cls.PENDING, cls.IN_PROGRESS, cls.SUCCESS, cls.FAILURE)


_UNKNOWN_NAME = "UNKNOWN"

CallbackKind = Literal["web", "flow"]


@attrs.frozen(slots=True)
class RunError:
    """Why a run failed: a machine-readable ``code``, a ``message``, and free-form ``detail``.

    ``detail`` is a read-only mapping (empty when the service sent none).

        >>> err = RunError("CALLBACK_FAILED", "The callback answered 503.", {"attempts": 3})
        >>> err.detail["attempts"]
        3
    """

    code: str
    message: str
    # Left out of the hash (a mapping is not hashable); still compared by ==.
    detail: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: ``{"code", "message", "detail"}`` (``detail`` ``None`` when empty)."""
        return {"code": self.code, "message": self.message, "detail": dict(self.detail) or None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunError:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        from timers._convert import parse_run_error

        return parse_run_error(data, "error")


@attrs.frozen(slots=True)
class RunResult:
    """The outcome of a run's callback.

    A web callback sets ``status_code`` (the HTTP status its URL answered); a flow callback
    sets ``run_id`` (the flow run it started). ``error`` says why a run failed.

        >>> RunResult("success", status_code=204).callback_kind
        'web'
        >>> RunResult("success", run_id="7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a").callback_kind
        'flow'
    """

    status: str
    status_code: int | None = None
    run_id: str | None = None
    error: RunError | None = None

    @property
    def callback_kind(self) -> CallbackKind | None:
        """``"web"`` when ``status_code`` is set, ``"flow"`` when ``run_id`` is set, else None."""
        if self.status_code is not None:
            return "web"
        if self.run_id is not None:
            return "flow"
        return None

    @property
    def http_ok(self) -> bool | None:
        """For a web callback, whether it answered 2xx; ``None`` for other callbacks."""
        if self.status_code is None:
            return None
        return 200 <= self.status_code < 300

    def to_dict(self) -> dict[str, Any]:
        """The wire form, with ``None`` for absent optional fields."""
        return {
            "status": self.status,
            "status_code": self.status_code,
            "run_id": self.run_id,
            "error": None if self.error is None else self.error.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        from timers._convert import parse_run_result

        return parse_run_result(data, "result")


@attrs.frozen(slots=True)
class TimerRun:
    """One execution of a timer's callback.

    >>> from datetime import datetime, timezone
    >>> run = TimerRun(
    ...     id="9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
    ...     timer_id="12345678-1234-1234-1234-123456789012",
    ...     status=RunStatus.SUCCESS,
    ...     start_time=datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc),
    ...     end_time=datetime(2026, 11, 28, 12, 0, 2, tzinfo=timezone.utc),
    ... )
    >>> run.duration.total_seconds(), run.is_finished
    (2.0, True)
    """

    id: str
    timer_id: str
    status: RunStatus
    start_time: datetime
    end_time: datetime | None = None
    result: RunResult | None = None

    @property
    def duration(self) -> timedelta | None:
        """``end_time - start_time``, or ``None`` while the run has no end time."""
        if self.end_time is None:
            return None
        return self.end_time - self.start_time

    @property
    def is_finished(self) -> bool:
        """True when the status is terminal (``success`` or ``failure``)."""
        return self.status.is_terminal

    def to_dict(self) -> dict[str, Any]:
        """The wire form: RFC 3339 UTC times with ``Z``, ``None`` for absent optional fields.

        ``TimerRun.from_dict(run.to_dict()) == run`` for every run.
        """
        return {
            "id": self.id,
            "timer_id": self.timer_id,
            "status": self.status.value,
            "start_time": format_datetime(self.start_time),
            "end_time": None if self.end_time is None else format_datetime(self.end_time),
            "result": None if self.result is None else self.result.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimerRun:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        from timers._convert import parse_timer_run

        return parse_timer_run(data, "")


@attrs.frozen(slots=True)
class RunPage:
    """One page of a timer's runs, newest first.

    Iterable and sized: ``for run in page`` and ``len(page)`` cover this page's runs only.
    ``total`` counts every run matching the filters, over all pages. Pass ``next_page`` back
    as ``marker=`` (now or later) to get the following page; it is ``None`` on the last page.
    """

    runs: tuple[TimerRun, ...]
    total: int
    has_next_page: bool
    next_page: str | None = None

    def __iter__(self) -> Iterator[TimerRun]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def to_dict(self) -> dict[str, Any]:
        """The wire form of the page (a ``RunList``)."""
        return {
            "runs": [run.to_dict() for run in self.runs],
            "total": self.total,
            "has_next_page": self.has_next_page,
            "next_page": self.next_page,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunPage:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        from timers._convert import parse_run_page

        return parse_run_page(data)
