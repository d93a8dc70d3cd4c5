"""What every ``timers`` command shares (timers.cli._base): exit codes, the one-line error,
global options misplaced, retry notices, and the time parsers."""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import pickle
import re
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
import respx
from click.testing import CliRunner
from rich.console import Console
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InvalidArgumentError,
    PaginationError,
    ResponseValidationError,
    RunStatus,
    TimerRun,
    TimersError,
    UnsupportedOperationError,
    UsageError,
    WaitTimeoutError,
)
from timers._errors import error_class_for
from timers.cli import _base
from timers.cli._app import cli
from timers.cli._base import (
    EXIT_USAGE,
    RetryNotices,
    State,
    exit_code_for,
    fail,
)
from timers.cli._options import (
    filter_options,
    parse_since,
    parse_time,
)
from timers.cli._runs import runs


def api_error(status: int) -> TimersError:
    request = httpx.Request("GET", "https://example.org/x")
    return error_class_for(status)(httpx.Response(status, json={}, request=request))


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidArgumentError("x"), 2),
        (UnsupportedOperationError("x"), 2),
        (api_error(400), 2),
        (api_error(422), 2),
        (api_error(404), 3),
        (api_error(401), 4),
        (api_error(403), 4),
        (api_error(429), 5),
        (api_error(500), 6),
        (api_error(503), 6),
        (APIConnectionError("x", method="GET", url="u"), 6),
        (APITimeoutError("x", method="GET", url="u"), 6),
        (ResponseValidationError("x"), 6),
        (WaitTimeoutError("x", run=None, timeout=1), 8),
        (api_error(409), 1),
        (api_error(418), 1),
        (PaginationError("x"), 1),
        (UsageError("x"), 1),
    ],
)
def test_each_error_has_its_documented_exit_code(error: TimersError, code: int) -> None:
    assert exit_code_for(error) == code


def test_a_failure_is_one_clean_line_with_the_cli_spelling_and_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        fail("pass allow_insecure_http=True\nif you mean it", 4)
    assert caught.value.code == 4
    assert capsys.readouterr().err == "timers: error: pass --allow-insecure-http if you mean it\n"


def test_a_failure_message_is_cut_at_2000_characters(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        fail("x" * 3000, 1)
    assert capsys.readouterr().err == f"timers: error: {'x' * 1997}...\n"


@pytest.mark.parametrize("option", ["--token", "--base-url=https://x.org", "-v", "--api"])
def test_a_global_option_after_the_command_says_where_it_belongs(option: str) -> None:
    result = CliRunner().invoke(cli, ["runs", "list", option, "x"], env={})
    assert result.exit_code == 2
    name = option.split("=", 1)[0]
    assert (
        f"{name} is a global option: put it before the command, e.g. timers {name} ... runs list"
        in result.stderr
    )


def test_a_misplaced_global_option_is_a_usage_error_with_the_command_s_usage() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "T", "--token"], env={})
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: cli runs list [OPTIONS] TIMER_ID\n"
        "Try 'cli runs list --help' for help.\n\n"
        "Error: --token is a global option: put it before the command, "
        "e.g. timers --token ... runs list\n"
    )


def test_the_hint_leaves_out_the_program_name_whatever_it_is() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "T", "-v"], env={}, prog_name="my\ttimers")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: -v is a global option: put it before the command, e.g. timers -v ... runs list\n"
    )


def test_a_command_run_on_its_own_names_itself_in_the_hint() -> None:
    result = CliRunner().invoke(runs.commands["list"], ["T", "--api", "jobs"], env={})
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: --api is a global option: put it before the command, e.g. timers --api ... list\n"
    )


def test_an_option_with_a_space_in_its_name_is_not_taken_for_a_global_one() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "--token x", "T"], env={})
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option '--token x'.\n")


def test_an_unknown_option_is_click_s_own_error() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "--nope"], env={})
    assert result.exit_code == 2 and "No such option '--nope'" in result.stderr
    assert "global option" not in result.stderr


def test_a_command_needs_a_token() -> None:
    result = CliRunner().invoke(
        cli, ["runs", "show", "12345678-1234-1234-1234-123456789012", "x"], env={}
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "timers: error: no access token: pass --token TOKEN or set TIMERS_ACCESS_TOKEN "
        "(a Globus Auth token for the Timers scope)\n"
    )


def test_the_state_builds_a_client_with_the_global_options() -> None:
    state = State(
        base_url="http://example.org", token="tok-1234", api="jobs", allow_insecure_http=True
    )
    with state.client(max_retries=0) as client:
        assert (client.api, client.base_url, client.retry.max_retries) == (
            "jobs",
            "http://example.org",
            0,
        )


