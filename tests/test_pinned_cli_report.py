"""``timers runs summary`` (timers.cli._report): the report's lines, colours and timeline, and
the command's options."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx
from click.testing import CliRunner
from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.text import Text
from rich.theme import Theme
from support.bodies import page_json, run_json
from support.dual import TIMER_ID, TOKEN

from timers import RunError, RunResult, RunStatus, TimerRun, summarize_runs
from timers.cli._app import cli
from timers.cli._report import _ASCII_BARS, _bar, render

T0 = datetime(2026, 11, 1, tzinfo=UTC)
BASE = "http://127.0.0.1:9/api/v1"
JOBS = "http://127.0.0.1:9"


class Recorder:
    """A console that keeps what it was asked to print, markup and all."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self.lines: list[str] = []
        self.encoding = encoding

    def print(self, text: str, **options: Any) -> None:
        self.lines.append(text)


def run(
    hour: float, status: str = "success", seconds: float | None = 2.0, code: str | None = None
) -> TimerRun:
    start = T0 + timedelta(hours=hour)
    error = None if code is None else RunError(code, "m")
    return TimerRun(
        id="9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
        timer_id=TIMER_ID,
        status=RunStatus(status),
        start_time=start,
        end_time=None if seconds is None else start + timedelta(seconds=seconds),
        result=RunResult(status, error=error),
    )


def report(runs: list[TimerRun], timer_id: str = "T") -> list[str]:
    console = Recorder()
    render(console, timer_id, summarize_runs(runs))  # type: ignore[arg-type]
    return console.lines


def test_the_report_has_every_number_and_a_timeline() -> None:
    runs = [run(0), run(0), run(1, "failure", code="X"), run(3), run(3, "pending", None)]
    assert report(runs) == [
        "[bold]Timer T[/bold]  5 runs  2026-11-01 00:00:00Z -> 2026-11-01 03:00:00Z",
        "[bold]Success rate[/bold]  [red]75.0%[/red] of 4 finished",
        "[bold]Statuses[/bold]      [green]success[/green] 3  [bold red]failure[/bold red] 1  "
        "[yellow]pending[/yellow] 1",
        "[bold]Durations[/bold]     p50 2.0s  p95 2.0s  max 2.0s",
        "[bold]Top errors[/bold]",
        "  [red]X[/red] x1  last 2026-11-01 01:00:00Z",
        "[bold]Timeline[/bold]      per hour, oldest to newest (4; busiest: 2 runs)",
        "  successes  [green]█  ▄[/green]",
        "  failures   [red] ▄  [/red]",
        "             2026-11-01 00:00:00Z .. 2026-11-01 03:00:00Z",
    ]


@pytest.mark.parametrize(
    ("successes", "failures", "colour"),
    [(19, 1, "green"), (20, 0, "green"), (4, 1, "yellow"), (8, 2, "yellow"), (3, 1, "red")],
)
def test_the_success_rate_is_green_from_95_and_yellow_from_80_percent(
    successes: int, failures: int, colour: str
) -> None:
    runs = [run(0)] * successes + [run(0, "failure")] * failures
    rate = successes / (successes + failures)
    assert report(runs)[1] == (
        f"[bold]Success rate[/bold]  [{colour}]{rate:.1%}[/{colour}] of {len(runs)} finished"
    )


def test_a_report_with_nothing_finished_says_so_and_has_no_errors_line() -> None:
    lines = report([run(0, "pending", None)])
    assert lines[1] == "[bold]Success rate[/bold]  - (no run finished)"
    assert lines[3] == "[bold]Durations[/bold]     p50 -  p95 -  max -"
    assert not any("Top errors" in line for line in lines)


def test_runs_finished_with_a_status_not_known_are_counted_apart_from_the_rate() -> None:
    # api="jobs": a run with an end time is finished whatever its (unpublished) status.
    def jobs(status: str) -> TimerRun:
        return dataclasses.replace(run(0, status), finished_by_end_time=True)

    lines = report([run(0), jobs("FAILED"), jobs("FAILED"), run(1, "failure")])
    assert lines[1] == (
        "[bold]Success rate[/bold]  [red]50.0%[/red] of 2 finished; 2 more runs finished with a "
        "status not known"
    )
    assert report([jobs("SUCCEEDED")])[1] == (
        "[bold]Success rate[/bold]  - (none succeeded or failed); 1 more run finished with a "
        "status not known"
    )


