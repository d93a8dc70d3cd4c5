"""Following runs as they happen: ``timers runs watch``, and the progress ``wait`` shows.

On a terminal, progress is one live line (status, elapsed time, next poll); elsewhere (a log,
a CI job) each status change is a line on stderr, and so is a heartbeat when nothing has been
said for ``--heartbeat`` seconds, so a long wait is never silent.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import sys
import time
from collections.abc import Iterable
from types import TracebackType

import click
from rich.console import Console

from timers._dialects import dialect_for
from timers._models import TimerRun
from timers._sync_client import TimersClient
from timers.cli import _output
from timers.cli._base import (
    EXIT_OK,
    Command,
    State,
    exit_for_finished,
    pass_state,
    terminated_as_interrupt,
)
from timers.cli._options import Seconds

HEARTBEAT = 30.0
WATCH_PAGE = 20  # the newest runs looked at on each poll


interval_option = functools.partial(
    click.option,
    "--interval",
    type=Seconds(min=0.05, max=3600),
    show_default=True,
    help="Seconds between polls (waits grow gently from it, up to 30 s or to itself).",
)
"""``@interval_option(default=...)``: ``--interval`` seconds between polls."""

heartbeat_option = click.option(
    "--heartbeat",
    type=Seconds(min=0.1, max=3600),
    default=HEARTBEAT,
    show_default=True,
    help="Off a terminal: a line on stderr when nothing was said for this many seconds.",
)


class Progress:
    """``on_update`` and ``sleep`` for a waiting client: shows where the wait stands."""

    def __init__(self, console: Console, *, heartbeat: float = HEARTBEAT) -> None:
        self.console = console
        self.heartbeat = heartbeat
        self.started = self.said = time.monotonic()
        self.run: TimerRun | None = None
        self.live = console.status("waiting for the run...", spinner="dots")
        # A dumb terminal (TERM=dumb) shows no live line: it gets the lines a pipe gets.
        self.terminal = console.is_terminal and not console.is_dumb_terminal
        self._signals = contextlib.ExitStack()

    def __enter__(self) -> Progress:
        # SIGTERM ends the wait as Ctrl-C does: the live line is taken down (the cursor shown
        # again) and a created run's id printed, instead of the process ending where it is.
        self._signals.enter_context(terminated_as_interrupt())
        if self.terminal:
            self.live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.terminal:
                self.live.stop()
        finally:
            self._signals.close()

    def _where(self) -> str:
        elapsed = _output.format_duration_seconds(time.monotonic() - self.started)
        if self.run is None:
            return f"waiting for the run (elapsed {elapsed})"
        status = _output.status_markup(self.run.status)
        return f"run {_output.safe(self.run.id, 80)}: {status}, elapsed {elapsed}"

    def on_update(self, run: TimerRun) -> None:
        self.run = run
        if self.terminal:
            self.live.update(self._where())
        else:
            self._say(f"run {run.id}: {run.status.value}")

    def sleep(self, seconds: float) -> None:
        if self.terminal:
            self.live.update(f"{self._where()}, next poll in {seconds:.1f}s")
        elif time.monotonic() - self.said >= self.heartbeat:
            status = "not seen yet" if self.run is None else f"still {self.run.status.value}"
            elapsed = _output.format_duration_seconds(time.monotonic() - self.started)
            self._say(f"{status} after {elapsed}; next poll in {seconds:.1f}s")
        time.sleep(seconds)

    def _say(self, text: str) -> None:
        self.console.print(f"timers: {_output.safe(text, 400)}", markup=True, highlight=False)
        self.said = time.monotonic()


@click.command("watch", cls=Command)
@click.argument("timer_id")
@interval_option(default=5.0, help="Seconds between polls (always the same).")
@click.option(
    "--until-finished",
    is_flag=True,
    help="Stop once the newest run has finished (exit 0, 7 if it failed, 10 if its status is "
    "not one the client knows).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table")
@click.option("--fields", "fields_text", help="Fields to show, e.g. id,status,outcome.")
@pass_state
def watch_command(
    state: State,
    timer_id: str,
    interval: float,
    until_finished: bool,
    fmt: str,
    fields_text: str | None,
) -> None:
    """Follow a timer's runs: each new run as it appears, and each status change.

    Stops on Ctrl-C (exit 0), or with --until-finished once the newest run has finished.

    \b
    Examples:
      timers runs watch TIMER_ID
      timers runs watch TIMER_ID --interval 2 --until-finished
    """
    fields = _output.parse_fields(fields_text)
    known: dict[str, str] = {}  # run id -> status, for the runs of the latest poll only
    first = True
    if fmt == "table":
        state.out.print("EVENT    " + _output.header_line(fields or _output.TABLE_FIELDS))
    try:
        with state.client() as client:
            while True:
                runs = _newest_runs(client, timer_id)
                for run in runs[-1:] if first else runs:
                    before = known.get(run.id)
                    if before is None or before != run.status.value:
                        event = "now" if first else "new" if before is None else "changed"
                        _event(state, event, run, fmt, fields)
                known = {run.id: run.status.value for run in runs}
                first = False
                if until_finished and runs and runs[-1].is_finished:
                    exit_for_finished(runs[-1])
                    sys.exit(EXIT_OK)
                sys.stdout.flush()
                time.sleep(interval)
    except KeyboardInterrupt:
        sys.exit(EXIT_OK)


def _newest_runs(client: TimersClient, timer_id: str) -> list[TimerRun]:
    """The newest ``WATCH_PAGE`` runs, oldest first, as they happened: by start time, then in
    the reverse of the service's order (the newest is last).

    The runs API lists newest first, so its first page holds them. The jobs API's order is
    not published: its first page is enough when it is the only one, or when it is newest
    first (the likely order); otherwise every page is read, on every poll (the following
    ones at the service's default page size: its bounds are not published either)."""
    page = client.list_runs(timer_id, limit=WATCH_PAGE)
    runs: Iterable[TimerRun] = page.runs
    if page.next_page is not None and not (
        dialect_for(client.api).NEWEST_FIRST or _newest_first(page.runs)
    ):
        runs = itertools.chain(page.runs, client.iter_runs(timer_id, marker=page.next_page))
    # -index: of two runs started together, the one the service lists first is the newer.
    newest = heapq.nlargest(
        WATCH_PAGE, enumerate(runs), key=lambda pair: (pair[1].start_time, -pair[0])
    )
    return [run for _, run in reversed(newest)]


def _newest_first(runs: tuple[TimerRun, ...]) -> bool:
    """Whether a page shows that the service lists newest first: later starts first, and at
    least two different ones (one start time says nothing of the order)."""
    starts = [run.start_time for run in runs]
    ordered = all(later >= earlier for later, earlier in itertools.pairwise(starts))
    return ordered and len(set(starts)) > 1


def _event(
    state: State, event: str, run: TimerRun, fmt: str, fields: tuple[str, ...] | None
) -> None:
    if fmt == "jsonl":
        line = _output.dumps({"event": event, "run": _output.selected(run, fields)}, pretty=False)
        state.out.print(line, markup=False)
    else:
        row = _output.row_line(run, fields or _output.TABLE_FIELDS)
        state.out.print(f"{event:<8} {row}", highlight=False, soft_wrap=True)
