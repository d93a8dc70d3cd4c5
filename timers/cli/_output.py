"""How the CLI shows runs: table rows (streamable), details, and JSON.

Everything the service sent is shown through ``safe`` (text: credentials redacted, control
and escape characters made visible, bounded) or ``dumps`` (JSON: strict, no NaN, the same
characters escaped), so a server cannot clear the screen, retitle the window or write the
clipboard through this output.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.markup import escape

from timers._models import RunError, RunStatus, TimerRun
from timers._redact import UNSEEN, clean, redact_data
from timers._time import format_datetime

# What json.dumps(ensure_ascii=False) leaves raw but a terminal or a reader may act on (it
# escapes C0 itself): C1 controls, the line and paragraph separators (str.splitlines() splits
# at them), the format characters that reorder or hide text, and lone surrogates (which no
# UTF-8 output can take: "\ud800" is valid JSON for them).
_UNSAFE_IN_JSON = re.compile(f"[{UNSEEN}]")


def safe(text: str, limit: int = 2000) -> str:
    """Server-provided text for a terminal (see the module docstring), escaped for rich."""
    return escape(clean(text, limit))


def number(value: int, limit: int = 20) -> str:
    """A server-provided integer as text of at most ``limit`` characters (cut with "...")."""
    try:
        return clean(str(value), limit)
    except ValueError:  # more digits than Python makes text of (sys.get_int_max_str_digits)
        return clean(("-" if value < 0 else "") + "9" * (limit + 1), limit)


def plural(count: int, noun: str) -> str:
    """``count`` (bounded, see ``number``) and ``noun``, plural unless it is 1.

    >>> plural(1, "run"), plural(0, "run"), plural(12, "run")
    ('1 run', '0 runs', '12 runs')
    """
    return f"{number(count)} {noun}{'' if count == 1 else 's'}"


STATUS_STYLES = {
    RunStatus.PENDING: "yellow",
    RunStatus.IN_PROGRESS: "cyan",
    RunStatus.SUCCESS: "green",
    RunStatus.FAILURE: "bold red",
}


def status_markup(status: RunStatus, text: str | None = None) -> str:
    """``status`` (or ``text``, already escaped for rich, in its place) in its colour."""
    style = STATUS_STYLES.get(status, "magenta")
    return f"[{style}]{safe(status.value, 40) if text is None else text}[/{style}]"


def format_time(value: datetime | None) -> str:
    """``2026-11-28 12:00:02Z``: UTC, seconds precision, labelled as UTC (never local time)."""
    if value is None:
        return "-"
    return format_datetime(value.replace(microsecond=0)).replace("T", " ")


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if round(seconds, 1) < 60:  # 59.96 s is 1m00s, not 60.0s
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_duration_seconds(seconds: float) -> str:
    return format_duration(timedelta(seconds=seconds))


def outcome(run: TimerRun) -> str:
    """The flow run id for a flow callback, the HTTP status for a web one, or the error code."""
    result = run.result
    if result is None:
        return "-"
    parts = []
    if result.run_id is not None:
        parts.append(f"flow run {clean(result.run_id, 80)}")
    elif result.status_code is not None:
        parts.append(f"HTTP {number(result.status_code, 12)}")
    if result.error is not None:
        parts.append(clean(result.error.code, 80))
    return " ".join(parts) or clean(result.status, 80)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a run as the CLI shows it: a JSON value and a table column.

    The table cell is ``shown(run)`` when given, else the value cleaned to ``limit``
    characters ("-" for none). No field is built by calling a helper at import time: every
    function here runs when a run is shown (which also lets scripts/mutate reach them).
    """

    header: str
    width: int  # of its table column: longer text is cut (the last column never is)
    value: Callable[[TimerRun], Any]  # for JSON
    limit: int = 80
    shown: Callable[[TimerRun], str] | None = None

    def text(self, run: TimerRun) -> str:
        """The table cell: cleaned, one line."""
        if self.shown is not None:
            return self.shown(run)
        value = self.value(run)
        return "-" if value is None else clean(str(value), self.limit)


def _error(run: TimerRun) -> RunError | None:
    return None if run.result is None else run.result.error


def _error_code(run: TimerRun) -> str | None:
    error = _error(run)
    return None if error is None else error.code


def _error_message(run: TimerRun) -> str | None:
    error = _error(run)
    return None if error is None else error.message


def _callback(run: TimerRun) -> str | None:
    return None if run.result is None else run.result.callback_kind


def _result_status(run: TimerRun) -> str:
    return "-" if run.result is None else clean(str(run.result.status), 40)


def _result(run: TimerRun) -> dict[str, Any] | None:
    return None if run.result is None else run.result.to_dict()


