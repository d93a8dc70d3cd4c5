"""How the CLI shows runs: table rows (streamable), details, and JSON.

Everything the service sent is shown through ``safe`` (text: credentials redacted, control
and escape characters made visible, bounded) or ``dumps`` (JSON: strict, no NaN, the same
characters escaped), so a server cannot clear the screen, retitle the window or write the
clipboard through this output.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape

from timers._models import RunStatus, TimerRun
from timers._redact import clean, redact_data
from timers._time import format_datetime

# What json.dumps(ensure_ascii=False) leaves raw but a terminal may act on: C1 controls and
# the format characters that reorder or hide text.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str, limit: int = 2000) -> str:
    """Server-provided text for a terminal (see the module docstring), escaped for rich."""
    return escape(clean(text, limit))


STATUS_STYLES = {
    RunStatus.PENDING: "yellow",
    RunStatus.IN_PROGRESS: "cyan",
    RunStatus.SUCCESS: "green",
    RunStatus.FAILURE: "bold red",
}

# id, status, start, duration, callback, outcome
_WIDTHS = (36, 11, 20, 9, 8)
HEADER = ("ID", "STATUS", "STARTED (UTC)", "DURATION", "CALLBACK", "OUTCOME")


def status_markup(status: RunStatus) -> str:
    style = STATUS_STYLES.get(status, "magenta")
    return f"[{style}]{safe(status.value, 40)}[/{style}]"


def format_time(value: datetime | None) -> str:
    """``2026-11-28 12:00:02Z``: UTC, seconds precision, labelled as UTC (never local time)."""
    if value is None:
        return "-"
    return format_datetime(value.replace(microsecond=0)).replace("T", " ")


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def outcome(run: TimerRun) -> str:
    """HTTP status for a web callback, the flow run id for a flow, or the error code."""
    result = run.result
    if result is None:
        return "-"
    parts = []
    if result.status_code is not None:
        parts.append(f"HTTP {result.status_code}")
    elif result.run_id is not None:
        parts.append(f"flow run {clean(result.run_id, 80)}")
    if result.error is not None:
        parts.append(clean(result.error.code, 80))
    return " ".join(parts) or clean(result.status, 80)


def _cells(run: TimerRun) -> list[str]:
    return [
        clean(run.id, 80),
        clean(run.status.value, 40),
        format_time(run.start_time),
        format_duration(run.duration),
        (run.result.callback_kind if run.result else None) or "-",
        outcome(run),
    ]


def header_line() -> str:
    return f"[bold]{_join(list(HEADER))}[/bold]"


def row_line(run: TimerRun) -> str:
    cells = _cells(run)
    parts = [escape(c.ljust(w)) for c, w in zip(cells, _WIDTHS, strict=False)]
    # Colour the status after padding so that the columns stay aligned.
    parts[1] = status_markup(run.status) + " " * max(0, _WIDTHS[1] - len(cells[1]))
    parts.append(escape(cells[-1]))
    return "  ".join(parts)


def _join(cells: list[str]) -> str:
    padded = [escape(c.ljust(w)) for c, w in zip(cells, _WIDTHS, strict=False)]
    padded.append(escape(cells[-1]))
    return "  ".join(padded)


def print_rows(console: Console, runs: Iterable[TimerRun]) -> int:
    """Print a header and one line per run as they arrive; return how many were printed."""
    console.print(header_line(), highlight=False)
    count = 0
    for run in runs:
        console.print(row_line(run), highlight=False, soft_wrap=True)
        count += 1
    return count


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
            rows.append(("HTTP status", f"{result.status_code} ({ok})"))
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


def dumps(data: Any, *, pretty: bool) -> str:
    """Strict JSON of ``data``: credentials redacted, non-finite numbers as the strings
    ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` (kept, but never invalid JSON), and the
    characters a terminal acts on escaped as ``\\uXXXX``."""
    text = json.dumps(
        _finite(redact_data(data)),
        indent=2 if pretty else None,
        ensure_ascii=False,
        allow_nan=False,
    )
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return "NaN" if math.isnan(data) else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(item) for item in data]
    return data
