"""The attempt deadline at the socket (timers._transport): how timeouts are cut, which backends
are wrapped, and what a wrapped stream does, with fake backends and a fake clock."""

from __future__ import annotations

import asyncio
import gc
import socket
from typing import Any

import httpcore
import httpx
import pytest

from timers import _transport
from timers._transport import _Deadlined, attempt_deadline, expired, install, remaining


def never_closed() -> bool:
    return False


class FakeTime:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(_transport, "time", fake)
    return fake


# --- remaining and expired --------------------------------------------------------------------


def test_without_a_deadline_timeouts_are_unchanged(clock: FakeTime) -> None:
    assert remaining(None) is None
    assert remaining(5.0) == 5.0
    assert not expired()


def test_a_timeout_is_cut_to_the_time_left(clock: FakeTime) -> None:
    with attempt_deadline(1010.0):
        assert remaining(None) == 10.0
        assert remaining(5.0) == 5.0
        assert remaining(20.0) == 10.0
        assert not expired()


def test_once_the_deadline_has_passed_every_operation_gets_a_millisecond(clock: FakeTime) -> None:
    with attempt_deadline(1000.0):
        assert remaining(None) == 0.001 and remaining(5.0) == 0.001
        assert expired()  # exactly at the deadline
    with attempt_deadline(990.0):
        assert remaining(None) == 0.001 and expired()


def test_a_far_deadline_is_capped_at_a_day(clock: FakeTime) -> None:
    with attempt_deadline(1000.0 + 10**9):
        assert remaining(None) == 86_400.0
        assert remaining(100_000.0) == 86_400.0


def test_the_deadline_ends_with_its_block_even_on_error(clock: FakeTime) -> None:
    seen: list[float | None] = []

    def fail_inside() -> None:
        with attempt_deadline(1005.0):
            seen.append(remaining(None))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    assert seen == [5.0] and remaining(None) is None
    with attempt_deadline(1005.0):
        with attempt_deadline(None):
            assert remaining(7.0) == 7.0
        assert remaining(7.0) == 5.0


# --- wrapped backends and streams -------------------------------------------------------------


class FakeStream:
    def __init__(self, sock: Any = None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.sock = sock
        self.closed = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", timeout))

    def start_tls(self, ssl_context: Any, server_hostname: Any = None, timeout: Any = None) -> Any:
        self.calls.append(("start_tls", timeout))
        return FakeStream()

    def get_extra_info(self, name: str) -> Any:
        return self.sock if name == "socket" else "info"

    def close(self) -> None:
        self.closed = True


class FakeBackend:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: Any = None
    ) -> FakeStream:
        self.calls.append(("connect_tcp", timeout))
        return FakeStream()

    def connect_unix_socket(self, path: str, timeout: float | None = None) -> FakeStream:
        self.calls.append(("connect_unix_socket", timeout))
        return FakeStream()

    def sleep(self, seconds: float) -> str:
        return f"slept {seconds}"


def test_a_wrapped_backend_cuts_connect_timeouts_given_by_position_or_name(
    clock: FakeTime,
) -> None:
    inner = FakeBackend()
    backend = _Deadlined(inner, never_closed)
    with attempt_deadline(1003.0):
        tcp = backend.connect_tcp("h", 443, 10.0)
        backend.connect_tcp("h", 443, timeout=1.0)
        backend.connect_tcp("h", 443)
        unix = backend.connect_unix_socket("/s", 9.0)
        backend.connect_unix_socket(path="/s")
    assert inner.calls == [
        ("connect_tcp", 3.0),
        ("connect_tcp", 1.0),
        ("connect_tcp", 3.0),
        ("connect_unix_socket", 3.0),
        ("connect_unix_socket", 3.0),
    ]
    assert isinstance(tcp, _Deadlined) and isinstance(unix, _Deadlined)
    assert backend.sleep(2) == "slept 2"  # untimed methods pass through


