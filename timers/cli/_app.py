"""The ``timers`` command: its global options, and the commands it groups.

Each command lives in its own module (``_runs``: ``runs ...``; ``_service``: ``serve``,
``demo``); what they share (exit codes, errors, state) is in ``_base``, whose docstring lists
the exit codes.
"""

from __future__ import annotations

import logging
import sys
import warnings

import click
from click.core import ParameterSource

from timers._logging import _EnvHandler as EnvLogHandler
from timers._logging import setup_from_env
from timers.cli._base import (
    EXIT_AUTH,
    EXIT_CODES_HELP,
    EXIT_CREATED_WAIT_FAILED,
    EXIT_ERROR,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_RATE_LIMITED,
    EXIT_RUN_FAILED,
    EXIT_RUN_STATUS_UNKNOWN,
    EXIT_SERVER,
    EXIT_USAGE,
    EXIT_WAIT_TIMEOUT,
    Group,
    RetryNotices,
    State,
    exit_code_for,
    logger,
)
from timers.cli._report import summary_command
from timers.cli._runs import runs
from timers.cli._service import demo_command, serve_command
from timers.cli._watch import watch_command

__all__ = [
    "EXIT_AUTH",
    "EXIT_CREATED_WAIT_FAILED",
    "EXIT_ERROR",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_RATE_LIMITED",
    "EXIT_RUN_FAILED",
    "EXIT_RUN_STATUS_UNKNOWN",
    "EXIT_SERVER",
    "EXIT_USAGE",
    "EXIT_WAIT_TIMEOUT",
    "cli",
    "exit_code_for",
]


@click.group(
    cls=Group,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--api",
    type=click.Choice(["runs", "jobs"], case_sensitive=False),
    envvar="TIMERS_API",
    show_envvar=True,
    default="runs",
    show_default=True,
    help="The API the service speaks: runs (the run endpoints) or jobs (the production "
    "Globus Timers service, which keeps run history under /jobs).",
)
@click.option(
    "--base-url",
    envvar="TIMERS_BASE_URL",
    show_envvar=True,
    help="The Timers service URL (default: the real service's, for the API).",
)
@click.option(
    "--token",
    envvar="TIMERS_ACCESS_TOKEN",
    show_envvar=True,
    help="A Globus Auth access token for the Timers scope. Never printed.",
)
@click.option(
    "--allow-insecure-http",
    is_flag=True,
    help="Allow a plain http:// base URL to a host that is not loopback (the token travels "
    "in clear text).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each request (method, path, status).")
@click.version_option(package_name="timers-client", prog_name="timers")
@click.pass_context
def cli(
    ctx: click.Context,
    api: str,
    base_url: str | None,
    token: str | None,
    allow_insecure_http: bool,
    verbose: bool,
) -> None:
    """Inspect and trigger the runs of Globus Timers.

    Global options go before the command: timers --api jobs runs list TIMER_ID.

    \b
    Examples:
      timers demo
      timers runs list 12345678-1234-1234-1234-123456789012 --status failure --since 7d
      timers --api jobs runs list TIMER_ID --all
      timers runs show TIMER_ID RUN_ID
      timers runs trigger TIMER_ID --wait
    """

    def option(name: str, variable: str) -> str:  # and where its value came from
        from_environment = ctx.get_parameter_source(name) is ParameterSource.ENVIRONMENT
        spelled = "--" + name.replace("_", "-")
        return f"{spelled} (from ${variable})" if from_environment else spelled

    state = State(
        base_url=base_url,
        token=token,
        api="jobs" if api.lower() == "jobs" else "runs",  # click.Choice: one or the other
        allow_insecure_http=allow_insecure_http,
        base_url_option=option("base_url", "TIMERS_BASE_URL"),
        token_option=option("token", "TIMERS_ACCESS_TOKEN"),
        api_option=option("api", "TIMERS_API"),
    )
    handlers: list[logging.Handler] = [RetryNotices(state.err)]
    # $TIMERS_LOG's handler (installed now, not at the first client) already prints every
    # line on stderr: -v then only lowers the level, else each line would come twice.
    with warnings.catch_warnings(record=True) as caught:  # said as the CLI says things
        warnings.simplefilter("always")
        setup_from_env()
    for warning in caught:
        state.err.print(f"timers: warning: {warning.message}", markup=False, highlight=False)
    by_env = [(h, h.level) for h in logger.handlers if isinstance(h, EnvLogHandler)]
    if verbose and not by_env:
        verbose_handler = logging.StreamHandler(sys.stderr)
        verbose_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(verbose_handler)
    level = logger.level
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else min(level or logging.INFO, logging.INFO))
    for env_handler, _ in by_env if verbose else ():
        env_handler.setLevel(logging.DEBUG)

    def restore() -> None:  # for callers running the CLI in-process (tests, scripts)
        for handler in handlers:
            logger.removeHandler(handler)
        logger.setLevel(level)
        for env_handler, env_level in by_env:
            env_handler.setLevel(env_level)

    ctx.call_on_close(restore)
    ctx.obj = state


runs.add_command(watch_command)
runs.add_command(summary_command)
cli.add_command(runs)
cli.add_command(serve_command)
cli.add_command(demo_command)
