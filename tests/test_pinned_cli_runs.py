"""``timers runs list|show|trigger|wait`` (timers.cli._runs): formats, footers, fields and exit
codes, against canned answers."""

from __future__ import annotations

import json
import re
import shlex
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import respx
from click.testing import CliRunner
from support.bodies import failed_run_json, page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers import RunPage, RunStatus, TimerRun
from timers._args import MAX_MARKER_LENGTH
from timers.cli import _runs
from timers.cli._app import cli

BASE = "http://127.0.0.1:9/api/v1"
LIST = f"/timers/{TIMER_ID}/runs"
ONE = f"/timers/{TIMER_ID}/runs/{RUN_ID}"
OTHER = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    return slept


def invoke(*args: str) -> tuple[int, str, str]:
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, ["runs", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


# --- list -------------------------------------------------------------------------------------


def test_a_table_ends_with_how_many_runs_and_the_next_marker(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=7, next_page="mk-2"))
    code, out, err = invoke("list", TIMER_ID)
    assert code == 0
    assert err == "1 of 7 runs. More: --marker mk-2 (or --all).\n"
    assert len(out.splitlines()) == 2


@pytest.mark.parametrize(
    ("total", "footer"), [(1, "2 runs; the service's total is 1 run."), (2, "2 of 2 runs.")]
)
def test_a_page_holding_more_runs_than_its_total_says_both_counts(
    mock: respx.MockRouter, total: int, footer: str
) -> None:
    body = page_json([run_json(), failed_run_json(id=OTHER)], total=total, next_page="mk-2")
    mock.get(LIST).respond(200, json=body)
    assert invoke("list", TIMER_ID)[2] == f"{footer} More: --marker mk-2 (or --all).\n"


def test_the_last_page_has_no_marker_in_its_footer(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=1))
    assert invoke("list", TIMER_ID)[2] == "1 of 1 run.\n"


def test_a_page_with_a_marker_but_no_next_page_flag_has_no_marker_in_its_footer(
    mock: respx.MockRouter,
) -> None:
    body = {**page_json([run_json()], total=1), "next_page": "mk", "has_next_page": False}
    mock.get(LIST).respond(200, json=body)
    assert invoke("list", TIMER_ID)[2] == "1 of 1 run.\n"


@pytest.mark.parametrize("marker", [None, ""])
def test_a_page_saying_more_follow_without_a_marker_says_they_cannot_be_fetched(
    mock: respx.MockRouter, marker: str | None
) -> None:
    body = {**page_json([run_json()], total=45), "next_page": marker, "has_next_page": True}
    mock.get(LIST).respond(200, json=body)
    assert invoke("list", TIMER_ID)[2] == (
        "1 of 45 runs. The service says more runs follow but sent no marker: they cannot be "
        "fetched.\n"
    )
    code, _, err = invoke("list", TIMER_ID, "--all")  # and --all says so as an error
    assert code == 1 and "said more runs follow but sent no next_page" in err


def test_all_pages_as_a_table_count_the_runs_shown(mock: respx.MockRouter) -> None:
    mock.get(LIST).mock(
        side_effect=[
            httpx.Response(200, json=page_json([run_json()], total=2, next_page="m")),
            httpx.Response(200, json=page_json([failed_run_json(id=OTHER)], total=2)),
        ]
    )
    code, out, err = invoke("list", TIMER_ID, "--all", "--limit", "1")
    assert code == 0 and err == "2 runs.\n"
    assert [line.split()[0] for line in out.splitlines()] == ["ID", RUN_ID, OTHER]


def test_counts_of_one_are_singular(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=1))
    assert invoke("list", TIMER_ID, "--all")[2] == "1 run.\n"
    page = RunPage(runs=(), total=1, next_page=None, has_next_page=False)
    assert _runs._footer(page, filtered_here=True) == (
        "0 matching runs on this page of the timer's 1 run (the jobs API filters in the "
        "client: --all searches every page)."
    )
    one = RunPage.from_dict(page_json([run_json()], total=3))
    assert _runs._footer(one, filtered_here=True).startswith(
        "1 matching run on this page of the timer's 3 runs "
    )
    two = RunPage.from_dict(page_json([run_json(), failed_run_json(id=OTHER)], total=1))
    assert _runs._footer(two, filtered_here=True).startswith(
        "2 matching runs on this page (the service says the timer has 1 run) (the jobs API "
    )


