"""A created run is never lost: when ``run_timer(wait=True)``'s POST succeeded (201 with a
run) and waiting for the run then fails, whatever the failure, the error carries the run
(``.run``) and its message names the run's id, so nobody triggers the timer a second time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import Connection, Request, Servers, each_request, json_response, raised

from timers import (
    APIConnectionError,
    APITimeoutError,
    NotFoundError,
    ResponseValidationError,
    RunStatus,
    ServerError,
    TimersError,
    UsageError,
    WaitTimeoutError,
)
from timers.cli._app import cli

PENDING = run_json(status="pending", end_time=None, result=None)
Respond = Callable[[Request, Connection], None]


def created_then(poll: Respond) -> Respond:
    """POST: 201 with a pending run. Every poll after it: ``poll``."""

    def respond(request: Request, conn: Connection) -> None:
        if request.method == "POST":
            conn.send(json_response(201, PENDING))
        else:
            poll(request, conn)

    return respond


def _status(code: int, body: Any = None) -> Respond:
    def poll(request: Request, conn: Connection) -> None:
        conn.send(json_response(code, body or {"code": "E", "message": f"answered {code}"}))

    return poll


def _reset(request: Request, conn: Connection) -> None:
    conn.reset()


def _close(request: Request, conn: Connection) -> None:
    conn.close()


def _invalid(request: Request, conn: Connection) -> None:
    conn.send(json_response(200, run_json(id="not-a-uuid")))


def _drip(request: Request, conn: Connection) -> None:
    conn.drip(json_response(200, PENDING), interval=0.2)


def _pending(request: Request, conn: Connection) -> None:
    conn.send(json_response(200, PENDING))


# name: (how polls fail, the error expected, client settings)
POLLS_FAIL: dict[str, tuple[Respond, type[TimersError], dict[str, Any]]] = {
    "500s": (_status(500), ServerError, {}),
    "503s": (_status(503), ServerError, {}),
    "connection reset": (_reset, APIConnectionError, {}),
    "connection closed unanswered": (_close, APIConnectionError, {}),
    "an invalid body": (_invalid, ResponseValidationError, {}),
    "404": (_status(404), NotFoundError, {}),
    "dripping": (_drip, APITimeoutError, {"timeout": 0.5, "max_retries": 0, "clock": None}),
    "pending until the wait times out": (_pending, WaitTimeoutError, {}),
}


@pytest.mark.parametrize("polls", POLLS_FAIL)
def test_run_timer_wait_error_carries_the_created_run_when_polls_fail(
    dual: Dual, servers: Servers, polls: str
) -> None:
    poll, expected, settings = POLLS_FAIL[polls]
    server = servers(each_request(created_then(poll)))
    client = dual.client(base_url=server.base_url, **settings)

    exc = raised(lambda: client.run_timer(TIMER_ID, wait=True, timeout=60, poll_interval=1))

    assert isinstance(exc, expected), exc
    assert exc.run is not None and exc.run.id == RUN_ID and exc.run.timer_id == TIMER_ID
    assert exc.run.status is RunStatus.PENDING
    assert RUN_ID in str(exc)
    if expected is not WaitTimeoutError:
        assert "was created before this happened" in str(exc)
    else:
        assert str(exc).startswith(f"run {RUN_ID} did not finish within 60 s (still 'pending')")
    methods = [r.method for r in server.requests]
    assert methods.count("POST") == 1 and methods[0] == "POST"  # never triggered twice
    assert len(methods) > 1  # it did poll


def test_the_error_carries_the_run_as_the_last_poll_saw_it(dual: Dual, servers: Servers) -> None:
    polls = 0

    def in_progress_then_503s(request: Request, conn: Connection) -> None:
        nonlocal polls
        polls += 1
        if polls == 1:
            conn.send(
                json_response(200, run_json(status="in_progress", end_time=None, result=None))
            )
        else:
            conn.send(json_response(503, {"code": "E", "message": "unavailable"}))

    server = servers(each_request(created_then(in_progress_then_503s)))
    client = dual.client(base_url=server.base_url, max_retries=1)

    exc = raised(lambda: client.run_timer(TIMER_ID, wait=True, timeout=60, poll_interval=1))

    assert isinstance(exc, ServerError) and exc.run is not None
    assert exc.run.status is RunStatus.IN_PROGRESS  # not the POST's pending
    assert "was created before this happened" in str(exc) and RUN_ID in str(exc)


def test_closing_the_client_while_waiting_for_a_created_run_still_names_the_run(
    dual: Dual, servers: Servers
) -> None:
    server = servers(each_request(created_then(_pending)))
    client = dual.client(base_url=server.base_url)

    closing: list[asyncio.Task[None]] = []

    def close_on_first_update(run: Any) -> None:  # from another task, for the async client
        if dual.is_async:
            closing.append(asyncio.get_running_loop().create_task(client.inner.aclose()))
        else:
            client.inner.close()

    exc = raised(lambda: client.run_timer(TIMER_ID, wait=True, on_update=close_on_first_update))
    assert isinstance(exc, UsageError)
    assert exc.run is not None and exc.run.id == RUN_ID and RUN_ID in str(exc)


def test_cli_trigger_wait_shows_the_created_run_when_polls_fail(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # every wait of the CLI
    server = servers(each_request(created_then(_reset)))
    env = {"TIMERS_BASE_URL": server.base_url, "TIMERS_ACCESS_TOKEN": "tok-cli-0001"}
    result = CliRunner().invoke(
        cli, ["runs", "trigger", TIMER_ID, "--wait", "--format", "json"], env=env
    )
    assert result.exit_code == 9, result.output
    assert RUN_ID in result.stdout  # the run, to wait for instead of triggering again
    assert result.stderr.count("timers: error: ") == 1 and RUN_ID in result.stderr
    assert [r.method for r in server.requests].count("POST") == 1
