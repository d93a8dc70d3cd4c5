"""``timers runs ...``: list, show, trigger and wait for a timer's runs."""

from __future__ import annotations

import contextlib
import functools
import shlex
import signal
import sys
from collections.abc import Iterator
from types import FrameType

import click
from click.core import ParameterSource

from timers._args import MAX_LIMIT, MAX_MARKER_LENGTH
from timers._dialects import dialect_for
from timers._errors import TimersError, WaitTimeoutError
from timers._models import RunPage, TimerRun
from timers._redact import clean, redact
from timers.cli import _output
from timers.cli._base import (
    EXIT_CREATED_WAIT_FAILED,
    EXIT_WAIT_TIMEOUT,
    Group,
    State,
    exit_for_finished,
    exit_for_interrupt,
    fail,
    handling,
    interrupted,
    message_of,
    pass_state,
)
from timers.cli._options import (
    FORMAT,
    filter_options,
    filters_from,
    run_format_option,
    timeout_option,
)
from timers.cli._watch import Progress, heartbeat_option, interval_option

# Declarations, not functions: they run at import time, where mutation testing cannot reach.
fields_option = functools.partial(click.option, "--fields", "fields_text")
"""``@fields_option(help=FIELDS_HELP.format(formats))``: ``--fields``, for those formats."""
FIELDS_HELP = "Comma-separated fields to show ({}), e.g. id,status,outcome: " + ", ".join(
    _output.FIELDS
)


@click.group(cls=Group)
def runs() -> None:
    """List, show, trigger and wait for a timer's runs.

    \b
    Examples:
      timers runs list TIMER_ID --status failure --since 7d
      timers runs show TIMER_ID RUN_ID
      timers runs trigger TIMER_ID --wait
    """


@runs.command("list")
@click.argument("timer_id")
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    help=f"Runs per page (1-{MAX_LIMIT}). Without --all: how many runs to show; with --api jobs "
    "and a filter, how many to look at (the jobs API filters in the client: fewer may match).",
)
@click.option("--all", "all_pages", is_flag=True, help="Go through every page (rows stream in).")
@click.option("--marker", help="Start from this page marker (a previous page's next_page).")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@fields_option(help=FIELDS_HELP.format("table, json, jsonl"))
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
    """List a timer's runs, newest first (with --api jobs: in the service's order).

    \b
    Examples:
      timers runs list TIMER_ID
      timers runs list TIMER_ID --status failure --since 7d --all
      timers runs list TIMER_ID --after 2026-11-01T00:00:00Z --format jsonl --all
      timers runs list TIMER_ID --fields id,status,error_code,error_message
    """
    fields = _output.parse_fields(fields_text)
    filters = filters_from(status, since, after, before)
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
        filtered_here = dialect_for(state.api).LOCAL_FILTERS and any(
            v is not None for v in filters.values()
        )
        _emit_runs(state, iter(page.runs), fmt, footer=_footer(page, filtered_here), fields=fields)


def _footer(page: RunPage, filtered_here: bool) -> str:
    """How many runs a page showed, of how many, and the marker of the next page (whole, and
    quoted for a shell when it needs to be: pasted back, it must work)."""
    total = _output.plural(page.total, "run")
    # A service that miscounts: not "300 of 3 runs".
    miscounted = len(page) > page.total
    if filtered_here:  # the page is a page of all runs, and total counts all of them
        said = f"the service says the timer has {total}"
        of_total = f"({said})" if miscounted else f"of the timer's {total}"
        footer = (
            f"{_output.plural(len(page), 'matching run')} on this page {of_total} "
            "(the jobs API filters in the client: --all searches every page)."
        )
        more = "."
    else:
        shown = _output.plural(len(page), "run")  # (total counts the runs that match)
        footer = (
            f"{shown}; the service's total is {total}."
            if miscounted
            else f"{len(page)} of {total}."
        )
        more = " (or --all)."
    marker = page.next_page
    if page.has_next_page and not marker:  # --all ends in a PaginationError
        footer += " The service says more runs follow but sent no marker: they cannot be fetched."
    elif page.has_next_page and marker:
        if redact(marker) != marker:  # the client does not send it back (PaginationError)
            footer += (
                " The service's next marker holds your credential: the client does not follow "
                "it (nor does --all)."
            )
        elif clean(marker, MAX_MARKER_LENGTH) == marker:
            footer += f" More: --marker {shlex.quote(marker)}{more}"
        else:  # made safe to show (escaped, cut), pasted back it would fail
            footer += (
                " More: the next marker cannot be shown as it is here: use --all, or "
                "--format json for its next_page."
            )
    return footer


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
        # stderr is never wrapped (see State): the marker pastes back whole
        state.err.print(footer or f"{_output.plural(count, 'run')}.", markup=False)
    elif fmt == "jsonl":
        for run in runs_iter:
            state.out.print(
                _output.dumps(_output.selected(run, fields), pretty=False), markup=False
            )
        if footer is not None:  # one page: how to go on (on stderr: stdout stays JSON lines)
            state.err.print(footer, markup=False)
    else:
        runs = [_output.selected(run, fields) for run in runs_iter]
        state.out.print(_output.dumps({"runs": runs}, pretty=True), markup=False)


