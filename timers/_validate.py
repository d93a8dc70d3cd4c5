"""Strict reading of JSON values: each helper returns the value or raises a path-naming error.

Shared by the models' ``from_dict`` and by each dialect's response parsers, so "what counts
as a UUID, a date-time, a count" is written once. Every failure is a
``ResponseValidationError`` whose ``path`` names the field (``runs[3].start_time``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from timers._errors import ResponseValidationError
from timers._redact import quote
from timers._time import parse_datetime

__all__ = [
    "UUID_PATTERN",
    "fail",
    "join",
    "object_at",
    "optional_string",
    "required",
    "string_at",
    "timestamp_at",
    "type_name",
    "uuid_at",
    "within",
]

UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
"""The canonical 8-4-4-4-12 form, the only one accepted from users and from the service."""


def fail(path: str, problem: str) -> ResponseValidationError:
    return ResponseValidationError(problem, path=path)


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def within(exc: ResponseValidationError, path: str) -> ResponseValidationError:
    """``exc``'s problem at its path under ``path`` (``status`` within ``result``)."""
    return fail(join(path, exc.path) if exc.path else path, exc.problem)


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def object_at(data: Any, path: str = "") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise fail(path, f"expected an object, got {type_name(data)}")
    return data


def required(data: Mapping[str, Any], name: str, path: str = "") -> Any:
    try:
        return data[name]
    except KeyError:
        raise fail(join(path, name), "required field is missing") from None


def string_at(value: Any, path: str) -> str:
    if type(value) is not str:
        raise fail(path, f"expected a string, got {type_name(value)}")
    return value


def uuid_at(value: Any, path: str) -> str:
    text = string_at(value, path)
    if UUID_PATTERN.match(text) is None:
        raise fail(path, f"expected a UUID, got {quote(text)}")
    return text


def timestamp_at(value: Any, path: str) -> datetime:
    text = string_at(value, path)
    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise fail(path, str(exc)) from None


def optional_string(data: Mapping[str, Any], name: str, path: str = "") -> str | None:
    value = data.get(name)
    return None if value is None else string_at(value, join(path, name))
