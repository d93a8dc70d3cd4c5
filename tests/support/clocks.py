"""Time for tests: a clock and a sleep that only move when a test moves them, and a zone
without an offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Clock:
    """The service's clock (``FakeTimersService(clock=...)``): set ``now`` to move it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    """A ``sleep`` that records what it was asked to wait instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class NoOffset(tzinfo):
    """A zone that will not say its offset: a datetime in it is naive in all but name."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def __repr__(self) -> str:
        return "NoOffset()"
