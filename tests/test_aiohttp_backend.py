"""``AsyncTimersClient(http_backend="aiohttp")`` behaves exactly like the httpx path: the same
retries after the same faults, the same errors, over real sockets to the reference service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from timers import (
    APIConnectionError,
    APITimeoutError,
    AsyncTimersClient,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    TimersClient,
)
from timers.testing import FakeTimersService, serve

pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")

from timers import _aiohttp  # after the skip: it needs aiohttp

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN])
    service.add_timer(TIMER)
    service.seed_history(TIMER, 30)
    return service


@pytest.fixture
def served(service: FakeTimersService) -> Iterator[str]:
    with serve(service) as base_url:
        yield base_url


async def _no_sleep(seconds: float) -> None:
    return None


def call(base_url: str, backend: str, operation: str, **options: Any) -> Any:
    async def run() -> Any:
        async with AsyncTimersClient(
            TOKEN, base_url=base_url, http_backend=backend, sleep=_no_sleep, **options
        ) as client:
            if operation == "get_run":
                page = await client.list_runs(TIMER, limit=1)
                return await client.get_run(TIMER, page.runs[0].id)
            if operation == "iter_runs":
                return [run async for run in client.iter_runs(TIMER, page_size=7)]
            return await client.list_runs(TIMER, limit=5)

    try:
        return asyncio.run(run())
    except Exception as error:  # the outcome under test, compared between backends
        return error


def _shape(outcome: Any) -> Any:
    if isinstance(outcome, Exception):
        return (type(outcome).__name__, getattr(outcome, "retries_taken", None),
                getattr(outcome, "outcome_unknown", None))  # fmt: skip
    if isinstance(outcome, list):
        return ("runs", len(outcome))
    return (type(outcome).__name__,)


FAULTS: dict[str, Callable[[FakeTimersService], None]] = {
    "nothing": lambda s: None,
    "503 once": lambda s: s.fail_next(1, status=503),
    "503 always": lambda s: s.fail_next(50, status=503),
    "429 once": lambda s: s.fail_next(1, status=429, headers={"Retry-After": "1"}),
    "429 beyond the cap": lambda s: s.fail_next(1, status=429, headers={"Retry-After": "999"}),
    "dropped once": lambda s: s.drop_next(1),
    "dropped always": lambda s: s.drop_next(50),
    "404": lambda s: s.fail_next(50, status=404),
    "html 502 always": lambda s: s.fail_next(
        50,
        status=502,
        body="<html><title>Bad gateway</title></html>",
        headers={"Content-Type": "text/html"},
    ),
    "not json": lambda s: s.fail_next(1, status=200, body="nope"),
}


@pytest.mark.parametrize("operation", ["get_run", "list_runs", "iter_runs"])
@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_ends_the_same_way_on_both_backends(
    service: FakeTimersService, served: str, fault: str, operation: str
) -> None:
    outcomes = {}
    for backend in ("httpx", "aiohttp"):
        service.reset()
        service.add_timer(TIMER)
        service.seed_history(TIMER, 30)
        FAULTS[fault](service)  # for get_run, the listing that finds a run id meets it first
        outcomes[backend] = _shape(call(served, backend, operation))
    assert outcomes["aiohttp"] == outcomes["httpx"]


def test_errors_map_to_the_same_classes(service: FakeTimersService, served: str) -> None:
    service.fail_next(50, status=404)
    assert isinstance(call(served, "aiohttp", "list_runs"), NotFoundError)
    service.reset()
    service.add_timer(TIMER)
    service.fail_next(50, status=500)
    assert isinstance(call(served, "aiohttp", "list_runs"), ServerError)
    service.reset()
    service.add_timer(TIMER)
    service.fail_next(1, status=429, headers={"Retry-After": "999"})
    assert isinstance(call(served, "aiohttp", "list_runs"), RateLimitError)
    service.reset()
    service.add_timer(TIMER)
    service.fail_next(1, status=200, body="nope")
    assert isinstance(call(served, "aiohttp", "list_runs"), ResponseValidationError)


def test_a_refused_connection_and_a_slow_server_map_to_connection_errors(
    service: FakeTimersService,
) -> None:
    with serve(service) as base_url:
        pass
    refused = call(base_url, "aiohttp", "list_runs", max_retries=0)
    assert type(refused) is APIConnectionError and not refused.outcome_unknown
    with serve(service) as base_url:
        service.latency = 0.5
        slow = call(base_url, "aiohttp", "list_runs", max_retries=0, timeout=0.2)
    assert type(slow) is APITimeoutError


def test_http_backend_is_checked_and_async_only() -> None:
    with pytest.raises(InvalidArgumentError, match="http_backend must be 'httpx' or 'aiohttp'"):
        AsyncTimersClient(TOKEN, http_backend="curl")
    with pytest.raises(InvalidArgumentError, match="not both"):
        AsyncTimersClient(TOKEN, http_backend="aiohttp", http_client=httpx.AsyncClient())
    with pytest.raises(TypeError):
        TimersClient(TOKEN, http_backend="aiohttp")  # type: ignore[call-arg]


# -- service.mock() answers this backend too ---------------------------------------------------
# respx patches httpcore, which the aiohttp backend does not use: unless mock() reaches it, a
# client on it sends to the real URL, with its token.


def test_mock_answers_the_aiohttp_backend_and_nothing_reaches_the_network(
    service: FakeTimersService,
) -> None:
    elsewhere = FakeTimersService(tokens=[TOKEN])  # "the network": it has no such timer
    with serve(elsewhere) as real_url:
        with service.mock(base_url=real_url):
            page = call(real_url, "aiohttp", "list_runs")
            runs = call(real_url, "aiohttp", "iter_runs")
        assert elsewhere.requests == []
        assert page.total == 30 and len(runs) == 30
        # Once mock() is over, the backend sends again (the patch is undone).
        assert isinstance(call(real_url, "aiohttp", "list_runs"), NotFoundError)
        assert elsewhere.requests == [("GET", f"/api/v1/timers/{TIMER}/runs?limit=5")]


def test_under_mock_the_aiohttp_backend_refuses_what_is_not_routed_as_httpx_does(
    service: FakeTimersService,
) -> None:
    import respx

    elsewhere = FakeTimersService(tokens=[TOKEN])
    elsewhere.add_timer(TIMER)
    with serve(elsewhere) as real_url, service.mock(base_url="https://timers.example.org"):
        for backend in ("httpx", "aiohttp"):
            refused = call(real_url, backend, "list_runs")
            assert isinstance(refused, respx.models.AllMockedAssertionError), backend
    assert elsewhere.requests == []


def test_the_aiohttp_backend_meets_the_faults_of_a_mocked_service(
    service: FakeTimersService,
) -> None:
    with serve(service) as closed_url:  # a loopback port nobody listens on any more
        pass
    service.drop_next(1)  # a dropped answer and a 503, each retried
    service.fail_next(1, status=503)
    with service.mock(base_url=closed_url):
        page = call(closed_url, "aiohttp", "list_runs")
    assert page.total == 30
    assert len(service.requests) == 3


def test_under_mock_a_route_of_yours_can_let_an_aiohttp_request_through(
    service: FakeTimersService,
) -> None:
    elsewhere = FakeTimersService(tokens=[TOKEN])
    elsewhere.add_timer(TIMER)
    elsewhere.seed_history(TIMER, 2)
    with serve(elsewhere) as real_url, service.mock() as router:
        router.route(url__startswith=real_url).pass_through()
        page = call(real_url, "aiohttp", "list_runs")
    assert page.total == 2 and len(elsewhere.requests) == 1


def test_once_mock_is_over_the_aiohttp_backend_sends_whatever_respx_routers_run(
    service: FakeTimersService,
) -> None:
    # respx alone never reaches the aiohttp backend: once mock() is over, routers of yours
    # (running on, or started later) do not either, whatever stopped first.
    import respx

    elsewhere = FakeTimersService(tokens=[TOKEN])
    elsewhere.add_timer(TIMER)
    original = _aiohttp.AiohttpTransport.handle_async_request
    with serve(elsewhere) as real_url:
        mocked = service.mock(base_url=real_url)
        yours = respx.mock(assert_all_called=False)
        mocked.start()
        yours.start()
        mocked.stop()
        assert _aiohttp.AiohttpTransport.handle_async_request is original
        assert isinstance(call(real_url, "httpx", "list_runs"), AssertionError)  # yours
        assert call(real_url, "aiohttp", "list_runs").total == 0  # sent, answered for real
        yours.stop()
        with respx.mock(assert_all_called=False):
            assert call(real_url, "aiohttp", "list_runs").total == 0
    assert len(elsewhere.requests) == 2


def test_under_mock_the_aiohttp_backend_times_out_as_it_would_for_real(
    service: FakeTimersService,
) -> None:
    service.latency = 30.0  # waited in full only if the client's timeout cannot cut it
    with serve(service) as closed_url:
        pass
    started = time.monotonic()
    with service.mock(base_url=closed_url):
        slow = call(closed_url, "aiohttp", "list_runs", max_retries=0, timeout=0.2)
    assert type(slow) is APITimeoutError
    assert time.monotonic() - started < 5


def test_nested_mocks_answer_the_aiohttp_backend_until_the_outer_one_ends(
    service: FakeTimersService,
) -> None:
    elsewhere = FakeTimersService(tokens=[TOKEN])  # "the network": it has no such timer
    with serve(elsewhere) as real_url, service.mock(base_url=real_url):
        with FakeTimersService(tokens=[TOKEN]).mock(base_url="https://inner.example"):
            pass
        assert call(real_url, "aiohttp", "list_runs").total == 30  # the outer one still runs
    assert elsewhere.requests == []
