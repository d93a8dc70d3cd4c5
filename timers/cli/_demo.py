"""``timers demo``: a walk through the library against the embedded reference service."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from rich.console import Console

from timers._errors import NotFoundError, UnsupportedOperationError
from timers._models import RunStatus, TimerRun
from timers._sync_client import TimersClient
from timers.cli import _output
from timers.cli._base import DEMO_SEED
from timers.testing import FakeTimersService, direct_to_loopback, serve
from timers.testing._server import BASE_PATH

DEMO_TOKEN = "demo-token"  # noqa: S105 - the reference service's own, not a secret
DEMO_TIMER_ID = "12345678-1234-1234-1234-123456789012"


def demo_service(history: int, *, seed: int = DEMO_SEED) -> tuple[FakeTimersService, str]:
    """A reference service with one web-callback timer that has ``history`` past runs."""
    service = FakeTimersService(
        tokens=[DEMO_TOKEN], seed=seed, pending_seconds=0.3, in_progress_seconds=0.7
    )
    timer_id = service.add_timer(DEMO_TIMER_ID)  # a web callback that never fails
    if history:
        service.seed_history(timer_id, history, failure_rate=0.15)  # one run an hour
    return service, timer_id


def run_demo(out: Console, *, history: int = 300) -> None:
    """Start the service on loopback, then list, show, trigger, wait, and hit a 404."""
    started = time.perf_counter()
    service, timer_id = demo_service(history)

    def step(text: str) -> None:
        out.print(f"\n[bold cyan]==>[/bold cyan] [bold]{text}[/bold]")

    # The service is on loopback: no proxy from the environment can reach it.
    with (
        mock.patch.dict(os.environ, direct_to_loopback()),
        serve(service) as base_url,
        TimersClient(DEMO_TOKEN, base_url=base_url) as client,
    ):
        step(f"Started the reference Timers service at {base_url}")
        out.print(f"    timer {timer_id} has {history} past runs, one an hour.")
        _say(out, f"    client = TimersClient(token, base_url={base_url!r})")

        step("Failed runs of the last 7 days, across pages of 10 (client.iter_run_pages)")
        week_ago = datetime.now(UTC) - timedelta(days=7)
        failures: list[TimerRun] = []
        pages = 0
        for page in client.iter_run_pages(
            timer_id, status=RunStatus.FAILURE, start_after=week_ago, page_size=10
        ):
            pages += 1
            failures.extend(page)
        out.print(f"    {len(failures)} failed runs in {pages} page(s); the newest five:")
        _output.print_rows(out, failures[:5])

        if failures:
            step("One failed run's error (client.get_run)")
            _output.print_details(out, client.get_run(timer_id, failures[0].id))

        step("Trigger a run now and wait for it (client.run_timer(..., wait=True))")
        run = client.run_timer(
            timer_id,
            wait=True,
            timeout=30,
            poll_interval=0.2,
            on_update=lambda r: out.print(f"    status: {_output.status_markup(r.status)}"),
        )
        _say(
            out,
            f"    run {run.id} finished: {run.status.value} "
            f"in {_output.format_duration(run.duration)}, outcome {_output.outcome(run)}",
        )

        step("The production Globus Timers API: the same history from /jobs (api='jobs')")
        jobs_url = base_url.removesuffix(BASE_PATH)  # the jobs API is served at the root
        with TimersClient(DEMO_TOKEN, base_url=jobs_url, api="jobs") as jobs:
            _say(out, f"    jobs = TimersClient(token, api='jobs', base_url={jobs_url!r})")
            first = next(iter(jobs.iter_runs(timer_id, max_items=1)))
            _say(
                out,
                f"    first run listed: {first.status.value}, started "
                f"{_output.format_time(first.start_time)}; its id {first.id} is derived "
                "(production results carry none)",
            )
            try:
                jobs.run_timer(timer_id)
            except UnsupportedOperationError as error:
                _say(out, f"    run_timer: {type(error).__name__}: {error}")

        step("Errors are typed: a run that does not exist (NotFoundError)")
        missing = str(uuid.UUID(int=0xDEAD))
        try:
            client.get_run(timer_id, missing)
        except NotFoundError as error:
            _say(out, f"    {type(error).__name__}: {error}")
            _say(
                out,
                f"    status_code={error.status_code} code={error.code!r} "
                f"request_id={error.request_id!r}",
            )

    out.print(f"\nDone in {time.perf_counter() - started:.1f} s.")
    for line in next_steps():
        _say(out, line)


def _say(out: Console, text: str) -> None:
    """Print ``text`` as it is, never as rich markup: it holds URLs, ids and server messages,
    where a ``[`` is text (and a stray ``[/]`` would make rich raise)."""
    out.print(text, markup=False)


def next_steps() -> list[str]:
    """How to run the command next, whether or not its folder is on PATH."""
    if shutil.which("timers"):
        return ["Next: timers --help"]
    folder = Path(sys.executable).parent
    return [
        f"Next: {shlex.quote(str(folder / 'timers'))} --help",
        f"(or put it on PATH for this shell first: source {shlex.quote(str(folder / 'activate'))})",
    ]