def test_output_is_neither_highlighted_nor_wrapped_on_a_narrow_colour_terminal() -> None:
    base = "http://127.0.0.1:9/api/v1"
    env = {"TIMERS_BASE_URL": base, "TIMERS_ACCESS_TOKEN": TOKEN, "FORCE_COLOR": "1",
           "COLUMNS": "60"}  # fmt: skip
    long = run_json(result={"status": "success", "status_code": 200, "run_id": "r" * 100})
    with respx.mock(base_url=base) as mock:
        mock.get(f"/timers/{TIMER_ID}/runs").respond(
            200, json=page_json([long], total=7, next_page="mk-2")
        )
        as_json = CliRunner().invoke(cli, ["runs", "list", TIMER_ID, "--format", "json"], env=env)
        as_table = CliRunner().invoke(cli, ["runs", "list", TIMER_ID, "--fields", "id"], env=env)
    assert as_json.exit_code == 0 and "\x1b" not in as_json.stdout
    assert json.loads(as_json.stdout)["runs"][0]["result"]["run_id"] == "r" * 100
    assert as_table.exit_code == 0
    assert as_table.stdout.splitlines()[-1] == RUN_ID
    assert as_table.stderr == "1 of 7 runs. More: --marker mk-2 (or --all).\n"


def test_an_interrupted_command_says_so_and_exits_130() -> None:
    result = CliRunner().invoke(raising_group(KeyboardInterrupt()), ["act"])
    assert (result.exit_code, result.stderr) == (130, "timers: interrupted\n")
    result = CliRunner().invoke(raising_group(PaginationError("the service looped")), ["act"])
    assert (result.exit_code, result.stderr) == (1, "timers: error: the service looped\n")


@pytest.mark.parametrize(
    ("retry_after", "said"),
    [
        ("99999999", "retry after 99999999 s (about 3.2 years)"),
        ("251606274259", "retry after 251606274259 s (about 7,973 years)"),
        ("1e300", "retry after more than 30,000 years"),
        ("90", "retry after 90 s (about 1.5 minutes)"),
        ("1.5", "retry after 1.5 s"),
    ],
)
def test_the_wait_a_rate_limit_asks_for_is_said_in_readable_seconds(
    monkeypatch: pytest.MonkeyPatch, retry_after: str, said: str
) -> None:
    base = "http://127.0.0.1:9/api/v1"
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    with respx.mock(base_url=base) as mock:
        mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
            429, json={"code": "SLOW", "message": "slow down"}, headers={"Retry-After": retry_after}
        )
        result = CliRunner().invoke(
            cli,
            ["runs", "show", TIMER_ID, RUN_ID],
            env={"TIMERS_BASE_URL": base, "TIMERS_ACCESS_TOKEN": TOKEN},
        )
    assert result.exit_code == 5
    error = result.stderr.splitlines()[-1]
    assert error.startswith("timers: error: 429 SLOW: slow down") and error.endswith(said)


def show_answered(status: int, headers: dict[str, str]) -> tuple[int, str]:
    """``timers runs show`` with the service answering ``status`` and ``headers``."""
    base = "http://127.0.0.1:9/api/v1"
    with respx.mock(base_url=base) as mock:
        mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(status, headers=headers)
        result = CliRunner().invoke(
            cli,
            ["runs", "show", TIMER_ID, RUN_ID],
            env={"TIMERS_BASE_URL": base, "TIMERS_ACCESS_TOKEN": TOKEN},
        )
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://timers.example.org/v2/x", "'https://timers.example.org/v2/x'"),
        ("/login?next=1", "'http://127.0.0.1:9/login?next=1'"),
        ("https://me:pw@evil.example/", "'https://evil.example/'"),
        (f"https://evil.example/?t={TOKEN}", "'https://evil.example/?t=[redacted]'"),
    ],
)
def test_a_redirect_says_where_it_goes_and_that_it_is_not_followed(
    location: str, shown: str
) -> None:
    code, err = show_answered(302, {"Location": location})
    assert code == 1
    assert err == (
        f"timers: error: 302: Found (GET http://127.0.0.1:9/api/v1/timers/{TIMER_ID}/runs/"
        f"{RUN_ID}); the service redirects to {shown}, which the client does not follow (if the "
        "service has moved, pass its new URL as --base-url)\n"
    )


def test_a_redirect_without_a_location_still_says_it_is_a_redirect() -> None:
    code, err = show_answered(307, {})
    assert code == 1
    assert err.endswith(
        "; the service answered with a redirect, which the client does not follow\n"
    )


# --- retry notices ----------------------------------------------------------------------------


def notices(*retries: dict[str, Any] | None) -> str:
    out = io.StringIO()
    handler = RetryNotices(Console(file=out, width=200))
    assert handler.level == logging.INFO
    for retry in retries:
        record = logging.LogRecord("timers", logging.INFO, __file__, 1, "m", None, None)
        if retry is not None:
            record.timers_retry = retry
        handler.emit(record)
    return out.getvalue()


def retry(
    delay: float,
    *,
    connection: bool = False,
    took: float = 0.1,
    why: str = "the service answered 503",
) -> dict[str, Any]:
    return {"why": why, "number": 2, "of": 3, "delay": delay, "connection": connection,
            "took": took}  # fmt: skip


def test_a_retry_of_a_second_or_more_is_announced() -> None:
    assert notices(retry(1.0), retry(12.345)) == (
        "timers: the service answered 503; retry 2 of 3 in 1.0 s\n"
        "timers: the service answered 503; retry 2 of 3 in 12.3 s\n"
    )


