"""Following runs (timers.cli._watch): ``timers runs watch`` poll by poll, and the progress a
wait shows off a terminal, with a fake clock and canned answers."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Literal

import httpx
import pytest
import respx
from click.testing import CliRunner
from rich.console import Console
from rich.text import Text
from support.bodies import page_json, run_json
from support.dual import TIMER_ID, TOKEN

from timers import RunPage, RunStatus, TimerRun
from timers.cli import _output, _watch
from timers.cli._app import cli
from timers.cli._watch import HEARTBEAT, WATCH_PAGE, Progress
from timers.testing import FakeTimersService

BASE = "http://127.0.0.1:9/api/v1"
ENV = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN}
A = "00000000-0000-4000-8000-00000000000a"
B = "00000000-0000-4000-8000-00000000000b"
C = "00000000-0000-4000-8000-00000000000c"


class FakeTime:
    """``time`` for the watch module: ``sleep`` moves ``now``; after ``polls`` sleeps, Ctrl-C."""

    def __init__(self, polls: int = 100) -> None:
        self.now = 500.0
        self.slept: list[float] = []
        self.polls = polls

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if len(self.slept) >= self.polls:
            raise KeyboardInterrupt


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(_watch, "time", fake)
    return fake


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def run(run_id: str, status: str) -> dict[str, Any]:
    finished = status in ("success", "failure")
    return run_json(
        id=run_id,
        status=status,
        end_time=None if not finished else "2026-11-28T12:00:02Z",
        result=None if not finished else {"status": status, "status_code": 200},
    )


def polls(mock: respx.MockRouter, *pages: list[dict[str, Any]]) -> respx.Route:
    answers = [httpx.Response(200, json=page_json(runs, total=len(runs))) for runs in pages]
    return mock.get(f"/timers/{TIMER_ID}/runs").mock(side_effect=answers)


def watch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["runs", "watch", TIMER_ID, *args], env=ENV)
    return result.exit_code, result.stdout, result.stderr


# --- runs watch -------------------------------------------------------------------------------


def test_watch_shows_the_newest_run_then_each_new_run_and_change(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    fake_time.polls = 3
    route = polls(
        mock,
        [run(B, "pending"), run(A, "success")],
        [run(B, "pending"), run(A, "success")],  # nothing new
        [run(C, "pending"), run(B, "success"), run(A, "success")],
    )
    code, out, err = watch("--format", "jsonl", "--interval", "2")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["event"], e["run"]["id"], e["run"]["status"]) for e in events] == [
        ("now", B, "pending"),
        ("changed", B, "success"),
        ("new", C, "pending"),
    ]
    assert fake_time.slept == [2.0, 2.0, 2.0]
    assert route.calls[0].request.url.params["limit"] == str(WATCH_PAGE) == "20"


def test_watch_takes_the_newest_run_by_start_time_whatever_the_service_s_order(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    # The jobs API does not publish its order: here the oldest run comes first.
    older = run_json(id=A, status="success", start_time="2026-11-28T10:00:00Z",
                     end_time="2026-11-28T10:00:02Z", result={"status": "success"})  # fmt: skip
    newer = {**run(B, "in_progress"), "start_time": "2026-11-28T11:00:00Z"}
    done = {**run(B, "failure"), "start_time": "2026-11-28T11:00:00Z"}
    polls(mock, [older, newer], [older, done])
    code, out, err = watch("--format", "jsonl", "--until-finished")
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["event"], e["run"]["id"], e["run"]["status"]) for e in events] == [
        ("now", B, "in_progress"),
        ("changed", B, "failure"),
    ]
    assert code == 7, err


def test_watch_as_a_table_has_an_event_column(mock: respx.MockRouter, fake_time: FakeTime) -> None:
    fake_time.polls = 2
    polls(mock, [run(A, "pending")], [run(B, "pending"), run(A, "failure")])
    code, out, err = watch("--fields", "id,status")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["EVENT", "ID", "STATUS"]
    assert lines[1].split() == ["now", A, "pending"]
    assert lines[2].split() == ["changed", A, "failure"]
    assert lines[3].split() == ["new", B, "pending"]
    assert len(lines) == 4


def test_watch_of_a_timer_without_runs_waits_quietly(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    fake_time.polls = 2
    polls(mock, [], [])
    code, out, _ = watch("--format", "jsonl", "--until-finished")
    assert code == 0 and out == ""
    assert len(fake_time.slept) == 2


@pytest.mark.parametrize(("status", "code"), [("success", 0), ("failure", 7)])
def test_watch_until_finished_stops_with_the_newest_runs_outcome(
    mock: respx.MockRouter, fake_time: FakeTime, status: str, code: int
) -> None:
    polls(mock, [run(A, "in_progress")], [run(A, status)])
    exit_code, out, err = watch("--until-finished", "--format", "jsonl")
    assert exit_code == code, err
    assert [json.loads(line)["event"] for line in out.splitlines()] == ["now", "changed"]
    assert fake_time.slept == [5.0]  # the default interval, once


def test_watch_without_until_finished_keeps_going_after_a_finished_run(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    fake_time.polls = 2
    polls(mock, [run(A, "success")], [run(A, "success")])
    code, _, _ = watch("--format", "jsonl")
    assert code == 0 and len(fake_time.slept) == 2


# --- progress ---------------------------------------------------------------------------------


def progress(heartbeat: float = HEARTBEAT) -> tuple[Progress, io.StringIO]:
    out = io.StringIO()
    return Progress(Console(file=out, width=200), heartbeat=heartbeat), out


def timer_run(status: str) -> TimerRun:
    return TimerRun.from_dict(run(A, status))


def test_progress_off_a_terminal_says_each_status(fake_time: FakeTime) -> None:
    shown, out = progress()
    assert not shown.terminal
    with shown:
        shown.on_update(timer_run("pending"))
        shown.on_update(timer_run("in_progress"))
    assert out.getvalue() == f"timers: run {A}: pending\ntimers: run {A}: in_progress\n"
    assert shown.run is not None and shown.run.status is RunStatus.IN_PROGRESS


def test_progress_off_a_terminal_beats_when_nothing_was_said_for_a_while(
    fake_time: FakeTime,
) -> None:
    shown, out = progress(heartbeat=10)
    shown.sleep(9.5)  # 9.5 s since the start: too early
    assert out.getvalue() == ""
    shown.sleep(2.0)  # 9.5 s said nothing: still early
    assert out.getvalue() == ""
    shown.sleep(3.0)  # 11.5 s: beat
    assert out.getvalue() == "timers: not seen yet after 11.5s; next poll in 3.0s\n"
    shown.on_update(timer_run("in_progress"))  # 14.5 s
    fake_time.now += 9.0
    shown.sleep(1.0)  # 9 s after the status line: too early
    assert out.getvalue().splitlines()[-1] == f"timers: run {A}: in_progress"
    shown.sleep(60.0)  # exactly the heartbeat since the status line
    assert out.getvalue().splitlines()[-1] == (
        "timers: still in_progress after 24.5s; next poll in 60.0s"
    )
    assert fake_time.slept == [9.5, 2.0, 3.0, 1.0, 60.0]


def test_progress_on_a_terminal_is_one_live_line(fake_time: FakeTime) -> None:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=True)
    shown = Progress(console)
    assert shown.terminal
    updates: list[str] = []
    shown.live.update = updates.append  # type: ignore[method-assign]
    started: list[bool] = []
    shown.live.start = lambda: started.append(True)  # type: ignore[method-assign]
    shown.live.stop = lambda: started.append(False)  # type: ignore[method-assign]
    with shown:
        shown.sleep(2.0)
        fake_time.now += 60
        shown.on_update(timer_run("in_progress"))
        shown.sleep(4.25)
    assert started == [True, False]
    assert updates == [
        "waiting for the run (elapsed 0.0s), next poll in 2.0s",
        f"run {A}: [cyan]in_progress[/cyan], elapsed 1m02s",
        f"run {A}: [cyan]in_progress[/cyan], elapsed 1m02s, next poll in 4.2s",
    ]
    assert fake_time.slept == [2.0, 4.25]


def test_jsonl_events_keep_brackets_and_show_only_the_chosen_fields(
    mock: respx.MockRouter, fake_time: FakeTime
) -> None:
    fake_time.polls = 1
    error = {"code": "C", "message": "[bold]x[/bold]"}
    body = run_json(id=A, status="failure", result={"status": "failure", "error": error})
    polls(mock, [body], [body])
    code, out, err = watch("--format", "jsonl", "--fields", "id,status")
    assert code == 0, err
    assert json.loads(out) == {"event": "now", "run": {"id": A, "status": "failure"}}
    code, out, err = watch("--format", "jsonl")
    assert code == 0, err
    assert '"[bold]x[/bold]"' in out


def coloured(**options: Any) -> Console:
    return Console(file=io.StringIO(), color_system="standard", **options)


def written(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_a_table_event_is_one_line_coloured_only_by_its_markup() -> None:
    """Whatever the console's defaults: no wrapping, and no colours from rich's highlighter."""
    console = coloured(width=40, highlight=True, soft_wrap=False)
    state = SimpleNamespace(out=console)
    shown = timer_run("in_progress")
    _watch._event(state, "new", shown, "table", ("id", "status", "start_time"))  # type: ignore[arg-type]
    expected = coloured(width=400)
    row = _output.row_line(shown, ("id", "status", "start_time"))
    expected.print(Text.from_markup(f"new      {row}"))
    assert written(console) == written(expected)
    assert len(written(console).splitlines()) == 1 and "\x1b[36m" in written(console)


def test_progress_on_a_terminal_starts_by_waiting_for_the_run() -> None:
    shown = Progress(Console(file=io.StringIO(), force_terminal=True))
    assert shown.live.status == "waiting for the run..."


def test_progress_on_a_dumb_terminal_says_what_it_says_off_a_terminal(
    fake_time: FakeTime,
) -> None:
    # TERM=dumb (an Emacs shell, some CI ptys) shows no live line: lines instead, not silence.
    out = io.StringIO()
    dumb = Console(file=out, force_terminal=True, width=200, _environ={"TERM": "dumb"})
    assert dumb.is_terminal and dumb.is_dumb_terminal
    shown = Progress(dumb)
    assert shown.terminal is False
    with shown:
        shown.on_update(timer_run("pending"))
    assert out.getvalue().startswith("timers: run ")
    assert Progress(Console(file=io.StringIO(), force_terminal=True)).terminal is True


def test_progress_cuts_long_run_ids(fake_time: FakeTime) -> None:
    long = dataclasses.replace(timer_run("pending"), id="r" * 500)
    console = Console(file=io.StringIO(), force_terminal=True)
    shown = Progress(console)
    updates: list[str] = []
    shown.live.update = updates.append  # type: ignore[method-assign]
    shown.on_update(long)
    assert updates == [f"run {'r' * 77}...: [yellow]pending[/yellow], elapsed 0.0s"]
    out = io.StringIO()
    Progress(Console(file=out, width=1000)).on_update(long)
    assert out.getvalue() == f"timers: run {'r' * 393}...\n"


def test_progress_lines_are_plain_text_whatever_the_consoles_defaults(
    fake_time: FakeTime,
) -> None:
    console = coloured(width=400, markup=False, highlight=True)
    shown = Progress(console)
    shown.on_update(dataclasses.replace(timer_run("pending"), id="[bold]42"))
    assert written(console) == "timers: run [bold]42: pending\n"


# --- runs watch --api jobs: the results' order is not published -------------------------------


class AddingTime(FakeTime):
    """``FakeTime`` that calls ``between()`` after each poll's sleep (the service moves on)."""

    def __init__(self, polls: int, between: Any) -> None:
        super().__init__(polls)
        self.between = between

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.between()