@runs.command("show")
@click.argument("timer_id")
@click.argument("run_id")
@run_format_option
@fields_option(help=FIELDS_HELP.format("table or json"))
@pass_state
def show_run(state: State, timer_id: str, run_id: str, fmt: str, fields_text: str | None) -> None:
    """Show one run and its error details (--format json: every field the service sent).

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
    exit_for_finished(run)


@runs.command("trigger")
@click.argument("timer_id")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the run to finish; exit 7 if it failed, 10 if its status is not one the "
    "client knows, 9 if waiting failed after the run was created (the run is shown).",
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
    if not wait:
        _refuse_wait_options_without_wait()
    progress = Progress(state.err, heartbeat=heartbeat)
    with state.client(sleep=progress.sleep) as client:
        if not wait:
            _emit_run(state, client.run_timer(timer_id), fmt, None)
            return
        with _one_interrupt():  # a double Ctrl-C must not cut the run's id short
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
                fail(
                    _wait_hint(error, error.run),
                    EXIT_WAIT_TIMEOUT if timed_out else EXIT_CREATED_WAIT_FAILED,
                )
            except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated)
                if progress.run is None:
                    raise  # before the run was seen: the usual "interrupted"
                # The live line is gone: the run's id must not be (nobody should trigger again).
                click.echo(
                    f"timers: {interrupted(stop)}; run {clean(progress.run.id, 80)} of timer "
                    f"{clean(progress.run.timer_id, 80)} was created: wait for it with "
                    f"{_wait_command(progress.run)} instead of triggering again",
                    err=True,
                )
                sys.exit(exit_for_interrupt(stop))
    _finish(state, run, fmt)


def _one_interrupt() -> contextlib.AbstractContextManager[None]:
    """Ctrl-C raises ``KeyboardInterrupt`` once; a second one (a double press) is ignored until
    the created run's id is printed. The previous handler is back afterwards."""

    def pressed(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    return handling(signal.SIGINT, pressed)


def _refuse_wait_options_without_wait() -> None:
    """A usage error for ``--timeout``, ``--interval`` or ``--heartbeat`` given without
    ``--wait``: each only shapes the wait, so ignoring it silently would mislead."""
    ctx = click.get_current_context()
    given = [
        f"--{name}"
        for name in ("timeout", "interval", "heartbeat")
        if ctx.get_parameter_source(name)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    ]
    if given:
        names = given[0] if len(given) == 1 else f"{', '.join(given[:-1])} and {given[-1]}"
        verb = "needs" if len(given) == 1 else "need"
        raise click.UsageError(f"{names} {verb} --wait (without it, nothing is waited for)")


def _wait_hint(error: TimersError, run: TimerRun) -> str:
    """The error's message, its advice to wait for the created run given as the command."""
    return message_of(error).replace("with wait_for_run", f"with {_wait_command(run)}")


def _wait_command(run: TimerRun) -> str:
    """``timers runs wait TIMER RUN`` for ``run``, quoted for a shell."""
    return (
        f"timers runs wait {shlex.quote(clean(run.timer_id, 80))} {shlex.quote(clean(run.id, 80))}"
    )


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
    """Wait for a run to finish and show it; exit 7 if it failed, 10 if its status is not one
    the client knows (--api jobs: the service's statuses are not published).

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
