"""The reference service over real HTTP on loopback: keep-alive, concurrency, faults, shutdown."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from timers import APIConnectionError, TimersClient
from timers.testing import FakeTimersService, serve

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], seed=5)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 40, interval=timedelta(minutes=30))
    return service


def test_serve_yields_a_loopback_base_url_and_answers(service: FakeTimersService) -> None:
    with serve(service) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
        with TimersClient(TOKEN, base_url=base_url) as client:
            page = client.list_runs(TIMER, limit=10)
            assert page.total == 40
            assert client.get_run(TIMER, page.runs[0].id) == page.runs[0]


def test_many_concurrent_keep_alive_clients(service: FakeTimersService) -> None:
    with serve(service) as base_url:

        def work(_: int) -> int:
            with TimersClient(TOKEN, base_url=base_url) as client:
                return sum(len(client.list_runs(TIMER, limit=5)) for _ in range(10))

        with ThreadPoolExecutor(max_workers=50) as pool:
            assert list(pool.map(work, range(50))) == [50] * 50
    assert len(service.requests) == 500


def test_one_client_reuses_one_connection(service: FakeTimersService) -> None:
    with serve(service) as base_url, httpx.Client() as http:
        client = TimersClient(TOKEN, base_url=base_url, http_client=http)
        peers = set()
        for _ in range(20):
            response = http.get(
                f"{base_url}/timers/{TIMER}/runs", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            stream = response.extensions["network_stream"]
            peers.add(stream.get_extra_info("socket").getsockname())
        client.list_runs(TIMER)
    assert len(peers) == 1


def test_a_dropped_connection_is_really_closed(service: FakeTimersService) -> None:
    service.drop_next(operation="get_timer_run")
    with serve(service) as base_url, TimersClient(TOKEN, base_url=base_url, max_retries=0) as c:
        with pytest.raises(APIConnectionError) as info:
            c.get_run(TIMER, "00000000-0000-4000-8000-000000000001")
        assert "RemoteProtocolError" in str(info.value) or "ReadError" in str(info.value)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_serving_off_loopback_is_refused(service: FakeTimersService, host: str) -> None:
    with pytest.raises(ValueError, match="loopback"), serve(service, host=host):
        pass


def test_the_port_is_closed_after_the_block(service: FakeTimersService) -> None:
    with serve(service) as base_url:
        port = httpx.URL(base_url).port
        assert port is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_the_pytest_plugin_fixtures(
    timers_service: FakeTimersService, timers_base_url: str
) -> None:
    timer = timers_service.add_timer()
    with TimersClient("test-token", base_url=timers_base_url) as client:
        assert client.run_timer(timer).timer_id == timer
    assert timers_service.runs_created == 1