def test_a_wrapped_stream_cuts_reads_writes_and_tls_and_wraps_the_tls_stream(
    clock: FakeTime,
) -> None:
    inner = FakeStream()
    stream = _Deadlined(inner, never_closed)
    with attempt_deadline(1002.0):
        assert stream.read(10, 30.0) == b"data"
        stream.read(10)
        stream.write(b"x", 1.0)
        stream.write(b"x", timeout=5.0)
        tls = stream.start_tls("ctx", "host", 8.0)
    assert inner.calls == [
        ("read", 2.0),
        ("read", 2.0),
        ("write", 1.0),
        ("write", 2.0),
        ("start_tls", 2.0),
    ]
    assert isinstance(tls, _Deadlined)
    assert stream.get_extra_info("other") == "info"
    # read and write hand back what the stream gave, unwrapped
    assert not isinstance(stream.read(1), _Deadlined)


def test_outside_a_deadline_a_wrapped_stream_keeps_its_timeouts(clock: FakeTime) -> None:
    inner = FakeStream()
    _Deadlined(inner, never_closed).read(10, 30.0)
    _Deadlined(inner, never_closed).read(10)
    assert inner.calls == [("read", 30.0), ("read", None)]


class RecordingBackend:
    """Keeps what each connect was given and the stream it made."""

    def __init__(self) -> None:
        self.given: list[tuple[Any, ...]] = []
        self.made: list[FakeStream] = []

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: Any = None
    ) -> FakeStream:
        self.given.append((host, port, timeout, local_address))
        self.made.append(FakeStream())
        return self.made[-1]


def test_arguments_after_a_positional_timeout_are_passed_on(clock: FakeTime) -> None:
    inner = RecordingBackend()
    with attempt_deadline(1003.0):
        _Deadlined(inner, never_closed).connect_tcp("h", 443, 10.0, "10.0.0.1")
    assert inner.given == [("h", 443, 3.0, "10.0.0.1")]


def test_the_streams_a_wrapped_backend_makes_are_the_backends_own_streams(
    clock: FakeTime,
) -> None:
    inner = RecordingBackend()
    with attempt_deadline(1002.0):
        stream = _Deadlined(inner, never_closed).connect_tcp("h", 443, 10.0)
        assert stream.read(10, 30.0) == b"data"
        tls = stream.start_tls("ctx", "host", 8.0)
        tls.write(b"x", 9.0)
    (made,) = inner.made
    assert made.calls[0] == ("read", 2.0)
    assert made.calls[1] == ("start_tls", 2.0)
    assert tls.get_extra_info("other") == "info"
    assert tls._inner.calls == [("write", 2.0)]


class AsyncFakeBackend:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None) -> FakeStream:
        self.calls.append(("connect_tcp", timeout))
        return FakeStream()


def test_an_async_backend_hands_back_a_wrapped_stream_once_awaited(clock: FakeTime) -> None:
    inner = AsyncFakeBackend()

    async def connect() -> Any:
        with attempt_deadline(1004.0):
            return await _Deadlined(inner, never_closed).connect_tcp("h", 443, timeout=60.0)

    stream = asyncio.run(connect())
    assert isinstance(stream, _Deadlined) and inner.calls == [("connect_tcp", 4.0)]


class FakeSocket:
    def __init__(self, fails: bool = False) -> None:
        self.shutdowns: list[int] = []
        self.fails = fails

    def shutdown(self, how: int) -> None:
        self.shutdowns.append(how)
        if self.fails:
            raise OSError("not connected")


def test_closing_a_wrapped_stream_shuts_its_socket_down_first() -> None:
    sock = FakeSocket()
    inner = FakeStream(sock)
    _Deadlined(inner, never_closed).close()
    assert sock.shutdowns == [socket.SHUT_RDWR] and inner.closed


