"""The loopback server (timers.testing._server), its HTTP/1.1 body framing (_framing) and the
runs API's wire formats (_wire), pinned down exchange by exchange.

Server tests talk raw HTTP/1.1 over sockets on 127.0.0.1 only, each bounded in time (socket
timeouts of a few seconds at most, servers with a short ``idle_timeout``). They pin down what a
client sees: which requests are answered, in what order, with which status, headers and body;
when the server closes a connection; what it logs (debug level, ``timers.testing`` logger).
The wire-format tests pin down the exact rules for ids, date-times, page markers and JSON.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import http.client
import io
import json
import logging
import re
import socket
import struct
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from timers.testing._framing import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    DeadlineReader,
    check_declared_length,
    read_body,
    too_large_reply,
)
from timers.testing._http_server import LoopbackHTTPServer as _Server
from timers.testing._http_server import RequestHandler as _Handler
from timers.testing._server import serve
from timers.testing._service import FakeTimersService
from timers.testing._wire import (
    EPOCH,
    canonical_uuid,
    decode_marker,
    encode_marker,
    format_datetime,
    json_bytes,
    parse_datetime,
    truncate_to_milliseconds,
)

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"
RUNS = f"/api/v1/timers/{TIMER}/runs"
RUN = f"/api/v1/timers/{TIMER}/run"
IDLE = 0.5  # the idle_timeout of these tests' servers, in seconds
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


# --- helpers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def parse_answers(data: bytes, *, head: bool = False) -> list[Answer]:
    """The answers in ``data``, framed by their ``Content-Length`` (no body for ``head`` and
    for 1xx); raises if ``data`` does not end where an answer ends."""
    answers = []
    while data:
        top, separator, data = data.partition(b"\r\n\r\n")
        assert separator, f"incomplete answer head: {top!r}"
        status_line, *lines = top.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines)]
        answer = Answer(status, headers, b"")
        if status >= 200 and not head:
            length = int(answer.values("content-length")[0])
            assert len(data) >= length, "answer body cut short"
            answer = Answer(status, headers, data[:length])
            data = data[length:]
        answers.append(answer)
    return answers


def request(
    method: str = "GET", target: str = RUNS, *extra: str, close: bool = False, body: bytes = b""
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {TOKEN}"]
    lines += [*extra, *(["Connection: close"] if close else [])]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def connect(port: int, timeout: float = 3) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (a reset counts as closing)."""
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def exchange(port: int, raw: bytes) -> bytes:
    with connect(port) as sock:
        sock.sendall(raw)
        return read_all(sock)


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of an orderly FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_until(condition: Callable[[], object], seconds: float = 2) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of connections that failed (``handle_error``): a bug, not a client."""
    return [r for r in caplog.records if r.getMessage().endswith(" failed")]


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START, seed=7)
    service.add_timer(TIMER, callback="flow")
    service.seed_history(TIMER, 3)
    return service


@pytest.fixture
def port(service: FakeTimersService) -> Iterator[int]:
    with serve(service, api="jobs", idle_timeout=IDLE) as root:
        yield int(root.rsplit(":", 1)[1])


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="timers.testing")
    return caplog


def headers_of(raw: bytes) -> http.client.HTTPMessage:
    return http.client.parse_headers(io.BytesIO(raw + b"\r\n"))


# --- bodies framed by Content-Length --------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "body"),
    [("10", b"0123456789"), ("0010", b"0123456789"), ("0", b""), ("00000000000", b"")],
    ids=["ten", "leading-zeros", "zero", "zero-in-eleven-digits"],
)
def test_a_body_framed_by_content_length_is_consumed_and_the_next_request_answered(
    service: FakeTimersService, port: int, length: str, body: bytes
) -> None:
    post = request("POST", RUN, f"Content-Length: {length}", body=body)
    answers = parse_answers(exchange(port, post + request(close=True)))
    assert [a.status for a in answers] == [201, 200]
    assert service.requests == [("POST", RUN), ("GET", RUNS)]
    assert service.runs_created == 1


def test_a_body_of_exactly_the_cap_is_read_and_served(
    service: FakeTimersService, port: int
) -> None:
    post = request("POST", RUN, f"Content-Length: {MAX_BODY_BYTES}", body=b"x" * MAX_BODY_BYTES)
    answers = parse_answers(exchange(port, post + request(close=True)))
    assert [a.status for a in answers] == [201, 200]
    assert service.runs_created == 1


def test_a_body_cut_short_is_not_a_request(service: FakeTimersService, port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, "Content-Length: 10", body=b"01234"))
        sock.shutdown(socket.SHUT_WR)
        assert read_all(sock) == b""
    assert service.requests == []


# --- bodies over the cap: 413 in the API's error shape --------------------------------------------


def refused(port: int, method: str, target: str, *extra: str) -> Answer:
    [answer] = parse_answers(exchange(port, request(method, target, *extra)), head=method == "HEAD")
    return answer


@pytest.mark.parametrize("target", [RUN, f"{RUNS}?limit=1", "/api/v1", "/api/v1?limit=1"], ids=str)
def test_a_content_length_over_the_cap_gets_the_runs_413_under_api_v1(
    service: FakeTimersService, port: int, target: str
) -> None:
    answer = refused(port, "POST", target, f"Content-Length: {MAX_BODY_BYTES + 1}")
    assert answer.status == 413
    assert answer.values("Connection") == ["close"]
    assert answer.values("Content-Type") == ["application/json"]
    [request_id] = answer.values("X-Request-Id")
    assert re.fullmatch("[0-9a-f]{16}", request_id)
    assert answer.json() == {
        "code": "ERROR",
        "message": f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        "request_id": request_id,
    }
    assert service.requests == []  # never reaches the service


@pytest.mark.parametrize("target", [f"/jobs/{TIMER}", "/api/v10/x", "/"], ids=str)
def test_a_content_length_over_the_cap_gets_the_jobs_413_elsewhere(port: int, target: str) -> None:
    answer = refused(port, "POST", target, "Content-Length: 2000000")
    assert (answer.status, answer.values("Connection")) == (413, ["close"])
    assert answer.json() == {
        "error": {
            "code": "ERROR",
            "detail": f"The request body is larger than {MAX_BODY_BYTES} bytes.",
            "status": 413,
        }
    }


def test_a_content_length_of_thousands_of_digits_gets_413(port: int) -> None:
    assert refused(port, "POST", RUN, "Content-Length: " + "9" * 5000).status == 413


def test_too_large_reply_takes_a_base_path_with_a_trailing_slash_and_a_limit() -> None:
    reply = too_large_reply("/api/v1/timers/x/runs", "/api/v1/", limit=10)
    assert reply.status == 413
    body = reply.json()
    assert body["code"] == "ERROR"
    assert body["message"] == "The request body is larger than 10 bytes."
    assert "code" in too_large_reply("/baseX/timers", "/baseX").json()
    assert "error" in too_large_reply("/base/timers", "/baseX").json()


# --- unreadable framing: 400 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "framing",
    [
        ("Content-Length: abc",),
        ("Content-Length: -1",),
        ("Content-Length: 1_0",),
        ("Content-Length: \u00b2",),
    ],
    ids=["letters", "negative", "underscore", "superscript-two"],
)
def test_a_content_length_that_is_not_digits_gets_400(
    service: FakeTimersService, port: int, framing: tuple[str, ...]
) -> None:
    raw = request("POST", RUN).replace(b"\r\n\r\n", b"\r\n" + framing[0].encode() + b"\r\n\r\n")
    [answer] = parse_answers(exchange(port, raw))
    assert answer.status == 400
    assert answer.values("Content-Type") == ["text/plain"]
    assert answer.values("Connection") == ["close"]
    assert answer.body == b"Bad request framing\n"
    assert service.requests == []


def test_a_head_request_with_bad_framing_gets_400_without_a_body(port: int) -> None:
    [answer] = parse_answers(exchange(port, request("HEAD", RUNS, "Content-Length: x")), head=True)
    assert answer.status == 400
    assert answer.values("Content-Length") == [str(len(b"Bad request framing\n"))]


# --- chunked bodies -------------------------------------------------------------------------------

CHUNKED = "Transfer-Encoding: chunked"


@pytest.mark.parametrize(
    "body",
    [
        b"5\r\nhello\r\n0\r\n\r\n",
        b"5;name=value\r\nhello\r\n0\r\n\r\n",
        b"5;a=1;b=2\r\nhello\r\n0\r\n\r\n",
        b"1\r\nx\r\na\r\n0123456789\r\n10\r\n0123456789abcdef\r\n1A\r\n" + b"y" * 26 + b"\r\n"
        b"0\r\n\r\n",
        b"5\r\nhello\r\n0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n",
        b"5;" + b"x" * (65536 - 4) + b"\r\nhello\r\n0\r\n\r\n",  # a line of exactly 64 KiB
    ],
    ids=["one-chunk", "extension", "two-extensions", "hex-sizes", "trailers", "longest-line"],
)
def test_a_chunked_body_is_consumed_and_the_next_request_answered(
    service: FakeTimersService, port: int, body: bytes
) -> None:
    post = request("POST", RUN, "Transfer-Encoding: Chunked", body=body)
    answers = parse_answers(exchange(port, post + request(close=True)))
    assert [a.status for a in answers] == [201, 200]
    assert service.requests == [("POST", RUN), ("GET", RUNS)]


CHUNK_64K = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"


def test_a_chunked_body_of_exactly_the_cap_is_served(service: FakeTimersService, port: int) -> None:
    post = request("POST", RUN, CHUNKED, body=CHUNK_64K * 16 + b"0\r\n\r\n")
    answers = parse_answers(exchange(port, post + request(close=True)))
    assert [a.status for a in answers] == [201, 200]


def test_a_chunked_body_gets_413_once_its_chunks_add_up_past_the_cap(
    service: FakeTimersService, port: int
) -> None:
    raw = request("POST", RUN, CHUNKED, body=CHUNK_64K * 17 + b"0\r\n\r\n")
    [answer] = parse_answers(exchange(port, raw))
    assert (answer.status, answer.values("Connection")) == (413, ["close"])
    assert service.requests == []


@pytest.mark.parametrize(
    "body",
    [b"-5\r\nxxxxx\r\n0\r\n\r\n", b"1_0\r\n", b"xyz\r\n", b"f" * 70000 + b"\r\n"],
    ids=["negative", "underscore", "not-hex", "line-over-64KiB"],
)
def test_a_chunk_size_that_cannot_be_read_gets_400(
    service: FakeTimersService, port: int, body: bytes
) -> None:
    [answer] = parse_answers(exchange(port, request("POST", RUN, CHUNKED, body=body)))
    assert (answer.status, answer.body) == (400, b"Bad request framing\n")
    assert service.requests == []


def test_a_chunk_size_line_over_64_kib_is_refused_without_waiting_for_its_end(port: int) -> None:
    # 64 KiB + 1 bytes and no line break yet: enough to know the line is too long.
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, CHUNKED, body=b"f" * 65537))
        assert sock.recv(12) == b"HTTP/1.1 400"  # not the end of the connection at IDLE


# --- Expect: 100-continue -------------------------------------------------------------------------


def test_expect_100_continue_invites_a_body_within_the_cap(
    service: FakeTimersService, port: int
) -> None:
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, "Content-Length: 5", "Expect: 100-continue", close=True))
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        [answer] = parse_answers(read_all(sock))
    assert answer.status == 201
    assert service.runs_created == 1


@pytest.mark.parametrize(
    ("length", "status"), [("2000000", 413), ("abc", 400)], ids=["over-the-cap", "not-digits"]
)
def test_expect_100_continue_for_a_refused_body_gets_the_refusal_and_no_invitation(
    port: int, length: str, status: int
) -> None:
    raw = request("POST", RUN, f"Content-Length: {length}", "Expect: 100-continue")
    [answer] = parse_answers(exchange(port, raw))
    assert answer.status == status


# --- the idle timeout -----------------------------------------------------------------------------


def test_a_client_dripping_its_request_is_cut_off_at_the_idle_timeout(port: int) -> None:
    # A socket timeout alone restarts with every byte; the deadline does not.
    raw = request(close=True)
    with connect(port) as sock:
        started = time.monotonic()
        closed_after = None
        for byte in raw[: len(raw) - 4]:  # never the blank line that ends the head
            try:
                sock.send(bytes([byte]))
                time.sleep(0.03)
                sock.setblocking(False)
                try:
                    if sock.recv(100) == b"":
                        closed_after = time.monotonic() - started
                        break
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
            except OSError:
                closed_after = time.monotonic() - started
                break
            if time.monotonic() - started > IDLE + 1.5:
                break
    assert closed_after is not None
    assert IDLE * 0.9 <= closed_after < IDLE + 1


def test_a_silent_connection_is_closed_at_the_idle_timeout(port: int) -> None:
    with connect(port, timeout=IDLE + 1.5) as sock:
        started = time.monotonic()
        assert read_all(sock) == b""
        assert IDLE * 0.9 <= time.monotonic() - started < IDLE + 1


def test_a_kept_alive_connection_serves_requests_within_the_idle_timeout(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request())
        first = sock.recv(65536)
        time.sleep(IDLE / 3)
        sock.sendall(request(close=True))
        answers = parse_answers(first + read_all(sock))
    assert [a.status for a in answers] == [200, 200]


class _SocketPair:
    def __init__(self) -> None:
        self.ours, self.theirs = socket.socketpair()

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()


@pytest.fixture
def pair() -> Iterator[_SocketPair]:
    sockets = _SocketPair()
    yield sockets
    sockets.close()


def test_a_deadline_reader_without_a_deadline_waits_the_idle_timeout(pair: _SocketPair) -> None:
    reader = DeadlineReader(pair.ours, 0.1)
    late = threading.Timer(1.0, pair.theirs.sendall, args=(b"late",))  # bounds a reader that hangs
    late.start()
    try:
        assert reader.readable() is True
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            reader.readinto(bytearray(10))
        assert time.monotonic() - started < 0.5
    finally:
        late.cancel()


def test_a_deadline_reader_reads_until_the_deadline_then_refuses(pair: _SocketPair) -> None:
    reader = DeadlineReader(pair.ours, 10)
    pair.theirs.sendall(b"abc")
    reader.deadline = time.monotonic() + 0.5
    buffer = bytearray(10)
    assert reader.readinto(buffer) == 3
    assert bytes(buffer[:3]) == b"abc"
    reader.deadline = time.monotonic() - 0.001
    pair.theirs.sendall(b"more")
    with pytest.raises(TimeoutError) as caught:
        reader.readinto(buffer)
    assert str(caught.value) == "the client did not send its request in time"


# --- read_body and check_declared_length on their own ---------------------------------------------


def test_read_body_returns_the_body_as_framed() -> None:
    assert read_body(io.BufferedReader(io.BytesIO(b"rest")), headers_of(b"")) == b""
    framed = headers_of(b"Content-Length: 3\r\n")
    assert read_body(io.BufferedReader(io.BytesIO(b"abcdef")), framed) == b"abc"
    chunked = headers_of(b"Transfer-Encoding: chunked\r\n")
    raw = b"5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
    assert read_body(io.BufferedReader(io.BytesIO(raw)), chunked) == b"hello world"


def test_read_body_keeps_to_the_limit_it_is_given() -> None:
    framed = headers_of(b"Content-Length: 11\r\n")
    with pytest.raises(BodyTooLarge):
        read_body(io.BufferedReader(io.BytesIO(b"x" * 11)), framed, limit=10)
    assert (
        read_body(
            io.BufferedReader(io.BytesIO(b"x" * 10)),
            headers_of(b"Content-Length: 10\r\n"),
            limit=10,
        )
        == b"x" * 10
    )


def test_a_chunked_body_has_no_declared_length() -> None:
    chunked = headers_of(b"Transfer-Encoding: chunked\r\nContent-Length: 99999999\r\n")
    assert check_declared_length(chunked) == 0
    assert check_declared_length(headers_of(b"")) == 0
    assert check_declared_length(headers_of(b"Content-Length: 007\r\n")) == 7


# --- the request target ---------------------------------------------------------------------------


def test_an_absolute_form_target_is_answered_as_its_path_and_query(
    service: FakeTimersService, port: int
) -> None:
    here = f"127.0.0.1:{port}"
    targets = [
        f"http://{here}{RUNS}?limit=1",
        f"https://{here}{RUNS}",
        f"http://{here}{RUNS}?junk=a//b&limit=2",
        f"http://{here}",
        RUNS,
    ]
    raw = b"".join(request("GET", t, close=t == targets[-1]) for t in targets)
    answers = parse_answers(exchange(port, raw))
    assert [a.status for a in answers] == [200, 200, 200, 404, 200]
    assert service.requests == [
        ("GET", f"{RUNS}?limit=1"),
        ("GET", RUNS),
        ("GET", f"{RUNS}?junk=a//b&limit=2"),
        ("GET", "/"),
        ("GET", RUNS),
    ]
    assert [len(a.json()["runs"]) for a in answers if a.status == 200] == [1, 3, 2, 3]


# --- answers: headers, HEAD, faults ---------------------------------------------------------------


def test_an_answer_is_framed_by_the_server_not_by_the_reply_headers(
    service: FakeTimersService, port: int
) -> None:
    service.fail_next(
        status=503,
        headers={
            "Content-Length": "999",
            "connection": "keep-alive",
            "TRANSFER-ENCODING": "chunked",
            "X-Custom": "kept",
        },
        body="busy",
    )
    answers = parse_answers(exchange(port, request() + request(close=True)))
    assert [a.status for a in answers] == [503, 200]
    failed = answers[0]
    assert failed.body == b"busy"
    assert failed.values("Content-Length") == ["4"]
    assert failed.values("Transfer-Encoding") == []
    assert failed.values("Connection") == []
    assert failed.values("X-Custom") == ["kept"]
    assert failed.values("Content-Type") == ["text/plain; charset=utf-8"]
    assert len(failed.values("X-Request-Id")) == 1


def test_a_head_answer_has_no_body_even_when_a_fault_brings_one(
    service: FakeTimersService, port: int
) -> None:
    service.fail_next(status=503, body="busy")
    raw = request("HEAD", RUNS) + request("HEAD", RUNS, close=True)
    answers = parse_answers(exchange(port, raw), head=True)
    assert [a.status for a in answers] == [503, 405]  # runs are listed with GET only
    assert answers[0].values("Content-Length") == ["4"]


def test_a_service_bug_is_answered_500_and_logged(
    service: FakeTimersService,
    port: int,
    monkeypatch: pytest.MonkeyPatch,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the fake")

    monkeypatch.setattr(service.answerer, "answer", broken)
    answers = parse_answers(exchange(port, request("GET", f"{RUNS}?limit=1") + request(close=True)))
    assert [a.status for a in answers] == [500, 500]  # the connection goes on
    assert answers[0].values("Content-Type") == ["application/json"]
    assert answers[0].body == b'{"code":"INTERNAL_ERROR","message":"The reference service failed."}'
    errors = [r for r in debug_log.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"the reference service failed on GET {RUNS}?limit=1",
        f"the reference service failed on GET {RUNS}",
    ]
    assert errors[0].exc_info and isinstance(errors[0].exc_info[1], RuntimeError)


def test_latency_is_waited_before_answering(service: FakeTimersService, port: int) -> None:
    service.latency = 0.2
    started = time.monotonic()
    [answer] = parse_answers(exchange(port, request(close=True)))
    assert answer.status == 200
    assert time.monotonic() - started >= 0.2


def test_latency_holds_back_the_answer_of_a_request_already_carried_out(
    service: FakeTimersService, port: int
) -> None:
    # A client that gives up during the latency does not know that its run was created.
    service.latency = 0.2
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, close=True))
        wait_until(lambda: service.runs_created == 1)
        assert service.runs_created == 1
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recv(1)  # no answer yet: it waits out the latency
        sock.setblocking(True)
        [answer] = parse_answers(read_all(sock))  # read, so the server has nothing to log
    assert answer.status == 201


# --- dropped connections and clients that leave ---------------------------------------------------


def test_requests_pipelined_after_a_dropped_one_are_not_carried_out(
    service: FakeTimersService, port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    service.drop_next()
    raw = request("POST", RUN) + request("POST", RUN, close=True)
    assert exchange(port, raw) == b""
    time.sleep(0.05)
    assert service.requests == [("POST", RUN)]
    assert service.runs_created == 0
    assert failures(debug_log) == []


def test_a_client_that_resets_before_its_dropped_answer_leaves_no_failure(
    service: FakeTimersService, port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    service.drop_next()
    service.latency = 0.1
    sock = connect(port)
    sock.sendall(request())
    wait_until(lambda: service.requests)
    reset(sock)
    time.sleep(0.2)
    assert service.requests == [("GET", RUNS)]
    assert failures(debug_log) == []


def test_a_client_that_resets_mid_exchange_ends_the_connection_and_is_logged(
    service: FakeTimersService, port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    service.latency = 0.15
    sock = connect(port)
    client = sock.getsockname()
    sock.sendall(request("POST", RUN) * 3)  # pipelined
    wait_until(lambda: service.requests)
    reset(sock)  # while the first answer is computed

    def ended_lines() -> list[str]:
        return [r.getMessage() for r in debug_log.records if " ended: " in r.getMessage()]

    wait_until(ended_lines, seconds=5)
    time.sleep(0.05)  # room for a second line, which must not come
    assert service.requests == [("POST", RUN)]  # the other two are never read
    ended = ended_lines()
    assert len(ended) == 1
    assert re.fullmatch(
        rf"the connection from \('127\.0\.0\.1', {client[1]}\) ended: "
        r"(ConnectionResetError|BrokenPipeError)\(.*\)",
        ended[0],
    )
    assert failures(debug_log) == []


def test_a_failing_connection_is_logged_at_debug_level_with_its_traceback(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch, debug_log: pytest.LogCaptureFixture
) -> None:
    def broken(handler: _Handler) -> None:
        raise RuntimeError("a bug on the connection")

    monkeypatch.setattr(_Handler, "handle", broken)
    with serve(service, api="jobs", idle_timeout=IDLE) as root:
        with connect(int(root.rsplit(":", 1)[1])) as sock:
            client = sock.getsockname()
            sock.sendall(request(close=True))
            assert read_all(sock) == b""
        wait_until(lambda: debug_log.records)
    [record] = debug_log.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == f"the connection from {client!r} failed"
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)


def test_a_request_the_stdlib_refuses_is_logged_at_debug_level(
    port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    with connect(port) as sock:
        client = sock.getsockname()
        sock.sendall(b"garbage\r\n\r\n")
        assert b"<p>Error code: 400</p>" in read_all(sock)  # an HTTP/0.9 error page
    wait_until(lambda: debug_log.records)
    messages = [r.getMessage() for r in debug_log.records]
    assert messages == [f"{client!r}: code 400, message Bad request syntax ('garbage')"]


# --- refusals: the client can read them -----------------------------------------------------------


def test_after_a_refusal_what_the_client_still_sends_is_drained_for_a_while(
    service: FakeTimersService, port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, "Content-Length: 2000000"))
        started = time.monotonic()
        failed_after = None
        while time.monotonic() - started < IDLE + 1.5:
            try:
                sock.sendall(b"x" * 1000)
            except OSError:
                failed_after = time.monotonic() - started
                break
            time.sleep(0.03)
        answer = read_all(sock)
    assert failed_after is not None  # the server closed, in the end
    assert IDLE * 0.8 <= failed_after < IDLE + 1
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert failures(debug_log) == []


def test_a_client_that_stays_silent_after_a_refusal_leaves_no_failure(
    port: int, debug_log: pytest.LogCaptureFixture
) -> None:
    with connect(port) as sock:
        sock.sendall(request("POST", RUN, "Content-Length: x"))
        assert sock.recv(12) == b"HTTP/1.1 400"
        time.sleep(IDLE + 0.1)  # the server stops draining, then closes
    assert failures(debug_log) == []


# --- answers a client does not read ---------------------------------------------------------------


def test_a_client_that_does_not_read_its_answers_is_disconnected(
    service: FakeTimersService,
) -> None:
    service.seed_history(TIMER, 997)
    big = request("GET", f"{RUNS}?limit=1000")
    with serve(service, api="jobs", idle_timeout=IDLE) as root, socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(3)
        sock.connect(("127.0.0.1", int(root.rsplit(":", 1)[1])))
        sock.sendall(big * 20)
        time.sleep(IDLE * 2.5)  # the server gives up writing after IDLE
        data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 ")
    assert data.count(b"HTTP/1.1 200 ") < 20


# --- connections and shutdown ---------------------------------------------------------------------


def test_a_connection_arriving_while_the_server_closes_is_shut_at_once(
    service: FakeTimersService, debug_log: pytest.LogCaptureFixture
) -> None:
    server = _Server(("127.0.0.1", 0), service, socket.AF_INET, IDLE)
    try:
        server.close_connections()
        with connect(server.server_port) as sock:
            sock.sendall(request(close=True))
            server.handle_request()  # accepts it, in a thread of its own
            assert read_all(sock) == b""
        late = connect(server.server_port)
        reset(late)  # gone before it is accepted
        time.sleep(0.05)
        server.handle_request()
        time.sleep(0.1)
    finally:
        server.server_close()
    assert failures(debug_log) == []


def test_a_finished_connection_is_forgotten_by_the_server(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[weakref.ref[socket.socket]] = []
    track = _Server.track

    def spy(server: _Server, connection: socket.socket) -> bool:
        seen.append(weakref.ref(connection))
        return track(server, connection)

    monkeypatch.setattr(_Server, "track", spy)
    with serve(service, api="jobs", idle_timeout=IDLE) as root:
        raw = request(close=True)
        assert exchange(int(root.rsplit(":", 1)[1]), raw).startswith(b"HTTP/1.1 200 ")

        def forgotten() -> bool:
            gc.collect()
            return all(ref() is None for ref in seen)

        wait_until(forgotten)
        assert len(seen) == 1 and forgotten()


def test_exit_shuts_kept_alive_connections_even_one_the_client_reset(
    service: FakeTimersService,
) -> None:
    service.latency = 0.3
    with serve(service, api="jobs", idle_timeout=IDLE) as root:
        port = int(root.rsplit(":", 1)[1])
        idle = connect(port)
        idle.sendall(request())
        assert idle.recv(12) == b"HTTP/1.1 200"  # kept alive after its answer
        gone = connect(port)
        gone.sendall(request())
        wait_until(lambda: len(service.requests) == 2)
        reset(gone)  # while its answer is computed
        time.sleep(0.05)
    idle.settimeout(1)
    assert read_all(idle).endswith(b"}")  # the rest of the answer, then the end
    idle.close()


# --- serving hosts --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["X127.0.0.1", " 127.0.0.1", "127.0.0.1 "])
def test_a_host_with_anything_around_the_address_is_refused(
    service: FakeTimersService, host: str
) -> None:
    with pytest.raises(ValueError, match="only listens on loopback"), serve(service, host=host):
        pass


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"port": -1}, ValueError, "port must be from 0 to 65535 (0: a free port), got -1"),
        ({"port": 65536}, ValueError, "port must be from 0 to 65535 (0: a free port), got 65536"),
        ({"port": "80"}, TypeError, "port must be an int, got str: '80'"),
        ({"port": 80.0}, TypeError, "port must be an int, got float: 80.0"),
        ({"port": True}, TypeError, "port must be an int, got bool: True"),
        ({"host": None}, TypeError, "host must be a str, got NoneType: None"),
        ({"host": 2130706433}, TypeError, "host must be a str, got int: 2130706433"),
        ({"host": b"127.0.0.1"}, TypeError, "host must be a str, got bytes: b'127.0.0.1'"),
        (
            {"idle_timeout": "5"},
            TypeError,
            "idle_timeout must be a number of seconds, got str: '5'",
        ),
    ],
)
def test_serve_refuses_arguments_of_the_wrong_type_or_range_by_name(
    service: FakeTimersService, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught, serve(service, **options):
        pass
    assert str(caught.value) == message


@pytest.mark.parametrize("wrong", [None, "service", FakeTimersService])
def test_serve_refuses_anything_but_a_service_before_listening(wrong: object) -> None:
    # It served, and dropped every connection (a factory passed without calling it, say).
    with pytest.raises(TypeError) as caught, serve(wrong):  # type: ignore[arg-type]
        pass
    assert str(caught.value) == f"service must be a FakeTimersService, got {type(wrong).__name__}"


def test_a_bracketed_ipv6_loopback_host_is_served(service: FakeTimersService) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with serve(service, host="[::1]") as url:
        assert url.startswith("http://[::1]:") and url.endswith("/api/v1")
        port = int(url.removesuffix("/api/v1").rsplit(":", 1)[1])
        with socket.create_connection(("::1", port), timeout=3) as sock:
            sock.sendall(request(close=True))
            assert read_all(sock).startswith(b"HTTP/1.1 200 ")


# --- wire formats: ids and JSON -------------------------------------------------------------------


def test_a_uuid_is_canonical_in_lower_case_and_anything_else_is_not_one() -> None:
    assert canonical_uuid("ABCDEF01-2345-6789-ABCD-EF0123456789") == (
        "abcdef01-2345-6789-abcd-ef0123456789"
    )
    assert canonical_uuid(TIMER) == TIMER
    for not_one in ("", "not-a-uuid", TIMER + "0", TIMER.replace("-", ""), "g" * 8 + TIMER[8:]):
        assert canonical_uuid(not_one) is None


def test_json_is_written_compact_in_utf_8() -> None:
    assert json_bytes({"a": [1, "\u00e9", None], "b": {"c": True}}) == (
        b'{"a":[1,"\\u00e9",null],"b":{"c":true}}'
    )


# --- wire formats: date-times ---------------------------------------------------------------------


@pytest.fixture
def local_time_is_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time 5:30 ahead of UTC: conversions must not depend on it."""
    if not hasattr(time, "tzset"):
        pytest.skip("the local time zone cannot be changed here")
    monkeypatch.setenv("TZ", "XST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


PLUS_90 = timezone(timedelta(minutes=90))


def test_truncating_to_milliseconds_gives_utc(local_time_is_not_utc: None) -> None:
    moment = truncate_to_milliseconds(datetime(2026, 1, 1, 12, 0, 0, 123999, tzinfo=PLUS_90))
    assert moment == datetime(2026, 1, 1, 10, 30, 0, 123000, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)
    for micros, millis in ((999, 0), (1000, 1000), (1999, 1000), (999999, 999000)):
        moment = truncate_to_milliseconds(datetime(2026, 1, 1, 0, 0, 0, micros, tzinfo=UTC))
        assert moment.microsecond == millis


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 28, 12, 0, 0, 514999, tzinfo=UTC), "2026-11-28T12:00:00.514Z"),
        (datetime(2026, 11, 28, 12, 0, 0, 1000, tzinfo=UTC), "2026-11-28T12:00:00.001Z"),
        (datetime(2026, 11, 28, 12, 0, 0, 999, tzinfo=UTC), "2026-11-28T12:00:00Z"),
        (datetime(2026, 1, 1, 0, 30, 5, tzinfo=PLUS_90), "2025-12-31T23:00:05Z"),
        (datetime(5, 3, 4, 5, 6, 7, tzinfo=UTC), "0005-03-04T05:06:07Z"),
    ],
    ids=["millis", "one-milli", "under-a-milli", "offset", "small-year"],
)
def test_a_date_time_is_written_in_utc_with_milliseconds_only_when_there_are_any(
    local_time_is_not_utc: None, moment: datetime, text: str
) -> None:
    assert format_datetime(moment) == text