JOBS_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("order", "runs", "requests_per_poll"),
    [
        ("newest first", 120, 1),
        ("oldest first", 120, 1 + 3),  # then the 101 other runs, 50 a page
        ("oldest first", 10, 1),  # one page holds them all
    ],
)
def test_watch_with_the_jobs_api_follows_the_newest_runs_in_either_order(
    monkeypatch: pytest.MonkeyPatch,
    order: Literal["newest first", "oldest first"],
    runs: int,
    requests_per_poll: int,
) -> None:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: JOBS_NOW, results_order=order)
    service.add_timer(TIMER_ID)
    service.seed_history(TIMER_ID, runs, end=JOBS_NOW - timedelta(hours=1))
    newest = service.add_run(
        TIMER_ID, status="in_progress", start_time=JOBS_NOW - timedelta(minutes=5)
    )
    added: list[str] = []

    def between() -> None:
        if not added:
            added.append(service.add_run(TIMER_ID, status="pending", start_time=JOBS_NOW)["id"])

    fake = AddingTime(2, between)
    monkeypatch.setattr(_watch, "time", fake)
    env = {"TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_API": "jobs"}
    with service.mock():
        result = CliRunner().invoke(cli, ["runs", "watch", TIMER_ID, "--format", "jsonl"], env=env)
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["run"]["status"]) for e in events] == [
        ("now", "in_progress"),
        ("new", "pending"),
    ]
    assert (
        events[0]["run"]["start_time"] == "2026-11-28T11:55:00Z"
        and newest["status"] == "in_progress"
    )
    assert len(service.requests) == 2 * requests_per_poll


