"""Every fault on every operation, sync and async: the outcome, the requests sent, no stray errors.

Each cell injects a fault on the first two attempts (then the service answers normally) or on
every attempt, and checks: success after N retries or the exact error class, how many requests
were sent, and that nothing outside the ``TimersError`` tree escapes.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    TimersError,
)

Fault = Callable[[httpx.Request, float], httpx.Response]


def _raise(exc: type[httpx.TransportError], message: str) -> Fault:
    def fault(request: httpx.Request, now: float) -> httpx.Response:
        raise exc(message, request=request)

    return fault


def _answer(status: int, content: bytes, content_type: str, **headers: str) -> Fault:
    def fault(request: httpx.Request, now: float) -> httpx.Response:
        return httpx.Response(
            status, content=content, headers={"content-type": content_type, **headers}
        )

    return fault


def _retry_at(seconds: float) -> Fault:
    def fault(request: httpx.Request, now: float) -> httpx.Response:
        when = email.utils.formatdate(now + seconds, usegmt=True)
        return httpx.Response(
            429,
            json={"code": "RATE_LIMITED", "message": "slow down"},
            headers={"retry-after": when},
        )

    return fault


ERROR_JSON = b'{"code": "INTERNAL_ERROR", "message": "boom", "request_id": "r1"}'
HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
RATE = b'{"code": "RATE_LIMITED", "message": "slow down"}'

FAULTS: dict[str, Fault] = {
    "connection refused": _raise(httpx.ConnectError, "[Errno 111] Connection refused"),
    "dns failure": _raise(httpx.ConnectError, "[Errno -2] Name or service not known"),
    "connect timeout": _raise(httpx.ConnectTimeout, "timed out"),
    "read timeout": _raise(httpx.ReadTimeout, "timed out"),
    "reset mid-response": _raise(httpx.ReadError, "[Errno 104] Connection reset by peer"),
    "dropped after sending": _raise(
        httpx.RemoteProtocolError, "Server disconnected without sending a response."
    ),
    "408": _answer(408, b'{"code": "TIMEOUT", "message": "slow"}', "application/json"),
    "429 no header": _answer(429, RATE, "application/json"),
    "429 seconds": _answer(429, RATE, "application/json", **{"retry-after": "2"}),
    "429 http-date": _retry_at(5),
    "429 huge": _answer(429, RATE, "application/json", **{"retry-after": "3600"}),
}
for _status in (500, 502, 503, 504):
    FAULTS[f"{_status} json"] = _answer(_status, ERROR_JSON, "application/json")
    FAULTS[f"{_status} html"] = _answer(_status, HTML, "text/html")
    FAULTS[f"{_status} empty"] = _answer(_status, b"", "application/json")
    FAULTS[f"{_status} truncated"] = _answer(_status, ERROR_JSON[:20], "application/json")
FAULTS["200 invalid json"] = _answer(200, b'{"id": "9f2d', "application/json")
FAULTS["200 not json"] = _answer(200, b"<html>ok</html>", "text/html")

OPERATIONS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
    "run_timer": ("run_timer", (TIMER_ID,), {}),
    "list_runs": ("list_runs", (TIMER_ID,), {}),
    "get_run": ("get_run", (TIMER_ID, RUN_ID), {}),
}


class FaultyService:
    """Applies ``fault`` to the first ``times`` requests, then answers like the service."""

    def __init__(self, fault: Fault, times: int, now: Callable[[], float]) -> None:
        self.fault = fault
        self.times = times
        self.now = now
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests <= self.times:
            return self.fault(request, self.now())
        if request.method == "POST":
            return httpx.Response(201, json=run_json(status="pending", end_time=None, result=None))
        if request.url.path.endswith("/runs"):
            return httpx.Response(200, json=page_json([run_json()]))
        return httpx.Response(200, json=run_json())


NEVER_SENT = {"connection refused", "dns failure", "connect timeout"}
RETRIED_EVEN_FOR_POST = NEVER_SENT | {"429 no header", "429 seconds", "429 http-date"}
SENT_TRANSPORT = {"read timeout", "reset mid-response", "dropped after sending"}
RETRIED_FOR_GET = (
    RETRIED_EVEN_FOR_POST
    | SENT_TRANSPORT
    | {"408"}
    | {name for name in FAULTS if name[:3] in ("500", "502", "503", "504")}
)


def expected_error(fault: str) -> type[TimersError]:
    if fault in ("connect timeout", "read timeout"):
        return APITimeoutError
    if fault in NEVER_SENT | SENT_TRANSPORT:
        return APIConnectionError
    if fault.startswith("429"):
        return RateLimitError
    if fault.startswith("5"):
        return ServerError
    if fault.startswith("200"):
        return ResponseValidationError
    return APIError


def call(dual: Dual, service: FaultyService, operation: str) -> Any:
    name, args, kwargs = OPERATIONS[operation]
    client = dual.client(handler=service, validate=False)
    return getattr(client, name)(*args, **kwargs)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_passing_fault(dual: Dual, operation: str, fault: str) -> None:
    """The fault hits the first two attempts; retries (the default number) get past it where
    allowed."""
    service = FaultyService(FAULTS[fault], times=2, now=dual.clock.time)
    retried = fault in (RETRIED_EVEN_FOR_POST if operation == "run_timer" else RETRIED_FOR_GET)
    if retried:
        result = call(dual, service, operation)
        assert result is not None
        assert service.requests == 3
        assert len(dual.clock.sleeps) == 2
        return
    with pytest.raises(TimersError) as info:
        call(dual, service, operation)
    err = info.value
    assert type(err) is expected_error(fault)
    assert service.requests == 1, "not retried"
    assert dual.clock.sleeps == []
    if isinstance(err, APIError | APIConnectionError):
        assert err.retries_taken == 0
        unknown = operation == "run_timer" and (fault in SENT_TRANSPORT or fault[0] == "5")
        assert err.outcome_unknown is unknown
        assert ("may or may not have been created" in str(err)) is unknown


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_lasting_fault(dual: Dual, operation: str, fault: str) -> None:
    """The fault never clears: the exact error, after every allowed retry, and nothing else."""
    service = FaultyService(FAULTS[fault], times=10**6, now=dual.clock.time)
    with pytest.raises(TimersError) as info:
        call(dual, service, operation)
    err = info.value
    assert type(err) is expected_error(fault)
    retried = fault in (RETRIED_EVEN_FOR_POST if operation == "run_timer" else RETRIED_FOR_GET)
    allowed = RetryPolicy().max_retries  # the default: a change of it is not this test's news
    assert service.requests == (allowed + 1 if retried else 1)
    if isinstance(err, APIError | APIConnectionError):
        assert err.retries_taken == (allowed if retried else 0)


def test_backoff_is_exponential_capped_and_jittered(dual: Dual) -> None:
    service = FaultyService(FAULTS["503 json"], times=10**6, now=dual.clock.time)
    from timers import RetryPolicy

    client = dual.client(
        handler=service,
        validate=False,
        retry=RetryPolicy(max_retries=6, backoff_base=0.5, backoff_max=4.0),
    )
    with pytest.raises(ServerError):
        client.get_run(TIMER_ID, RUN_ID)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert len(dual.clock.sleeps) == 6
    for slept, ceiling in zip(dual.clock.sleeps, ceilings, strict=True):
        assert 0.75 * ceiling <= slept <= ceiling


def test_retry_after_seconds_and_dates_are_slept_exactly(dual: Dual) -> None:
    seconds = FaultyService(FAULTS["429 seconds"], times=2, now=dual.clock.time)
    dual.client(handler=seconds, validate=False).get_run(TIMER_ID, RUN_ID)
    assert dual.clock.sleeps == [2.0, 2.0]
    dual.clock.sleeps.clear()
    dated = FaultyService(FAULTS["429 http-date"], times=1, now=dual.clock.time)
    dual.client(handler=dated, validate=False).run_timer(TIMER_ID)
    assert dual.clock.sleeps == [pytest.approx(5.0, abs=1.0)]


def test_a_retry_after_beyond_the_cap_is_raised_at_once_with_retry_after(dual: Dual) -> None:
    service = FaultyService(FAULTS["429 huge"], times=1, now=dual.clock.time)
    with pytest.raises(RateLimitError) as info:
        dual.client(handler=service, validate=False).list_runs(TIMER_ID)
    assert info.value.retry_after == 3600.0
    assert service.requests == 1 and dual.clock.sleeps == []


def test_max_retries_zero_disables_retries(dual: Dual) -> None:
    service = FaultyService(FAULTS["503 json"], times=1, now=dual.clock.time)
    with pytest.raises(ServerError) as info:
        dual.client(handler=service, validate=False, max_retries=0).get_run(TIMER_ID, RUN_ID)
    assert service.requests == 1 and info.value.retries_taken == 0


def test_retries_taken_is_in_the_message(dual: Dual) -> None:
    service = FaultyService(FAULTS["connection refused"], times=10**6, now=dual.clock.time)
    with pytest.raises(APIConnectionError) as info:
        dual.client(handler=service, validate=False, max_retries=2).get_run(TIMER_ID, RUN_ID)
    assert info.value.retries_taken == 2
    assert "after 2 retries" in str(info.value)
    assert "Connection refused" in str(info.value)
