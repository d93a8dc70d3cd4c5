"""What the reference service answers, before any transport carries it: ``Reply`` or ``Drop``.

``Reply`` and ``Drop`` are public (``timers.testing``): every transport (the loopback server,
``service.transport()``/``handle()``, ``service.mock()``) turns the same ``Reply`` into its
own kind of response and the same ``Drop`` into its own kind of lost connection. The helpers
here build the replies every API dialect shares: JSON bodies and error bodies. An error body's
shape is the API's (``ErrorBody``): ``error_body`` is the ``Error`` of ``spec/timers-runs.yaml``,
the default wherever no API claims the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final, TypeAlias

from timers.testing._wire import json_bytes

__all__ = [
    "DROP_MESSAGE",
    "Drop",
    "ErrorBody",
    "Reply",
    "error_body",
    "error_code",
    "error_reply",
    "json_reply",
    "shaped_error_reply",
    "status_phrase",
]

DROP_MESSAGE: Final = "Server disconnected without sending a response."
"""What ``httpx.RemoteProtocolError`` says when an in-process transport renders a ``Drop``."""

_ERROR_CODES: Final = {
    400: "INVALID_PARAMETER",
    401: "AUTHENTICATION_ERROR",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP answer: ``status``, ``headers`` (in order, names as sent) and ``body``.

    Transports send it as it is, adding only their own framing (``Content-Length``, and over
    HTTP ``Date``/``Server``/``Connection``). The body of an answer to ``HEAD`` is already
    empty.

    Example::

        reply = service.answerer.answer("GET", f"/timers/{timer_id}/runs", "Bearer test-token")
        assert reply.status == 200 and reply.header("content-type") == "application/json"
        assert reply.json()["total"] == 0
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of the header ``name`` (any case), or ``None`` if there is none."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def json(self) -> Any:
        """The body parsed as JSON; ``ValueError`` if it is not JSON."""
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Drop:
    """No answer: the connection is closed instead (``drop_next``).

    In-process (``handle()``, ``transport()``, ``mock()``) the client sees
    ``httpx.RemoteProtocolError`` ("Server disconnected without sending a response."); served,
    the socket is closed without a byte. ``after_processing`` says whether the request was
    carried out first (so a ``run_timer`` run was created and only its answer was lost).
    """

    after_processing: bool = False


ErrorBody: TypeAlias = Callable[[int, str, str | None], Any]
"""How an API spells an error: ``(status, request_id, message or None)`` to a JSON body."""


def error_code(status: int) -> str:
    """The machine-readable code for ``status``, e.g. ``NOT_FOUND`` for 404."""
    return _ERROR_CODES.get(status, "ERROR" if status >= 400 else "INJECTED")


def status_phrase(status: int) -> str:
    """The HTTP reason phrase of ``status`` (``"Error"`` for a status HTTP does not name)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    status: int,
    request_id: str,
    message: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The spec's ``Error``: ``code`` (from ``status``), ``message`` (the status phrase
    unless given), ``request_id`` and, if any, ``errors``."""
    body: dict[str, Any] = {
        "code": error_code(status),
        "message": message or f"{status_phrase(status)}.",
        "request_id": request_id,
    }
    if errors:
        body["errors"] = errors
    return body


def json_reply(
    status: int, body: Any, request_id: str, headers: tuple[tuple[str, str], ...] = ()
) -> Reply:
    """``body`` as JSON, with ``Content-Type``, ``X-Request-Id`` and then ``headers``."""
    base = (("Content-Type", "application/json"), ("X-Request-Id", request_id))
    return Reply(status, base + headers, json_bytes(body))


def error_reply(
    status: int, request_id: str, message: str, *, errors: list[dict[str, str]] | None = None
) -> Reply:
    """An ``Error`` answer (see ``error_body``) with ``status``."""
    return json_reply(status, error_body(status, request_id, message, errors), request_id)


def shaped_error_reply(
    shape: ErrorBody,
    status: int,
    request_id: str,
    message: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    """An error answer in an API's own ``shape``, with ``status`` and extra ``headers``."""
    return json_reply(status, shape(status, request_id, message), request_id, headers)
