"""What every ``timers`` command shares: exit codes, one-line errors, signals, and the global
state (the options several commands take are in ``_options``).

Exit codes (also in ``timers --help`` and the README):

    0  success
    1  another error (an unexpected answer from the service, output that cannot be
       written; a closed pipe, as under | head, exits 1 quietly)
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
   10  the run finished with a status the client does not know (--api jobs: the service's
       statuses are not published), so it is not known to have succeeded
  130  interrupted (Ctrl-C)
  143  runs wait or runs trigger --wait terminated (SIGTERM)
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, NoReturn

import click
from rich.console import Console

from timers._dialects import ApiName
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
from timers._models import RunStatus, TimerRun
from timers._redact import clean, quote
from timers._sync_client import TimersClient

DEMO_SEED = 7  # `timers demo`'s, and `timers serve`'s default: serve shows the demo's runs

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
EXIT_RUN_STATUS_UNKNOWN = 10
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
EXIT_TERMINATED = 143  # SIGTERM while waiting for a run (see Terminated), as a shell reports it

EXIT_CODES_HELP = """\b
Exit codes:
  0 success            4 authentication/permission
  1 other error        5 rate limited
  2 usage error        6 server or network error
  3 not found          7 the run failed
                       8 timed out waiting for a run
                       9 created, then waiting failed
                      10 the run finished with a status
                         the client does not know
                     130 interrupted (Ctrl-C)
                     143 terminated (SIGTERM) while waiting
"""

GLOBAL_OPTIONS = ("--api", "--base-url", "--token", "--allow-insecure-http", "--verbose", "-v")
# Python argument names in library messages, as the CLI spells them.
_CLI_SPELLING = {
    "allow_insecure_http=True": "--allow-insecure-http",
    "run_timer is not available with api='jobs'": "runs trigger is not available with --api jobs",
    "use api='jobs'": "use --api jobs",
    "pass its new URL as base_url": "pass its new URL as --base-url",
}
# The library's messages about an argument start with its name: the option's, here.
_CLI_OPTIONS = {"timeout ": "--timeout ", "poll_interval ": "--interval ", "marker ": "--marker "}

logger = logging.getLogger("timers")

_LONG = 1.0  # seconds: an attempt or a wait this long before a retry is announced
# How the library words a retry after a timeout ("ReadTimeout from HOST"): an attempt that
# waited out its timeout was long, though it was the request's first.
_TIMED_OUT = re.compile(r"\w*Timeout from ")


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


def message_of(error: TimersError) -> str:
    """The error's message as the CLI says it (``fail`` then names options, not arguments)."""
    message = str(error)
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        # The library's "%g" makes 100000000 seconds "1e+08 s"
        message = message.replace(
            f"retry after {error.retry_after:g} s",
            f"retry after {readable_seconds(error.retry_after)}",
        )
    return message


# Units a long wait is also said in, largest first.
_LONG_UNITS = ((365.25 * 86_400, "year"), (86_400, "day"), (3_600, "hour"), (60, "minute"))


def readable_seconds(seconds: float) -> str:
    """Seconds for people: ``30 s``, ``1.5 s``; from a minute on, whole seconds and about
    how long that is: ``100000000 s (about 3.2 years)``.

    >>> readable_seconds(30.0), readable_seconds(1.5), readable_seconds(5400.0)
    ('30 s', '1.5 s', '5400 s (about 1.5 hours)')
    """
    if seconds < 60:
        return f"{round(seconds, 1):g} s"
    if seconds >= 1e12:  # more digits would say nothing more
        return "more than 30,000 years"
    size, unit = next((size, unit) for size, unit in _LONG_UNITS if seconds >= size)
    count = seconds / size
    about = f"{count:,.0f}" if count >= 10 else f"{count:.1f}".removesuffix(".0")
    return f"{seconds:.0f} s (about {about} {unit}{'' if about == '1' else 's'})"


