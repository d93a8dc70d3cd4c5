"""Fault injection: ``fail_next`` and ``drop_next`` (``FaultInjection``, a base of
``FakeTimersService``) and the queue behind them (``FaultQueue``).

A fault matches any request (``operation=None``) or the requests routed to one operation
(an ``operationId``, e.g. ``run_timer``; the operations known are those of the service's API
dialects). Faults are served in the order they were queued, each ``count`` times. A failing
fault becomes the ``Reply`` it was given (by default an error body in the shape of the API the
request was routed to); a dropping fault becomes a ``Drop``, before or after the request is
carried out.

A fault is checked when it is queued, not when a request meets it: ``count`` an ``int`` >= 1,
``status`` an ``int`` from 200 to 599 (a final HTTP status), header names and values ``str``
(without line breaks), and a body of ``bytes``, ``str`` or a JSON mapping (none for a 204 or
a 304, which HTTP forbids one: they are sent empty). So every transport
(in-process, respx, served) sends the same answer, or none refuses it later.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from timers.testing._replies import ErrorBody, Reply, error_body
from timers.testing._wire import json_bytes

__all__ = ["MAX_STATUS", "MIN_STATUS", "Fault", "FaultInjection", "FaultQueue", "Operation"]

MIN_STATUS: Final = 200
"""The lowest status ``fail_next`` takes: a final answer (1xx ones are interim, no answer)."""

MAX_STATUS: Final = 599
"""The highest status ``fail_next`` takes (HTTP's status codes are three digits, 1xx-5xx)."""

_NO_BODY: Final = frozenset({204, 304})  # HTTP forbids a body: one would break the framing


@dataclass(slots=True)
class Fault:
    """One queued fault, with how many more requests it takes over."""

    remaining: int
    operation: str | None
    drop: bool
    after_processing: bool = False
    status: int = 503
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None  # None: the routed API's error JSON for ``status``
    content_type: str = "application/json"

    def reply(self, request_id: str, shape: ErrorBody = error_body) -> Reply:
        """The injected answer: the given headers and body (without one, ``shape``'s error
        body for ``status``), plus ``X-Request-Id`` and ``Content-Type`` unless the headers
        have them."""
        headers = {name.lower(): (name, value) for name, value in self.headers}
        headers.setdefault("x-request-id", ("X-Request-Id", request_id))
        body = self.body
        if self.status in _NO_BODY:
            body = b""
        elif body is None:
            body = json_bytes(shape(self.status, request_id, None))
            headers.setdefault("content-type", ("Content-Type", "application/json"))
        else:
            headers.setdefault("content-type", ("Content-Type", self.content_type))
        return Reply(self.status, tuple(headers.values()), body)


class FaultQueue:
    """The faults waiting for requests, in call order, for the operations given."""

    def __init__(self, lock: threading.RLock, operations: Iterable[str]) -> None:
        self._lock = lock
        self._operations = tuple(operations)
        self._faults: list[Fault] = []

    def fail(
        self,
        count: int,
        status: int,
        headers: Mapping[str, str] | None,
        body: bytes | str | Mapping[str, Any] | None,
        operation: str | None,
    ) -> None:
        """Queue an injected answer; see ``FakeTimersService.fail_next``."""
        self._check(count, operation)
        _check_status(status)
        if status in _NO_BODY and body not in (None, b"", ""):
            raise ValueError(f"a {status} answer has no body (HTTP forbids one): leave body out")
        pairs = _checked_headers(headers)
        raw: bytes | None
        content_type = "application/json"
        if body is None:
            raw = None
        elif isinstance(body, bytes | str):
            raw = body.encode("utf-8") if isinstance(body, str) else body
            content_type = "text/plain; charset=utf-8"
        elif isinstance(body, Mapping):
            try:
                raw = json_bytes(dict(body))
            except (TypeError, ValueError) as error:
                raise ValueError(f"body is not JSON: {error}") from None
        else:
            raise TypeError(
                "body must be bytes, str or a mapping (sent as JSON), "
                f"got {type(body).__name__}: {body!r}"
            )
        fault = Fault(
            count,
            operation,
            drop=False,
            status=status,
            headers=pairs,
            body=raw,
            content_type=content_type,
        )
        with self._lock:
            self._faults.append(fault)

    def drop(self, count: int, operation: str | None, after_processing: bool) -> None:
        """Queue a dropped connection; see ``FakeTimersService.drop_next``."""
        self._check(count, operation)
        if not isinstance(after_processing, bool):  # "no" would be True
            kind = type(after_processing).__name__
            raise TypeError(f"after_processing must be True or False, got {kind}")
        with self._lock:
            self._faults.append(
                Fault(count, operation, drop=True, after_processing=after_processing)
            )

    def take(self, operation: str | None) -> Fault | None:
        """The first fault matching a request for ``operation`` (``None``: a request that no
        operation answers), used up once; ``None`` if no fault matches."""
        with self._lock:
            for fault in self._faults:
                if fault.operation is None or fault.operation == operation:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()

    def _check(self, count: int, operation: str | None) -> None:
        # bool is an int, but fail_next(True) is a mistake; a float (1.5, nan) never runs out.
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"count must be an int, got {type(count).__name__}: {count!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if operation is not None and operation not in self._operations:
            raise ValueError(f"operation must be one of {self._operations}, got {operation!r}")


def _check_status(status: int) -> None:
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"status must be an int, got {type(status).__name__}: {status!r}")
    if not MIN_STATUS <= status <= MAX_STATUS:
        raise ValueError(f"status must be from {MIN_STATUS} to {MAX_STATUS}, got {status}")