def test_all_pages_as_json_are_one_document(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json(), failed_run_json(id=OTHER)]))
    code, out, _ = invoke("list", TIMER_ID, "--all", "--format", "json", "--fields", "id,status")
    assert code == 0
    assert json.loads(out) == {
        "runs": [{"id": RUN_ID, "status": "success"}, {"id": OTHER, "status": "failure"}]
    }


def test_one_page_as_json_keeps_the_page_fields(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=5, next_page="mk"))
    code, out, _ = invoke("list", TIMER_ID, "--format", "json", "--fields", "id")
    assert code == 0
    assert json.loads(out) == {
        "runs": [{"id": RUN_ID}],
        "total": 5,
        "has_next_page": True,
        "next_page": "mk",
    }


def test_one_page_as_jsonl_is_one_run_a_line(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json(), failed_run_json(id=OTHER)]))
    code, out, err = invoke("list", TIMER_ID, "--format", "jsonl", "--fields", "status")
    assert code == 0
    assert out.splitlines() == ['{"status": "success"}', '{"status": "failure"}']
    assert err == "2 of 2 runs.\n"  # on stderr: stdout is only JSON lines


def test_one_page_as_jsonl_says_how_to_go_on_and_all_pages_say_nothing(
    mock: respx.MockRouter,
) -> None:
    mock.get(LIST).mock(
        side_effect=[
            httpx.Response(200, json=page_json([run_json()], total=2, next_page="mk-2")),
            httpx.Response(200, json=page_json([run_json()], total=2, next_page="mk-2")),
            httpx.Response(200, json=page_json([failed_run_json(id=OTHER)], total=2)),
        ]
    )
    code, out, err = invoke("list", TIMER_ID, "--format", "jsonl", "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 1
    assert err == "1 of 2 runs. More: --marker mk-2 (or --all).\n"
    code, out, err = invoke("list", TIMER_ID, "--format", "jsonl", "--limit", "1", "--all")
    assert code == 0 and len(out.splitlines()) == 2 and err == ""


def test_since_and_after_together_are_a_usage_error(mock: respx.MockRouter) -> None:
    route = mock.get(LIST).respond(200, json=page_json([]))
    code, _, err = invoke("list", TIMER_ID, "--since", "1d", "--after", "2026-01-01T00:00:00Z")
    assert code == 2 and "give --since or --after, not both" in err
    assert not route.called


def test_the_filters_and_marker_reach_the_service(mock: respx.MockRouter) -> None:
    route = mock.get(LIST).respond(200, json=page_json([]))
    code, _, _ = invoke(
        "list", TIMER_ID, "--status", "Pending", "--after", "2026-01-01T01:00:00+01:00",
        "--before", "2026-02-01T00:00:00Z", "--limit", "3", "--marker", "mk",
    )  # fmt: skip
    assert code == 0
    assert dict(route.calls[0].request.url.params) == {
        "limit": "3",
        "marker": "mk",
        "status": "pending",
        "start_after": "2026-01-01T00:00:00Z",
        "start_before": "2026-02-01T00:00:00Z",
    }


# --- show -------------------------------------------------------------------------------------


def test_show_with_fields_prints_only_those(mock: respx.MockRouter) -> None:
    mock.get(ONE).respond(200, json=failed_run_json())
    code, out, _ = invoke("show", TIMER_ID, RUN_ID, "--fields", "status,error_code")
    assert code == 0
    assert out.splitlines() == ["STATUS  failure", "ERROR   CALLBACK_FAILED"]


def test_show_as_json_with_fields(mock: respx.MockRouter) -> None:
    mock.get(ONE).respond(200, json=failed_run_json())
    code, out, _ = invoke("show", TIMER_ID, RUN_ID, "--format", "json", "--fields", "id")
    assert code == 0 and json.loads(out) == {"id": RUN_ID}


def test_show_of_a_failed_run_exits_0(mock: respx.MockRouter) -> None:
    mock.get(ONE).respond(200, json=failed_run_json())
    assert invoke("show", TIMER_ID, RUN_ID)[0] == 0


# --- trigger and wait -------------------------------------------------------------------------


def test_trigger_without_wait_shows_the_run_and_never_polls(mock: respx.MockRouter) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    poll = mock.get(ONE).respond(200, json=run_json())
    code, out, _ = invoke("trigger", TIMER_ID, "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "pending"
    assert not poll.called


def test_trigger_wait_that_fails_before_a_run_exists_is_the_usual_error(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(404, json={"code": "NOT_FOUND", "message": "no"})
    code, out, err = invoke("trigger", TIMER_ID, "--wait")
    assert code == 3 and out == ""
    assert err.startswith("timers: error: 404 NOT_FOUND: no")


def test_trigger_wait_of_a_run_that_succeeds_shows_it_as_json(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    mock.get(ONE).respond(200, json=run_json())
    code, out, _ = invoke("trigger", TIMER_ID, "--wait", "--interval", "3", "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "success"
    assert no_sleep == [3.0]


def ctrl_c(_: object) -> None:
    raise KeyboardInterrupt


def test_trigger_wait_interrupted_after_the_run_exists_says_how_to_wait_for_it(
    mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    monkeypatch.setattr("time.sleep", ctrl_c)  # Ctrl-C before the first poll
    code, out, err = invoke("trigger", TIMER_ID, "--wait")
    assert (code, out) == (130, "")
    assert err.endswith(
        f"timers: interrupted; run {RUN_ID} of timer {TIMER_ID} was created: wait for it with "
        f"timers runs wait {TIMER_ID} {RUN_ID} instead of triggering again\n"
    )


@pytest.fixture
def ctrl_c_heard() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a terminal, even when the tests were started
    with it ignored (a shell's background job: ``pytest &``), which the CLI respects."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_second_ctrl_c_cannot_cut_the_created_runs_id_short(
    mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, ctrl_c_heard: None
) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    seen: list[object] = []

    def press(_: object) -> None:  # Ctrl-C while waiting for the first poll
        handler = signal.getsignal(signal.SIGINT)
        seen.append(handler)
        try:
            handler(signal.SIGINT, None)  # type: ignore[operator]
        finally:
            seen.append(signal.getsignal(signal.SIGINT))  # what a second press meets

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr("time.sleep", press)
    code, _, err = invoke("trigger", TIMER_ID, "--wait")
    assert code == 130 and f"run {RUN_ID} of timer {TIMER_ID} was created" in err
    assert seen[0] is not before and seen[1] is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is before  # put back once the id is out


def test_off_the_main_thread_ctrl_c_is_left_alone() -> None:
    # signal.signal works only in the main thread: a CLI run in another one waits as usual.
    before = signal.getsignal(signal.SIGINT)
    ran: list[object] = []

    def in_a_thread() -> None:
        with _runs._one_interrupt():
            ran.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(timeout=5)
    assert ran == [before] and signal.getsignal(signal.SIGINT) is before


def test_the_wait_command_for_a_created_run_cuts_each_id_after_80_characters() -> None:
    # The service's ids are checked to be UUIDs, so only a run built by hand has longer ones:
    # the command then stays bounded.
    run = TimerRun("r" * 81, "t" * 81, RunStatus.PENDING, datetime(2026, 11, 28, tzinfo=UTC))
    assert _runs._wait_command(run) == f"timers runs wait {'t' * 77}... {'r' * 77}..."
    exact = TimerRun("r" * 80, "t" * 80, RunStatus.PENDING, datetime(2026, 11, 28, tzinfo=UTC))
    assert _runs._wait_command(exact) == f"timers runs wait {'t' * 80} {'r' * 80}"


@pytest.mark.parametrize("wait", [["--wait"], []])
def test_trigger_interrupted_during_its_request_says_the_run_may_exist(
    mock: respx.MockRouter, wait: list[str]
) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").mock(side_effect=ctrl_c)  # Ctrl-C
    code, out, err = invoke("trigger", TIMER_ID, *wait)
    assert (code, out) == (130, "")
    assert err == (
        "timers: interrupted; the run may or may not have been created: list the timer's runs "
        "before triggering it again\n"
    )


def test_a_read_interrupted_only_says_interrupted(mock: respx.MockRouter) -> None:
    mock.get(ONE).mock(side_effect=ctrl_c)
    assert invoke("show", TIMER_ID, RUN_ID) == (130, "", "timers: interrupted\n")


def test_wait_for_a_failed_run_exits_7_and_shows_it(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    mock.get(ONE).respond(200, json=failed_run_json())
    code, out, _ = invoke("wait", TIMER_ID, RUN_ID, "--format", "json")
    assert code == 7 and json.loads(out)["status"] == "failure"


# --- what is printed as it came -----------------------------------------------------------------

ODD = "[bold]not bold[/bold] [link=x]"


def odd_run_json(**overrides: object) -> dict[str, object]:
    """A run whose texts look like rich markup."""
    error = {"code": "E", "message": ODD, "detail": {"why": ODD}}
    return run_json(status="failure", result={"status": ODD, "error": error}, **overrides)


def indented(out: str) -> str:
    """``out`` as the CLI's pretty JSON would print it: indented by two, one document."""
    return json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"


def test_json_documents_are_indented_and_show_markup_like_text_as_sent(
    mock: respx.MockRouter,
) -> None:
    mock.get(LIST).respond(200, json=page_json([odd_run_json()]))
    mock.get(ONE).respond(200, json=odd_run_json())
    every_page = ("list", TIMER_ID, "--all", "--format", "json")
    for args in (every_page, ("show", TIMER_ID, RUN_ID, "--format", "json")):
        code, out, _ = invoke(*args)
        assert code == 0 and out == indented(out)
        assert out.count(json.dumps(ODD)) == 3
    code, out, _ = invoke(*every_page, "--fields", "error_message")
    assert code == 0 and out == indented(out)
    assert json.loads(out) == {"runs": [{"error_message": ODD}]}


def test_jsonl_shows_markup_like_text_as_sent(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([odd_run_json(), odd_run_json(id=OTHER)]))
    code, out, _ = invoke("list", TIMER_ID, "--format", "jsonl", "--fields", "id,error_message")
    assert code == 0
    assert out.splitlines() == [
        json.dumps({"id": RUN_ID, "error_message": ODD}),
        json.dumps({"id": OTHER, "error_message": ODD}),
    ]


def test_a_waited_for_run_as_json_is_indented(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    mock.get(ONE).respond(200, json=run_json())
    code, out, _ = invoke("wait", TIMER_ID, RUN_ID, "--format", "json")
    assert code == 0 and out == indented(out)
    assert json.loads(out) == run_json(end_time="2026-11-28T12:00:02.514000Z") | {
        "result": {"status": "success", "status_code": 200, "run_id": None, "error": None}
    }


def test_all_pages_as_a_table_show_the_chosen_fields(mock: respx.MockRouter) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json(), failed_run_json(id=OTHER)]))
    code, out, err = invoke("list", TIMER_ID, "--all", "--fields", "status,id")
    assert code == 0 and err == "2 runs.\n"
    assert out.splitlines() == [
        "STATUS       ID",
        f"success      {RUN_ID}",
        f"failure      {OTHER}",
    ]


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_the_next_marker_in_the_footer_is_the_one_the_service_sent(
    mock: respx.MockRouter, fmt: str
) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=7, next_page="mk[a]x"))
    # Not rich markup; quoted, as [a] is a pattern to a shell.
    err = invoke("list", TIMER_ID, "--format", fmt)[2]
    assert err == "1 of 7 runs. More: --marker 'mk[a]x' (or --all).\n"


# --- the footer's marker ------------------------------------------------------------------------

LONG_MARKER = "m&k=" + "x" * (MAX_MARKER_LENGTH - 4)  # the longest the library takes back


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_the_next_marker_is_printed_whole_quoted_for_a_shell_on_one_line(
    mock: respx.MockRouter, fmt: str
) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=7, next_page=LONG_MARKER))
    # off a terminal, rich would wrap at 80 columns
    code, _, err = invoke("list", TIMER_ID, "--format", fmt)
    assert code == 0
    assert err == f"1 of 7 runs. More: --marker '{LONG_MARKER}' (or --all).\n"


def test_the_marker_pasted_back_from_the_footer_reaches_the_service_as_sent(
    mock: respx.MockRouter,
) -> None:
    route = mock.get(LIST).respond(
        200, json=page_json([run_json()], total=7, next_page=LONG_MARKER)
    )
    footer = invoke("list", TIMER_ID)[2]
    words = shlex.split(footer)
    pasted = words[words.index("--marker") + 1]
    assert invoke("list", TIMER_ID, "--marker", pasted)[0] == 0
    assert route.calls.last.request.url.params["marker"] == LONG_MARKER


@pytest.mark.parametrize("marker", ["a\x1bb", "a\u202eb", "a\u00adb", "a  b", "a\nb"])
def test_a_marker_that_cannot_be_shown_as_it_is_is_not_shown_altered(
    mock: respx.MockRouter, marker: str
) -> None:
    mock.get(LIST).respond(200, json=page_json([run_json()], total=7, next_page=marker))
    assert invoke("list", TIMER_ID)[2] == (
        "1 of 7 runs. More: the next marker cannot be shown as it is here: use --all, or "
        "--format json for its next_page.\n"
    )


# --- --help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "formats"), [("list", "(table, json, jsonl)"), ("show", "(table or json)")]
)
def test_the_fields_help_names_the_formats_of_its_command(command: str, formats: str) -> None:
    result = CliRunner().invoke(cli, ["runs", command, "--help"], terminal_width=1000)
    assert result.exit_code == 0
    (fields,) = [line for line in result.stdout.splitlines() if line.strip().startswith("--fields")]
    assert f"Comma-separated fields to show {formats}, e.g." in fields