def exit_for_finished(run: TimerRun) -> None:
    """Exit 7 when the finished ``run`` failed, 10 when its status is not one the client
    knows (``--api jobs``: the service's statuses are not published), so that a script never
    takes it for a success; return when it succeeded."""
    if run.status is RunStatus.FAILURE:
        sys.exit(EXIT_RUN_FAILED)
    if run.status is not RunStatus.SUCCESS:
        click.echo(
            f"timers: the run finished with status {quote(run.status.value)}, which the "
            "client does not know: not known to have succeeded",
            err=True,
        )
        sys.exit(EXIT_RUN_STATUS_UNKNOWN)


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, no traceback, and the exit code."""
    for python, cli in _CLI_SPELLING.items():
        message = message.replace(python, cli)
    for python, cli in _CLI_OPTIONS.items():
        if message.startswith(python):
            message = cli + message.removeprefix(python)
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
    """Turns every ``TimersError`` into one line on stderr and its exit code, and an output
    that cannot be written into one line and exit 1 (or a quiet exit 1 for a closed pipe)."""

    command_class = Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Also for what runs before ``invoke``: a stdout that was closed from the start
        (``>&-``), and ``--help`` or ``--version`` failing to write theirs."""
        if sys.stdout is None:  # Python's stdout for a closed descriptor 1: writes vanish
            fail("standard output is closed: nothing can be written", EXIT_ERROR)
        # An output that cannot take every character (PYTHONIOENCODING=ascii, a legacy
        # locale, a file on Windows) shows the others as \xe9 instead of failing half-way;
        # under the C or POSIX locale (surrogateescape) a lone surrogate would fail too, or be
        # written as a raw byte.
        if getattr(sys.stdout, "errors", None) in ("strict", "surrogateescape"):
            with contextlib.suppress(AttributeError, ValueError):
                sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        try:
            return super().main(*args, **kwargs)
        except OSError as error:  # click handles EPIPE itself, but re-raises the others
            _output_failed(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TimersError as error:
            message, state = message_of(error), ctx.find_object(State)
            if state is not None and isinstance(error, UnsupportedOperationError):
                where = state.api_option.removeprefix("--api")  # " (from $TIMERS_API)" or ""
                message = message.replace(f"api={state.api!r}", f"api={state.api!r}{where}")
            fail(message, exit_code_for(error))
        except KeyboardInterrupt as stop:  # the library's notes say what may have happened
            notes = "".join(f"; {note}" for note in getattr(stop, "__notes__", ()))
            click.echo(f"timers: {interrupted(stop)}{notes}", err=True)
            sys.exit(exit_for_interrupt(stop))
        except OSError as error:  # writing the output failed (a full disk), or a file did
            _output_failed(error)


class Terminated(KeyboardInterrupt):
    """SIGTERM while a command waits for a run (see ``terminated_as_interrupt``): handled as a
    Ctrl-C is (the live line taken down, a created run's id printed), then exit 143."""


@contextlib.contextmanager
def handling(signum: int, handler: Callable[[int, FrameType | None], object]) -> Iterator[None]:
    """``handler`` for the signal inside, the previous handler back afterwards (Python's default
    for one that was not set from Python). Nothing changes off the main thread (signals are
    not ours to handle there), nor where the signal is ignored (a parent's choice)."""
    try:
        previous = signal.getsignal(signum)
        if previous != signal.SIG_IGN:
            signal.signal(signum, handler)
    except ValueError:  # not the main thread
        previous = signal.SIG_IGN  # nothing installed, nothing to put back
    if previous == signal.SIG_IGN:
        yield  # outside any try: what the block raises (a ValueError too) is its own
        return
    try:
        yield
    finally:
        if previous is None:  # set outside Python: it cannot be put back
            previous = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
        signal.signal(signum, previous)


def terminated_as_interrupt() -> contextlib.AbstractContextManager[None]:
    """SIGTERM raises ``Terminated`` inside, instead of ending the process where it stands
    (which leaves a terminal's cursor hidden and a created run unnamed)."""

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    return handling(signal.SIGTERM, terminated)


def interrupted(stop: KeyboardInterrupt) -> str:
    """How the CLI says a command was stopped: ``terminated`` (SIGTERM) or ``interrupted``."""
    return "terminated" if isinstance(stop, Terminated) else "interrupted"


def exit_for_interrupt(stop: KeyboardInterrupt) -> int:
    """The exit code of a command stopped by Ctrl-C (130) or SIGTERM (143)."""
    return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED


def _output_failed(error: OSError) -> NoReturn:
    """One line and exit 1 for a write that failed (a quiet exit 1 when the reader of a pipe
    has gone, as under | head: nobody to tell)."""
    _stdout_to_devnull()
    if isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE:
        sys.exit(EXIT_ERROR)
    fail(str(error) or type(error).__name__, EXIT_ERROR)  # "[Errno 28] ...", any file


def _stdout_to_devnull() -> None:
    """Point stdout's file descriptor at os.devnull (the Python docs' recipe for a broken
    pipe), so that what is still buffered for it does not fail again, with a traceback, when
    Python flushes it at exit. Nothing to do for a stdout without one (tests)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


Group.group_class = Group


class State:
    """The global options, and the consoles every command prints to."""

    def __init__(
        self,
        *,
        base_url: str | None,
        token: str | None,
        api: ApiName,
        allow_insecure_http: bool,
        base_url_option: str = "--base-url",
        token_option: str = "--token",  # noqa: S107 (the option's name, not a token)
        api_option: str = "--api",
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.api = api
        self.allow_insecure_http = allow_insecure_http
        # How a bad base URL is named: "--base-url", or also the variable it came from.
        self.base_url_option = base_url_option
        self.token_option = token_option  # likewise for a bad token (never shown itself)
        self.api_option = api_option  # and for an operation the API lacks
        # emoji=False: rich would turn ":thumbs_up:" in server text (and JSON) into an emoji.
        self.out = Console(highlight=False, soft_wrap=True, emoji=False)
        # soft_wrap: a line on stderr stays one line (a run id is never cut in a log file).
        self.err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    def client(self, **options: Any) -> TimersClient:
        """A client with the global options (and ``options``, e.g. ``sleep=``)."""
        if not self.token:
            fail(
                "no access token: pass --token TOKEN or set TIMERS_ACCESS_TOKEN "
                "(a Globus Auth token for the Timers scope)",
                EXIT_USAGE,
            )
        try:
            return TimersClient(
                self.token,
                base_url=self.base_url,
                api=self.api,
                allow_insecure_http=self.allow_insecure_http,
                **options,
            )
        except InvalidArgumentError as error:
            message = str(error)  # the library names its argument: the CLI, the option
            for argument, option in (
                ("base_url", self.base_url_option),
                ("access_token", self.token_option),
            ):
                if message.startswith(f"{argument} "):
                    fail(option + message.removeprefix(argument), EXIT_USAGE)
            raise


pass_state = click.make_pass_decorator(State)


class RetryNotices(logging.Handler):
    """Says on stderr, at once, when a request is retried after a connection failure, after
    a timeout or an attempt that took a second or more, or when it waits a second or more
    first: the command is not silently stuck."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        retry = getattr(record, "timers_retry", None)
        if retry is None:
            return
        long_attempt = retry["took"] >= _LONG or _TIMED_OUT.match(retry["why"]) is not None
        if not retry["connection"] and not long_attempt and retry["delay"] < _LONG:
            return
        self.console.print(
            f"timers: {retry['why']}; retry {retry['number']} of {retry['of']} "
            f"in {retry['delay']:.1f} s",
            markup=False,
            highlight=False,
        )