VALID_DATES = [
    "2024-02-29", "2000-02-29", "2023-02-28", "1900-02-28", "2023-01-31", "2023-03-31",
    "2023-04-30", "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31", "2023-09-30",
    "2023-10-31", "2023-11-30", "2023-12-31", "2023-01-01",
]  # fmt: skip
INVALID_DATES = [
    "2023-02-29", "1900-02-29", "2021-02-29", "2025-02-29", "2024-02-30", "2023-03-32",
    "2023-04-31", "2023-05-32", "2023-06-31", "2023-07-32", "2023-09-31", "2023-10-32",
    "2023-11-31", "2023-12-32", "2023-13-01", "2023-00-01", "2023-01-00", "2023-01-32",
]  # fmt: skip


@pytest.mark.parametrize("date", VALID_DATES)
def test_a_date_in_the_calendar_is_accepted(date: str) -> None:
    year, month, day = map(int, date.split("-"))
    assert parse_datetime(f"{date}T00:00:00Z") == datetime(year, month, day, tzinfo=UTC)


@pytest.mark.parametrize("date", INVALID_DATES)
def test_a_date_not_in_the_calendar_is_refused(date: str) -> None:
    assert parse_datetime(f"{date}T00:00:00Z") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T12:00:00Z", datetime(2026, 11, 28, 12, 0, tzinfo=UTC)),
        ("2026-11-28t12:00:00z", datetime(2026, 11, 28, 12, 0, tzinfo=UTC)),
        ("2026-11-28T23:59:59Z", datetime(2026, 11, 28, 23, 59, 59, tzinfo=UTC)),
        ("2026-11-28T12:34:56.5Z", datetime(2026, 11, 28, 12, 34, 56, 500000, tzinfo=UTC)),
        ("2026-11-28T12:00:00.000001Z", datetime(2026, 11, 28, 12, 0, 0, 1, tzinfo=UTC)),
        ("2026-11-28T12:00:00.1234567Z", datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-28T13:30:00+01:30", datetime(2026, 11, 28, 12, 0, tzinfo=UTC)),
        ("2026-11-28T10:15:00-01:45", datetime(2026, 11, 28, 12, 0, tzinfo=UTC)),
        ("2026-11-28T23:00:00+11:00", datetime(2026, 11, 28, 12, 0, tzinfo=UTC)),
        ("2026-11-28T23:59:00+23:59", datetime(2026, 11, 28, 0, 0, tzinfo=UTC)),
        ("2026-11-28T00:00:00-23:59", datetime(2026, 11, 28, 23, 59, tzinfo=UTC)),
        # A leap second, only at 23:59:60 UTC, is read as the next second.
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2016-12-31T23:59:60.25Z", datetime(2017, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)),
        ("2017-01-01T00:59:60+01:00", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2016-12-31T22:59:60-01:00", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2017-01-01T01:29:60+01:30", datetime(2017, 1, 1, tzinfo=UTC)),
        # Out of Python's range: clamped.
        ("0000-06-01T00:00:00Z", datetime.min.replace(tzinfo=UTC)),
        ("0001-01-01T00:00:00+00:01", datetime.min.replace(tzinfo=UTC)),
        ("9999-12-31T23:59:59-00:01", datetime.max.replace(tzinfo=UTC)),
        ("9999-12-31T23:59:60Z", datetime.max.replace(tzinfo=UTC)),
    ],
    ids=str,
)
def test_an_rfc_3339_date_time_is_read_as_its_utc_instant(
    local_time_is_not_utc: None, text: str, expected: datetime
) -> None:
    moment = parse_datetime(text)
    assert moment == expected
    assert moment is not None and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T24:00:00Z",
        "2026-11-28T12:60:00Z",
        "2026-11-28T12:00:61Z",
        "2026-11-28T12:00:60Z",  # a leap second not at 23:59 UTC
        "2016-12-31T23:59:60+01:00",
        "2026-11-28T12:00:00+24:00",
        "2026-11-28T12:00:00+00:60",
        "2026-11-28T12:00:00",
        "2026-11-28 12:00:00Z",
        "2026-11-28T12:00:00.Z",
        "2026-11-28T12:00Z",
        "",
    ],
    ids=str,
)
def test_anything_else_is_not_a_date_time(text: str) -> None:
    assert parse_datetime(text) is None


