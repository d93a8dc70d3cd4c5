"""The reference service over real HTTP on loopback: ``serve()`` and the pytest plugin."""

from __future__ import annotations

import errno
import gc
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from support.openapi import validate_exchange

from timers import TimersClient
from timers.testing import LoopbackServer, _server
from timers.testing._server import direct_to_loopback, serve
from timers.testing._service import FakeTimersService

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMER = "12345678-1234-1234-1234-123456789012"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START, seed=5)
    service.add_timer(TIMER, callback="flow")
    service.seed_history(TIMER, 30)
    return service


@pytest.fixture
def base_url(service: FakeTimersService) -> Iterator[str]:
    with serve(service) as url:
        yield url


def http_request(host: str, port: int, raw: bytes) -> bytes:
    """Send raw bytes on a fresh socket; return everything the server sends back."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_serve_yields_a_loopback_base_url_under_api_v1(base_url: str) -> None:
    parts = urlsplit(base_url)
    assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/api/v1")
    assert parts.port


def test_the_three_operations_answer_over_http_as_the_spec_says(
    service: FakeTimersService, base_url: str
) -> None:
    with httpx.Client(base_url=base_url, headers=AUTH) as http:
        exchanges = [
            http.post(f"/timers/{TIMER}/run"),
            http.get(f"/timers/{TIMER}/runs", params={"limit": 5, "status": "success"}),
            http.get(f"/timers/{TIMER}/runs/00000000-0000-4000-8000-000000000000"),
            http.get(f"/timers/{TIMER}/runs", params={"limit": 0}),
            http.get("/timers/not-a-uuid/runs"),
        ]
        run = exchanges[0].json()
        exchanges.append(http.get(f"/timers/{TIMER}/runs/{run['id']}"))
    for response in exchanges:  # two requests are invalid on purpose: check the answers only
        validate_exchange(response.request, response, validate_request=False)
    assert [r.status_code for r in exchanges] == [201, 200, 404, 400, 422, 200]
    assert exchanges[-1].json() == run
    assert service.runs_created == 1


def test_requests_outside_api_v1_get_404(base_url: str) -> None:
    root = base_url.removesuffix("/api/v1")
    for path in (f"/timers/{TIMER}/runs", f"/api/v2/timers/{TIMER}/runs", "/"):
        response = httpx.get(root + path, headers=AUTH)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


def test_any_method_is_answered_by_the_service(base_url: str) -> None:
    for method in ("DELETE", "PATCH", "TRACE", "QUERY", "OPTIONS"):
        response = httpx.request(method, f"{base_url}/timers/{TIMER}/runs", headers=AUTH)
        assert (response.status_code, response.headers["allow"]) == (405, "GET")
    head = httpx.head(f"{base_url}/timers/{TIMER}/run", headers=AUTH)
    assert (head.status_code, head.content) == (405, b"")


def test_advance_and_faults_work_while_served(service: FakeTimersService, base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers=AUTH) as http:
        run = http.post(f"/timers/{TIMER}/run").json()
        service.advance(10)
        assert http.get(f"/timers/{TIMER}/runs/{run['id']}").json()["status"] != "pending"
        service.fail_next(status=429, headers={"Retry-After": "3"})
        limited = http.get(f"/timers/{TIMER}/runs")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")


def test_fifty_concurrent_keep_alive_clients_all_succeed(
    service: FakeTimersService, base_url: str
) -> None:
    service.latency = 0.01  # keeps the requests of different clients overlapping
    barrier = threading.Barrier(50)
    tls = ssl.create_default_context()  # unused on http://, but costly to build 50 times
    failures: list[BaseException] = []

    def one_client() -> None:
        try:
            with httpx.Client(base_url=base_url, headers=AUTH, timeout=10, verify=tls) as http:
                barrier.wait()
                for _ in range(3):
                    assert http.get(f"/timers/{TIMER}/runs", params={"limit": 5}).status_code == 200
                    assert http.post(f"/timers/{TIMER}/run").status_code == 201
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=one_client) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert service.runs_created == 150
    assert len(service.requests) == 300


def test_a_connection_is_kept_alive_between_requests(base_url: str) -> None:
    parts = urlsplit(base_url)
    assert parts.hostname and parts.port
    request = (
        f"GET /api/v1/timers/{TIMER}/runs?limit=1 HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    ).encode()
    closing = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    answer = http_request(parts.hostname, parts.port, request + request + closing)
    assert answer.count(b"HTTP/1.1 200 OK") == 3


def test_a_chunked_request_body_is_read_and_ignored(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers=AUTH) as http:
        response = http.post(f"/timers/{TIMER}/run", content=iter([b"ignored ", b"body"]))
        assert response.status_code == 201
        assert http.get(f"/timers/{TIMER}/runs").status_code == 200  # the connection still works


def test_a_dropped_connection_really_closes_the_socket(
    service: FakeTimersService, base_url: str
) -> None:
    service.drop_next(operation="run_timer")
    with httpx.Client(base_url=base_url, headers=AUTH) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.post(f"/timers/{TIMER}/run")
        assert service.runs_created == 0
        assert http.post(f"/timers/{TIMER}/run").status_code == 201
    parts = urlsplit(base_url)
    assert parts.hostname and parts.port
    service.drop_next()
    raw = f"GET /api/v1/timers/{TIMER}/runs HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    assert http_request(parts.hostname, parts.port, raw) == b""  # closed without a byte


def test_a_drop_after_processing_creates_the_run_over_http(
    service: FakeTimersService, base_url: str
) -> None:
    service.drop_next(operation="run_timer", after_processing=True)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{base_url}/timers/{TIMER}/run", headers=AUTH)
    assert service.runs_created == 1


def test_latency_really_waits_when_served(service: FakeTimersService, base_url: str) -> None:
    service.latency = 0.05
    started = time.perf_counter()
    assert httpx.get(f"{base_url}/timers/{TIMER}/runs", headers=AUTH).status_code == 200
    assert time.perf_counter() - started >= 0.05


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "10.0.0.1", "example.org", "::", ""])
def test_a_host_that_is_not_loopback_is_refused(service: FakeTimersService, host: str) -> None:
    with pytest.raises(ValueError, match="loopback"), serve(service, host=host):
        pass


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2"])
def test_other_loopback_hosts_are_served(service: FakeTimersService, host: str) -> None:
    with serve(service, host=host) as url:
        assert urlsplit(url).hostname == ("127.0.0.1" if host == "localhost" else host)
        assert httpx.get(f"{url}/timers/{TIMER}/runs", headers=AUTH).status_code == 200


def test_ipv6_loopback_is_served(service: FakeTimersService) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with serve(service, host="::1") as url:
        assert url.startswith("http://[::1]:")
        assert httpx.get(f"{url}/timers/{TIMER}/runs", headers=AUTH).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_direct_to_loopback_keeps_a_proxy_in_the_environment_away_from_served_urls(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch, closed_port: int, host: str
) -> None:
    if host == "::1":
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback here")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("NO_PROXY", "example.org")
    for name, value in direct_to_loopback().items():
        monkeypatch.setenv(name, value)
    with serve(service, host=host) as url, httpx.Client(headers=AUTH) as http:
        assert http.get(f"{url}/timers/{TIMER}/runs").status_code == 200


def test_after_exit_the_port_is_closed_and_kept_alive_connections_end(
    service: FakeTimersService,
) -> None:
    http = httpx.Client(headers=AUTH)
    with serve(service) as url:
        assert http.get(f"{url}/timers/{TIMER}/runs").status_code == 200  # now kept alive
        parts = urlsplit(url)
        before = threading.active_count()
        started = time.perf_counter()
    assert time.perf_counter() - started < 1  # an idle kept-alive connection does not block exit
    assert parts.hostname and parts.port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2)
    with pytest.raises(httpx.TransportError):
        http.get(f"{url}/timers/{TIMER}/runs")
    http.close()
    deadline = time.monotonic() + 2
    while threading.active_count() >= before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() < before  # the connection's thread has ended


def test_the_port_can_be_chosen(service: FakeTimersService) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with serve(service, port=port) as url:
        assert urlsplit(url).port == port


# --- started and stopped by hand (setUp/tearDown, session fixtures) -------------------------------


def test_a_server_can_be_started_and_stopped_by_hand_and_started_again(
    service: FakeTimersService,
) -> None:
    server = serve(service)
    assert server.url is None and repr(server) == "<LoopbackServer not serving>"
    url = server.start()
    try:
        assert server.url == url and repr(server) == f"<LoopbackServer {url}>"
        assert httpx.get(f"{url}/timers/{TIMER}/runs", headers=AUTH).status_code == 200
    finally:
        server.stop()
    assert server.url is None
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2)
    server.stop()  # not serving: nothing happens
    with server as again:  # and it serves again
        assert httpx.get(f"{again}/timers/{TIMER}/runs", headers=AUTH).status_code == 200
    assert server.url is None


def test_starting_a_server_that_serves_already_is_refused_and_it_serves_on(
    service: FakeTimersService,
) -> None:
    server = serve(service, api="jobs")
    with server as url:
        with pytest.raises(RuntimeError, match=f"^already serving at {url}: stop\\(\\) it first$"):
            server.start()
        with pytest.raises(RuntimeError, match="already serving"), server:
            pass
        assert server.url == url
        assert httpx.get(f"{url}/jobs/{TIMER}", headers=AUTH).status_code == 200
    assert server.url is None


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"port": -1}, ValueError),
        ({"host": "0.0.0.0"}, ValueError),
        ({"api": "prod"}, ValueError),
        ({"idle_timeout": 0}, ValueError),
        ({"port": "80"}, TypeError),
    ],
)
def test_serve_checks_its_arguments_when_called_not_when_started(
    service: FakeTimersService, options: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        serve(service, **options)  # type: ignore[arg-type]


def test_a_port_in_use_is_an_os_error_naming_the_address(service: FakeTimersService) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = serve(service, port=port)
        with pytest.raises(OSError) as caught:
            server.start()
    assert caught.value.errno == errno.EADDRINUSE
    assert caught.value.filename == f"127.0.0.1:{port}"
    assert str(caught.value).endswith(f": '127.0.0.1:{port}'")
    assert server.url is None


def test_a_stop_while_another_thread_starts_the_server_waits_and_stops_it(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    binding, release = threading.Event(), threading.Event()
    real = _server.LoopbackHTTPServer

    def slow_bind(*args: Any) -> Any:
        binding.set()
        assert release.wait(5)
        return real(*args)

    monkeypatch.setattr(_server, "LoopbackHTTPServer", slow_bind)
    server = serve(service)
    starter = threading.Thread(target=server.start)
    starter.start()
    assert binding.wait(5)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive()  # it waits for the start under way ...
    release.set()
    starter.join(5)
    stopper.join(5)
    assert server.url is None  # ... and then stops what it started


def test_a_started_server_that_is_forgotten_stops_when_collected(
    service: FakeTimersService,
) -> None:
    server = serve(service)
    parts = urlsplit(server.start())
    assert parts.hostname and parts.port
    del server
    gc.collect()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2)


def test_a_loopback_server_made_directly_checks_its_arguments_as_serve_does(
    service: FakeTimersService,
) -> None:
    with pytest.raises(ValueError, match=r"^api must be 'runs' or 'jobs', got 'bogus'$"):
        LoopbackServer(service, api="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^idle_timeout must be a positive number"):
        LoopbackServer(service, idle_timeout=-1)
    with pytest.raises(ValueError, match=r"^port must be from 0 to 65535"):
        LoopbackServer(service, port=70000)


def test_serve_decorates_a_function_served_for_each_call(service: FakeTimersService) -> None:
    server = serve(service)
    seen = []

    @server
    def during() -> None:
        seen.append(server.url)

    during()
    during()
    assert len(seen) == 2 and all(url and url.startswith("http://127.0.0.1:") for url in seen)
    assert server.url is None


def test_a_server_whose_port_was_in_use_starts_once_it_is_free(
    service: FakeTimersService,
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    server = serve(service, port=port)
    with pytest.raises(OSError):
        server.start()
    taken.close()
    with server as url:
        assert urlsplit(url).port == port


# --- the pytest plugin (enabled for the suite in conftest.py) -------------------------------------


def test_the_plugin_gives_a_fresh_service(timers_service: FakeTimersService) -> None:
    assert timers_service.requests == []
    timer = timers_service.add_timer()
    run = timers_service.add_run(timer)
    assert timers_service.get_run_json(timer, run["id"]) == run


def test_the_plugin_serves_that_service_for_the_test(
    timers_service: FakeTimersService, timers_base_url: str
) -> None:
    timer = timers_service.add_timer()
    timers_service.seed_history(timer, 3)
    response = httpx.get(f"{timers_base_url}/timers/{timer}/runs", headers=AUTH)
    assert response.json()["total"] == 3
    assert urlsplit(timers_base_url).hostname == "127.0.0.1"


@pytest.fixture
def no_proxy_for_example_org(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "example.org")


def test_the_plugin_serves_clients_directly_with_a_proxy_in_the_environment(
    no_proxy_for_example_org: None,
    timers_service: FakeTimersService,
    timers_base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
) -> None:
    # httpx sends requests through HTTP_PROXY/ALL_PROXY (a closed port here) unless NO_PROXY
    # names the host: the plugin adds 127.0.0.1 to the NO_PROXY it found, for the test.
    assert os.environ["NO_PROXY"] == os.environ["no_proxy"] == "example.org,127.0.0.1,::1,localhost"
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port}")
    timer = timers_service.add_timer()
    with TimersClient("test-token", base_url=timers_base_url, max_retries=0) as client:
        assert client.list_runs(timer).total == 0


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "127.0.0.1,::1,localhost"),
        ({"NO_PROXY": "a.org, b.org"}, "a.org,b.org,127.0.0.1,::1,localhost"),
        ({"NO_PROXY": "a.org", "no_proxy": "c.org"}, "c.org,127.0.0.1,::1,localhost"),  # urllib's
        ({"no_proxy": "localhost,127.0.0.1,c.org"}, "localhost,127.0.0.1,c.org,::1"),
        ({"no_proxy": " , "}, "127.0.0.1,::1,localhost"),
    ],
)
def test_direct_to_loopback_adds_the_loopback_hosts_to_no_proxy_once(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert direct_to_loopback() == {"NO_PROXY": expected, "no_proxy": expected}
