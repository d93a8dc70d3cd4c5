"""Reading a request's body off a served connection, within the loopback server's limits.

The server (``_http_server``) may face clients that misbehave on purpose: a load test, a test of a
client's timeouts, a fuzzer. Whatever bytes arrive, this module guarantees:

- a read never waits past the connection's deadline (``DeadlineReader``): ``TimeoutError``,
  however slowly the bytes drip in;
- a body never takes more than ``MAX_BODY_BYTES`` of memory: a ``Content-Length`` above it is
  refused before a byte of the body is read, a chunked body as soon as its chunk sizes add up
  past it (``BodyTooLarge``; ``too_large_reply`` is the 413 to answer);
- framing that cannot be read (a ``Content-Length`` that is not ASCII digits, a chunk size that
  is not hex, a line longer than 64 KiB) is ``BadFraming`` (answered 400);
- a body cut short because the client left is ``ClientGone`` (nothing to answer).
"""

from __future__ import annotations

import io
import re
import secrets
import socket
import time
from email.message import Message
from typing import TYPE_CHECKING, Final

from timers.testing._jobs_wire import jobs_error_body
from timers.testing._replies import Reply, error_body, shaped_error_reply

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "MAX_BODY_BYTES",
    "BadFraming",
    "BodyTooLarge",
    "ClientGone",
    "DeadlineReader",
    "check_declared_length",
    "read_body",
    "too_large_reply",
]

MAX_BODY_BYTES: Final = 1024 * 1024
"""The largest request body the server reads (1 MiB); a larger one is answered 413."""

_LONGEST_LINE: Final = 65536  # chunk-size and trailer lines: the stdlib's limit for headers
_DIGITS: Final = re.compile(r"[0-9]+")  # not str.isdigit(): that takes "²", which int() refuses
_HEX: Final = re.compile(rb"[0-9A-Fa-f]+")  # not int(x, 16) alone: that takes "-5" and "1_0"


class BadFraming(Exception):
    """The request's body framing cannot be read; the connection must close."""


class BodyTooLarge(Exception):
    """The request's body is larger than the limit; answer 413 and close the connection."""


class ClientGone(Exception):
    """The connection ended before the request's body did."""


class DeadlineReader(io.RawIOBase):
    """A connection's reads, each bounded by the connection's ``deadline``.

    ``deadline`` is a ``time.monotonic()`` value: a read that would wait past it raises
    ``TimeoutError`` instead, so a client dripping a byte at a time cannot stretch it (a plain
    socket timeout restarts with every byte). With ``deadline`` ``None`` a read waits at most
    ``idle_timeout`` seconds. Closing it leaves the socket open.
    """

    def __init__(self, connection: socket.socket, idle_timeout: float) -> None:
        super().__init__()
        self._connection = connection
        self._idle_timeout = idle_timeout
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Receive into ``buffer``; 0 at the end of the stream, ``TimeoutError`` past the
        deadline, ``OSError`` if the connection fails."""
        if self.deadline is None:
            wait = self._idle_timeout
        else:
            wait = self.deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError("the client did not send its request in time")
        self._connection.settimeout(wait)
        return self._connection.recv_into(buffer)


def _is_chunked(headers: Message) -> bool:
    return "chunked" in str(headers.get("Transfer-Encoding") or "").lower()


def check_declared_length(headers: Message, limit: int = MAX_BODY_BYTES) -> int:
    """The body's ``Content-Length`` (0 without one, or for a chunked body, whose size is not
    known before it is read). ``BadFraming`` if it is not a number, ``BodyTooLarge`` if it is
    over ``limit``; nothing is read."""
    if _is_chunked(headers):
        return 0
    value = headers.get("Content-Length")
    if value is None:
        return 0
    digits = str(value).strip()
    if not _DIGITS.fullmatch(digits):
        raise BadFraming
    digits = digits.lstrip("0") or "0"
    # Compare lengths first: int() refuses strings of more than 4300 digits.
    if len(digits) > len(str(limit)) or int(digits) > limit:
        raise BodyTooLarge
    return int(digits)


def read_body(rfile: io.BufferedIOBase, headers: Message, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request's body, read from ``rfile`` as ``headers`` frame it (``Transfer-Encoding:
    chunked`` first, else ``Content-Length``, else none).

    Raises ``BadFraming``, ``BodyTooLarge`` (never holding more than ``limit`` bytes of it) or
    ``ClientGone``; see the module docstring. Timeouts and connection errors of ``rfile``
    propagate.
    """
    if _is_chunked(headers):
        return _read_chunked(rfile, limit)
    length = check_declared_length(headers, limit)
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise ClientGone
    return body


def _line(rfile: io.BufferedIOBase) -> bytes:
    line = rfile.readline(_LONGEST_LINE + 1)
    if not line:
        raise ClientGone
    if len(line) > _LONGEST_LINE:
        raise BadFraming
    return line


def _read_chunked(rfile: io.BufferedIOBase, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_text = _line(rfile).split(b";", 1)[0].strip()  # chunk extensions are ignored
        if not _HEX.fullmatch(size_text):
            raise BadFraming
        size = int(size_text, 16)
        if size == 0:
            while _line(rfile).strip():  # trailers
                pass
            return b"".join(chunks)
        total += size
        if total > limit:
            raise BodyTooLarge
        chunk = rfile.read(size)
        if len(chunk) < size:
            raise ClientGone
        chunks.append(chunk)
        _line(rfile)  # the line break that ends the chunk's data


def too_large_reply(target: str, base_path: str, limit: int = MAX_BODY_BYTES) -> Reply:
    """413 for a request to ``target`` whose body is over ``limit``, in the error shape of the
    API the path belongs to: the runs ``Error`` under ``base_path``, the jobs ``{"error":
    {...}}`` elsewhere. The request never reaches the service (it is not in
    ``service.requests``), so its ``X-Request-Id`` is a random one, not the service's next."""
    path = target.partition("?")[0]
    runs = path == base_path or path.startswith(base_path.rstrip("/") + "/")
    return shaped_error_reply(
        error_body if runs else jobs_error_body,
        413,
        secrets.token_hex(8),
        f"The request body is larger than {limit} bytes.",
    )
