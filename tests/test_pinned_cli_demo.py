"""``timers demo`` and the console script's ``main`` (timers.cli._demo, timers.cli), in process.

The end-to-end tests run the installed ``timers`` command in a subprocess; these run the same
code here, so every line the demo prints is checked against what the service it started holds.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from rich.console import Console

import timers.cli
from timers import RunStatus, TimersClient
from timers.cli import _demo
from timers.cli._demo import DEMO_TIMER_ID, DEMO_TOKEN, demo_service, next_steps, run_demo
from timers.testing import FakeTimersService

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def client_of(service: FakeTimersService, **options: str) -> TimersClient:
    http = httpx.Client(transport=service.transport())
    return TimersClient(DEMO_TOKEN, http_client=http, **options)  # type: ignore[arg-type]


def test_the_demo_prints_what_the_service_it_started_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    # One test, not one per section: the demo waits about a second for the run it triggers.
    services: list[FakeTimersService] = []

    def keep(history: int) -> tuple[FakeTimersService, str]:
        service, timer_id = demo_service(history)
        services.append(service)
        return service, timer_id

    waits: list[dict[str, object]] = []

    class Client(TimersClient):
        def run_timer(self, *args: Any, **options: Any) -> Any:
            waits.append(options)
            return super().run_timer(*args, **options)

    monkeypatch.setattr(_demo, "demo_service", keep)
    monkeypatch.setattr(_demo, "TimersClient", Client)
    buffer = io.StringIO()
    before = datetime.now(UTC)
    run_demo(Console(file=buffer, width=1000, color_system=None))  # 300 runs by default
    after = datetime.now(UTC)
    (service,) = services
    requests = list(service.requests)  # the demo's, before this test's own
    lines = buffer.getvalue().splitlines()

    # where the service is
    assert lines[0] == ""
    started = re.fullmatch(
        r"==> Started the reference Timers service at (http://127\.0\.0\.1:\d+/api/v1)", lines[1]
    )
    assert started, lines[1]
    base = started.group(1)
    assert lines[2:4] == [
        f"    timer {DEMO_TIMER_ID} has 300 past runs, one an hour.",
        f"    client = TimersClient(token, base_url={base!r})",
    ]

    # the failed runs of the last 7 days, in pages of 10
    failures = list(client_of(service).iter_runs(DEMO_TIMER_ID, status=RunStatus.FAILURE))
    # the demo took "a week ago" between `before` and `after`: count the runs either way
    most = [run for run in failures if run.start_time > before - timedelta(days=7)]
    fewest = [run for run in failures if run.start_time > after - timedelta(days=7)]
    older = [run for run in failures if run.start_time <= before - timedelta(days=8)]
    assert older, "the history reaches further back than a week (so the window matters)"
    assert len(most) > 5
    step = lines.index(
        "==> Failed runs of the last 7 days, across pages of 10 (client.iter_run_pages)"
    )
    found = re.fullmatch(
        r"    (\d+) failed runs in (\d+) page\(s\); the newest five:", lines[step + 1]
    )
    assert found, lines[step + 1]
    count, pages = int(found.group(1)), int(found.group(2))
    assert len(fewest) <= count <= len(most)
    assert pages == math.ceil(count / 10)
    listed = [path for method, path in requests if "status=failure" in path]
    assert len(listed) == pages
    assert all(method == "GET" for method, path in requests if path in listed)
    assert all("limit=10&" in path or path.endswith("limit=10") for path in listed), listed
    table = lines[step + 2 : step + 8]
    assert " ".join(table[0].split()) == "ID STATUS STARTED (UTC) DURATION CALLBACK OUTCOME"
    assert [row.split()[:2] for row in table[1:]] == [[run.id, "failure"] for run in most[:5]]
    assert lines[step + 8] == ""
    assert lines[step + 9] == "==> One failed run's error (client.get_run)"
    assert lines[step + 10].split() == ["Run", most[0].id]

    # a run triggered and waited for, each status shown
    step = lines.index("==> Trigger a run now and wait for it (client.run_timer(..., wait=True))")
    assert lines[step + 1 : step + 4] == [
        "    status: pending",
        "    status: in_progress",
        "    status: success",
    ]
    # it waits 30 s at most, polling five times a second
    # (then once more through the jobs API, which cannot run a timer: see below)
    assert [(w["wait"], w["timeout"], w["poll_interval"]) for w in waits[:1]] == [(True, 30, 0.2)]
    assert waits[1:] == [{}]
    finished = re.fullmatch(
        rf"    run ({UUID}) finished: success in (\d+\.\d)s, outcome HTTP 202", lines[step + 4]
    )
    assert finished, lines[step + 4]
    newest = client_of(service).list_runs(DEMO_TIMER_ID, limit=1).runs[0]
    assert finished.group(1) == newest.id
    assert newest.duration is not None
    # pending 0.3 s then in progress 0.7 s, as the demo service was configured
    assert finished.group(2) == f"{newest.duration.total_seconds():.1f}"
    assert 0.9 <= newest.duration.total_seconds() < 5

    # the same history through the production jobs API
    jobs_url = base.removesuffix("/api/v1")
    step = lines.index(
        "==> The production Globus Timers API: the same history from /jobs (api='jobs')"
    )
    jobs_requests = [(method, path) for method, path in requests if path.startswith("/jobs/")]
    assert jobs_requests == [("GET", f"/jobs/{DEMO_TIMER_ID}?page_size=1")]  # one run, one read
    newest = next(iter(client_of(service, api="jobs").iter_runs(DEMO_TIMER_ID, max_items=1)))
    assert lines[step + 1 : step + 4] == [
        f"    jobs = TimersClient(token, api='jobs', base_url={jobs_url!r})",
        f"    first run listed: {newest.status.value}, started "
        f"{newest.start_time:%Y-%m-%d %H:%M:%S}Z; its id {newest.id} is derived "
        "(production results carry none)",
        "    run_timer: UnsupportedOperationError: run_timer is not available with api='jobs': "
        "the production Globus Timers service has no endpoint that runs a timer now",
    ]

    # a typed 404 with its fields
    step = lines.index("==> Errors are typed: a run that does not exist (NotFoundError)")
    missing = "00000000-0000-0000-0000-00000000dead"
    assert lines[step + 1].startswith(
        f"    NotFoundError: 404 NOT_FOUND: No run with id {missing} for this timer. "
        f"(GET {base}/timers/{DEMO_TIMER_ID}/runs/{missing}, request id "
    )
    fields = re.fullmatch(
        r"    status_code=404 code='NOT_FOUND' request_id='([0-9a-f]+)'", lines[step + 2]
    )
    assert fields, lines[step + 2]
    assert lines[step + 1].endswith(f"request id {fields.group(1)})")

    # the time it took, then what to do next
    steps = next_steps()
    assert lines[-len(steps) - 2] == ""
    done = re.fullmatch(r"Done in (\d+\.\d) s\.", lines[-len(steps) - 1])
    assert done, lines[-len(steps) - 1]
    assert 0.9 <= float(done.group(1)) <= (after - before).total_seconds() + 0.05
    assert lines[-len(steps) :] == steps


def test_next_steps_name_the_command_when_it_is_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_demo.shutil, "which", lambda name: f"/bin/{name}")
    assert next_steps() == ["Next: timers --help"]


def test_next_steps_name_the_full_path_when_the_command_is_not_on_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[str] = []
    monkeypatch.setattr(_demo.shutil, "which", lambda name: looked_up.append(name))
    monkeypatch.setattr(_demo.sys, "executable", "/srv/my tools/.venv/bin/python")
    assert next_steps() == [  # quoted, so that they can be pasted into a shell
        "Next: '/srv/my tools/.venv/bin/timers' --help",
        "(or put it on PATH for this shell first: source '/srv/my tools/.venv/bin/activate')",
    ]
    assert looked_up == ["timers"]


def test_the_demo_reaches_its_service_with_a_proxy_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    # httpx would send the demo's requests for 127.0.0.1 to the proxy (a closed port here).
    proxy = f"http://127.0.0.1:{closed_port}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("all_proxy", proxy)
    monkeypatch.setenv("NO_PROXY", "example.org")
    buffer = io.StringIO()
    run_demo(Console(file=buffer, width=1000, color_system=None), history=12)
    assert "NotFoundError" in buffer.getvalue() and "Done in" in buffer.getvalue()
    assert os.environ["NO_PROXY"] == "example.org"  # as it was, once the demo is over
    assert "no_proxy" not in os.environ


def test_the_demo_service_times_each_run_and_seeds_an_hourly_history() -> None:
    service, timer_id = demo_service(48)
    assert timer_id == DEMO_TIMER_ID
    runs = list(client_of(service).iter_runs(timer_id))
    assert len(runs) == 48
    gaps = {
        round((a.start_time - b.start_time).total_seconds() / 3600)
        for a, b in itertools.pairwise(runs)
    }
    assert gaps == {1}
    # about 15% of past runs failed
    failed = [
        sum(
            1
            for _ in client_of(demo_service(1000, seed=seed)[0]).iter_runs(
                timer_id, status=RunStatus.FAILURE
            )
        )
        for seed in (1, 2, 3)
    ]
    assert 0.12 * 3000 <= sum(failed) <= 0.18 * 3000, failed
    assert {run.result.callback_kind for run in runs if run.result} == {"web"}
    # the same seed, the same history; another seed, another one
    again = list(client_of(demo_service(48)[0]).iter_runs(timer_id))
    assert [run.id for run in again] == [run.id for run in runs]
    other = list(client_of(demo_service(48, seed=8)[0]).iter_runs(timer_id))
    assert [run.id for run in other] != [run.id for run in runs]


def test_a_run_triggered_on_the_demo_service_never_fails_and_ends_after_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    monkeypatch.setattr(
        _demo, "FakeTimersService", functools.partial(FakeTimersService, clock=lambda: clock[0])
    )
    service, timer_id = demo_service(0)
    client = client_of(service)
    for _ in range(5):
        run = client.run_timer(timer_id)
        assert client.get_run(timer_id, run.id).status is RunStatus.PENDING
        clock[0] += timedelta(seconds=0.31)
        assert client.get_run(timer_id, run.id).status is RunStatus.IN_PROGRESS
        clock[0] += timedelta(seconds=0.7)
        assert client.get_run(timer_id, run.id).status is RunStatus.SUCCESS


def test_main_runs_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["timers", "--version"])
    with pytest.raises(SystemExit) as exited:
        timers.cli.main()
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("timers, version ")


def test_main_says_which_extra_to_install_when_the_command_line_cannot_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "timers.cli._app", None)
    with pytest.raises(SystemExit) as exited:
        timers.cli.main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "timers: the command line needs timers.cli._app: pip install 'timers-client[cli]'\n"
    )


def test_main_names_no_module_when_the_import_error_does_not_say_which(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Unnamed:
        """Fails to import the command line the way a broken install can: no module name."""

        @staticmethod
        def find_spec(name: str, *_: object) -> None:
            if name == "timers.cli._app":
                raise ModuleNotFoundError("broken install")

    monkeypatch.delitem(sys.modules, "timers.cli._app", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Unnamed(), *sys.meta_path])
    with pytest.raises(SystemExit) as exited:
        timers.cli.main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "timers: the command line needs a dependency: pip install 'timers-client[cli]'\n"
    )


def test_the_demo_prints_urls_ids_and_messages_as_text_not_markup() -> None:
    buffer = io.StringIO()
    text = "    NotFoundError: no run [bold]x[/bold] at http://h/[/] (request id [1])"
    _demo._say(Console(file=buffer, width=1000, color_system=None), text)
    assert buffer.getvalue() == text + "\n"
