"""``timers serve`` (timers.cli._service): what it prints, and how it stops."""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from timers import TimersClient
from timers.cli import _demo, _service
from timers.cli._app import cli
from timers.cli._demo import DEMO_TIMER_ID, DEMO_TOKEN, demo_service
from timers.testing import FakeTimersService


def test_serve_prints_the_url_token_timer_and_how_to_use_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[str] = []
    monkeypatch.setattr(
        _service, "_block_until_interrupted", lambda on_wakeup: served.append("blocked")
    )
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--runs", "3", "--seed", "5"])
    assert result.exit_code == 0, result.stderr
    assert served == ["blocked"]
    lines = result.stdout.splitlines()
    base = lines[0].removeprefix("Serving the reference Timers service at ")
    assert base.startswith("http://127.0.0.1:") and base.endswith("/api/v1")
    jobs = base.removesuffix("/api/v1")
    assert lines[1:] == [
        f"TIMERS_BASE_URL={base}",
        f"TIMERS_ACCESS_TOKEN={DEMO_TOKEN}",
        f"Timer id: {DEMO_TIMER_ID} (3 runs)",
        f"Try: TIMERS_BASE_URL={base} TIMERS_ACCESS_TOKEN={DEMO_TOKEN} "
        f"timers runs list {DEMO_TIMER_ID}",
        f"The same service speaks the production jobs API at {jobs}: TIMERS_BASE_URL={jobs} "
        f"TIMERS_ACCESS_TOKEN={DEMO_TOKEN} timers --api jobs runs list {DEMO_TIMER_ID}",
        "Press Ctrl-C to stop.",
    ]