# --- trigger options that only shape a wait -----------------------------------------------------


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--timeout", "5"], "--timeout needs --wait"),
        (["--interval", "1"], "--interval needs --wait"),
        (["--heartbeat", "2"], "--heartbeat needs --wait"),
        (["--heartbeat", "2", "--timeout", "5"], "--timeout and --heartbeat need --wait"),
        (
            ["--interval", "1", "--heartbeat", "2", "--timeout", "5"],
            "--timeout, --interval and --heartbeat need --wait",
        ),
    ],
)
def test_a_wait_option_without_wait_is_a_usage_error_before_any_request(
    mock: respx.MockRouter, given: list[str], said: str
) -> None:
    route = mock.post(f"/timers/{TIMER_ID}/run").respond(201, json=run_json())
    code, out, err = invoke("trigger", TIMER_ID, *given)
    assert code == 2 and out == ""
    assert err.endswith(f"Error: {said} (without it, nothing is waited for)\n")
    assert not route.called


def test_trigger_with_the_default_wait_options_and_no_wait_triggers(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(f"/timers/{TIMER_ID}/run").respond(201, json=run_json())
    assert invoke("trigger", TIMER_ID, "--format", "json")[0] == 0
    assert route.called


# --- a time window that is empty ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["list", "summary"])
def test_after_not_earlier_than_before_is_a_usage_error_naming_the_options(
    mock: respx.MockRouter, command: str
) -> None:
    route = mock.get(LIST).respond(200, json=page_json([]))
    code, _, err = invoke(
        command,
        TIMER_ID,
        "--after",
        "2026-11-28T01:00:00+01:00",
        "--before",
        "2026-11-28T00:00:00Z",
    )
    assert code == 2
    assert err.endswith(
        "Error: --after (2026-11-28T00:00:00Z) must be earlier than "
        "--before (2026-11-28T00:00:00Z)\n"
    )
    assert not route.called


def test_since_reaching_back_past_before_is_a_usage_error_naming_both(
    mock: respx.MockRouter,
) -> None:
    route = mock.get(LIST).respond(200, json=page_json([]))
    code, _, err = invoke("list", TIMER_ID, "--since", " 2D", "--before", "2020-01-01T00:00:00Z")
    assert code == 2 and not route.called
    assert re.search(
        r"Error: --since 2D \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) must be earlier than "
        r"--before \(2020-01-01T00:00:00Z\)\n\Z",
        err,
    ), err


def test_the_limit_help_says_a_jobs_page_is_filtered_after_it_is_fetched() -> None:
    result = CliRunner().invoke(cli, ["runs", "list", "--help"], terminal_width=1000)
    assert (
        "Without --all: how many runs to show; with --api jobs and a filter, how many to look "
        "at (the jobs API filters in the client: fewer may match)."
    ) in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["--api", "jobs"], {}, "with --api jobs:"),
        ([], {"TIMERS_API": "jobs"}, "with --api jobs (from $TIMERS_API):"),
    ],
)
def test_trigger_with_the_jobs_api_says_where_the_api_came_from(
    args: list[str], env: dict[str, str], said: str
) -> None:
    environment = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN, **env}
    result = CliRunner().invoke(cli, [*args, "runs", "trigger", TIMER_ID], env=environment)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"timers: error: runs trigger is not available {said} the ")


@pytest.mark.parametrize(
    "command",
    [
        ["watch", TIMER_ID, "--interval"],
        ["wait", TIMER_ID, RUN_ID, "--interval"],
        ["wait", TIMER_ID, RUN_ID, "--heartbeat"],
        ["wait", TIMER_ID, RUN_ID, "--timeout"],
        ["trigger", TIMER_ID, "--wait", "--heartbeat"],
    ],
)
@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_nan_seconds_are_a_usage_error_before_any_request(
    mock: respx.MockRouter, command: list[str], value: str
) -> None:
    # Every bound check lets nan through: it reached time.sleep (a traceback) or turned the
    # heartbeat off.
    code, out, err = invoke(*command, value)
    assert code == 2 and out == ""
    option = command[-1]
    assert err.endswith(
        f"Error: Invalid value for '{option}': '{value}' is not a number of seconds.\n"
    )
    assert not mock.calls
