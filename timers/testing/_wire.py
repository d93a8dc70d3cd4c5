"""Wire formats of the reference service: ids, RFC 3339 date-times, page markers, JSON bytes.

Kept apart from the service logic so that each rule (what counts as a UUID, which date-times
are accepted, what a marker holds, how JSON is written) lives in one place.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

__all__ = [
    "EPOCH",
    "canonical_uuid",
    "decode_marker",
    "encode_marker",
    "format_datetime",
    "json_bytes",
    "parse_datetime",
    "truncate_to_milliseconds",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I | re.A)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})",
    re.A,
)
_MARKER = re.compile(r"m:(?P<id>[^:]+)(?::(?P<time>-?\d{1,20}))?", re.A)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}", re.A)


def canonical_uuid(value: str) -> str | None:
    """``value`` in lower case if it is a UUID in the 8-4-4-4-12 hex form, else ``None``."""
    return value.lower() if _UUID.fullmatch(value) else None


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; ``TypeError``/``ValueError`` if it is not JSON (NaN
    and infinities included: ``json.dumps`` would write them, but JSON has none)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")


def truncate_to_milliseconds(moment: datetime) -> datetime:
    """``moment`` in UTC, cut to whole milliseconds (the precision the service shows)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_datetime(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``: ``2026-11-28T12:00:00.514Z``, no fraction when it is 0."""
    m = moment.astimezone(UTC)
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    millis = m.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_datetime(text: str) -> datetime | None:
    """The UTC instant of an RFC 3339 ``date-time``, or ``None`` if ``text`` is not one.

    Accepts what JSON Schema's ``date-time`` format accepts: ``T`` or ``t``, ``Z``/``z`` or a
    numeric offset, any number of fraction digits (kept to the microsecond), and a leap second
    (``:60``) only at 23:59 UTC, read as the next second. A naive time (no offset) is rejected.
    Instants outside Python's range (year 0, or an offset past year 9999) are clamped to it,
    which keeps the strict comparisons of the filters right.
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction, offset = match.group(7), match.group(8)
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    offset_minutes = 0
    if offset not in ("Z", "z"):
        off_hours, off_minutes = int(offset[1:3]), int(offset[4:6])
        if off_hours > 23 or off_minutes > 59:
            return None
        offset_minutes = (off_hours * 60 + off_minutes) * (1 if offset[0] == "+" else -1)
    leap = second == 60
    if leap and (hour * 60 + minute - offset_minutes) % 1440 != 23 * 60 + 59:
        return None
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if year == 0:
        return _MIN
    try:
        local = datetime(
            year,
            month,
            day,
            hour,
            minute,
            59 if leap else second,
            micro,
            tzinfo=timezone(timedelta(minutes=offset_minutes)),
        )
        moment = local.astimezone(UTC)
        return moment + timedelta(seconds=1) if leap else moment
    except OverflowError:
        return _MIN if year == 1 else _MAX


def encode_marker(start_time: datetime, run_id: str) -> str:
    """The opaque ``next_page`` value after the run with this sort key.

    It is base64url (no padding) of ``m:<run id>:<start_time in microseconds since 1970>``,
    so it stays valid while runs are created: it names a position, not an offset.
    """
    micros = (start_time - EPOCH) // timedelta(microseconds=1)
    raw = f"m:{run_id}:{micros}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_marker(marker: str) -> tuple[str, datetime | None] | None:
    """``(run id, start_time)`` from a marker, ``start_time`` ``None`` in the short form.

    The short form ``m:<run id>`` (the form of the spec's examples) names the run only; the
    service looks its start time up. ``None`` if ``marker`` is not a marker at all.
    """
    if not _BASE64URL.fullmatch(marker) or len(marker.rstrip("=")) % 4 == 1:
        return None
    padded = marker.rstrip("=") + "=" * (-len(marker.rstrip("=")) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    match = _MARKER.fullmatch(raw)
    if match is None:
        return None
    run_id = canonical_uuid(match.group("id"))
    if run_id is None:
        return None
    if match.group("time") is None:
        return run_id, None
    try:
        return run_id, EPOCH + timedelta(microseconds=int(match.group("time")))
    except OverflowError:
        return None
