"""RFC 3339 date-times: strict parsing of what the service sends, and UTC formatting with ``Z``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from timers._errors import InvalidArgumentError
from timers._redact import clean, quote

# RFC 3339 section 5.6: date "T" time, optional fraction of any length, and a required offset.
# Lower-case t/z and a space separator are allowed by the RFC; a missing offset is not.
RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z",
    re.ASCII,
)


def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 date-time into an aware UTC datetime.

    Fractions beyond microseconds are truncated. A leap second (``:60``, RFC 3339 section 5.7)
    is taken at 23:59 UTC only, as the next second (``datetime`` has no second 60). Raises
    ``ValueError`` for anything that is not RFC 3339, including a date-time with no offset (its
    time zone would be a guess).
    """
    m = RFC3339.match(text)
    if m is None:
        raise ValueError(f"not an RFC 3339 date-time: {quote(text)}")
    date, time, fraction, offset = m.groups()
    leap = time.endswith(":60")
    iso = f"{date}T{time[:6]}59" if leap else f"{date}T{time}"
    if fraction:
        iso += "." + fraction[:6].ljust(6, "0")
    iso += "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = datetime.fromisoformat(iso).astimezone(UTC)
        if leap:
            if (parsed.hour, parsed.minute) != (23, 59):
                raise ValueError("a leap second comes only at 23:59:60 UTC")
            parsed += timedelta(seconds=1)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a valid RFC 3339 date-time: {quote(text)} ({exc})") from None
    return parsed


_rfc3339_match = RFC3339.match
_fromisoformat = datetime.fromisoformat


def quick_datetime(text: Any) -> datetime | None:
    """``parse_datetime`` for the common case, fast: the same UTC datetime for what it
    accepts, None for anything else (then ``parse_datetime`` names the problem)."""
    if type(text) is not str or _rfc3339_match(text) is None:
        return None
    try:
        moment = _fromisoformat(text)
        zone = moment.tzinfo
        if zone is UTC:
            return moment
        return None if zone is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def utc_datetime(name: str, value: Any) -> datetime:
    """``value``, a timezone-aware ``datetime``, in UTC (the same instant); else
    ``InvalidArgumentError`` naming ``name`` (a naive one would need a guessed time zone)."""
    if not isinstance(value, datetime):
        raise InvalidArgumentError(
            f"{name} must be a timezone-aware datetime, got {type(value).__name__}"
        )
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError) as exc:  # a tzinfo of the caller's own that misbehaves
        raise InvalidArgumentError(
            f"{name} has a time zone whose utcoffset() fails: {clean(str(exc))}"
        ) from None
    if offset is None:
        raise InvalidArgumentError(
            f"{name} must be timezone-aware, e.g. datetime.now(timezone.utc); got the naive "
            f"{value.isoformat()} (its time zone would be a guess)"
        )
    try:
        return value if value.tzinfo is UTC else value.astimezone(UTC)
    except OverflowError:
        raise InvalidArgumentError(
            f"{name} {value.isoformat()} is out of range once converted to UTC"
        ) from None


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 in UTC with ``Z`` (microseconds only when non-zero).

    >>> from datetime import datetime, timezone, timedelta
    >>> format_datetime(datetime(2026, 11, 28, 13, 0, tzinfo=timezone(timedelta(hours=1))))
    '2026-11-28T12:00:00Z'
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: give a timezone-aware datetime")
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat() + "Z"
