"""Fault injection: the queue behind ``fail_next`` and ``drop_next``.

A fault matches any request (``operation=None``) or the requests routed to one operation
(an ``operationId``, e.g. ``run_timer``; the operations known are those of the service's API
dialects). Faults are served in the order they were queued, each ``count`` times. A failing
fault becomes the ``Reply`` it was given (by default an error body in the shape of the API the
request was routed to); a dropping fault becomes a ``Drop``, before or after the request is
carried out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from timers.testing._replies import ErrorBody, Reply, error_body
from timers.testing._wire import json_bytes

__all__ = ["Fault", "FaultQueue"]


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
        if body is None:
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
        raw: bytes | None
        content_type = "application/json"
        if body is None:
            raw = None
        elif isinstance(body, bytes | str):
            raw = body.encode("utf-8") if isinstance(body, str) else body
            content_type = "text/plain; charset=utf-8"
        else:
            raw = json_bytes(dict(body))
        fault = Fault(
            count,
            operation,
            drop=False,
            status=status,
            headers=tuple((headers or {}).items()),
            body=raw,
            content_type=content_type,
        )
        with self._lock:
            self._faults.append(fault)

    def drop(self, count: int, operation: str | None, after_processing: bool) -> None:
        """Queue a dropped connection; see ``FakeTimersService.drop_next``."""
        self._check(count, operation)
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
        if count < 1:
            raise ValueError("count must be at least 1")
        if operation is not None and operation not in self._operations:
            raise ValueError(f"operation must be one of {self._operations}, got {operation!r}")
