"""The loopback server against hostile clients: floods, slowloris, huge bodies, garbage.

Every attacker here is a raw socket on 127.0.0.1, bounded in count and in time (each socket has
a timeout; most servers here use a small ``idle_timeout``). Whatever the attack, the server
must keep answering good requests and must never print a traceback (``capfd`` sees the
process's stderr).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import selectors
import socket
import struct
import threading
import time
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from timers.testing._http_server import RequestHandler as _Handler
from timers.testing._server import serve
from timers.testing._service import FakeTimersService

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMER = "12345678-1234-1234-1234-123456789012"
RUNS = f"/api/v1/timers/{TIMER}/runs"
IDLE = 0.5  # the idle_timeout of these tests' servers, in seconds
MIB = 1024 * 1024


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], seed=3)
    service.add_timer(TIMER, callback="web")
    service.seed_history(TIMER, 5)
    return service


@pytest.fixture
def port(service: FakeTimersService) -> Iterator[int]:
    with serve(service, api="jobs", idle_timeout=IDLE) as root:
        yield port_of(root)


def port_of(root_url: str) -> int:
    return int(root_url.rsplit(":", 1)[1])


def request(target: str = RUNS, *extra: str, close: bool = True) -> bytes:
    headers = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {TOKEN}"]
    headers += [*extra, *(["Connection: close"] if close else [])]
    return ("\r\n".join(headers) + "\r\n\r\n").encode()


def connect(port: int, timeout: float = 5) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (a reset counts as closing)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def exchange(port: int, raw: bytes) -> bytes:
    with connect(port) as sock:
        sock.sendall(raw)
        return read_all(sock)


def status(answer: bytes) -> int:
    """The answer's status; for a request line the stdlib cannot read, the code on its error
    page (it answers as to HTTP/0.9: the page without a status line)."""
    if answer.startswith(b"HTTP/1.1 "):
        return int(answer.split(b" ", 2)[1])
    page = re.search(rb"<p>Error code: (\d{3})</p>", answer)
    return int(page[1]) if page else 0


def body(answer: bytes) -> object:
    return json.loads(answer.partition(b"\r\n\r\n")[2])


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of an orderly FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def assert_a_good_request_is_answered_quickly(port: int) -> None:
    started = time.monotonic()
    response = httpx.get(f"http://127.0.0.1:{port}{RUNS}", headers=AUTH, timeout=5)
    assert response.status_code == 200
    assert time.monotonic() - started < 1.5


def wait_for_threads(at_most: int, seconds: float = 3) -> int:
    deadline = time.monotonic() + seconds
    while threading.active_count() > at_most and time.monotonic() < deadline:
        time.sleep(0.02)
    return threading.active_count()


# --- floods -------------------------------------------------------------------------------------


def test_a_thousand_simultaneous_connections_are_all_answered(
    service: FakeTimersService,
) -> None:
    async def one(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request(f"{RUNS}?limit=1"))
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()

    async def all_of_them(port: int) -> list[bytes | BaseException]:
        tasks = (one(port) for _ in range(1000))
        return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 20)

    # The default idle timeout: one event loop takes a while to write 1000 requests.
    with serve(service, api="jobs") as root:
        started = time.monotonic()
        answers = asyncio.run(all_of_them(port_of(root)))
        elapsed = time.monotonic() - started
    failures = [a for a in answers if not isinstance(a, bytes) or status(a) != 200]
    assert not failures, f"{len(failures)} of 1000 not answered, e.g. {failures[0]!r}"
    assert elapsed < 20  # a safety limit: with a backlog of 5, hundreds went unanswered


def test_slowloris_connections_are_closed_after_the_idle_timeout_as_good_requests_go_on(
    service: FakeTimersService,
) -> None:
    idle = 1.0  # accepting 200 connections while they drip takes a while in one process
    head = request(close=False)
    with_body = request(RUNS, "Content-Length: 1000", close=False)
    closed_after: dict[socket.socket, float] = {}
    most_threads = 0

    def drip(attackers: list[socket.socket], opened: float) -> None:
        nonlocal most_threads
        with selectors.DefaultSelector() as selector:
            for sock in attackers:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
            for sent in range(1000):
                if len(closed_after) == len(attackers) or time.monotonic() - opened > 5:
                    return
                most_threads = max(most_threads, threading.active_count())
                for key, _ in selector.select(timeout=0.1):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        ended = sock.recv(1024) == b""
                    except OSError:
                        ended = True
                    if ended:
                        closed_after[sock] = time.monotonic() - opened
                        selector.unregister(sock)
                for index, sock in enumerate(attackers):
                    if sock not in closed_after:
                        # 100 drip a request's headers, 100 the body after complete headers.
                        byte = head[sent % len(head) :][:1] if index < 100 else b"x"
                        with contextlib.suppress(OSError):
                            sock.send(byte)

    with serve(service, api="jobs", idle_timeout=idle) as root:
        port = port_of(root)
        threads_before = threading.active_count()
        opened = time.monotonic()
        attackers = [connect(port) for _ in range(200)]
        for sock in attackers[100:]:
            sock.sendall(with_body)
        dripper = threading.Thread(target=drip, args=(attackers, opened))
        dripper.start()
        try:
            time.sleep(idle / 2)
            assert_a_good_request_is_answered_quickly(port)
        finally:
            dripper.join(timeout=8)
            for sock in attackers:
                sock.close()
        assert len(closed_after) == 200
        assert idle * 0.9 <= min(closed_after.values())  # not before the idle timeout
        assert max(closed_after.values()) < idle + 2
        assert most_threads > threads_before + 100  # a thread for each attacker, for a while
        assert wait_for_threads(threads_before) <= threads_before  # and then none


def test_a_silent_connection_and_an_idle_kept_alive_one_are_closed_after_the_idle_timeout(
    port: int,
) -> None:
    started = time.monotonic()
    with connect(port) as silent, connect(port) as kept_alive:
        kept_alive.sendall(request(close=False))
        answers = read_all(kept_alive)  # the answer, then the end once the connection idled
        assert read_all(silent) == b""
        assert IDLE * 0.9 <= time.monotonic() - started < IDLE + 1.5
    assert status(answers) == 200 and answers.count(b"HTTP/1.1 ") == 1


def test_the_service_latency_does_not_count_against_the_idle_timeout(
    service: FakeTimersService, port: int
) -> None:
    service.latency = IDLE * 1.2  # longer than the idle timeout
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH, timeout=5) as http:
        assert http.get(RUNS).status_code == 200
        time.sleep(IDLE / 3)  # a kept-alive connection within the idle timeout is reused
        assert http.post(f"/api/v1/timers/{TIMER}/run").status_code == 201


def test_idle_timeout_must_be_a_positive_number_of_seconds(service: FakeTimersService) -> None:
    for bad in (0, -1, math.nan, math.inf):
        with pytest.raises(ValueError, match="idle_timeout"), serve(service, idle_timeout=bad):
            pass


# --- bodies over the cap -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "shape"),
    [(RUNS, "runs"), (f"/api/v1/timers/{TIMER}/run", "runs"), (f"/jobs/{TIMER}", "jobs")],
)
def test_a_body_over_the_cap_gets_413_before_any_of_it_is_sent(
    port: int, target: str, shape: str, capfd: pytest.CaptureFixture[str]
) -> None:
    raw = request(target, "Content-Length: 1000000000", close=False).replace(b"GET", b"POST", 1)
    tracemalloc.start()
    try:
        with connect(port, timeout=2) as sock:
            sock.sendall(raw)  # and not a byte of the body
            answer = read_all(sock)  # the server answers, then closes
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB  # nothing near the announced size was reserved
    assert status(answer) == 413
    assert b"\r\nConnection: close\r\n" in answer
    error = body(answer)
    assert isinstance(error, dict)
    if shape == "runs":
        assert set(error) == {"code", "message", "request_id"}
    else:
        assert set(error) == {"error"} and error["error"]["status"] == 413
    assert_a_good_request_is_answered_quickly(port)
    assert "Traceback" not in capfd.readouterr().err


def test_expect_100_continue_over_the_cap_gets_413_and_no_invitation(port: int) -> None:
    raw = request(RUNS, "Content-Length: 2000000", "Expect: 100-continue")
    answer = exchange(port, raw.replace(b"GET", b"PUT", 1))
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_gets_413_once_its_chunks_pass_the_cap(port: int) -> None:
    chunked = request(RUNS, "Transfer-Encoding: chunked").replace(b"GET", b"POST", 1)
    # One chunk announced over the cap: refused before its data is sent.
    assert status(exchange(port, chunked + b"100001\r\n")) == 413
    # Many small chunks: refused when they add up past the cap.
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    assert status(exchange(port, chunked + chunk * 17 + b"0\r\n\r\n")) == 413
    assert status(exchange(port, chunked + chunk * 16 + b"0\r\n\r\n")) == 405  # 1 MiB: read


def test_a_client_uploading_a_body_over_the_cap_can_read_the_413(port: int) -> None:
    url = f"http://127.0.0.1:{port}/api/v1/timers/{TIMER}/run"
    response = httpx.post(url, headers=AUTH, content=b"x" * (2 * MIB), timeout=5)
    assert response.status_code == 413
    assert response.json()["code"] == "ERROR"


def test_a_body_at_the_cap_is_served(service: FakeTimersService, port: int) -> None:
    url = f"http://127.0.0.1:{port}/api/v1/timers/{TIMER}/run"
    assert httpx.post(url, headers=AUTH, content=b"x" * MIB, timeout=5).status_code == 201
    assert service.runs_created == 1


# --- clients that leave, and garbage -------------------------------------------------------------


def test_clients_that_leave_or_reset_mid_request_or_mid_response_print_nothing(
    service: FakeTimersService, port: int, capfd: pytest.CaptureFixture[str]
) -> None:
    service.seed_history(TIMER, 995)  # a 1000-run page is a large answer
    big_page = request(f"{RUNS}?limit=1000", close=False)
    post = request(f"/api/v1/timers/{TIMER}/run", "Content-Length: 100").replace(b"GET", b"POST")
    service.latency = 0.1  # the answers are written after the clients left
    for send, leave in [
        (b"", reset),  # connects and resets at once
        (big_page[:20], reset),  # in the request line
        (big_page[:-10], socket.socket.close),  # in the headers
        (post + b"x" * 10, socket.socket.close),  # in the body
        (post + b"x" * 10, reset),
        (big_page, reset),  # while the answer is computed
        (big_page * 3, socket.socket.close),  # pipelined, and gone before the answers
    ]:
        sock = connect(port)
        if send:
            sock.sendall(send)
        leave(sock)
    with connect(port) as reader_leaves:  # mid-response: reads a little, then resets
        reader_leaves.sendall(big_page)
        assert reader_leaves.recv(100)
        reset(reader_leaves)
    time.sleep(0.3)  # the server's threads notice
    service.latency = 0
    assert "Traceback" not in capfd.readouterr().err
    assert service.runs_created == 0  # a body cut short is not a request
    assert_a_good_request_is_answered_quickly(port)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x00\xff\xfe garbage \x01\r\n\r\n", 400),
        (b"GET\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\n\r\n", 505),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
        (request(RUNS).replace(b"\r\n\r\n", b"\r\nContent-Length: \xb2\r\n\r\n"), 400),
        (request(RUNS, "Content-Length: -1"), 400),
        (request(RUNS, "Content-Length: " + "9" * 5000), 413),
        (request(RUNS, "Transfer-Encoding: chunked") + b"-5\r\nxxxxx\r\n0\r\n\r\n", 400),
        (request(RUNS, "Transfer-Encoding: chunked") + b"1_0\r\n", 400),
        (request(RUNS, "Transfer-Encoding: chunked") + b"f" * 70000 + b"\r\n", 400),
    ],
    ids=[
        "binary-request-line",
        "no-target",
        "unknown-version",
        "request-line-over-64KiB",
        "header-over-64KiB",
        "over-100-headers",
        "content-length-superscript-two",
        "content-length-negative",
        "content-length-5000-digits",
        "chunk-size-negative",
        "chunk-size-with-underscore",
        "chunk-size-line-over-64KiB",
    ],
)
def test_garbage_requests_get_an_error_and_print_nothing(
    port: int, raw: bytes, expected: int, capfd: pytest.CaptureFixture[str]
) -> None:
    with connect(port) as sock:
        sock.sendall(raw)
        answer = read_all(sock)
    assert status(answer) == expected
    assert_a_good_request_is_answered_quickly(port)
    assert "Traceback" not in capfd.readouterr().err


def test_an_unexpected_error_on_a_connection_is_logged_at_debug_level_not_printed(
    service: FakeTimersService,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(handler: _Handler) -> None:
        raise RuntimeError("a bug on the connection")

    monkeypatch.setattr(_Handler, "handle", broken)
    caplog.set_level(logging.DEBUG, logger="timers.testing")
    with serve(service, api="jobs") as root:
        assert exchange(port_of(root), request()) == b""
        deadline = time.monotonic() + 2
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "Traceback" not in capfd.readouterr().err
    [record] = caplog.records
    assert record.levelno == logging.DEBUG and record.exc_info
    assert "a bug on the connection" in str(record.exc_info[1])


def test_an_injected_204_keeps_the_connection_s_framing(
    service: FakeTimersService, port: int
) -> None:
    service.fail_next(status=204)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH, timeout=5) as client:
        empty = client.get(RUNS)
        after = client.get(RUNS)  # on the same kept-alive connection
    assert (empty.status_code, empty.content) == (204, b"")
    assert after.status_code == 200 and after.json()["total"] == 5