def _when(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


FIELDS: dict[str, Field] = {
    "id": Field("ID", 36, lambda r: r.id),
    "timer_id": Field("TIMER", 36, lambda r: r.timer_id),
    "status": Field("STATUS", 11, lambda r: r.status.value, limit=40),
    "start_time": Field(
        "STARTED (UTC)",
        20,
        lambda r: _when(r.start_time),
        shown=lambda r: format_time(r.start_time),
    ),
    "end_time": Field(
        "ENDED (UTC)", 20, lambda r: _when(r.end_time), shown=lambda r: format_time(r.end_time)
    ),
    "duration": Field(
        "DURATION",
        9,
        lambda r: _seconds(r.duration),
        shown=lambda r: format_duration(r.duration),
    ),
    "callback": Field("CALLBACK", 8, _callback),
    "outcome": Field("OUTCOME", 45, outcome, shown=outcome),  # "flow run <uuid>" fits
    "result": Field("RESULT", 11, _result, shown=_result_status),
    "error_code": Field("ERROR", 20, _error_code),
    "error_message": Field("MESSAGE", 40, _error_message, limit=200),
    "request_id": Field("REQUEST ID", 36, lambda r: r.request_id),  # a UUID fits
}
TABLE_FIELDS = ("id", "status", "start_time", "duration", "callback", "outcome")


def parse_fields(text: str | None) -> tuple[str, ...] | None:
    """The ``--fields`` value as field names (None when not given); ``click.BadParameter``
    naming the valid fields for an unknown one."""
    if text is None:
        return None
    names = tuple(name.strip().lower() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in FIELDS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"valid fields: {', '.join(FIELDS)}"
            if unknown
            else f"give at least one field: {', '.join(FIELDS)}",
            param_hint="--fields",
        )
    return names


def selected(run: TimerRun, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """The JSON form of ``run``: every field (``to_dict()``) or those ``fields``."""
    if fields is None:
        return run.to_dict()
    return {name: FIELDS[name].value(run) for name in fields}


def header_line(fields: tuple[str, ...] = TABLE_FIELDS) -> str:
    headers = [FIELDS[name].header for name in fields]
    return f"[bold]{'  '.join(escape(cell) for cell in _fitted(headers, fields))}[/bold]"


def row_line(run: TimerRun, fields: tuple[str, ...] = TABLE_FIELDS) -> str:
    cells = _fitted([FIELDS[name].text(run) for name in fields], fields)
    parts = [escape(cell) for cell in cells]
    if "status" in fields:  # coloured after fitting, so that the columns stay aligned
        i = fields.index("status")
        text = cells[i].rstrip(" ")  # a status is cleaned: any space at its end is padding
        parts[i] = status_markup(run.status, escape(text)) + " " * (len(cells[i]) - len(text))
    return "  ".join(parts)


def _fitted(cells: list[str], fields: tuple[str, ...]) -> list[str]:
    """Cells each but the last made exactly its column's width (in terminal cells): padded,
    or cut to end in "...", so that every row's columns line up (rows stream in, so no
    column can be sized to its widest value). The last column is kept whole."""
    last = len(cells) - 1
    return [
        cell if i == last else _fit(cell, FIELDS[name].width)
        for i, (cell, name) in enumerate(zip(cells, fields, strict=True))
    ]


def _fit(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells, or cut to them ending in "..."."""
    size = cell_len(text)
    if size <= width:
        return text + " " * (width - size)
    return set_cell_size(text, width - 3) + "..."


def print_rows(
    console: Console, runs: Iterable[TimerRun], fields: tuple[str, ...] | None = None
) -> int:
    """Print a header and one line per run as they arrive; return how many were printed."""
    fields = fields or TABLE_FIELDS
    console.print(header_line(fields), highlight=False)
    count = 0
    for run in runs:
        console.print(row_line(run, fields), highlight=False, soft_wrap=True)
        count += 1
    return count


def print_fields(console: Console, run: TimerRun, fields: tuple[str, ...]) -> None:
    """The chosen fields of a run, one per line."""
    width = max(len(FIELDS[name].header) for name in fields)
    for name in fields:
        text = status_markup(run.status) if name == "status" else escape(FIELDS[name].text(run))
        console.print(f"[bold]{FIELDS[name].header.ljust(width)}[/bold]  {text}", highlight=False)


def print_details(console: Console, run: TimerRun) -> None:
    """Every field of a run, including the error and its details."""
    rows: list[tuple[str, str]] = [
        ("Run", safe(run.id, 80)),
        ("Timer", safe(run.timer_id, 80)),
        ("Status", status_markup(run.status)),
        ("Started", format_time(run.start_time)),
        ("Ended", format_time(run.end_time)),
        ("Duration", format_duration(run.duration)),
    ]
    result = run.result
    if result is None:
        rows.append(("Result", "- (not finished)"))
    else:
        rows.append(("Result", safe(result.status, 80)))
        rows.append(("Callback", result.callback_kind or "-"))
        if result.status_code is not None:
            ok = "ok" if result.http_ok else "not ok"
            rows.append(("HTTP status", f"{number(result.status_code, 12)} ({ok})"))
        if result.run_id is not None:
            rows.append(("Flow run", safe(result.run_id, 80)))
        if result.error is not None:
            rows.append(("Error code", f"[red]{safe(result.error.code, 80)}[/red]"))
            rows.append(("Error message", safe(result.error.message)))
            for key, value in result.error.detail.items():
                text = value if isinstance(value, str) else dumps(value, pretty=False)
                rows.append((f"  {safe(str(key), 80)}", safe(text)))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        console.print(f"[bold]{key.ljust(width)}[/bold]  {value}", highlight=False, soft_wrap=True)


def takes_unicode(stream: Any) -> bool:
    """Whether ``stream`` (or a rich ``Console``) can write every character (its encoding is
    a UTF one)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name.startswith("utf")
    except LookupError:
        return False


def dumps(data: Any, *, pretty: bool) -> str:
    """Strict JSON of ``data``: credentials redacted, non-finite numbers as the strings
    ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` (kept, but never invalid JSON), and the
    characters a terminal acts on escaped as ``\\uXXXX`` (every non-ASCII one when standard
    output cannot take them all: the same JSON values)."""
    text = json.dumps(
        _finite(redact_data(data)),
        indent=2 if pretty else None,
        ensure_ascii=not takes_unicode(sys.stdout),
        allow_nan=False,
    )
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    """``\\uXXXX``, or the ``\\uXXXX\\uXXXX`` surrogate pair JSON writes a character beyond
    U+FFFF as."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return "NaN" if math.isnan(data) else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(item) for item in data]
    return data
