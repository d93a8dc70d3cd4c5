"""How the CLI shows runs: table rows (streamable), details, and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape

from timers._models import RunStatus, TimerRun
from timers._time import format_datetime

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
    return f"[{style}]{escape(status.value)}[/{style}]"


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
        parts.append(f"flow run {result.run_id}")
    if result.error is not None:
        parts.append(result.error.code)
    return " ".join(parts) or result.status


def _cells(run: TimerRun) -> list[str]:
    return [
        run.id,
        run.status.value,
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
        ("Run", escape(run.id)),
        ("Timer", escape(run.timer_id)),
        ("Status", status_markup(run.status)),
        ("Started", format_time(run.start_time)),
        ("Ended", format_time(run.end_time)),
        ("Duration", format_duration(run.duration)),
    ]
    result = run.result
    if result is None:
        rows.append(("Result", "- (not finished)"))
    else:
        rows.append(("Result", escape(result.status)))
        rows.append(("Callback", result.callback_kind or "-"))
        if result.status_code is not None:
            ok = "ok" if result.http_ok else "not ok"
            rows.append(("HTTP status", f"{result.status_code} ({ok})"))
        if result.run_id is not None:
            rows.append(("Flow run", escape(result.run_id)))
        if result.error is not None:
            rows.append(("Error code", f"[red]{escape(result.error.code)}[/red]"))
            rows.append(("Error message", escape(result.error.message)))
            for key, value in result.error.detail.items():
                text = value if isinstance(value, str) else json.dumps(value)
                rows.append((f"  {escape(str(key))}", escape(text)))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        console.print(f"[bold]{key.ljust(width)}[/bold]  {value}", highlight=False, soft_wrap=True)


def dumps(data: Any, *, pretty: bool) -> str:
    return json.dumps(data, indent=2 if pretty else None, ensure_ascii=False)