def _checked_headers(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """``headers`` as pairs; ``TypeError`` unless names and values are ``str``, ``ValueError``
    unless each name is an HTTP token and each value printable ASCII (tabs and inner spaces
    allowed): anything else is sent differently, or refused, by one transport or another."""
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping of str to str, got {type(headers).__name__}")
    pairs = tuple(headers.items())
    for name, value in pairs:
        for what, text in (("name", name), ("value", value)):
            if not isinstance(text, str):
                raise TypeError(
                    f"header {what}s must be str, got {type(text).__name__} {text!r} "
                    f"in {name!r}: {value!r}"
                )
        if _TOKEN.fullmatch(name) is None:
            raise ValueError(
                f"header names must be HTTP tokens (letters, digits, !#$%&'*+-.^_`|~), got {name!r}"
            )
        if _VALUE.fullmatch(value) is None:
            raise ValueError(
                "header values must be printable ASCII (spaces and tabs inside), without "
                f"line breaks, got {value!r} in {name!r}"
            )
    return pairs


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"(?:[!-~](?:[ \t!-~]*[!-~])?)?")


Operation = Literal["run_timer", "list_timer_runs", "get_timer_run", "read_job", "list_jobs"]
"""The type of an ``OPERATIONS`` name (for type checkers; a test keeps the two equal)."""


class FaultInjection:
    """``fail_next`` and ``drop_next``: the service's public face of its ``FaultQueue``."""

    _faults: FaultQueue

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        operation: Operation | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with this response instead.

        Matching: any request if ``operation`` is ``None``, else requests routed to that
        operation (one of ``OPERATIONS``, e.g. ``"read_job"``). ``status`` is any final HTTP
        status, 200 to 599 (a 2xx answers with an off-spec body, say). The body defaults to
        the routed API's error JSON for ``status`` (runs: ``Error``; jobs:
        ``{"error": {...}}``, or ``{"detail": [...]}`` for 422; a 204 or 304 is sent empty,
        as HTTP requires); a mapping is sent as JSON,
        and ``str``/``bytes`` verbatim (``Content-Type`` from ``headers``, else
        ``text/plain``; to send another JSON value, give its text and that header).
        ``headers`` maps ``str`` names to ``str`` values. ``X-Request-Id`` is added unless
        ``headers`` has one. The request is not carried out: no run is created. Faults queue
        up in call order (``drop_next`` shares the queue).

        Everything is checked here, so every transport sends the same answer: ``TypeError``
        for a ``count`` or ``status`` that is not an ``int`` (``bool`` neither), a header name
        or value that is not a ``str``, or a body of another type; ``ValueError`` for a
        ``count`` below 1, a ``status`` outside 200..599, a header name that is not an HTTP
        token or a value that is not printable ASCII (a line break included), a mapping body
        that is not JSON (NaN included), a body for a 204 or 304, or an unknown
        ``operation``.

        Example::

            service.fail_next(2, status=429, headers={"Retry-After": "0"})
            service.fail_next(status=502, body="<html>Bad gateway</html>",
                              headers={"Content-Type": "text/html"}, operation="run_timer")
        """
        self._faults.fail(count, status, headers, body, operation)

    def drop_next(
        self, count: int = 1, *, operation: Operation | None = None, after_processing: bool = False
    ) -> None:
        """Drop the connection of the next ``count`` matching requests instead of answering.

        In-process, the transport raises ``httpx.RemoteProtocolError`` ("Server disconnected
        without sending a response."); served, the server closes the socket without a word.
        With ``after_processing=True`` the request is carried out first (a ``run_timer`` run
        IS created) and only the answer is lost. Matching and queueing as in ``fail_next``;
        ``TypeError`` for a ``count`` that is not an ``int``, ``ValueError`` for one below 1
        or an unknown ``operation``.

        Example::

            service.drop_next(operation="run_timer", after_processing=True)
            # the client sees a dropped connection, yet service.runs_created == 1
        """
        self._faults.drop(count, operation, after_processing)