def test_a_short_retry_is_quiet_unless_the_connection_failed() -> None:
    assert notices(retry(0.99)) == ""
    assert notices(retry(0.25, connection=True)) == (
        "timers: the service answered 503; retry 2 of 3 in 0.2 s\n"
    )


def test_other_log_lines_are_not_notices() -> None:
    assert notices(None) == ""


def test_a_short_retry_after_an_attempt_of_a_second_or_more_is_announced() -> None:
    # a server that accepted and took its time: the wait is short, the attempt was not
    assert notices(retry(0.5, took=1.0)) == (
        "timers: the service answered 503; retry 2 of 3 in 0.5 s\n"
    )
    assert notices(retry(0.5, took=0.99)) == ""


def test_a_short_retry_after_a_timeout_is_announced_however_long_it_took() -> None:
    timed_out = retry(0.4, took=0.3, why="ReadTimeout from 127.0.0.1")
    assert notices(timed_out) == "timers: ReadTimeout from 127.0.0.1; retry 2 of 3 in 0.4 s\n"
    assert notices(retry(0.4, took=0.3, why="RemoteProtocolError from 127.0.0.1")) == ""


def test_a_command_says_at_once_that_it_retries_after_a_read_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = "http://127.0.0.1:9/api/v1"
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    with respx.mock(base_url=base) as mock:
        mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").mock(
            side_effect=[httpx.ReadTimeout("no answer"), httpx.Response(200, json=run_json())]
        )
        result = CliRunner().invoke(
            cli,
            ["runs", "show", TIMER_ID, RUN_ID],
            env={"TIMERS_BASE_URL": base, "TIMERS_ACCESS_TOKEN": TOKEN},
        )
    assert result.exit_code == 0
    assert re.fullmatch(
        r"timers: ReadTimeout from 127\.0\.0\.1; retry 1 of \d+ in \d\.\d s\n", result.stderr
    )


# --- times ------------------------------------------------------------------------------------


def test_a_long_line_on_stderr_stays_one_line_however_narrow_the_console(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In a log file (COLUMNS=20 in CI), a run id cut over lines cannot be found with grep.
    monkeypatch.setenv("COLUMNS", "20")
    state = State(base_url=None, token=None, api="runs", allow_insecure_http=False)
    written = io.StringIO()
    state.err.file = written
    line = "timers: run 0b7e3a52-1f0c-4d8e-9a34-5c2f1e6d7a80: pending"
    state.err.print(line, markup=False)
    assert written.getvalue() == line + "\n"


def test_an_empty_base_url_variable_is_a_usage_error_not_the_real_service() -> None:
    env = {"TIMERS_BASE_URL": "", "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, ["runs", "show", TIMER_ID, RUN_ID], env=env)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "timers: error: $TIMERS_BASE_URL is set but empty: set it to the service's URL, or "
        "unset it to use 'https://timer.automate.globus.org/api/v1'\n"
    )


def test_a_time_option_is_rfc_3339_with_a_zone() -> None:
    assert parse_time(None, "--after") is None
    assert parse_time("2026-11-21T09:00:00+01:00", "--after") == datetime(
        2026, 11, 21, 8, tzinfo=UTC
    )
    with pytest.raises(click.BadParameter) as caught:
        parse_time("2026-11-21", "--before")
    assert caught.value.param_hint == "--before"
    assert caught.value.message == (
        "'2026-11-21' is not an RFC 3339 date-time with a time zone, "
        "e.g. 2026-11-21T00:00:00Z or 2026-11-21T09:00:00+01:00"
    )


def test_a_time_option_of_the_right_form_but_an_impossible_value_says_why() -> None:
    with pytest.raises(click.BadParameter) as caught:
        parse_time("2026-02-30T00:00:00Z", "--after")
    assert caught.value.message == (
        "not a valid RFC 3339 date-time: '2026-02-30T00:00:00Z' (day is out of range for "
        "month), e.g. 2026-11-21T00:00:00Z or 2026-11-21T09:00:00+01:00"
    )
    assert parse_time("2016-12-31T23:59:60Z", "--after") == datetime(2017, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        (" 7D ", timedelta(days=7)),
        ("2 w", timedelta(weeks=2)),
    ],
)
def test_since_is_a_duration_back_from_now(text: str, delta: timedelta) -> None:
    before = datetime.now(UTC)
    since = parse_since(text)
    after = datetime.now(UTC)
    assert since is not None
    assert before - delta <= since <= after - delta


def test_since_refuses_what_is_not_a_duration_or_reaches_too_far() -> None:
    assert parse_since(None) is None
    with pytest.raises(click.BadParameter) as caught:
        parse_since("7 days")
    assert (caught.value.param_hint, caught.value.message) == (
        "--since",
        "'7 days' is not a duration like 30m, 24h, 7d or 2w",
    )
    result = CliRunner().invoke(cli, ["runs", "list", "T", "--since", "99999999w"], env={})
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for --since: '99999999w' reaches back too far\n"
    )