def test_a_report_of_no_runs_is_one_line() -> None:
    assert report([], timer_id="[x]") == ["Timer \\[x]: no runs match."]


def test_the_timeline_shows_the_newest_72_buckets() -> None:
    runs = [run(h) for h in range(40)] + [run(h, "failure") for h in range(40, 80, 2)]
    lines = report(runs)
    # 80 hours: more than two days, so days; only 4 buckets
    assert lines[-4].startswith("[bold]Timeline[/bold]      per day, oldest to newest (4;")
    hours = [run(h * 0.5) for h in range(90)]  # 45 hours: hourly, 45 buckets
    assert report(hours)[-4] == (
        "[bold]Timeline[/bold]      per hour, oldest to newest (45; busiest: 2 runs)"
    )


def test_a_long_timeline_is_cut_to_its_newest_72_buckets() -> None:
    runs = [run(h) for h in range(0, 24 * 100, 24)]  # 100 days, one run a day
    lines = report(runs)
    assert lines[-4] == (
        "[bold]Timeline[/bold]      per day, oldest to newest (last 72; busiest: 1 run)"
    )
    assert lines[-3] == "  successes  [green]" + "█" * 72 + "[/green]"
    assert lines[-1] == "             2026-11-29 00:00:00Z .. 2027-02-08 00:00:00Z"


