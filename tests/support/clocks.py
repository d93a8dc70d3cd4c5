"""A clock and a sleep for the reference service that only move when a test moves them."""

from __future__ import annotations

from datetime import UTC, datetime

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