def test_since_takes_the_most_digits_a_date_can_reach_back() -> None:
    # 60,000,000,000 seconds (11 digits, the most let through to int()) is about 1,901 years.
    since = parse_since("60000000000s")
    assert since is not None and 120 <= since.year <= 130
    assert parse_since("000000000000000000030m") is not None  # leading zeros are not digits


def test_both_listing_commands_take_the_filters_filter_options_declares() -> None:
    from timers.cli._report import summary_command

    @click.command()
    @filter_options
    def declared(**kwargs: object) -> None: ...

    def shown(command: click.Command) -> list[tuple[list[str], str | None, str | None]]:
        return [
            (param.opts, param.name, getattr(param, "help", None))
            for param in command.params
            if param.name in {"status", "since", "after", "before"}
        ]

    expected = shown(declared)
    assert [opts for opts, _, _ in expected] == [
        ["--status"],
        ["--since"],
        ["--after"],
        ["--before"],
    ]
    assert all(help_text for _, _, help_text in expected)
    listing = runs.commands["list"]
    assert shown(listing) == expected and shown(summary_command) == expected


@pytest.mark.parametrize(
    "command", [["runs", "wait", TIMER_ID, RUN_ID], ["runs", "trigger", TIMER_ID, "--wait"]]
)
def test_timeout_takes_at_most_the_week_the_library_takes(command: list[str]) -> None:
    from timers._wait import MAX_WAIT

    runner = CliRunner()
    help_text = runner.invoke(cli, [*command[:2], "--help"], env={}).output
    assert "0<=x<=604800.0" in " ".join(help_text.split()) and MAX_WAIT == 604800
    result = runner.invoke(cli, ["--token", TOKEN, *command, "--timeout", "604800.5"], env={})
    assert result.exit_code == 2
    assert "'--timeout': 604800.5 is not in the range 0<=x<=604800.0" in result.stderr


def test_a_notice_is_plain_text_never_markup_or_highlighted() -> None:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system="truecolor", force_terminal=True)
    record = logging.LogRecord("timers", logging.INFO, __file__, 1, "m", None, None)
    record.timers_retry = {"why": "the service answered [bold]503[/bold] (busy)", "number": 1,
                           "of": 3, "delay": 2.0, "connection": False, "took": 0.1}  # fmt: skip
    RetryNotices(console).emit(record)
    assert out.getvalue() == (
        "timers: the service answered [bold]503[/bold] (busy); retry 1 of 3 in 2.0 s\n"
    )


def test_since_with_thousands_of_digits_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "T", "--since", "1" * 5000 + "d"], env={})
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for --since: '{'1' * 77}...' reaches back too far\n"
    )
    assert parse_since("0" * 5000 + "1d") is not None  # leading zeros are not digits that count


# --- output that cannot be written ------------------------------------------------------------


class Unwritable(io.TextIOBase):
    """A stdout whose every write fails with ``error`` (a full disk, a closed pipe); its file
    descriptor is that of ``path``, so that pointing it at os.devnull shows there."""

    def __init__(self, error: OSError, path: Path) -> None:
        self.error = error
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise self.error

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        os.close(self.fd)
        super().close()


def run_the_console_script(
    monkeypatch: pytest.MonkeyPatch, stdout: io.TextIOBase | None, *args: str
) -> tuple[object, str]:
    """``timers ARGS`` as the console script runs it (click's standalone mode), with this
    stdout; returns the exit code and what was written on stderr."""
    base = "http://127.0.0.1:9/api/v1"
    monkeypatch.setenv("TIMERS_BASE_URL", base)
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", TOKEN)
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    monkeypatch.setattr("sys.stderr", stderr)
    with respx.mock(base_url=base, assert_all_called=False) as mock:
        mock.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([run_json()]))
        with pytest.raises(SystemExit) as caught:
            cli.main(list(args), prog_name="timers")
    return caught.value.code, stderr.getvalue()


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl"])
def test_an_output_on_a_full_disk_is_one_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    with Unwritable(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "o") as full:
        code, err = run_the_console_script(
            monkeypatch, full, "runs", "list", TIMER_ID, "--all", "--format", fmt
        )
    assert (code, err) == (_base.EXIT_ERROR, "timers: error: [Errno 28] No space left on device\n")


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_an_output_whose_reader_has_gone_ends_quietly_with_exit_1_stdout_at_devnull(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    with Unwritable(BrokenPipeError(errno.EPIPE, "Broken pipe"), tmp_path / "o") as closed:
        code, err = run_the_console_script(
            monkeypatch, closed, "runs", "list", TIMER_ID, "--all", "--format", fmt
        )
        os.write(closed.fileno(), b"flushed at exit")
    assert (code, err) == (_base.EXIT_ERROR, "")
    assert (tmp_path / "o").read_text() == ""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["runs", "list", "--help"]])
def test_help_or_version_on_a_full_disk_is_one_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]
) -> None:
    with Unwritable(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "o") as full:
        code, err = run_the_console_script(monkeypatch, full, *args)
    assert (code, err) == (_base.EXIT_ERROR, "timers: error: [Errno 28] No space left on device\n")