def test_serving_forgets_the_requests_it_answered_at_each_wakeup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server left running for days must not keep every request it answered.
    services: list[FakeTimersService] = []

    def made(*args: Any, **kwargs: Any) -> tuple[FakeTimersService, str]:
        service, timer_id = demo_service(*args, **kwargs)
        services.append(service)
        return service, timer_id

    def serving(on_wakeup: Callable[[], object]) -> None:
        (service,) = services
        service.requests.extend([("GET", "/a"), ("GET", "/b")])  # as if answered meanwhile
        on_wakeup()
        assert service.requests == []

    monkeypatch.setattr(_demo, "demo_service", made)
    monkeypatch.setattr(_service, "_block_until_interrupted", serving)
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--runs", "1"])
    assert result.exit_code == 0, result.stderr or result.exception


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--api", "jobs", "serve"], {}), (["serve"], {"TIMERS_API": "jobs"})],
    ids=["--api jobs", "TIMERS_API=jobs"],
)
def test_serve_for_the_jobs_api_prints_the_jobs_url_first(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]
) -> None:
    monkeypatch.setattr(_service, "_block_until_interrupted", lambda on_wakeup: None)
    result = CliRunner().invoke(cli, [*args, "--port", "0", "--runs", "2"], env=env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    jobs = lines[0].removeprefix("Serving the reference Timers service at ")
    assert jobs.startswith("http://127.0.0.1:") and "/api" not in jobs
    runs = f"{jobs}/api/v1"
    assert lines[1:] == [
        f"TIMERS_BASE_URL={jobs}",
        f"TIMERS_ACCESS_TOKEN={DEMO_TOKEN}",
        f"Timer id: {DEMO_TIMER_ID} (2 runs)",
        f"Try: TIMERS_BASE_URL={jobs} TIMERS_ACCESS_TOKEN={DEMO_TOKEN} "
        f"timers --api jobs runs list {DEMO_TIMER_ID}",
        f"The same service speaks the runs API (spec/timers-runs.yaml) at {runs}: "
        f"TIMERS_BASE_URL={runs} TIMERS_ACCESS_TOKEN={DEMO_TOKEN} "
        f"timers --api runs runs list {DEMO_TIMER_ID}",
        "Press Ctrl-C to stop.",
    ]


def test_serve_for_the_runs_api_chosen_explicitly_prints_the_runs_url_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_service, "_block_until_interrupted", lambda on_wakeup: None)
    result = CliRunner().invoke(
        cli, ["serve", "--port", "0", "--runs", "1"], env={"TIMERS_API": "RUNS"}
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("/api/v1") and lines[1].endswith("/api/v1")
    assert lines[1].startswith("TIMERS_BASE_URL=http://127.0.0.1:")


def test_the_demo_service_has_the_history_asked_for() -> None:
    service, timer_id = demo_service(4, seed=5)
    assert timer_id == DEMO_TIMER_ID
    client = TimersClient(DEMO_TOKEN, http_client=httpx.Client(transport=service.transport()))
    page = client.list_runs(timer_id)
    assert page.total == 4
    empty, _ = demo_service(0)
    other = TimersClient(DEMO_TOKEN, http_client=httpx.Client(transport=empty.transport()))
    assert other.list_runs(timer_id).total == 0


def test_serving_stops_on_sigterm(monkeypatch: pytest.MonkeyPatch) -> None:
    handlers: dict[int, object] = {}
    installed = threading.Event()  # the SIGTERM handler is in place
    returned = threading.Event()  # serving stopped
    stuck = threading.Event()  # it did not: the main thread had to be freed

    def install(number: int, handler: object) -> object:
        previous = handlers.get(number, "the caller's handler")
        handlers[number] = handler
        if number == signal.SIGTERM and callable(handler):
            installed.set()
        return previous

    monkeypatch.setattr(signal, "signal", install)
    monkeypatch.setattr(signal, "getsignal", lambda n: handlers.get(n, "the caller's handler"))

    def terminate_soon() -> None:
        if installed.wait(5):
            handlers[signal.SIGTERM](signal.SIGTERM, None)  # type: ignore[operator]
            if returned.wait(5):
                return
        if not returned.is_set():  # a regression: fail in seconds instead of hanging
            stuck.set()
            _thread.interrupt_main()

    thread = threading.Thread(target=terminate_soon, daemon=True)
    thread.start()
    interrupted = False
    try:
        _service._block_until_interrupted(lambda: None)
    except KeyboardInterrupt:  # only from terminate_soon, if serving ignores it
        interrupted = True
    returned.set()
    thread.join(timeout=5)
    assert installed.is_set(), "no SIGTERM handler was installed"
    assert not stuck.is_set() and not interrupted, "SIGTERM's handler did not stop serving"
    assert not thread.is_alive()
    assert handlers[signal.SIGTERM] == "the caller's handler"  # put back (CLI run in-process)


def test_a_sigterm_handler_not_set_from_python_is_put_back_as_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed: list[object] = []

    def install(number: int, handler: object) -> object:
        installed.append(handler)
        if callable(handler):  # serving's own: stop at once
            handler(signal.SIGTERM, None)
        return None  # what signal.signal says of a handler installed by C code

    monkeypatch.setattr(signal, "signal", install)
    monkeypatch.setattr(signal, "getsignal", lambda number: None)  # as signal.signal says
    _service._block_until_interrupted(lambda: None)
    assert len(installed) == 2 and installed[1] is signal.SIG_DFL


def test_serving_wakes_up_at_least_every_second_so_ctrl_c_is_seen_on_every_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On Windows a blocked Event.wait() is not interrupted by Ctrl-C: the loop must wake up
    # often (a second at most) for KeyboardInterrupt to be raised promptly.
    timeouts: list[float | None] = []

    class Event:
        def wait(self, timeout: float | None = None) -> bool:
            timeouts.append(timeout)
            if len(timeouts) == 3:
                raise KeyboardInterrupt
            return False

        def set(self) -> None:  # pragma: no cover - SIGTERM is not sent here
            raise AssertionError("not expected")

    monkeypatch.setattr(threading, "Event", Event)
    monkeypatch.setattr(signal, "signal", lambda number, handler: None)
    wakeups: list[int] = []
    _service._block_until_interrupted(lambda: wakeups.append(len(timeouts)))  # quiet on Ctrl-C
    assert len(timeouts) == 3
    assert wakeups == [1, 2]  # after each wait that ended without a stop
    assert all(timeout is not None and 0 < timeout <= 1 for timeout in timeouts)
