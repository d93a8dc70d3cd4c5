"""Validation of user arguments, before any request is sent.

Each function returns the value in the form the request needs, or raises
``InvalidArgumentError`` saying what was wrong and what is accepted.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from timers._errors import InvalidArgumentError
from timers._models import RunStatus, TimerRun
from timers._redact import quote
from timers._status import status_named
from timers._time import format_datetime, utc_datetime
from timers._validate import UUID_PATTERN

__all__ = [
    "ListFilters",
    "check_limit",
    "check_marker",
    "check_positive_number",
    "check_status",
    "check_time_window",
    "check_uuid",
]

MAX_LIMIT = 1000
_STATUSES = frozenset(status.value for status in RunStatus.known())
MAX_MARKER_LENGTH = 4096
"""The longest page marker sent back (URLs have limits; markers are short)."""


def check_uuid(name: str, value: Any) -> UUID:
    """A ``uuid.UUID`` or its canonical 36-character string form.

    Anything else (including ``../admin``, ``a/b``, braces, URNs, whitespace) is refused, so an
    id can never change which path is requested.
    """
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        if UUID_PATTERN.match(value):
            return UUID(value)
        raise InvalidArgumentError(
            f"{name} must be a UUID like '12345678-1234-1234-1234-123456789012', got {quote(value)}"
        )
    raise InvalidArgumentError(
        f"{name} must be a UUID (str or uuid.UUID), got {type(value).__name__}"
    )


def check_limit(name: str, value: Any) -> int | None:
    """``None`` or an int from 1 to 1000."""
    if value is None:
        return None
    if type(value) is not int:
        raise InvalidArgumentError(
            f"{name} must be an int from 1 to {MAX_LIMIT}, got {quote(value)}"
        )
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidArgumentError(f"{name} must be from 1 to {MAX_LIMIT}, got {quote(value)}")
    return value


def check_status(value: Any, *, any_status: bool = False) -> RunStatus | None:
    """``None``, a ``RunStatus`` the spec lists, or its exact string; with ``any_status`` (an
    API whose filters the client applies), also any other non-empty string without spaces
    around it, read as the ``jobs`` API's ``run_status`` is (``status_named``: ``"FAILURE"``
    is ``FAILURE``, ``"FAILED"`` stays ``"FAILED"``; ``matches`` ignores its case)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value in _STATUSES:
            return RunStatus(value)
        if any_status and value and value.strip() == value:
            return status_named(value)
    if any_status:
        raise InvalidArgumentError(
            "status must be a non-empty str without spaces around it, or a RunStatus (with "
            f"api='jobs', any status the service reports), got {quote(value)}"
        )
    valid = ", ".join(repr(s.value) for s in RunStatus.known())
    raise InvalidArgumentError(
        f"status must be one of {valid} (a str or a RunStatus; with api='runs', other statuses "
        f"cannot be filtered on), got {quote(value)}"
    )


def check_datetime(name: str, value: Any) -> datetime | None:
    """``None``, or a timezone-aware ``datetime`` in UTC (naive ones would need a guessed time
    zone; see ``_time.utc_datetime``)."""
    return None if value is None else utc_datetime(name, value)


def check_time_window(
    start_after: Any, start_before: Any
) -> tuple[datetime | None, datetime | None]:
    """Both bounds aware datetimes in UTC (or ``None``), and ``start_after`` before
    ``start_before``."""
    after = check_datetime("start_after", start_after)
    before = check_datetime("start_before", start_before)
    if after is not None and before is not None and after >= before:
        raise InvalidArgumentError(
            f"start_after ({format_datetime(after)}) must be earlier than "
            f"start_before ({format_datetime(before)})"
        )
    return after, before


def check_marker(value: Any) -> str | None:
    """``None`` or a non-empty string (a ``next_page`` value from an earlier page)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(
            f"marker must be a non-empty string from a page's next_page, got {quote(value)}"
        )
    if len(value) > MAX_MARKER_LENGTH:
        raise InvalidArgumentError(
            f"marker is {len(value)} characters long; a page's next_page has at most "
            f"{MAX_MARKER_LENGTH}"
        )
    if not encodable(value):
        raise InvalidArgumentError(f"marker is not valid text: {quote(value)}")
    return value


def encodable(text: str) -> bool:
    """Whether ``text`` can go in a URL (UTF-8 refuses a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_positive_number(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """A finite int or float, > 0 (or >= 0 with ``allow_zero``), as a float."""
    try:
        number = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:  # an int too large for a float
        number = math.inf
    if isinstance(value, bool) or not math.isfinite(number):
        raise InvalidArgumentError(f"{name} must be a finite number, got {quote(value)}")
    if number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidArgumentError(f"{name} must be {bound}, got {quote(value)}")
    return number


class ListFilters(NamedTuple):
    """The checked filters of a listing, the same for every page of it."""

    timer_id: UUID
    status: RunStatus | None = None
    start_after: datetime | None = None
    start_before: datetime | None = None

    def matches(self, run: TimerRun) -> bool:
        """Whether ``run`` passes the filters (bounds are strict), for APIs that have none."""
        wanted = self.status
        # A status the spec does not list matches in any case too ("cancelled" finds a jobs
        # run's "CANCELLED"); the listed ones are read so already (status_named).
        if (
            wanted is not None
            and run.status != wanted
            and (wanted.is_known or run.status.casefold() != wanted.casefold())
        ):
            return False
        if self.start_after is not None and not run.start_time > self.start_after:
            return False
        return self.start_before is None or run.start_time < self.start_before