@pytest.mark.parametrize(
    "args", [["runs", "list", TIMER_ID], ["runs", "show", TIMER_ID, RUN_ID], ["--help"]]
)
def test_a_closed_stdout_is_one_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # Python's sys.stdout when the command starts with descriptor 1 closed (timers ... >&-)
    code, err = run_the_console_script(monkeypatch, None, *args)
    assert (code, err) == (
        _base.EXIT_ERROR,
        "timers: error: standard output is closed: nothing can be written\n",
    )


@pytest.mark.parametrize(
    "error", [BrokenPipeError(errno.EPIPE, "Broken pipe"), OSError(errno.ENOSPC, "No space")]
)
def test_what_stdout_still_buffers_after_a_failed_write_goes_to_devnull(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    # The Python docs' recipe: else Python's flush of stdout at exit fails again, traceback.
    @click.group(cls=_base.Group)
    def group() -> None:
        pass

    @group.command()
    def write() -> None:
        sys.stdout.write("still buffered")
        raise error

    with (tmp_path / "out").open("w") as stdout:
        monkeypatch.setattr("sys.stdout", stdout)
        monkeypatch.setattr("sys.stderr", io.StringIO())
        with pytest.raises(SystemExit) as caught:
            group.main(["write"])
        stdout.flush()
    assert caught.value.code == _base.EXIT_ERROR
    assert (tmp_path / "out").read_text() == ""


# --- names the user knows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://example.org", "must be an http(s) URL like"),
        ("http://127.0.0.1:99999/api/v1", "port"),
        ("http://[::1", "is not a valid URL"),
        ("https://xn--a.com", "has an invalid host name"),  # was a traceback, exit 1
        ("https://a..b", "has an invalid host name"),
    ],
)
def test_a_bad_base_url_names_the_option_and_the_variable_it_came_from(url: str, said: str) -> None:
    given = CliRunner().invoke(
        cli,
        ["--base-url", url, "runs", "show", TIMER_ID, RUN_ID],
        env={"TIMERS_ACCESS_TOKEN": TOKEN},
    )
    assert given.exit_code == 2
    assert given.stderr.startswith("timers: error: --base-url ") and said in given.stderr
    from_env = CliRunner().invoke(
        cli,
        ["runs", "show", TIMER_ID, RUN_ID],
        env={"TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_BASE_URL": url},
    )
    assert from_env.exit_code == 2
    assert from_env.stderr.startswith("timers: error: --base-url (from $TIMERS_BASE_URL) ")
    assert said in from_env.stderr
    assert "base_url" not in given.stderr + from_env.stderr.replace("TIMERS_BASE_URL", "")


def test_a_bad_token_names_the_option_and_the_variable_it_came_from() -> None:
    said = " must be printable ASCII with no spaces or control characters\n"
    command = ["runs", "show", TIMER_ID, RUN_ID]
    given = CliRunner().invoke(cli, ["--token", "a b", *command], env={})
    assert (given.exit_code, given.stderr) == (2, f"timers: error: --token{said}")
    from_env = CliRunner().invoke(cli, command, env={"TIMERS_ACCESS_TOKEN": "a\x01b"})
    assert (from_env.exit_code, from_env.stderr) == (
        2,
        f"timers: error: --token (from $TIMERS_ACCESS_TOKEN){said}",
    )


def test_triggering_with_the_jobs_api_names_the_command_and_the_option() -> None:
    result = CliRunner().invoke(
        cli,
        ["--api", "jobs", "runs", "trigger", TIMER_ID],
        env={"TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_BASE_URL": "http://127.0.0.1:9"},
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "timers: error: runs trigger is not available with --api jobs: the production Globus "
        "Timers service has no endpoint that runs a timer now\n"
    )


def test_a_missing_route_advises_the_jobs_api_as_the_option() -> None:
    with respx.mock(base_url="https://timer.automate.globus.org/api/v1") as mock:
        mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(404, text="Not Found")
        result = CliRunner().invoke(
            cli,
            ["--base-url", "https://timer.automate.globus.org/api/v1", "runs", "show", TIMER_ID,
             RUN_ID],
            env={"TIMERS_ACCESS_TOKEN": TOKEN},
        )  # fmt: skip
    assert result.exit_code == 3
    assert result.stderr.endswith("under its /jobs API, use --api jobs\n"), result.stderr


def test_rich_leaves_emoji_shortcodes_in_the_output_as_they_are() -> None:
    state = State(base_url=None, token=None, api="runs", allow_insecure_http=False)
    for console in (state.out, state.err):
        console.file = io.StringIO()
        console.print("ok :thumbs_up: :smile:", markup=False)
        assert console.file.getvalue() == "ok :thumbs_up: :smile:\n"


def _raised_in_a_command(error: Exception, state: State) -> click.testing.Result:
    @click.group(cls=_base.Group)
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = state

    @group.command()
    def go() -> None:
        raise error

    return CliRunner().invoke(group, ["go"])