def test_closing_survives_a_socket_that_cannot_shut_down_or_no_socket() -> None:
    failing = FakeStream(FakeSocket(fails=True))
    _Deadlined(failing, never_closed).close()
    assert failing.closed
    bare = FakeStream(None)
    _Deadlined(bare, never_closed).close()
    assert bare.closed


# --- install ----------------------------------------------------------------------------------


def backend_of(transport: Any) -> Any:
    return transport._pool._network_backend


def test_install_wraps_the_pool_of_a_client_it_can_reach_once() -> None:
    with httpx.Client() as client:
        assert install(client)
        wrapped = backend_of(client._transport)
        assert isinstance(wrapped, _Deadlined)
        assert isinstance(wrapped._inner, httpcore.NetworkBackend)
        assert install(client)
        assert backend_of(client._transport) is wrapped  # not wrapped twice


def test_install_wraps_an_async_clients_pool() -> None:
    client = httpx.AsyncClient()
    assert install(client)
    assert isinstance(backend_of(client._transport), _Deadlined)
    assert isinstance(backend_of(client._transport)._inner, httpcore.AsyncNetworkBackend)


def test_install_wraps_mounted_transports_too() -> None:
    mounted = httpx.HTTPTransport()
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        client._mounts = {httpx._utils.URLPattern("https://"): mounted}
        assert install(client)
    assert isinstance(backend_of(mounted), _Deadlined)


def test_install_changes_nothing_it_cannot_reach() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        assert not install(client)


def test_a_transport_that_honours_the_deadline_itself_counts_as_installed() -> None:
    class Own(httpx.BaseTransport):
        honours_attempt_deadline = True

    with httpx.Client(transport=Own()) as client:
        assert install(client)


def test_install_says_false_not_merely_falsy_when_it_reaches_nothing() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        assert install(client) is False


def test_a_client_whose_internals_differ_is_left_alone() -> None:
    class Elsewhere:  # e.g. another httpx version: no _transport, no _mounts
        pass

    assert install(Elsewhere()) is False  # type: ignore[arg-type]


def test_mounted_transports_are_wrapped_after_one_that_honours_the_deadline_itself() -> None:
    class Own(httpx.BaseTransport):
        honours_attempt_deadline = True

    mounted = httpx.HTTPTransport()
    with httpx.Client(transport=Own()) as client:
        client._mounts = {httpx._utils.URLPattern("https://"): mounted}
        assert install(client) is True
    assert isinstance(backend_of(mounted), _Deadlined)


# --- no new connection once the client is closed ------------------------------------------------


def test_a_wrapped_backend_or_stream_opens_nothing_once_its_client_is_closed(
    clock: FakeTime,
) -> None:
    inner = RecordingBackend()
    closed = [False]
    backend = _Deadlined(inner, lambda: closed[0])
    stream = backend.connect_tcp("h", 443, 10.0)
    closed[0] = True
    assert stream.read(10, 30.0) == b"data"  # a connection already open may finish its work
    with pytest.raises(RuntimeError, match=r"^the client has been closed: nothing more is sent$"):
        backend.connect_tcp("h", 443, 10.0)
    with pytest.raises(RuntimeError, match="the client has been closed"):
        stream.start_tls("ctx", "host", 8.0)
    with pytest.raises(RuntimeError, match="the client has been closed"):
        stream.write(b"GET / HTTP/1.1", 5.0)  # set up as the pool closed: it sends nothing
    assert len(inner.made) == 1
    assert [name for name, _ in inner.made[0].calls] == ["read"]


def test_an_installed_pool_knows_when_its_client_is_closed() -> None:
    client = httpx.Client()
    assert install(client)
    wrapped = backend_of(client._transport)
    assert not wrapped._closed()
    client.close()
    assert wrapped._closed()
    dropped = httpx.Client()
    install(dropped)
    orphan = backend_of(dropped._transport)
    del dropped
    gc.collect()
    assert orphan._closed()  # the pool does not keep its client alive: gone counts as closed
