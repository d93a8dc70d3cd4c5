"""How the CLI shows runs (timers.cli._output): tables, details, fields, durations, JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import click
import pytest
from rich.cells import cell_len
from rich.console import Console

from timers import RunError, RunResult, RunStatus, TimerRun
from timers._redact import remember
from timers.cli._output import (
    FIELDS,
    TABLE_FIELDS,
    dumps,
    format_duration,
    format_duration_seconds,
    format_time,
    header_line,
    number,
    outcome,
    parse_fields,
    print_details,
    print_fields,
    print_rows,
    row_line,
    safe,
    selected,
    status_markup,
)

TIMER = "12345678-1234-1234-1234-123456789012"
RUN = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
FLOW = "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"
START = datetime(2026, 11, 28, 12, 0, 0, 900_000, tzinfo=UTC)


def failed() -> TimerRun:
    error = RunError("CALLBACK_FAILED", "The callback said no", {"url": "https://x", "n": 3})
    return TimerRun(
        RUN,
        TIMER,
        RunStatus.FAILURE,
        START,
        START + timedelta(seconds=2.5),
        RunResult("failure", 503, None, error),
        request_id="req-1",
    )


def pending() -> TimerRun:
    return TimerRun(RUN, TIMER, RunStatus.PENDING, START)


def shown(function: Callable[..., Any], *args: Any) -> str:
    out = io.StringIO()
    function(Console(file=out, width=300, color_system=None), *args)
    return out.getvalue()


# --- small formats ----------------------------------------------------------------------------


def test_times_are_utc_to_the_second_labelled_z() -> None:
    assert format_time(START) == "2026-11-28 12:00:00Z"
    assert format_time(None) == "-"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0.0s"),
        (2.54, "2.5s"),
        (59.9, "59.9s"),
        (59.94, "59.9s"),
        (59.96, "1m00s"),  # not "60.0s"
        (60, "1m00s"),
        (61.4, "1m01s"),
        (3599.4, "59m59s"),
        (3600, "1h00m"),
        (3660, "1h01m"),
        (90_000, "25h00m"),
    ],
)
def test_durations_read_as_seconds_minutes_or_hours(seconds: float, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text
    assert format_duration_seconds(seconds) == text


def test_no_duration_is_a_dash() -> None:
    assert format_duration(None) == "-"


def test_each_status_has_its_colour_and_an_unknown_one_magenta() -> None:
    assert status_markup(RunStatus.PENDING) == "[yellow]pending[/yellow]"
    assert status_markup(RunStatus.IN_PROGRESS) == "[cyan]in_progress[/cyan]"
    assert status_markup(RunStatus.SUCCESS) == "[green]success[/green]"
    assert status_markup(RunStatus.FAILURE) == "[bold red]failure[/bold red]"
    assert status_markup(RunStatus("[x]" + "y" * 50)) == (
        "[magenta]\\[x]" + "y" * 34 + "...[/magenta]"
    )


def test_safe_text_is_cleaned_bounded_and_escaped_for_rich() -> None:
    assert safe("[bold]a\nb\x1b") == "\\[bold]a b\\x1b"
    assert safe("x" * 2001) == "x" * 1997 + "..."
    assert safe("abcdef", 5) == "ab..."


def test_the_outcome_is_the_http_status_or_the_flow_run_and_the_error_code() -> None:
    assert outcome(failed()) == "HTTP 503 CALLBACK_FAILED"
    flow = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("success", None, FLOW))
    assert outcome(flow) == f"flow run {FLOW}"
    both = RunResult("done", 200, FLOW)
    # A flow run's status_code is the answer to starting it: the flow run says more.
    assert outcome(TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=both)) == (
        f"flow run {FLOW}"
    )
    bare = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("queued\nnow"))
    assert outcome(bare) == "queued now"
    assert outcome(pending()) == "-"
    only_error = RunResult("failure", error=RunError("E" * 100, "m"))
    assert outcome(TimerRun(RUN, TIMER, RunStatus.FAILURE, START, result=only_error)) == (
        "E" * 77 + "..."
    )


# --- fields -----------------------------------------------------------------------------------


def test_fields_are_parsed_trimmed_and_lower_cased() -> None:
    assert parse_fields(None) is None
    assert parse_fields(" ID, Status ,,error_code") == ("id", "status", "error_code")


def test_unknown_fields_are_refused_listing_the_valid_ones() -> None:
    valid = ", ".join(FIELDS)
    with pytest.raises(click.BadParameter) as caught:
        parse_fields("id,nope")
    assert caught.value.param_hint == "--fields"
    assert caught.value.message == f"unknown field 'nope'; valid fields: {valid}"
    with pytest.raises(click.BadParameter) as caught:
        parse_fields("x,y")
    assert caught.value.message == f"unknown fields 'x', 'y'; valid fields: {valid}"
    with pytest.raises(click.BadParameter) as caught:
        parse_fields(" , ")
    assert caught.value.message == f"give at least one field: {valid}"


def test_every_field_as_json() -> None:
    assert selected(failed(), tuple(FIELDS)) == {
        "id": RUN,
        "timer_id": TIMER,
        "status": "failure",
        "start_time": "2026-11-28T12:00:00.900000Z",
        "end_time": "2026-11-28T12:00:03.400000Z",
        "duration": 2.5,
        "callback": "web",
        "outcome": "HTTP 503 CALLBACK_FAILED",
        "result": failed().result.to_dict(),  # type: ignore[union-attr]
        "error_code": "CALLBACK_FAILED",
        "error_message": "The callback said no",
        "request_id": "req-1",
    }


def test_every_field_of_a_run_without_result_as_json() -> None:
    assert selected(pending(), tuple(FIELDS)) == {
        "id": RUN,
        "timer_id": TIMER,
        "status": "pending",
        "start_time": "2026-11-28T12:00:00.900000Z",
        "end_time": None,
        "duration": None,
        "callback": None,
        "outcome": "-",
        "result": None,
        "error_code": None,
        "error_message": None,
        "request_id": None,
    }


def test_without_fields_the_json_is_the_wire_form() -> None:
    assert selected(failed(), None) == failed().to_dict()


def test_every_field_as_text() -> None:
    texts = {name: field.text(failed()) for name, field in FIELDS.items()}
    assert texts == {
        "id": RUN,
        "timer_id": TIMER,
        "status": "failure",
        "start_time": "2026-11-28 12:00:00Z",
        "end_time": "2026-11-28 12:00:03Z",
        "duration": "2.5s",
        "callback": "web",
        "outcome": "HTTP 503 CALLBACK_FAILED",
        "result": "failure",
        "error_code": "CALLBACK_FAILED",
        "error_message": "The callback said no",
        "request_id": "req-1",
    }
    assert {name: field.text(pending()) for name, field in FIELDS.items()} == {
        **dict.fromkeys(FIELDS, "-"),
        "id": RUN,
        "timer_id": TIMER,
        "status": "pending",
        "start_time": "2026-11-28 12:00:00Z",
    }


# --- tables and details -----------------------------------------------------------------------


def test_a_table_has_padded_columns_and_a_coloured_status() -> None:
    assert TABLE_FIELDS == ("id", "status", "start_time", "duration", "callback", "outcome")
    assert header_line() == (
        "[bold]ID                                    STATUS       STARTED (UTC)         "
        "DURATION   CALLBACK  OUTCOME[/bold]"
    )
    assert row_line(failed()) == (
        f"{RUN}  [bold red]failure[/bold red]      2026-11-28 12:00:00Z  2.5s       web       "
        "HTTP 503 CALLBACK_FAILED"
    )


def test_a_status_in_the_last_column_is_not_padded() -> None:
    assert row_line(failed(), ("id", "status")) == f"{RUN}  [bold red]failure[/bold red]"


def test_cells_are_escaped_for_rich() -> None:
    odd = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("[red]x"))
    assert row_line(odd, ("result", "id")) == f"\\[red]x       {RUN}"


def test_rows_are_printed_under_a_header_and_counted() -> None:
    out = io.StringIO()
    count = print_rows(Console(file=out, width=300, color_system=None), [failed(), pending()])
    lines = out.getvalue().splitlines()
    assert count == 2 and len(lines) == 3
    assert lines[0].startswith("ID ") and lines[2].startswith(f"{RUN}  pending ")
    assert shown(print_rows, [], ("status",)) == "STATUS\n"


def test_chosen_fields_are_printed_one_per_line() -> None:
    assert shown(print_fields, failed(), ("id", "status", "error_message")) == (
        f"ID       {RUN}\nSTATUS   failure\nMESSAGE  The callback said no\n"
    )


def test_details_show_every_field_the_error_and_its_detail() -> None:
    assert shown(print_details, failed()) == (
        f"Run            {RUN}\n"
        f"Timer          {TIMER}\n"
        "Status         failure\n"
        "Started        2026-11-28 12:00:00Z\n"
        "Ended          2026-11-28 12:00:03Z\n"
        "Duration       2.5s\n"
        "Result         failure\n"
        "Callback       web\n"
        "HTTP status    503 (not ok)\n"
        "Error code     CALLBACK_FAILED\n"
        "Error message  The callback said no\n"
        "  url          https://x\n"
        "  n            3\n"
    )


def test_details_of_an_unfinished_run_and_of_a_flow_run() -> None:
    assert shown(print_details, pending()).endswith("Duration  -\nResult    - (not finished)\n")
    flow = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("success", 200, FLOW))
    assert shown(print_details, flow).endswith(
        "Callback     flow\nHTTP status  200 (ok)\nFlow run     " + FLOW + "\n"
    )
    none = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("success"))
    assert shown(print_details, none).endswith("Result    success\nCallback  -\n")


# --- JSON -------------------------------------------------------------------------------------


def test_json_is_strict_with_non_finite_numbers_as_strings() -> None:
    data = {"a": float("nan"), "b": [float("inf"), (float("-inf"), 1.5)], "c": {"d": 2}}
    assert dumps(data, pretty=False) == (
        '{"a": "NaN", "b": ["Infinity", ["-Infinity", 1.5]], "c": {"d": 2}}'
    )


def test_json_escapes_what_a_terminal_would_act_on() -> None:
    assert dumps(["x\u200by\x85z\u202ew\u2066é\x7f"], pretty=False) == (
        '["x\\u200by\\u0085z\\u202ew\\u2066é\\u007f"]'
    )


def test_pretty_json_is_indented() -> None:
    assert dumps({"a": [1]}, pretty=True) == '{\n  "a": [\n    1\n  ]\n}'


# --- limits, alignment and terminal handling --------------------------------------------------


def coloured(function: Callable[..., Any], *args: Any, width: int = 300) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="truecolor", force_terminal=True)
    function(console, *args)
    return out.getvalue()


def long_run() -> TimerRun:
    """A run whose every server-provided text is longer than any limit of the CLI."""
    error = RunError("C" * 100, "m" * 2100, {"k" * 100: "v" * 2100})
    result = RunResult("s" * 100, None, "f" * 100, error)
    return TimerRun("r" * 100, "t" * 100, RunStatus.FAILURE, START, result=result)


def test_long_server_values_are_cut_to_their_column_limits() -> None:
    flow = RunResult("success", None, "f" * 100)
    assert outcome(TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=flow)) == (
        "flow run " + "f" * 77 + "..."
    )
    bare = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("s" * 100))
    assert outcome(bare) == "s" * 77 + "..."
    assert FIELDS["result"].text(bare) == "s" * 37 + "..."
    run = long_run()
    assert FIELDS["id"].text(run) == "r" * 77 + "..."
    assert FIELDS["error_message"].text(run) == "m" * 197 + "..."


def test_details_cut_long_server_values() -> None:
    key = "  " + "k" * 77 + "..."  # the widest label, so every label is padded to its width
    lines = shown(print_details, long_run()).splitlines()
    values = {line[: len(key)].strip(): line[len(key) + 2 :] for line in lines}
    assert values["Run"] == "r" * 77 + "..."
    assert values["Timer"] == "t" * 77 + "..."
    assert values["Result"] == "s" * 77 + "..."
    assert values["Flow run"] == "f" * 77 + "..."
    assert values["Error code"] == "C" * 77 + "..."
    assert values["Error message"] == "m" * 1997 + "..."
    assert lines[-1] == key + "  " + "v" * 1997 + "..."


def test_detail_values_that_are_not_text_are_shown_as_compact_json() -> None:
    error = RunError("E", "m", {"codes": [1, 2], "more": {"a": None}})
    run = TimerRun(RUN, TIMER, RunStatus.FAILURE, START, result=RunResult("failure", error=error))
    assert shown(print_details, run).endswith('  codes        [1, 2]\n  more         {"a": null}\n')


def test_a_status_before_the_last_column_is_padded_to_exactly_its_width() -> None:
    busy = TimerRun(RUN, TIMER, RunStatus.IN_PROGRESS, START)
    assert row_line(busy, ("status", "id", "duration")) == (f"[cyan]in_progress[/cyan]  {RUN}  -")
    assert row_line(failed(), ("id", "status", "duration")) == (
        f"{RUN}  [bold red]failure[/bold red]      2.5s"
    )
    blank = TimerRun(RUN, TIMER, RunStatus(""), START)
    assert row_line(blank, ("id", "status")) == f"{RUN}  [magenta][/magenta]"


def test_only_the_clis_own_styles_colour_the_output() -> None:
    bold, red, end = "\x1b[1m", "\x1b[1;31m", "\x1b[0m"
    assert coloured(print_rows, [failed()], ("id", "status", "duration")) == (
        f"{bold}ID                                    STATUS       DURATION{end}\n"
        f"{RUN}  {red}failure{end}      2.5s\n"
    )
    assert coloured(print_fields, failed(), ("id", "status", "duration")) == (
        f"{bold}ID      {end}  {RUN}\n"
        f"{bold}STATUS  {end}  {red}failure{end}\n"
        f"{bold}DURATION{end}  2.5s\n"
    )
    assert coloured(print_rows, [], ("start_time",)) == f"{bold}STARTED (UTC){end}\n"
    details = coloured(print_details, failed()).splitlines()
    assert details[0] == f"{bold}Run          {end}  {RUN}"
    assert details[5] == f"{bold}Duration     {end}  2.5s"
    assert details[8] == f"{bold}HTTP status  {end}  503 (not ok)"
    assert details[9] == f"{bold}Error code   {end}  \x1b[31mCALLBACK_FAILED{end}"
    assert details[12] == f"{bold}  n          {end}  3"


def test_a_flow_run_outcome_fits_its_column_whole() -> None:
    flow = TimerRun(RUN, TIMER, RunStatus.SUCCESS, START, result=RunResult("success", run_id=FLOW))
    assert row_line(flow, ("outcome", "status")) == f"flow run {FLOW}  [green]success[/green]"


def test_a_value_wider_than_its_column_is_cut_unless_the_column_is_last() -> None:
    error = RunError("E" * 30, "m" * 100)
    run = TimerRun(RUN, TIMER, RunStatus("S" * 30), START, result=RunResult("failure", error=error))
    assert row_line(run, ("error_code", "status", "error_message")) == (
        f"{'E' * 17}...  [magenta]{'S' * 8}...[/magenta]  {'m' * 100}"
    )
    assert row_line(run, ("error_message", "id")) == f"{'m' * 37}...  {RUN}"


def test_table_columns_line_up_whatever_the_width_of_the_values() -> None:
    fields = ("outcome", "error_code", "error_message", "status", "callback", "request_id", "id")
    wide = RunError("CODE_" * 10, "漢字" * 30)  # two terminal cells a character
    odd = TimerRun(
        RUN, TIMER, RunStatus("CANCELLED_BY_THE_SERVICE"), START,
        result=RunResult("failure", run_id=FLOW, error=wide), request_id="r" * 80,
    )  # fmt: skip
    lines = shown(print_rows, [failed(), pending(), odd], fields).splitlines()
    starts = [0]
    for name in fields[:-1]:
        starts.append(starts[-1] + FIELDS[name].width + 2)
    for line in lines:
        chars = "".join(c if cell_len(c) == 1 else c + "\0" for c in line)  # a cell a character
        assert [chars[at - 2 : at] for at in starts[1:]] == ["  "] * (len(fields) - 1), line
        assert chars[starts[-1] :] in ("ID", RUN)


def test_rows_and_details_are_not_wrapped_on_a_narrow_terminal() -> None:
    rows = coloured(print_rows, [failed(), pending()], ("id", "status"), width=30)
    assert rows.splitlines()[-2:] == [
        f"{RUN}  \x1b[1;31mfailure\x1b[0m",
        f"{RUN}  \x1b[33mpending\x1b[0m",
    ]
    details = coloured(print_details, failed(), width=30).splitlines()
    assert len(details) == 13
    assert details[0].endswith(f"  {RUN}")


def test_json_treats_a_tuple_like_a_list_keys_and_secrets_included() -> None:
    remember("cli-output-tuple-secret")
    data = {float("inf"): 1, "t": "Bearer cli-output-tuple-secret"}
    at_the_top = dumps(data, pretty=False)
    assert at_the_top == '{"inf": 1, "t": "Bearer [redacted]"}'
    assert dumps((data,), pretty=False) == f"[{at_the_top}]"


def test_json_escapes_line_separators_and_invisible_or_reordering_characters() -> None:
    hidden = (
        "\u2028\u2029\u061c\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
    )
    tags = "\U000e0000\U000e0041\U000e007f"
    text = dumps({f"k{hidden}": f"v{hidden}{tags}é"}, pretty=False)
    assert text.count("é") == 1  # any other character stays as it is
    assert all(c not in text for c in hidden + tags)
    escaped = "".join(f"\\u{ord(c):04x}" for c in hidden)
    assert text == (f'{{"k{escaped}": "v{escaped}\\udb40\\udc00\\udb40\\udc41\\udb40\\udc7fé"}}')
    assert json.loads(text) == {f"k{hidden}": f"v{hidden}{tags}é"}
    assert len(text.splitlines()) == 1


def test_numbers_for_text_are_cut_to_their_limit_even_past_pythons_digit_limit() -> None:
    assert number(503) == "503"
    assert number(-(10**25)) == "-1000000000000000..."
    assert number(10**30, 12) == "100000000..."
    assert number(10**5000, 12) == "999999999..."  # str() of it would raise ValueError
    assert number(-(10**5000), 12) == "-99999999..."


def test_a_huge_http_status_is_cut_in_the_outcome_and_the_details() -> None:
    result = RunResult("failure", 10**4000)
    run = TimerRun(RUN, TIMER, RunStatus.FAILURE, START, START, result)
    assert outcome(run) == "HTTP 100000000..."
    assert "HTTP status  100000000... (not ok)" in shown(print_details, run).splitlines()


def test_a_status_ending_in_any_letter_is_shown_whole_before_its_padding() -> None:
    inbox = TimerRun(RUN, TIMER, RunStatus("INBOX"), START)  # --api jobs: any status
    assert row_line(inbox, ("status", "id")) == f"[magenta]INBOX[/magenta]        {RUN}"