@pytest.mark.parametrize(
    ("error", "api_option", "said"),
    [
        # Only an operation the API lacks says where the API came from.
        (UnsupportedOperationError("op is not available with api='jobs'"),
         "--api (from $TIMERS_API)", "op is not available with api='jobs' (from $TIMERS_API)"),
        (InvalidArgumentError("x with api='jobs' y"), "--api (from $TIMERS_API)",
         "x with api='jobs' y"),
        # With the default option name (--api given, or the default): nothing is added.
        (UnsupportedOperationError("op is not available with api='jobs'"), None,
         "op is not available with api='jobs'"),
    ],
)  # fmt: skip
def test_only_an_unsupported_operation_says_where_the_api_came_from(
    error: TimersError, api_option: str | None, said: str
) -> None:
    options = {} if api_option is None else {"api_option": api_option}
    state = State(base_url=None, token=None, api="jobs", allow_insecure_http=False, **options)
    result = _raised_in_a_command(error, state)
    assert result.exit_code == exit_code_for(error)
    assert result.stderr == f"timers: error: {said}\n"


# --- what the mutation run found unpinned -------------------------------------------------------


def test_a_command_terminated_while_waiting_says_so_and_exits_143() -> None:
    result = CliRunner().invoke(raising_group(_base.Terminated()), ["act"])
    assert (result.exit_code, result.output) == (143, "timers: terminated\n")
    assert (
        _base.interrupted(KeyboardInterrupt()),
        _base.exit_for_interrupt(KeyboardInterrupt()),
    ) == (
        "interrupted",
        130,
    )


def _on_sigterm() -> object:
    return signal.getsignal(signal.SIGTERM)


def test_sigterm_raises_terminated_inside_and_the_previous_handler_is_back_after() -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not while terminated_as_interrupt is in force")

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with _base.terminated_as_interrupt():
            assert _on_sigterm() is not mine
            with pytest.raises(_base.Terminated):
                signal.raise_signal(signal.SIGTERM)
        assert _on_sigterm() is mine
        with _base.terminated_as_interrupt():
            pass
        assert _on_sigterm() is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_an_ignored_sigterm_stays_ignored_and_other_threads_leave_signals_alone() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with _base.terminated_as_interrupt():
            assert _on_sigterm() == signal.SIG_IGN
            signal.raise_signal(signal.SIGTERM)  # ignored: nothing happens
        assert _on_sigterm() == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
    seen: list[object] = []

    def in_a_thread() -> None:
        with _base.terminated_as_interrupt():
            seen.append(_on_sigterm())

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(10)
    assert seen == [_on_sigterm()]


@pytest.mark.parametrize(
    ("signum", "default"),
    [(signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler)],
)
def test_a_handler_set_outside_python_comes_back_as_python_s_default(
    monkeypatch: pytest.MonkeyPatch, signum: int, default: object
) -> None:
    installed: list[tuple[int, object]] = []
    monkeypatch.setattr(signal, "getsignal", lambda number: None)
    monkeypatch.setattr(signal, "signal", lambda number, h: installed.append((number, h)))
    with _base.handling(signum, lambda *_: None):
        assert len(installed) == 1
    assert len(installed) == 2 and installed[-1] == (signum, default)


def test_an_ignored_sigint_stays_ignored_while_a_run_is_waited_for() -> None:
    from timers.cli import _runs

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _runs._one_interrupt():
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def raising_group(error: BaseException) -> click.Group:
    @click.group(cls=_base.Group)
    def group() -> None:
        pass

    @group.command()
    def act() -> None:
        raise error

    return group


def epipe_not_broken_pipe_error() -> OSError:
    error = OSError("Broken pipe")  # OSError(errno.EPIPE, ...) would make a BrokenPipeError
    error.errno = errno.EPIPE
    return error


@pytest.mark.parametrize(
    "error",
    [epipe_not_broken_pipe_error(), BrokenPipeError(), BrokenPipeError(errno.ESHUTDOWN, "x")],
    ids=["epipe-oserror", "no-errno", "eshutdown"],
)
def test_a_closed_pipe_ends_quietly_whatever_its_errno_or_type(
    capsys: pytest.CaptureFixture[str], error: OSError
) -> None:
    assert isinstance(error, BrokenPipeError) is (error.errno != errno.EPIPE)
    with pytest.raises(SystemExit) as caught:
        raising_group(error).main(["act"], standalone_mode=False)
    assert caught.value.code == _base.EXIT_ERROR and capsys.readouterr().err == ""


def test_an_os_error_without_text_is_named_by_its_type(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        raising_group(FileNotFoundError()).main(["act"], standalone_mode=False)
    assert caught.value.code == _base.EXIT_ERROR
    assert capsys.readouterr().err == "timers: error: FileNotFoundError\n"


def test_a_bad_base_url_is_named_as_the_option_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = State(base_url="ftp://h", token=TOKEN, api="runs", allow_insecure_http=False)
    with pytest.raises(SystemExit) as caught:
        state.client()
    assert caught.value.code == _base.EXIT_USAGE
    assert capsys.readouterr().err.startswith("timers: error: --base-url must be an http(s) URL")


def test_since_of_zero_is_now() -> None:
    before = datetime.now(UTC)
    since = parse_since("000m")
    assert since is not None and before <= since <= datetime.now(UTC)


def test_since_and_after_together_are_refused_by_name() -> None:
    result = CliRunner().invoke(
        cli, ["runs", "list", "T", "--since", "1d", "--after", "2026-11-01T00:00:00Z"], env={}
    )
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: give --since or --after, not both\n")


@pytest.mark.parametrize("option", ["--after", "--before"])
def test_a_bad_time_names_its_option(option: str) -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "T", option, "yesterday"], env={})
    assert result.exit_code == 2
    assert f"Error: Invalid value for {option}: 'yesterday' is not an RFC 3339" in result.stderr


