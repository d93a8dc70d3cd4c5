"""``timers runs ...``: list, show, trigger and wait for a timer's runs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import click

from timers._errors import TimersError, WaitTimeoutError
from timers._models import RunStatus, TimerRun
from timers._redact import clean
from timers.cli import _output
from timers.cli._base import (
    EXIT_CREATED_WAIT_FAILED,
    EXIT_RUN_FAILED,
    EXIT_WAIT_TIMEOUT,
    FORMAT,
    Group,
    State,
    fail,
    parse_since,
    parse_time,
    pass_state,
    run_format_option,
    timeout_option,
)
from timers.cli._watch import Progress, heartbeat_option, interval_option

fields_option = click.option(
    "--fields",
    "fields_text",
    help="Comma-separated fields to show (table, json, jsonl), e.g. id,status,outcome: "
    + ", ".join(_output.FIELDS),
)


@click.group(cls=Group)
def runs() -> None:
    """List, show, trigger and wait for a timer's runs."""


@runs.command("list")
@click.argument("timer_id")
@click.option(
    "--status",
    type=click.Choice([s.value for s in RunStatus.known()], case_sensitive=False),
    help="Only runs with this status (any case).",
)
@click.option("--since", help="Only runs started within this long ago: 30m, 24h, 7d, 2w.")
@click.option("--after", help="Only runs started after this RFC 3339 time.")
@click.option("--before", help="Only runs started before this RFC 3339 time.")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    help="Runs per page (1-1000); without --all, the number of runs to show.",
)
@click.option("--all", "all_pages", is_flag=True, help="Go through every page (rows stream in).")
@click.option("--marker", help="Start from this page marker (a previous page's next_page).")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@fields_option
@pass_state
def list_runs(
    state: State,
    timer_id: str,
    status: str | None,
    since: str | None,
    after: str | None,
    before: str | None,
    limit: int | None,
    all_pages: bool,
    marker: str | None,
    fmt: str,
    fields_text: str | None,
) -> None:
    """List a timer's runs, newest first.

    \b
    Examples:
      timers runs list TIMER_ID
      timers runs list TIMER_ID --status failure --since 7d --all
      timers runs list TIMER_ID --after 2026-11-01T00:00:00Z --format jsonl --all
      timers runs list TIMER_ID --fields id,status,error_code,error_message
    """
    fields = _output.parse_fields(fields_text)
    if since is not None and after is not None:
        raise click.UsageError("give --since or --after, not both")
    start_after = parse_since(since) if since is not None else parse_time(after, "--after")
    start_before = parse_time(before, "--before")
    filters: dict[str, Any] = {
        "status": status,
        "start_after": start_after,
        "start_before": start_before,
    }
    with state.client() as client:
        if all_pages:
            runs_iter: Iterator[TimerRun] = client.iter_runs(
                timer_id, page_size=limit, marker=marker, **filters
            )
            _emit_runs(state, runs_iter, fmt, footer=None, fields=fields)
            return
        page = client.list_runs(timer_id, limit=limit, marker=marker, **filters)
        if fmt == "json":
            data = page.to_dict()
            data["runs"] = [_output.selected(run, fields) for run in page]
            state.out.print(_output.dumps(data, pretty=True), markup=False)
            return
        footer = f"{len(page)} of {page.total} runs."
        if page.has_next_page and page.next_page:
            footer += f" More: --marker {clean(page.next_page, 200)} (or --all)."
        _emit_runs(state, iter(page.runs), fmt, footer=footer, fields=fields)


def _emit_runs(
    state: State,
    runs_iter: Iterator[TimerRun],
    fmt: str,
    *,
    footer: str | None,
    fields: tuple[str, ...] | None,
) -> None:
    if fmt == "table":
        count = _output.print_rows(state.out, runs_iter, fields)
        state.err.print(footer or f"{count} runs.", markup=False)
    elif fmt == "jsonl":
        for run in runs_iter:
            state.out.print(
                _output.dumps(_output.selected(run, fields), pretty=False), markup=False
            )
    else:
        runs = [_output.selected(run, fields) for run in runs_iter]
        state.out.print(_output.dumps({"runs": runs}, pretty=True), markup=False)


