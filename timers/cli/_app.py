"""The ``timers`` commands.

Exit codes (also in ``timers --help``):

    0  success
    1  another error (an unexpected answer from the service)
    2  usage error (bad option or argument; no token)
    3  not found (no such timer or run)
    4  authentication or permission error (401, 403)
    5  rate limited (429)
    6  server or network error (5xx, connection failure, timeout, invalid response)
    7  the run finished with status failure
    8  timed out waiting for a run to finish
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import click
from rich.console import Console

from timers._errors import (
    APIConnectionError,
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    TimersError,
    WaitTimeoutError,
)
from timers._models import RunStatus, TimerRun
from timers._sync_client import TimersClient
from timers._time import parse_datetime
from timers.cli import _output

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_RATE_LIMITED = 5
EXIT_SERVER = 6
EXIT_RUN_FAILED = 7
EXIT_WAIT_TIMEOUT = 8

EXIT_CODES_HELP = """\b
Exit codes:
  0 success            4 authentication/permission
  1 other error        5 rate limited
  2 usage error        6 server or network error
  3 not found          7 the run failed
                       8 timed out waiting for a run
"""

_SINCE = re.compile(r"(\d+)\s*([smhdw])\Z")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

logger = logging.getLogger("timers")


def exit_code_for(error: TimersError) -> int:
    """The documented exit code for an error."""
    if isinstance(error, InvalidArgumentError):
        return EXIT_USAGE
    if isinstance(error, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(error, RateLimitError):
        return EXIT_RATE_LIMITED
    if isinstance(error, ServerError | APIConnectionError | ResponseValidationError):
        return EXIT_SERVER
    if isinstance(error, WaitTimeoutError):
        return EXIT_WAIT_TIMEOUT
    return EXIT_ERROR


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, no traceback, and the exit code."""
    click.echo(f"timers: error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns every ``TimersError`` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TimersError as error:
            fail(str(error), exit_code_for(error))
        except KeyboardInterrupt:
            click.echo("timers: interrupted", err=True)
            sys.exit(130)


class _State:
    def __init__(self, base_url: str | None, token: str | None) -> None:
        self.base_url = base_url
        self.token = token
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)

    def client(self) -> TimersClient:
        if not self.token:
            fail(
                "no access token: pass --token TOKEN or set TIMERS_ACCESS_TOKEN "
                "(a Globus Auth token for the Timers scope)",
                EXIT_USAGE,
            )
        return TimersClient(self.token, base_url=self.base_url)


pass_state = click.make_pass_decorator(_State)


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an RFC 3339 date-time with a time zone, "
            "e.g. 2026-11-21T00:00:00Z or 2026-11-21T09:00:00+01:00",
            param_hint=option,
        ) from None


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    m = _SINCE.match(value.strip().lower())
    if m is None:
        raise click.BadParameter(
            f"{value!r} is not a duration like 30m, 24h, 7d or 2w", param_hint="--since"
        )
    amount, unit = int(m.group(1)), _UNITS[m.group(2)]
    try:
        return datetime.now(UTC) - timedelta(**{unit: amount})
    except (OverflowError, ValueError):
        raise click.BadParameter(f"{value!r} reaches back too far", param_hint="--since") from None


FORMAT = click.Choice(["table", "json", "jsonl"])
# One run shows as details or JSON (jsonl is for listings).
_run_format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def _timeout_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True, help=help_text
    )


@click.group(
    cls=_Group,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--base-url",
    envvar="TIMERS_BASE_URL",
    show_envvar=True,
    help="The Timers service URL (default: the real service).",
)
@click.option(
    "--token",
    envvar="TIMERS_ACCESS_TOKEN",
    show_envvar=True,
    help="A Globus Auth access token for the Timers scope. Never printed.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each request (method, path, status).")
@click.version_option(package_name="timers", prog_name="timers")
@click.pass_context
def cli(ctx: click.Context, base_url: str | None, token: str | None, verbose: bool) -> None:
    """Inspect and trigger the runs of Globus Timers.

    \b
    Examples:
      timers demo
      timers runs list 12345678-1234-1234-1234-123456789012 --status failure --since 7d
      timers runs show TIMER_ID RUN_ID
      timers runs trigger TIMER_ID --wait
    """
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)

        def restore() -> None:  # for callers running the CLI in-process (tests, scripts)
            logger.removeHandler(handler)
            logger.setLevel(level)

        ctx.call_on_close(restore)
    ctx.obj = _State(base_url, token)


@cli.group(cls=_Group)
def runs() -> None:
    """List, show, trigger and wait for a timer's runs."""