def test_a_bad_time_is_quoted_cut_and_escaped() -> None:
    given = "y\x1b[31m" + "y" * 200
    result = CliRunner().invoke(cli, ["runs", "list", "T", "--after", given], env={})
    assert result.exit_code == 2
    shown = "'y\\x1b[31m" + "y" * 68 + "...'"  # quote(): escaped, 80 characters
    assert f"Error: Invalid value for --after: {shown} is not an RFC 3339" in result.stderr
    assert "\x1b" not in result.stderr


def test_the_library_s_argument_errors_name_the_option() -> None:
    args = ["runs", "list", TIMER_ID, "--marker", "x" * 5000]
    env = {"TIMERS_BASE_URL": "http://127.0.0.1:9", "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("timers: error: --marker is 5000 characters long")


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("timeout must be a finite number, got nan", "--timeout must be a finite number, got nan"),
        ("poll_interval must be > 0, got 0", "--interval must be > 0, got 0"),
        ("the timeout must be set", "the timeout must be set"),  # only at the start
    ],
)
def test_a_library_message_about_an_argument_names_its_option(
    capsys: pytest.CaptureFixture[str], message: str, said: str
) -> None:
    # (The options' own checks refuse such values first: these guard the library's wording.)
    with pytest.raises(SystemExit) as caught:
        _base.fail(message, 2)
    assert caught.value.code == 2
    assert capsys.readouterr().err == f"timers: error: {said}\n"


def test_a_long_since_is_cut_in_the_window_error() -> None:
    since = "0" * 43 + "1d"  # 45 characters, one day
    result = CliRunner().invoke(
        cli, ["runs", "list", "T", "--since", since, "--before", "2026-01-01T00:00:00Z"], env={}
    )
    assert result.exit_code == 2
    assert f"Error: --since {'0' * 37}... (" in result.stderr


def test_a_finished_run_exits_0_7_or_10_as_its_status_is_success_failure_or_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def exit_code(status: str) -> object:
        run = TimerRun(RUN_ID, TIMER_ID, RunStatus(status), datetime(2026, 11, 1, tzinfo=UTC))
        with pytest.raises(SystemExit) as exited:
            _base.exit_for_finished(run)
        return exited.value.code

    start = datetime(2026, 11, 1, tzinfo=UTC)
    assert _base.exit_for_finished(TimerRun(RUN_ID, TIMER_ID, RunStatus.SUCCESS, start)) is None
    assert capsys.readouterr().err == ""
    assert exit_code("failure") == _base.EXIT_RUN_FAILED == 7
    assert capsys.readouterr().err == ""
    assert exit_code("SUCCEEDED\x1b") == _base.EXIT_RUN_STATUS_UNKNOWN == 10
    assert capsys.readouterr().err == (
        "timers: the run finished with status 'SUCCEEDED\\x1b', which the client does not "
        "know: not known to have succeeded\n"
    )
    assert exit_code("pending") == 10  # finished (by its end time) yet not terminal
    capsys.readouterr()
    assert exit_code("S" * 81) == 10
    assert capsys.readouterr().err.startswith(  # the server's text, bounded
        f"timers: the run finished with status '{'S' * 77}...', which"
    )


REDIRECT_TAIL = (
    ", which the client does not follow (if the service has moved, pass its new URL as "
    "--base-url)\n"
)


def test_a_300_answer_is_a_redirect_and_a_400_with_a_location_is_not() -> None:
    where = {"Location": "https://timers.example.org/v2/x"}
    code, err = show_answered(300, where)
    assert code == 1
    assert err == (
        f"timers: error: 300: Multiple Choices (GET http://127.0.0.1:9/api/v1/timers/{TIMER_ID}"
        f"/runs/{RUN_ID}); the service redirects to 'https://timers.example.org/v2/x'"
        + REDIRECT_TAIL
    )
    code, err = show_answered(400, where)
    assert code == 2
    assert err == (
        f"timers: error: 400: Bad Request (GET http://127.0.0.1:9/api/v1/timers/{TIMER_ID}"
        f"/runs/{RUN_ID})\n"
    )


def test_a_location_that_is_not_a_url_is_shown_as_the_service_sent_it() -> None:
    # A 300 carries no redirect httpx would prepare, so a bad Location reaches the message.
    code, err = show_answered(300, {"Location": "http://[::1"})
    assert code == 1
    assert err.endswith("; the service redirects to 'http://[::1'" + REDIRECT_TAIL)