# --- wire formats: page markers -------------------------------------------------------------------

RUN_ID = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
MARKED = datetime(2026, 11, 28, 12, 0, 0, 514001, tzinfo=UTC)
MARKER = "bTo5ZjJkOGM3ZS00YjJhLTRkZTItOGQ3Mi0wZTFhYjNjNGQ1ZTY6MTc5NTg2NzIwMDUxNDAwMQ"


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_a_marker_is_unpadded_base64url_of_the_run_id_and_start_in_microseconds() -> None:
    assert encode_marker(MARKED, RUN_ID) == MARKER
    assert b64(f"m:{RUN_ID}:1795867200514001") == MARKER
    assert encode_marker(EPOCH - timedelta(microseconds=5), RUN_ID) == b64(f"m:{RUN_ID}:-5")


@pytest.mark.parametrize(
    ("run_id", "micros"),
    [
        (RUN_ID, 1795867200514001),  # 74 characters: two would be padding
        ("b9b81635-0a57-15ad-220d-2aa32b711343", 27),  # 55: one would be padding
        ("04673b75-5349-9cb4-df22-e65166fec086", 160),  # 56: none
        ("a3ee54d4-f78d-a614-4a77-0551a1326797", -816691),
    ],
)
def test_a_marker_is_read_back_with_or_without_its_padding(run_id: str, micros: int) -> None:
    start = EPOCH + timedelta(microseconds=micros)
    marker = encode_marker(start, run_id)
    assert decode_marker(marker) == (run_id, start)
    padded = marker + "=" * (-len(marker) % 4)
    assert decode_marker(padded) == (run_id, start)