@runs.command("list")
@click.argument("timer_id")
@click.option(
    "--status", type=click.Choice([s.value for s in RunStatus]), help="Only runs with this status."
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
@pass_state
def list_runs(
    state: _State,
    timer_id: str,
    status: str | None,
    since: str | None,
    after: str | None,
    before: str | None,
    limit: int | None,
    all_pages: bool,
    marker: str | None,
    fmt: str,
) -> None:
    """List a timer's runs, newest first.

    \b
    Examples:
      timers runs list TIMER_ID
      timers runs list TIMER_ID --status failure --since 7d --all
      timers runs list TIMER_ID --after 2026-11-01T00:00:00Z --format jsonl --all
    """
    if since is not None and after is not None:
        raise click.UsageError("give --since or --after, not both")
    start_after = _parse_since(since) if since is not None else _parse_time(after, "--after")
    start_before = _parse_time(before, "--before")
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
            _emit_runs(state, runs_iter, fmt, footer=None)
            return
        page = client.list_runs(timer_id, limit=limit, marker=marker, **filters)
        if fmt == "json":
            state.out.print(_output.dumps(page.to_dict(), pretty=True), markup=False)
            return
        footer = f"{len(page)} of {page.total} runs."
        if page.has_next_page and page.next_page:
            footer += f" More: --marker {page.next_page} (or --all)."
        _emit_runs(state, iter(page.runs), fmt, footer=footer)


def _emit_runs(state: _State, runs_iter: Iterator[TimerRun], fmt: str, footer: str | None) -> None:
    if fmt == "table":
        count = _output.print_rows(state.out, runs_iter)
        state.err.print(footer or f"{count} runs.", markup=False)
    elif fmt == "jsonl":
        for run in runs_iter:
            state.out.print(_output.dumps(run.to_dict(), pretty=False), markup=False)
    else:
        state.out.print(
            _output.dumps({"runs": [r.to_dict() for r in runs_iter]}, pretty=True), markup=False
        )


@runs.command("show")
@click.argument("timer_id")
@click.argument("run_id")
@_run_format_option
@pass_state
def show_run(state: _State, timer_id: str, run_id: str, fmt: str) -> None:
    """Show every field of one run, including its error details.

    \b
    Example:
      timers runs show TIMER_ID RUN_ID --format json
    """
    with state.client() as client:
        run = client.get_run(timer_id, run_id)
    _emit_run(state, run, fmt)


def _emit_run(state: _State, run: TimerRun, fmt: str) -> None:
    if fmt == "json":
        state.out.print(_output.dumps(run.to_dict(), pretty=True), markup=False)
    else:
        _output.print_details(state.out, run)


def _watch(state: _State) -> tuple[Callable[[TimerRun], None], Any]:
    """An ``on_update`` callback that drives a spinner showing the current status."""
    status = state.err.status("waiting for the run to start...", spinner="dots")

    def on_update(run: TimerRun) -> None:
        status.update(f"run {run.id}: {_output.status_markup(run.status)}")
        if not state.err.is_terminal:
            state.err.print(f"run {run.id}: {run.status.value}", markup=False)

    return on_update, status


def _finish(state: _State, run: TimerRun, fmt: str) -> None:
    _emit_run(state, run, fmt)
    if run.status is RunStatus.FAILURE:
        sys.exit(EXIT_RUN_FAILED)


@runs.command("trigger")
@click.argument("timer_id")
@click.option("--wait", is_flag=True, help="Wait for the run to finish; exit 7 if it failed.")
@_timeout_option("With --wait: seconds to wait before giving up (exit 8).")
@_run_format_option
@pass_state
def trigger_run(state: _State, timer_id: str, wait: bool, timeout: float, fmt: str) -> None:
    """Trigger a run of the timer now.

    \b
    Examples:
      timers runs trigger TIMER_ID
      timers runs trigger TIMER_ID --wait --timeout 120
    """
    with state.client() as client:
        if not wait:
            _emit_run(state, client.run_timer(timer_id), fmt)
            return
        on_update, spinner = _watch(state)
        with spinner:
            run = client.run_timer(timer_id, wait=True, timeout=timeout, on_update=on_update)
    _finish(state, run, fmt)


@runs.command("wait")
@click.argument("timer_id")
@click.argument("run_id")
@_timeout_option("Seconds to wait before giving up (exit 8).")
@_run_format_option
@pass_state
def wait_run(state: _State, timer_id: str, run_id: str, timeout: float, fmt: str) -> None:
    """Wait for a run to finish and show it; exit 7 if it failed.

    \b
    Example:
      timers runs wait TIMER_ID RUN_ID --timeout 300
    """
    with state.client() as client:
        on_update, spinner = _watch(state)
        with spinner:
            run = client.wait_for_run(timer_id, run_id, timeout=timeout, on_update=on_update)
    _finish(state, run, fmt)


@cli.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--runs",
    "history",
    type=click.IntRange(0, 100_000),
    default=250,
    show_default=True,
    help="How many past runs the demo timer has.",
)
@click.option(
    "--seed",
    type=int,
    default=7,  # demo_service's default, so `timers serve` shows the runs `timers demo` shows
    show_default=True,
    help="Seeds every random choice of the service (ids, outcomes): same seed, same runs.",
)
@pass_state
def serve_command(state: _State, port: int, history: int, seed: int) -> None:
    """Serve the reference Timers service on 127.0.0.1 (for trying the CLI and your code).

    Prints the base URL, a token and a timer id to use; stops on Ctrl-C.

    \b
    Examples:
      timers serve --port 8765 --runs 500
      timers serve --runs 1000 --seed 42
    """
    from timers.cli._demo import DEMO_TOKEN, demo_service
    from timers.testing import serve

    service, timer_id = demo_service(history, seed=seed)
    with serve(service, port=port) as base_url:
        state.out.print(f"Serving the reference Timers service at {base_url}", markup=False)
        state.out.print(f"TIMERS_BASE_URL={base_url}", markup=False)
        state.out.print(f"TIMERS_ACCESS_TOKEN={DEMO_TOKEN}", markup=False)
        state.out.print(f"Timer id: {timer_id} ({history} runs)", markup=False)
        state.out.print(
            f"Try: TIMERS_BASE_URL={base_url} TIMERS_ACCESS_TOKEN={DEMO_TOKEN} "
            f"timers runs list {timer_id}",
            markup=False,
        )
        state.out.print("Press Ctrl-C to stop.", markup=False)
        sys.stdout.flush()
        _block_until_interrupted()


def _block_until_interrupted() -> None:
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


@cli.command("demo")
@pass_state
def demo_command(state: _State) -> None:
    """Walk through the library against the embedded reference service (no account needed)."""
    from timers.cli._demo import run_demo

    run_demo(state.out)