def test_bars_are_scaled_to_the_busiest_bucket_with_a_visible_minimum() -> None:
    assert [_bar(c, 8) for c in range(9)] == [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    assert _bar(1, 1000) == "▁"  # never invisible
    assert _bar(500, 1000) == "▄"


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def invoke(*args: str, base: str = BASE) -> tuple[int, str, str]:
    env = {"TIMERS_BASE_URL": base, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_summary_pages_through_1000_runs_at_a_time_and_prints_json(
    mock: respx.MockRouter,
) -> None:
    route = mock.get(f"{BASE}/timers/{TIMER_ID}/runs").respond(
        200, json=page_json([run_json(), run_json(status="failure")], total=2)
    )
    code, out, err = invoke(
        "runs", "summary", TIMER_ID, "--status", "FAILURE", "--before", "2026-12-01T00:00:00Z",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 2 and data["counts"] == {"success": 1, "failure": 1}
    params = route.calls[0].request.url.params
    assert params["limit"] == "1000" and params["status"] == "failure"
    assert params["start_before"] == "2026-12-01T00:00:00Z" and "start_after" not in params


@pytest.mark.parametrize("form", [[], ["--format", "json"]], ids=["report", "json"])
def test_an_output_that_takes_only_ascii_gets_every_line_and_no_traceback(
    mock: respx.MockRouter, form: list[str]
) -> None:
    # PYTHONIOENCODING=ascii, a legacy locale, a file on Windows: the timeline's bars and a
    # server's "é" once ended the command half-way with UnicodeEncodeError.
    mock.get(f"{BASE}/timers/{TIMER_ID}/runs").respond(
        200, json=page_json([run_json(), run_json(status="fail\u00e9d \u2603")], total=2)
    )
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner(charset="ascii").invoke(cli, ["runs", "summary", TIMER_ID, *form], env=env)
    assert result.exit_code == 0, result.stderr or result.exception
    out = result.stdout_bytes.decode("ascii")  # nothing but ASCII was written
    if form:
        assert json.loads(out)["counts"] == {"success": 1, "fail\u00e9d \u2603": 1}
    else:
        assert "fail\\xe9d \\u2603" in out  # shown, escaped, not lost
        (successes,) = [line for line in out.splitlines() if line.startswith("  successes")]
        assert successes.strip().removeprefix("successes").strip() in set(_ASCII_BARS)


def test_the_ascii_bars_scale_as_the_others() -> None:
    assert [_bar(c, 8, _ASCII_BARS) for c in range(9)] == list(" .,:-=+*#")


def test_summary_of_the_jobs_api_leaves_the_page_size_to_the_service(
    mock: respx.MockRouter,
) -> None:
    body = {"job_id": TIMER_ID, "n_runs": 0, "results": {"data": [], "page_next": None}}
    route = mock.get(f"{JOBS}/jobs/{TIMER_ID}").respond(200, json=body)
    code, out, err = invoke("--api", "jobs", "runs", "summary", TIMER_ID, base=JOBS)
    assert code == 0, err
    assert "page_size" not in route.calls[0].request.url.params
    assert out == f"Timer {TIMER_ID}: no runs match.\n"


def test_summary_since_and_after_are_exclusive(mock: respx.MockRouter) -> None:
    code, _, err = invoke("runs", "summary", TIMER_ID, "--since", "1d", "--after", "x")
    assert code == 2 and "give --since or --after, not both" in err


def test_summary_since_and_after_become_start_after(mock: respx.MockRouter) -> None:
    route = mock.get(f"{BASE}/timers/{TIMER_ID}/runs").respond(200, json=page_json([]))
    assert invoke("runs", "summary", TIMER_ID, "--after", "2026-11-01T01:00:00+01:00")[0] == 0
    assert route.calls[0].request.url.params["start_after"] == "2026-11-01T00:00:00Z"
    before = datetime.now(UTC) - timedelta(days=1)
    assert invoke("runs", "summary", TIMER_ID, "--since", "1d")[0] == 0
    sent = datetime.fromisoformat(route.calls[1].request.url.params["start_after"])
    assert abs((sent - before).total_seconds()) < 5


# --- long names and colours -------------------------------------------------------------------


def test_long_timer_ids_and_error_codes_are_cut_to_80_and_60_characters() -> None:
    long_id = "t" * 100
    assert report([], timer_id=long_id) == [f"Timer {'t' * 77}...: no runs match."]
    lines = report([run(0, "failure", code="e" * 100)], timer_id=long_id)
    assert lines[0].startswith(f"[bold]Timer {'t' * 77}...[/bold]  1 run  ")
    assert lines[5] == f"  [red]{'e' * 57}...[/red] x1  last 2026-11-01 00:00:00Z"


def test_a_timeline_of_unfinished_runs_is_blank_and_says_no_bucket_had_any() -> None:
    lines = report([run(0, "pending", None), run(1, "in_progress", None)])
    assert lines[-4] == "[bold]Timeline[/bold]      per hour, oldest to newest (2; busiest: 0 runs)"
    assert lines[-3:-1] == ["  successes  [green]  [/green]", "  failures   [red]  [/red]"]


def colours(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


class EveryWord(RegexHighlighter):
    """A highlighter that colours every word, so that any highlighted line shows."""

    base_style = "every."
    highlights = [r"(?P<word>\w+)"]  # noqa: RUF012


def coloured_console(**options: Any) -> Console:
    return Console(
        file=io.StringIO(),
        color_system="standard",
        width=300,
        highlighter=EveryWord(),
        theme=Theme({"every.word": "magenta"}),
        **options,
    )


@pytest.mark.parametrize("highlight", [False, True])
@pytest.mark.parametrize(
    "runs",
    [[], [run(0), run(1, "failure", code="E42"), run(2, "pending", None)]],
    ids=["no runs", "runs"],
)
def test_the_report_colours_only_what_its_markup_says(
    runs: list[TimerRun], highlight: bool
) -> None:
    """Below the title line (which follows the console's own setting), numbers, ids and times
    are never coloured by rich's highlighter."""
    console = coloured_console(highlight=highlight)
    render(console, TIMER_ID, summarize_runs(runs))
    expected = coloured_console()
    for line in report(runs, timer_id=TIMER_ID):
        expected.print(Text.from_markup(line))
    below_title = 1 if runs else 0
    assert (
        colours(console).splitlines()[below_title:] == colours(expected).splitlines()[below_title:]
    )
    assert "\x1b[" in colours(console) or not runs
