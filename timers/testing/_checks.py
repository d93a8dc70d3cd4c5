"""The checks of the reference service's arguments: each names the argument and says what it
takes (``TypeError`` for a wrong type, ``ValueError`` for a wrong value), before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, Self, cast, overload

from timers.testing._wire import canonical_uuid

__all__ = [
    "SecondsAttribute",
    "aware",
    "check_rate",
    "checked_count",
    "checked_requests",
    "checked_seconds",
    "checked_tokens",
    "checked_uuid",
]

_CENTURY: Final = 100 * 365 * 86_400  # the longest duration taken: any time plus it is a datetime


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


def check_rate(failure_rate: float) -> None:
    if not isinstance(failure_rate, int | float) or isinstance(failure_rate, bool):
        kind = type(failure_rate).__name__
        raise TypeError(f"failure_rate must be a number from 0 to 1, got {kind}: {failure_rate!r}")
    if not 0.0 <= failure_rate <= 1.0:
        raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")


def checked_uuid(value: str, name: str) -> str:
    canonical = canonical_uuid(value)
    if canonical is None:
        raise ValueError(f"{name} must be a UUID (8-4-4-4-12 hex digits), got {value!r}")
    return canonical


def aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}: {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)
