"""The commands ``timers serve`` (the reference service on loopback) and ``timers demo``
(declared here, carried out by ``_demo``): the reference service, for trying things out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import click

from timers.cli import _output
from timers.cli._base import DEMO_SEED, EXIT_USAGE, Command, State, fail, handling, pass_state


@click.command("serve", cls=Command)
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
    default=DEMO_SEED,
    show_default=True,
    help="Seeds every random choice of the service (ids, outcomes): same seed, same runs.",
)
@pass_state
def serve_command(state: State, port: int, history: int, seed: int) -> None:
    """Serve the reference Timers service on 127.0.0.1 (for trying the CLI and your code).

    Prints the base URL of the API chosen with --api (or TIMERS_API; default runs), a token
    and a timer id to use, then the other API's URL; stops on Ctrl-C. The runs API is served
    under /api/v1, the production jobs API (--api jobs) at the root.

    \b
    Examples:
      timers serve --port 8765 --runs 500
      timers serve --runs 1000 --seed 42
      timers --api jobs serve
    """
    from timers.cli._demo import demo_service
    from timers.testing import serve

    service, timer_id = demo_service(history, seed=seed)
    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(serve(service, port=port))
        except OSError as error:
            fail(
                f"cannot serve on 127.0.0.1:{port}: {error.strerror or error} "
                "(is the port in use? --port 0 picks a free one)",
                EXIT_USAGE,
            )
        for line in _serving_lines(state.api, base_url, timer_id, history):
            state.out.print(line, markup=False)
        sys.stdout.flush()
        # Nobody reads what the service received here: for days of serving, memory stays flat.
        _block_until_interrupted(lambda: service.requests.clear())


def _serving_lines(api: str, runs_url: str, timer_id: str, history: int) -> list[str]:
    """What ``timers serve`` prints: first the URL of the chosen ``api`` (the line to copy),
    then the other API's."""
    from timers.cli._demo import DEMO_TOKEN
    from timers.testing._server import BASE_PATH

    jobs_url = runs_url.removesuffix(BASE_PATH)
    token = f"TIMERS_ACCESS_TOKEN={DEMO_TOKEN}"
    if api == "jobs":
        url, command = jobs_url, "timers --api jobs runs list"
        other = (
            f"The same service speaks the runs API (spec/timers-runs.yaml) at {runs_url}: "
            f"TIMERS_BASE_URL={runs_url} {token} timers --api runs runs list {timer_id}"
        )
    else:
        url, command = runs_url, "timers runs list"
        other = (
            f"The same service speaks the production jobs API at {jobs_url}: "
            f"TIMERS_BASE_URL={jobs_url} {token} timers --api jobs runs list {timer_id}"
        )
    return [
        f"Serving the reference Timers service at {url}",
        f"TIMERS_BASE_URL={url}",
        token,
        f"Timer id: {timer_id} ({_output.plural(history, 'run')})",
        f"Try: TIMERS_BASE_URL={url} {token} {command} {timer_id}",
        other,
        "Press Ctrl-C to stop.",
    ]


def _block_until_interrupted(on_wakeup: Callable[[], object]) -> None:
    """Until Ctrl-C or SIGTERM, calling ``on_wakeup`` every half second."""
    import signal
    import threading

    stop = threading.Event()
    with handling(signal.SIGTERM, lambda *_: stop.set()), contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(0.5):
            on_wakeup()


@click.command("demo", cls=Command)
@pass_state
def demo_command(state: State) -> None:
    """Walk through the library against the embedded reference service (no account needed).

    \b
    Examples:
      timers demo
      timers serve --port 8000
    """
    from timers.cli._demo import run_demo

    run_demo(state.out)
