"""A hostile server cannot hold a call past its time limits, nor draw a request storm.

Servers here drip one byte every 0.2 s (httpx's per-read timeout never fires), or read the
request and say nothing, or answer 429 with ``Retry-After: 0``. Clocks and sleeps are real.
The "ends within" bounds are the behaviour's own limits plus a generous second. The cases of
one test run side by side (``concurrently``), each with its own server and client.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import (
    Connection,
    Request,
    Servers,
    concurrently,
    each_request,
    json_response,
    raised,
)

from timers import APITimeoutError, RateLimitError, RetryPolicy, RunStatus, WaitTimeoutError

PENDING = run_json(status="pending", end_time=None, result=None)
Respond = Callable[[Request, Connection], None]


def real_time_client(dual: Dual, servers: Servers, respond: Respond, **kwargs: Any) -> Any:
    """A client of a new server answering with ``respond``, on the real clock and sleep."""
    server = servers(each_request(respond))
    return dual.client(base_url=server.base_url, clock=None, sleep=None, **kwargs).inner


def _drip_everything(request: Request, conn: Connection) -> None:
    status = 201 if request.method == "POST" else 200
    conn.drip(json_response(status, PENDING), interval=0.2)


def _drip_the_body(request: Request, conn: Connection) -> None:
    status = 201 if request.method == "POST" else 200
    head, _, body = json_response(status, PENDING).partition(b"\r\n\r\n")
    conn.send(head + b"\r\n\r\n")
    conn.drip(body, interval=0.2)


def _silent(request: Request, conn: Connection) -> None:
    conn.wait_for_close()


DRIPS = {"status line and headers": _drip_everything, "body": _drip_the_body}


def test_a_read_from_a_dripping_server_times_out_within_the_attempt_timeout(
    dual: Dual, servers: Servers
) -> None:
    clients = {
        where: real_time_client(dual, servers, drip, timeout=1.0, max_retries=0)
        for where, drip in DRIPS.items()
    }
    outcomes = concurrently(
        dual, {where: (lambda c=c: c.get_run(TIMER_ID, RUN_ID)) for where, c in clients.items()}
    )
    for where, outcome in outcomes.items():
        assert isinstance(outcome.error, APITimeoutError), (where, outcome)
        assert outcome.seconds < 1.0 + 1.0, (where, outcome)


def test_run_timer_against_a_dripping_server_ends_in_time_and_is_not_retried(
    dual: Dual, servers: Servers
) -> None:
    clients = {  # with the default retries
        where: real_time_client(dual, servers, drip, timeout=1.0) for where, drip in DRIPS.items()
    }
    outcomes = concurrently(
        dual, {where: (lambda c=c: c.run_timer(TIMER_ID)) for where, c in clients.items()}
    )
    for where, outcome in outcomes.items():
        assert isinstance(outcome.error, APITimeoutError), (where, outcome)
        assert outcome.error.outcome_unknown and outcome.error.retries_taken == 0
        assert outcome.seconds < 1.0 + 1.0, (where, outcome)
    for server in servers.started:
        assert server.paths() == [f"POST /api/v1/timers/{TIMER_ID}/run"]


def test_each_retry_against_a_dripping_server_is_bounded_too(dual: Dual, servers: Servers) -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=0.05)
    client = real_time_client(dual, servers, _drip_everything, timeout=0.5, retry=policy)
    outcome = concurrently(dual, {"get_run": lambda: client.get_run(TIMER_ID, RUN_ID)})["get_run"]
    assert isinstance(outcome.error, APITimeoutError) and outcome.error.retries_taken == 2
    assert len(servers.started[0].requests) == 3
    assert outcome.seconds < 3 * 0.5 + 2 * 0.05 + 1.0


def _pending_then(rest: Respond) -> Respond:
    """The first poll sees the run pending; every later one gets ``rest``."""
    polls: list[Request] = []

    def respond(request: Request, conn: Connection) -> None:
        polls.append(request)
        if len(polls) == 1:
            conn.send(json_response(200, PENDING))
        else:
            rest(request, conn)

    return respond


WAITS: dict[str, tuple[Callable[[], Respond], RunStatus | None]] = {
    "dripping from the start": (lambda: _drip_everything, None),
    "silent from the start": (lambda: _silent, None),
    "pending, then dripping": (lambda: _pending_then(_drip_the_body), RunStatus.PENDING),
    "pending, then silent": (lambda: _pending_then(_silent), RunStatus.PENDING),
}


def test_wait_for_run_ends_at_its_timeout_with_the_last_run_seen(
    dual: Dual, servers: Servers
) -> None:
    jobs = {}
    for name, (make, _) in WAITS.items():
        client = real_time_client(dual, servers, make())  # default timeouts: 30 s per read
        jobs[name] = lambda c=client: c.wait_for_run(TIMER_ID, RUN_ID, timeout=2, poll_interval=0.2)
    for name, outcome in concurrently(dual, jobs).items():
        error, last_status = outcome.error, WAITS[name][1]
        assert isinstance(error, WaitTimeoutError) and error.timeout == 2, (name, outcome)
        assert outcome.seconds < 3.0, (name, outcome)
        if last_status is None:
            assert error.run is None and "never fetched" in str(error), name
        else:
            assert error.run is not None, name
            assert error.run.status is last_status and error.run.id == RUN_ID


def _retry_after(value: Callable[[], str]) -> Respond:
    def respond(request: Request, conn: Connection) -> None:
        body = {"code": "RATE_LIMITED", "message": "slow down"}
        conn.send(json_response(429, body, headers=[("Retry-After", value())]))

    return respond


RETRY_AFTERS = {
    "0": lambda: "0",
    "an http date an hour ago": lambda: email.utils.formatdate(time.time() - 3600, usegmt=True),
}


def test_retry_after_zero_on_repeated_429s_makes_no_request_storm_while_waiting(
    dual: Dual, servers: Servers
) -> None:
    timeout, poll_interval = 2.0, 0.2
    jobs = {}
    for name, value in RETRY_AFTERS.items():
        client = real_time_client(dual, servers, _retry_after(value))
        jobs[name] = lambda c=client: c.wait_for_run(
            TIMER_ID, RUN_ID, timeout=timeout, poll_interval=poll_interval
        )
    outcomes = concurrently(dual, jobs)
    max_retries = RetryPolicy().max_retries
    for server, (name, outcome) in zip(servers.started, outcomes.items(), strict=True):
        assert isinstance(outcome.error, WaitTimeoutError), (name, outcome)
        assert outcome.error.run is None
        assert outcome.seconds < timeout + 1.0, (name, outcome)
        # At most one poll per poll_interval, each retried at most max_retries times.
        assert 2 <= len(server.requests) <= (timeout / poll_interval) * (1 + max_retries), name


@pytest.mark.parametrize("retry_after", RETRY_AFTERS)
def test_retry_after_zero_on_a_plain_read_still_backs_off(
    dual: Dual, servers: Servers, retry_after: str
) -> None:
    server = servers(each_request(_retry_after(RETRY_AFTERS[retry_after])))
    client = dual.client(base_url=server.base_url)  # the fake clock records each sleep
    exc = raised(lambda: client.get_run(TIMER_ID, RUN_ID))
    assert isinstance(exc, RateLimitError) and exc.retries_taken == 3
    assert len(server.requests) == 4
    policy = client.retry
    assert len(dual.clock.sleeps) == 3
    for n, slept in enumerate(dual.clock.sleeps):  # the backoff, not the "0" asked for
        backoff = min(policy.backoff_max, policy.backoff_base * 2**n)
        assert 0.75 * backoff <= slept <= backoff
