"""The options that several commands share (the filters of a listing, ``--format``,
``--timeout``), and the parsers of their values: RFC 3339 times, ``--since`` durations, the
window they make, statuses, and seconds."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click

from timers._dialects import dialect_for
from timers._models import RunStatus
from timers._redact import clean, quote
from timers._status import status_named
from timers._time import RFC3339, format_datetime, parse_datetime
from timers._wait import MAX_WAIT
from timers.cli._base import State

_SINCE = re.compile(r"(\d+)\s*([smhdw])\Z")
_MAX_SINCE_DIGITS = 11  # 2,026 years back from 2026 are 6.4e10 seconds: 11 digits
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        problem = f"{quote(value)} is not an RFC 3339 date-time with a time zone"
        if RFC3339.match(value):  # the form is right, the value not (Feb 30): say why
            problem = str(exc)
        raise click.BadParameter(
            f"{problem}, e.g. 2026-11-21T00:00:00Z or 2026-11-21T09:00:00+01:00",
            param_hint=option,
        ) from None


def parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    m = _SINCE.match(value.strip().lower())
    if m is None:
        raise click.BadParameter(
            f"{quote(value)} is not a duration like 30m, 24h, 7d or 2w", param_hint="--since"
        )
    digits, unit = m.group(1).lstrip("0") or "0", _UNITS[m.group(2)]
    too_far = click.BadParameter(f"{quote(value)} reaches back too far", param_hint="--since")
    if len(digits) > _MAX_SINCE_DIGITS:  # int() of thousands of digits is slow, then refused
        raise too_far
    try:
        return datetime.now(UTC) - timedelta(**{unit: int(digits)})
    except (OverflowError, ValueError):
        raise too_far from None


def parse_window(
    since: str | None, after: str | None, before: str | None
) -> tuple[datetime | None, datetime | None]:
    """``--since`` or ``--after``, and ``--before``, as ``(start_after, start_before)``.

    Raises ``click.UsageError`` for both ``--since`` and ``--after``, and for a start that is
    not earlier than ``--before`` (naming the options, not the library's arguments).
    """
    if since is not None and after is not None:
        raise click.UsageError("give --since or --after, not both")
    start_after = parse_since(since) if since is not None else parse_time(after, "--after")
    start_before = parse_time(before, "--before")
    if start_after is not None and start_before is not None and start_after >= start_before:
        start = f"--since {clean(since, 40)}" if since is not None else "--after"
        raise click.UsageError(
            f"{start} ({format_datetime(start_after.replace(microsecond=0))}) must be earlier "
            f"than --before ({format_datetime(start_before)})"
        )
    return start_after, start_before


FORMAT = click.Choice(["table", "json", "jsonl"])
_Command = TypeVar("_Command", bound=Callable[..., Any])


def filter_options(command: _Command) -> _Command:
    """``--status``, ``--since``, ``--after`` and ``--before``: a listing's filters, which
    ``filters_from`` turns into the library's arguments."""
    for option in (
        click.option("--before", help="Only runs started before this RFC 3339 time."),
        click.option("--after", help="Only runs started after this RFC 3339 time."),
        click.option("--since", help="Only runs started within this long ago: 30m, 24h, 7d, 2w."),
        status_option,
    ):
        command = option(command)
    return command


def filters_from(
    status: str | None, since: str | None, after: str | None, before: str | None
) -> dict[str, Any]:
    """The keyword arguments of ``list_runs`` / ``iter_runs`` for ``filter_options``' values."""
    start_after, start_before = parse_window(since, after, before)
    return {"status": status, "start_after": start_after, "start_before": start_before}


# One run shows as details or JSON (jsonl is for listings).
run_format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


class Seconds(click.FloatRange):
    """Seconds in a range: a ``click.FloatRange`` that also refuses ``nan``, which every
    bound check lets through (``--interval nan`` reached ``time.sleep``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:  # nan
            self.fail(f"{quote(value)} is not a number of seconds.", param, ctx)
        return seconds


# Declarations, not functions: they run at import time, where mutation testing cannot reach.
timeout_option = functools.partial(
    click.option,
    "--timeout",
    type=Seconds(min=0, max=MAX_WAIT),
    default=600.0,
    show_default=True,
)
"""``@timeout_option(help=...)``: ``--timeout`` seconds (0 to a week, as the library takes;
default 600)."""


def _status_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A listed status in any case as the client spells it; any other word as given, with
    ``--api jobs`` only (the runs API lists its statuses). Surrounding whitespace is dropped
    (as ``--since`` and ``--fields`` drop it): a stray space must not match nothing."""
    if value is None:
        return None
    listed = ", ".join(s.value for s in RunStatus.known())
    if not value.strip():
        raise click.BadParameter(f"give a status: {listed}")
    status = status_named(value.strip())
    state = ctx.find_object(State)
    if not status.is_known and (state is None or not dialect_for(state.api).LOCAL_FILTERS):
        raise click.BadParameter(  # quote() shows the whitespace or character at fault
            f"{quote(value)} is not one of {listed} (any case; with --api jobs, any status the "
            "service reports)"
        )
    return status.value


*_FIRST_STATUSES, _LAST_STATUS = (status.value for status in RunStatus.known())
_KNOWN_STATUSES = f"{', '.join(_FIRST_STATUSES)} or {_LAST_STATUS}"  # for --status's help
status_option = click.option(
    "--status",
    callback=_status_value,
    help=f"Only runs with this status: {_KNOWN_STATUSES} (any case); with --api jobs, also "
    "any other status the service reports (e.g. FAILED).",
)