def test_a_marker_is_read_in_the_base64url_alphabet() -> None:
    # The last character of a partial group carries 2 bits: "Q" -> "1", "-" and "_" -> "3".
    later = (RUN_ID, MARKED + timedelta(microseconds=2))
    assert MARKER.endswith("MQ")
    assert decode_marker(MARKER[:-1] + "-") == later
    assert decode_marker(MARKER[:-1] + "_") == later


def test_the_short_marker_form_names_the_run_only() -> None:
    assert decode_marker(b64(f"m:{RUN_ID}")) == (RUN_ID, None)
    assert decode_marker(b64(f"m:{RUN_ID.upper()}:0")) == (RUN_ID, EPOCH)


@pytest.mark.parametrize(
    "marker",
    [
        MARKER + "===",  # too much padding
        MARKER + "X",  # a stray character
        MARKER + "XXXX",
        MARKER[:-1] + "+",
        MARKER + "A",  # one character past a whole group
        "!!!!",
        b64(f"x:{RUN_ID}:1"),
        b64(f"m:{RUN_ID}:1:2"),
        b64(f"m:{RUN_ID}:"),
        b64(f"m:{RUN_ID}:1.5"),
        b64("m:not-a-run:1"),
        b64(f"m:{RUN_ID}:" + "9" * 21),
        b64(f"m:{RUN_ID}:" + "9" * 20),  # a number, but no date
        b64(f"m:{RUN_ID}:-" + "9" * 17),
        base64.urlsafe_b64encode(f"m:{RUN_ID}:\u00e9".encode()).decode(),
        "",
    ],
    ids=str,
)
def test_anything_else_is_not_a_marker(marker: str) -> None:
    assert decode_marker(marker) is None


def test_a_request_on_a_connection_refused_while_closing_is_not_carried_out(
    service: FakeTimersService,
) -> None:
    server = _Server(("127.0.0.1", 0), service, socket.AF_INET, IDLE)
    try:
        server.close_connections()
        with connect(server.server_port) as sock:
            sock.sendall(request("POST", RUN, close=True))
            server.handle_request()
            assert read_all(sock) == b""
        wait_until(lambda: service.runs_created, 1)  # the handler's thread, if it does
    finally:
        server.server_close()
    assert service.runs_created == 0
