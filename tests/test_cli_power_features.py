"""``runs summary``, ``runs watch``, ``--interval`` and heartbeats, and ``--fields``, through
the installed ``timers`` script against the reference service served on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from timers import TimersClient, summarize_runs
from timers.testing import FakeTimersService, serve

TIMERS = Path(sys.executable).with_name("timers")
TOKEN = "power-token"
pytestmark = pytest.mark.skipif(not TIMERS.exists(), reason="the timers script is not installed")


@pytest.fixture
def service() -> FakeTimersService:
    # The service's clock stands still (at the real time it was made, so that ``--since 3d``
    # means what it says): a run's status changes only when a test calls ``advance()``, never
    # because the real clock moved between two commands.
    start = datetime.now(UTC)
    service = FakeTimersService(
        tokens=[TOKEN], seed=5, clock=lambda: start, pending_seconds=1, in_progress_seconds=2
    )
    service.add_timer("12345678-1234-1234-1234-123456789012", failure_rate=0.0)
    service.seed_history(
        "12345678-1234-1234-1234-123456789012", 200, interval=timedelta(hours=2), failure_rate=0.25
    )
    return service


TIMER = "12345678-1234-1234-1234-123456789012"


@pytest.fixture
def env(service: FakeTimersService) -> Iterator[dict[str, str]]:
    with serve(service) as base_url:
        yield {
            **{k: v for k, v in os.environ.items() if not k.startswith("TIMERS_")},
            "TIMERS_BASE_URL": base_url,
            "TIMERS_ACCESS_TOKEN": TOKEN,
        }


@pytest.fixture
def settled_env(env: dict[str, str], service: FakeTimersService) -> dict[str, str]:
    """``env`` once every run has finished: summaries computed a moment apart (by the CLI, by
    the library) then see the same runs, whatever the real clock does meanwhile."""
    service.advance(3600)
    return env


def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TIMERS), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


# -- runs summary --------------------------------------------------------------------------------


def test_summary_json_gives_the_library_s_numbers(settled_env: dict[str, str]) -> None:
    env = settled_env
    result = run(env, "runs", "summary", TIMER, "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["finished"] == 200
    with TimersClient(TOKEN, base_url=env["TIMERS_BASE_URL"]) as client:
        expected = summarize_runs(client.iter_runs(TIMER)).to_dict()
    assert shown == expected
    assert shown["total"] == 200 and shown["bucket"] == "day"


def test_summary_table_shows_the_numbers_and_a_timeline(env: dict[str, str]) -> None:
    result = run(env, "runs", "summary", TIMER, "--since", "3d")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Timer {TIMER}") and " runs " in lines[0]
    assert any(line.startswith("Success rate  ") and "% of " in line for line in lines)
    assert any(line.startswith("Durations     p50 ") for line in lines)
    successes = next(line for line in lines if line.startswith("  successes  "))
    failures = next(line for line in lines if line.startswith("  failures   "))
    assert len(successes) == len(failures) > len("  successes  ")
    assert set(successes[13:]) <= set(" ▁▂▃▄▅▆▇█")


def test_summary_filters_like_runs_list(env: dict[str, str]) -> None:
    result = run(env, "runs", "summary", TIMER, "--status", "FAILURE", "--format", "json")
    shown = json.loads(result.stdout)
    assert list(shown["counts"]) == ["failure"] and shown["success_rate"] == 0.0


# -- runs watch -----------------------------------------------------------------------------------


def _lines(proc: subprocess.Popen[str], count: int, timeout: float) -> list[str]:
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if len(lines) >= count:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(timeout)
    return lines


def test_watch_shows_new_runs_and_status_changes_until_the_newest_finishes(
    env: dict[str, str], service: FakeTimersService
) -> None:
    proc = subprocess.Popen(
        [str(TIMERS), "runs", "watch", TIMER, "--interval", "0.1", "--until-finished",
         "--format", "jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        first = _lines(proc, 1, timeout=20)
        assert [json.loads(line)["event"] for line in first] == ["now"]
        with TimersClient(TOKEN, base_url=env["TIMERS_BASE_URL"]) as client:
            triggered = client.run_timer(TIMER)
        assert _wait_for_requests(service)  # watch saw the pending run
        service.advance(1.5)  # in progress
        assert _wait_for_requests(service)  # watch saw the run in progress
        service.advance(2.0)  # finished
        assert proc.wait(timeout=20) == 0
        assert proc.stdout is not None
        rest = first[1:] + proc.stdout.read().splitlines()
        events = [(e["event"], e["run"]["id"], e["run"]["status"]) for e in map(json.loads, rest)]
        # (Seeded runs still under way may change too: only the triggered run is checked.)
        assert [event for event in events if event[1] == triggered.id] == [
            ("new", triggered.id, "pending"),
            ("changed", triggered.id, "in_progress"),
            ("changed", triggered.id, "success"),
        ]
    finally:
        proc.kill()
        proc.wait()


def _wait_for_requests(service: FakeTimersService, count: int = 2) -> bool:
    """Whether ``count`` more requests came within 10 s. The watcher polls with one request at
    a time, so after two more its poll that followed a change of the service is done."""
    seen = len(service.requests)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if len(service.requests) >= seen + count:
            return True
        time.sleep(0.05)
    return False


def test_watch_stops_with_exit_0_on_ctrl_c(env: dict[str, str]) -> None:
    # Ctrl-C as in a terminal: SIGINT handled by default whatever this worker inherited (a
    # process started with SIGINT ignored keeps ignoring it), and no unread pipe to fill.
    proc = subprocess.Popen(
        [str(TIMERS), "runs", "watch", TIMER, "--interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        header, now = _lines(proc, 2, timeout=20)
        assert header.split()[:3] == ["EVENT", "ID", "STATUS"] and now.startswith("now ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()


# -- wait --interval, progress and heartbeat -----------------------------------------------------


def test_wait_polls_at_the_interval_and_says_it_is_alive_off_a_terminal(
    env: dict[str, str], service: FakeTimersService
) -> None:
    with TimersClient(TOKEN, base_url=env["TIMERS_BASE_URL"]) as client:
        pending = client.run_timer(TIMER)  # stays pending: the service clock does not move
    before = len(service.requests)
    result = run(
        env, "runs", "wait", TIMER, pending.id, "--interval", "0.1", "--heartbeat", "0.2",
        "--timeout", "3",
    )  # fmt: skip
    assert result.returncode == 8, result.stderr
    polls = len(service.requests) - before
    assert polls >= 5  # 0.1 s growing by half, capped by the 3 s timeout
    lines = result.stderr.splitlines()
    assert lines[0] == f"timers: run {pending.id}: pending"
    heartbeats = [line for line in lines if "still pending after" in line]
    assert heartbeats and all("next poll in" in line for line in heartbeats)
    assert lines[-1].startswith("timers: error: ") and "did not finish within 3 s" in lines[-1]


def test_heartbeats_come_only_after_silence_of_the_given_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In-process, with a clock that only moves when the progress sleeps: exact counts.
    import io

    from rich.console import Console

    from timers.cli._watch import Progress

    now = [1000.0]
    monkeypatch.setattr("time.monotonic", lambda: now[0])
    monkeypatch.setattr("time.sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    stream = io.StringIO()
    progress = Progress(Console(file=stream, width=200), heartbeat=30)
    with progress:
        progress.on_update(_pending_run())
        for _ in range(12):
            progress.sleep(10)  # heartbeats at 30 s, 60 s, 90 s of silence
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith(": pending")
    assert lines[1:] == [
        "timers: still pending after 30.0s; next poll in 10.0s",
        "timers: still pending after 1m00s; next poll in 10.0s",
        "timers: still pending after 1m30s; next poll in 10.0s",
    ]  # the 12th sleep starts at 110 s: 20 s after the last heartbeat


def _pending_run() -> object:
    from datetime import UTC, datetime

    from timers import RunStatus, TimerRun

    return TimerRun(
        "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6", TIMER, RunStatus.PENDING, datetime.now(UTC)
    )


class _PollsMoveTheClock(list[tuple[str, str]]):
    """``service.requests`` that moves the service's clock 0.75 s on every GET, before it is
    answered (the service records a request under its lock, then answers): a run triggered
    at T is seen at T+0.75 (pending), T+1.5 and T+2.25 (in progress), then T+3 (finished),
    however fast or slow the polls come."""

    def __init__(self, service: FakeTimersService) -> None:
        super().__init__(service.requests)
        self.service = service

    def append(self, request: tuple[str, str]) -> None:
        super().append(request)
        if request[0] == "GET":
            self.service.advance(0.75)


def test_trigger_wait_uses_the_interval(env: dict[str, str], service: FakeTimersService) -> None:
    service.requests = _PollsMoveTheClock(service)
    result = run(env, "runs", "trigger", TIMER, "--wait", "--interval", "0.05", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "success"
    assert "in_progress" in result.stderr and "success" in result.stderr


# -- --fields --------------------------------------------------------------------------------------


def test_fields_select_the_columns_of_every_format(env: dict[str, str]) -> None:
    jsonl = run(env, "runs", "list", TIMER, "--limit", "3", "--format", "jsonl",
                "--fields", "id,status,error_code,duration")  # fmt: skip
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(rows) == 3 and all(
        list(r) == ["id", "status", "error_code", "duration"] for r in rows
    )
    assert all(r["duration"] is None or isinstance(r["duration"], float) for r in rows)
    table = run(env, "runs", "list", TIMER, "--limit", "2", "--fields", "status,outcome")
    header, *body = table.stdout.splitlines()
    assert header.split() == ["STATUS", "OUTCOME"] and len(body) == 2
    shown = run(
        env, "runs", "show", TIMER, rows[0]["id"], "--fields", "id,status", "--format", "json"
    )
    assert json.loads(shown.stdout) == {"id": rows[0]["id"], "status": rows[0]["status"]}
    details = run(env, "runs", "show", TIMER, rows[0]["id"], "--fields", "status,start_time")
    assert [line.split()[0] for line in details.stdout.splitlines()] == ["STATUS", "STARTED"]


def test_an_unknown_field_is_a_usage_error_listing_the_valid_ones(env: dict[str, str]) -> None:
    result = run(env, "runs", "list", TIMER, "--fields", "id,colour")
    assert result.returncode == 2
    assert "unknown field 'colour'" in result.stderr
    assert "valid fields: id, timer_id, status, start_time" in result.stderr


def _on_a_terminal(
    env: dict[str, str], *args: str, sigterm_once: bytes | None = None
) -> tuple[int, str]:
    """Run ``timers ARGS`` on a pseudo-terminal: its exit code and all it drew. With
    ``sigterm_once``, SIGTERM is sent once the output holds those bytes."""
    import pty
    import select

    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(TIMERS), *args], stdin=secondary, stdout=secondary, stderr=secondary,
        env={**env, "TERM": "xterm"},
    )  # fmt: skip
    os.close(secondary)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the other end closed: the command is over
                    break
                if not chunk:
                    break
                seen += chunk
                if sigterm_once is not None and sigterm_once in seen:
                    proc.send_signal(signal.SIGTERM)
                    sigterm_once = None
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        proc.kill()
        os.close(primary)
    return code, seen.decode("utf-8", "replace")


def _triggered(env: dict[str, str]) -> str:
    with TimersClient(TOKEN, base_url=env["TIMERS_BASE_URL"]) as client:
        return client.run_timer(TIMER).id


def test_wait_on_a_terminal_shows_one_live_line_with_status_elapsed_and_next_poll(
    env: dict[str, str], service: FakeTimersService
) -> None:
    run_id = _triggered(env)
    code, raw = _on_a_terminal(
        env, "runs", "wait", TIMER, run_id, "--interval", "0.1", "--timeout", "1.5"
    )
    assert code == 8
    assert "\x1b[" in raw  # drawn in place (a live line), not printed line after line
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert f"run {run_id}: pending, elapsed " in text
    assert "next poll in " in text
    assert "still pending after" not in text  # heartbeats are for logs, not terminals


HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"


def test_sigterm_during_a_live_wait_gives_the_terminal_its_cursor_back_and_exits_143(
    env: dict[str, str], service: FakeTimersService
) -> None:
    run_id = _triggered(env)
    code, raw = _on_a_terminal(
        env, "runs", "wait", TIMER, run_id, "--interval", "0.1", "--timeout", "60",
        sigterm_once=b"next poll in",
    )  # fmt: skip
    assert code == 143, raw
    assert HIDE_CURSOR in raw and SHOW_CURSOR in raw[raw.index(HIDE_CURSOR) :]
    assert raw.rstrip().endswith("timers: terminated")


def test_sigterm_during_trigger_wait_names_the_created_run(
    env: dict[str, str], service: FakeTimersService
) -> None:
    code, raw = _on_a_terminal(
        env, "runs", "trigger", TIMER, "--wait", "--interval", "0.1", "--timeout", "60",
        sigterm_once=b"next poll in",
    )  # fmt: skip
    assert code == 143, raw
    assert SHOW_CURSOR in raw[raw.index(HIDE_CURSOR) :]
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    created = re.search(r"timers: terminated; run (\S+) of timer (\S+) was created", text)
    assert created is not None, text
    assert created.group(2) == TIMER
    assert f"timers runs wait {TIMER} {created.group(1)} instead of triggering again" in text
    assert service.get_run_json(TIMER, created.group(1))["status"] == "pending"  # it exists


def test_sigterm_during_a_wait_off_a_terminal_says_terminated_and_exits_143(
    env: dict[str, str], service: FakeTimersService
) -> None:
    run_id = _triggered(env)
    proc = subprocess.Popen(
        [str(TIMERS), "runs", "wait", TIMER, run_id, "--interval", "0.1", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert _wait_for_requests(service, 2)  # waiting: polling, past its start
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 143
    assert err.splitlines()[-1] == "timers: terminated"
    assert out == ""


def test_summary_reads_the_jobs_api_too(settled_env: dict[str, str]) -> None:
    env = settled_env
    jobs = {
        **env,
        "TIMERS_API": "jobs",
        "TIMERS_BASE_URL": env["TIMERS_BASE_URL"][: -len("/api/v1")],
    }
    result = run(jobs, "runs", "summary", TIMER, "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    runs_api = json.loads(run(env, "runs", "summary", TIMER, "--format", "json").stdout)
    # The same history through either API: the same numbers (statuses are spelled in upper
    # case by the fake's jobs API and mapped back).
    assert shown["total"] == runs_api["total"] == 200
    assert shown["counts"] == runs_api["counts"] and shown["buckets"] == runs_api["buckets"]