def started(*hours: int) -> tuple[TimerRun, ...]:
    at = datetime(2026, 11, 28, tzinfo=UTC)
    return tuple(
        dataclasses.replace(timer_run("success"), start_time=at + timedelta(hours=h)) for h in hours
    )


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        (started(3, 2, 1), True),
        (started(3, 3, 1), True),  # ties do not break the order
        (started(1, 2, 3), False),
        (started(3, 1, 2), False),
        (started(2, 2, 2), False),  # one start time says nothing of the order
        (started(2), False),
        (started(), False),  # an empty page that says more follow
    ],
)
def test_a_page_shows_newest_first_only_with_later_starts_first(
    runs: tuple[TimerRun, ...], expected: bool
) -> None:
    assert _watch._newest_first(runs) is expected


class StubClient:
    """What ``_newest_runs`` asks of a client: its api, one page, then the pages after it."""

    def __init__(self, page: RunPage, rest: list[TimerRun], api: str = "jobs") -> None:
        self.api = api
        self.page = page
        self.rest = rest
        self.resumed_at: list[str | None] = []

    def list_runs(self, timer_id: str, *, limit: int) -> RunPage:
        assert limit == WATCH_PAGE
        return self.page

    def iter_runs(self, timer_id: str, *, marker: str | None = None) -> Iterator[TimerRun]:
        self.resumed_at.append(marker)
        return iter(self.rest)


def test_an_oldest_first_service_is_read_on_from_the_first_page_s_marker() -> None:
    runs = started(*range(30))  # oldest first: hours 0 to 29
    first = RunPage(runs=runs[:20], total=30, has_next_page=True, next_page="m-2")
    client = StubClient(first, list(runs[20:]))
    newest = _watch._newest_runs(client, TIMER_ID)  # type: ignore[arg-type]
    assert client.resumed_at == ["m-2"]  # not the first page again
    assert newest == list(runs[10:])  # the newest 20, some from the first page, oldest first


def test_the_runs_api_s_first_page_is_its_newest_whatever_it_shows() -> None:
    # The runs API's spec lists newest first: its first page is trusted, even when the start
    # times on it look otherwise (runs started late, or a clock step at the service).
    runs = started(*range(30))
    first = RunPage(runs=runs[:20], total=30, has_next_page=True, next_page="m-2")
    client = StubClient(first, list(runs[20:]), api="runs")
    newest = _watch._newest_runs(client, TIMER_ID)  # type: ignore[arg-type]
    assert client.resumed_at == [] and newest == list(runs[:20])
