"""What every ``timers`` command shares: exit codes, one-line errors, the global state, and
the options and parsers several commands use.

Exit codes (also in ``timers --help`` and the README):

    0  success
    1  another error (an unexpected answer from the service)
    2  usage error: a bad option or argument, no token, a request the service refused as
       malformed (400, 422: e.g. a marker it did not issue), or an operation the API lacks
    3  not found (no such timer or run)
    4  authentication or permission error (401, 403)
    5  rate limited (429)
    6  server or network error (5xx, connection failure, timeout, invalid response)
    7  the run finished with status failure
    8  timed out waiting for a run to finish
    9  runs trigger --wait: the run was created, then waiting for it failed (its id is
       printed on stdout: wait for it, do not trigger again)
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import click
from rich.console import Console

from timers._errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    TimersError,
    UnprocessableEntityError,
    UnsupportedOperationError,
    WaitTimeoutError,
)
from timers._redact import clean
from timers._sync_client import TimersClient
from timers._time import parse_datetime

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_RATE_LIMITED = 5
EXIT_SERVER = 6
EXIT_RUN_FAILED = 7
EXIT_WAIT_TIMEOUT = 8
EXIT_CREATED_WAIT_FAILED = 9

EXIT_CODES_HELP = """\b
Exit codes:
  0 success            4 authentication/permission
  1 other error        5 rate limited
  2 usage error        6 server or network error
  3 not found          7 the run failed
                       8 timed out waiting for a run
                       9 created, then waiting failed
"""

GLOBAL_OPTIONS = ("--api", "--base-url", "--token", "--allow-insecure-http", "--verbose", "-v")
# Python argument names in library messages, as the CLI spells them.
_CLI_SPELLING = {"allow_insecure_http=True": "--allow-insecure-http"}

_SINCE = re.compile(r"(\d+)\s*([smhdw])\Z")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

logger = logging.getLogger("timers")


def exit_code_for(error: TimersError) -> int:
    """The documented exit code for an error."""
    usage = (InvalidArgumentError, UnsupportedOperationError, BadRequestError)
    if isinstance(error, (*usage, UnprocessableEntityError)):
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
    for python, cli in _CLI_SPELLING.items():
        message = message.replace(python, cli)
    click.echo(f"timers: error: {clean(message, 2000)}", err=True)
    sys.exit(code)


class Command(click.Command):
    """A command that says where a global option placed after it belongs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            name = error.option_name  # click has split off any "=value" already
            if name in GLOBAL_OPTIONS:
                raise click.UsageError(
                    f"{name} is a global option: put it before the command, "
                    f"e.g. timers {name} ... {ctx.command_path.split(' ', 1)[-1]}",
                    ctx,
                ) from None
            raise


class Group(click.Group):
    """Turns every ``TimersError`` into one line on stderr and its exit code."""

    command_class = Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TimersError as error:
            fail(str(error), exit_code_for(error))
        except KeyboardInterrupt:
            click.echo("timers: interrupted", err=True)
            sys.exit(130)


Group.group_class = Group


class State:
    """The global options, and the consoles every command prints to."""

    def __init__(
        self, *, base_url: str | None, token: str | None, api: str, allow_insecure_http: bool
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.api = api
        self.allow_insecure_http = allow_insecure_http
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)

    def client(self, **options: Any) -> TimersClient:
        """A client with the global options (and ``options``, e.g. ``sleep=``)."""
        if not self.token:
            fail(
                "no access token: pass --token TOKEN or set TIMERS_ACCESS_TOKEN "
                "(a Globus Auth token for the Timers scope)",
                EXIT_USAGE,
            )
        return TimersClient(
            self.token,
            base_url=self.base_url,
            api=self.api,
            allow_insecure_http=self.allow_insecure_http,
            **options,
        )


pass_state = click.make_pass_decorator(State)


class RetryNotices(logging.Handler):
    """Says on stderr, at once, when a request is retried after a connection failure or
    waits a second or more first: the command is not silently stuck."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        retry = getattr(record, "timers_retry", None)
        if retry is None or (not retry["connection"] and retry["delay"] < 1.0):
            return
        self.console.print(
            f"timers: {retry['why']}; retry {retry['number']} of {retry['of']} "
            f"in {retry['delay']:.1f} s",
            markup=False,
            highlight=False,
        )


def parse_time(value: str | None, option: str) -> datetime | None:
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


def parse_since(value: str | None) -> datetime | None:
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
run_format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


# Declarations, not functions: they run at import time, where mutation testing cannot reach.
timeout_option = functools.partial(
    click.option, "--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True
)
"""``@timeout_option(help=...)``: ``--timeout`` seconds (at least 0, default 600)."""