@runs.command("show")
@click.argument("timer_id")
@click.argument("run_id")
@run_format_option
@fields_option
@pass_state
def show_run(state: State, timer_id: str, run_id: str, fmt: str, fields_text: str | None) -> None:
    """Show every field of one run, including its error details.

    \b
    Examples:
      timers runs show TIMER_ID RUN_ID --format json
      timers runs show TIMER_ID RUN_ID --fields status,duration,outcome
    """
    fields = _output.parse_fields(fields_text)
    with state.client() as client:
        run = client.get_run(timer_id, run_id)
    _emit_run(state, run, fmt, fields)


def _emit_run(state: State, run: TimerRun, fmt: str, fields: tuple[str, ...] | None) -> None:
    if fmt == "json":
        state.out.print(_output.dumps(_output.selected(run, fields), pretty=True), markup=False)
    elif fields is not None:
        _output.print_fields(state.out, run, fields)
    else:
        _output.print_details(state.out, run)


def _finish(state: State, run: TimerRun, fmt: str) -> None:
    _emit_run(state, run, fmt, None)
    if run.status is RunStatus.FAILURE:
        sys.exit(EXIT_RUN_FAILED)


@runs.command("trigger")
@click.argument("timer_id")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the run to finish; exit 7 if it failed, 9 if waiting failed after the run "
    "was created (the run is shown).",
)
@timeout_option(help="With --wait: seconds to wait before giving up (exit 8).")
@interval_option(default=2.0)
@heartbeat_option
@run_format_option
@pass_state
def trigger_run(
    state: State,
    timer_id: str,
    wait: bool,
    timeout: float,
    interval: float,
    heartbeat: float,
    fmt: str,
) -> None:
    """Trigger a run of the timer now.

    \b
    Examples:
      timers runs trigger TIMER_ID
      timers runs trigger TIMER_ID --wait --timeout 120 --interval 5
    """
    progress = Progress(state.err, heartbeat=heartbeat)
    with state.client(sleep=progress.sleep) as client:
        if not wait:
            _emit_run(state, client.run_timer(timer_id), fmt, None)
            return
        try:
            with progress:
                run = client.run_timer(
                    timer_id,
                    wait=True,
                    timeout=timeout,
                    poll_interval=interval,
                    on_update=progress.on_update,
                )
        except TimersError as error:
            if error.run is None:
                raise  # nothing was created: the usual one line and exit code
            # The run exists: show it (its id above all), so nobody triggers it again.
            _emit_run(state, error.run, fmt, None)
            timed_out = isinstance(error, WaitTimeoutError)
            fail(str(error), EXIT_WAIT_TIMEOUT if timed_out else EXIT_CREATED_WAIT_FAILED)
    _finish(state, run, fmt)


@runs.command("wait")
@click.argument("timer_id")
@click.argument("run_id")
@timeout_option(help="Seconds to wait before giving up (exit 8).")
@interval_option(default=2.0)
@heartbeat_option
@run_format_option
@pass_state
def wait_run(
    state: State,
    timer_id: str,
    run_id: str,
    timeout: float,
    interval: float,
    heartbeat: float,
    fmt: str,
) -> None:
    """Wait for a run to finish and show it; exit 7 if it failed.

    On a terminal a live line shows the status, the time elapsed and the next poll; elsewhere
    each status change, and a heartbeat line when nothing was said for --heartbeat seconds.

    \b
    Example:
      timers runs wait TIMER_ID RUN_ID --timeout 300 --interval 5
    """
    progress = Progress(state.err, heartbeat=heartbeat)
    with state.client(sleep=progress.sleep) as client, progress:
        run = client.wait_for_run(
            timer_id, run_id, timeout=timeout, poll_interval=interval, on_update=progress.on_update
        )
    _finish(state, run, fmt)
