"""``timers runs summary``: a timer's health at a glance (``summarize_runs`` drawn with rich).

The report is a few lines of numbers and a timeline: one column per hour or day, successes
as green bars above failures as red bars, each scaled to the busiest bucket.
"""

from __future__ import annotations

import click
from rich.console import Console

from timers._dialects import dialect_for
from timers._models import RunStatus
from timers._summary import Bucket, RunSummary, summarize_runs
from timers.cli import _output
from timers.cli._base import (
    Command,
    State,
    pass_state,
)
from timers.cli._options import (
    filter_options,
    filters_from,
)

_BARS = " ▁▂▃▄▅▆▇█"
_ASCII_BARS = " .,:-=+*#"  # for an output that cannot take the others (PYTHONIOENCODING=ascii)
_TIMELINE_WIDTH = 72  # buckets shown: the newest ones


def _bar(count: int, most: int, bars: str = _BARS) -> str:
    if count == 0:
        return " "
    return bars[max(1, round(count / most * (len(bars) - 1)))]


def render(console: Console, timer_id: str, summary: RunSummary) -> None:
    """Print ``summary`` as a compact report with a timeline of outcomes."""
    out = console.print
    if summary.total == 0:
        out(f"Timer {_output.safe(timer_id, 80)}: no runs match.", highlight=False)
        return
    span = (
        f"{_output.format_time(summary.first_start)} -> {_output.format_time(summary.last_start)}"
    )
    runs = _output.plural(summary.total, "run")
    out(f"[bold]Timer {_output.safe(timer_id, 80)}[/bold]  {runs}  {span}")
    # The rate is over runs that succeeded or failed; --api jobs runs may finish with a
    # status the client does not know (the service's statuses are not published).
    decided = summary.counts.get("success", 0) + summary.counts.get("failure", 0)
    unknown = summary.finished - decided
    if summary.success_rate is None:
        rate = "- (no run finished)" if not summary.finished else "- (none succeeded or failed)"
    else:
        value = summary.success_rate
        colour = "green" if value >= 0.95 else "yellow" if value >= 0.8 else "red"
        rate = f"[{colour}]{summary.success_rate:.1%}[/{colour}] of {decided} finished"
    if unknown > 0:
        rate += f"; {_output.plural(unknown, 'more run')} finished with a status not known"
    out(f"[bold]Success rate[/bold]  {rate}", highlight=False)
    statuses = "  ".join(
        f"{_output.status_markup(RunStatus(status))} {count}"
        for status, count in sorted(summary.counts.items(), key=lambda item: -item[1])
    )
    out(f"[bold]Statuses[/bold]      {statuses}", highlight=False)
    durations = "  ".join(
        f"{label} {_output.format_duration(value)}"
        for label, value in (
            ("p50", summary.duration_p50),
            ("p95", summary.duration_p95),
            ("max", summary.duration_max),
        )
    )
    out(f"[bold]Durations[/bold]     {durations}", highlight=False)
    if summary.top_errors:
        out("[bold]Top errors[/bold]", highlight=False)
        for error in summary.top_errors:
            out(
                f"  [red]{_output.safe(error.code, 60)}[/red] x{error.count}  "
                f"last {_output.format_time(error.last_seen)}",
                highlight=False,
            )
    _timeline(console, summary)


def _timeline(console: Console, summary: RunSummary) -> None:
    buckets: tuple[Bucket, ...] = summary.buckets[-_TIMELINE_WIDTH:]
    if not buckets:
        return
    busiest = max(max(b.successes, b.failures) for b in buckets)  # 0: every bar is empty
    shown = len(buckets) if len(buckets) == len(summary.buckets) else f"last {len(buckets)}"
    console.print(
        f"[bold]Timeline[/bold]      per {summary.bucket}, oldest to newest ({shown}; "
        f"busiest: {_output.plural(busiest, 'run')})",
        highlight=False,
    )
    bars = _BARS if _output.takes_unicode(console) else _ASCII_BARS
    successes = "".join(_bar(b.successes, busiest, bars) for b in buckets)
    failures = "".join(_bar(b.failures, busiest, bars) for b in buckets)
    console.print(f"  successes  [green]{successes}[/green]", highlight=False)
    console.print(f"  failures   [red]{failures}[/red]", highlight=False)
    start, end = _output.format_time(buckets[0].start), _output.format_time(buckets[-1].start)
    console.print(f"             {start} .. {end}", highlight=False)


@click.command("summary", cls=Command)
@click.argument("timer_id")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_state
def summary_command(
    state: State,
    timer_id: str,
    since: str | None,
    after: str | None,
    before: str | None,
    status: str | None,
    fmt: str,
) -> None:
    """Summarize a timer's runs: success rate, durations, top errors, and a timeline.

    Goes through every matching run once (memory stays flat however many there are).

    \b
    Examples:
      timers runs summary TIMER_ID --since 7d
      timers runs summary TIMER_ID --after 2026-11-01T00:00:00Z --format json
    """
    filters = filters_from(status, since, after, before)
    page_size = dialect_for(state.api).MAX_PAGE_SIZE  # the largest the API allows, if known
    with state.client() as client:
        summary = summarize_runs(client.iter_runs(timer_id, page_size=page_size, **filters))
    if fmt == "json":
        state.out.print(_output.dumps(summary.to_dict(), pretty=True), markup=False)
    else:
        render(state.out, timer_id, summary)