def test_a_long_redirect_location_is_cut_after_300_characters() -> None:
    code, err = show_answered(302, {"Location": "/" + "a" * 400})
    target = "http://127.0.0.1:9/" + "a" * 400
    assert code == 1
    assert err.endswith(f"; the service redirects to '{target[:297]}...'" + REDIRECT_TAIL)


def test_a_redirect_error_that_lost_its_response_still_says_it_is_a_redirect() -> None:
    # Our own bytes (S301); an unpickled error has no response.
    error = pickle.loads(pickle.dumps(api_error(302)))  # noqa: S301
    assert isinstance(error, APIError) and error.response is None
    assert _base.message_of(error) == (
        "302: Found (GET https://example.org/x); the service answered with a redirect, which "
        "the client does not follow"
    )


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1.26, "1.3 s"),
        (59.94, "59.9 s"),
        (60.0, "60 s (about 1 minute)"),
        (60.4, "60 s (about 1 minute)"),
        (120.0, "120 s (about 2 minutes)"),
        (630.0, "630 s (about 10 minutes)"),
        (3_600.0, "3600 s (about 1 hour)"),
        (86_400.0, "86400 s (about 1 day)"),
        (365.25 * 86_400, "31557600 s (about 1 year)"),
        (999_999_999_999.4, "999999999999 s (about 31,688 years)"),
        (1e12, "more than 30,000 years"),
    ],
)
def test_seconds_read_as_seconds_then_also_in_the_largest_unit_they_reach(
    seconds: float, said: str
) -> None:
    assert _base.readable_seconds(seconds) == said


def test_a_bad_token_is_named_as_the_option_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = State(base_url=None, token="a b", api="runs", allow_insecure_http=False)
    with pytest.raises(SystemExit) as caught:
        state.client()
    assert caught.value.code == _base.EXIT_USAGE
    assert capsys.readouterr().err == (
        "timers: error: --token must be printable ASCII with no spaces or control characters\n"
    )


# --- an odd standard output: set to escape what it cannot take, if it can be ------------------


class _Written:
    """A stdout replacement: keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


class _Strict(_Written):
    errors = "strict"


class _StrictRefusing(_Strict):
    def reconfigure(self, **settings: str) -> None:
        raise ValueError("I/O operation on a detached stream")


class _StrictAdjustable(_Strict):
    def reconfigure(self, **settings: str) -> None:
        self.errors = settings["errors"]


class _SurrogateEscaping(_StrictAdjustable):  # Python's stdout under the C or POSIX locale
    errors = "surrogateescape"


class _Replacing(_StrictAdjustable):  # already cannot fail: left as it is
    errors = "replace"


@pytest.mark.parametrize(
    "stdout_type",
    [_Written, _Strict, _StrictRefusing, _StrictAdjustable, _SurrogateEscaping, _Replacing],
)
def test_a_stdout_that_cannot_be_set_to_escape_is_used_as_it_is(
    monkeypatch: pytest.MonkeyPatch, stdout_type: type[_Written]
) -> None:
    # No errors attribute at all (a wrapper), no reconfigure (an old-style stream), or one that
    # refuses: the command runs and writes; only a stream that can is set to escape.
    stdout = stdout_type()
    monkeypatch.setattr(sys, "stdout", stdout)

    @click.group(cls=_base.Group)
    def group() -> None:
        pass

    @group.command()
    def act() -> None:
        click.echo("done")

    group.main(["act"], standalone_mode=False)
    assert stdout.text == "done\n"
    assert (
        getattr(stdout, "errors", None)
        == {
            _Written: None,
            _Strict: "strict",
            _StrictRefusing: "strict",
            _StrictAdjustable: "backslashreplace",
            _SurrogateEscaping: "backslashreplace",
            _Replacing: "replace",
        }[stdout_type]
    )


def test_every_note_of_an_interruption_is_printed_in_order() -> None:
    stop = KeyboardInterrupt()
    stop.add_note("first note")
    stop.add_note("second note")
    result = CliRunner().invoke(raising_group(stop), ["act"])
    assert result.stderr == "timers: interrupted; first note; second note\n"


@pytest.mark.parametrize("where", ["ignored", "another thread"])
def test_what_the_block_raises_passes_through_when_no_handler_is_installed(where: str) -> None:
    # The block's own ValueError (an InvalidArgumentError is one) must reach its caller as is.
    def block() -> None:
        with _base.handling(signal.SIGINT, lambda *_: None):
            raise ValueError("the block's own")

    if where == "ignored":
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with pytest.raises(ValueError, match="the block's own"):
                block()
        finally:
            signal.signal(signal.SIGINT, previous)
        return
    raised: list[BaseException] = []

    def in_a_thread() -> None:
        try:
            block()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(10)
    assert [type(exc) for exc in raised] == [ValueError]


def test_trigger_wait_with_ctrl_c_ignored_still_reports_a_bad_id_as_a_usage_error() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a background job
    try:
        result = CliRunner().invoke(
            cli, ["runs", "trigger", "not-a-uuid", "--wait"], env={"TIMERS_ACCESS_TOKEN": TOKEN}
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.exit_code == 2 and "timer_id" in result.stderr
