"""What the ``timers`` logger says, and ``$TIMERS_LOG``.

One line per request once it is over (method, path, status, elapsed time, retries, request
id; for a request that got no answer, the exception's type instead of a status): INFO, or
WARNING for a 5xx or no answer. A WARNING line per retry, and a DEBUG line per attempt (with
its own request id). A call cancelled, or cut short by closing its client, logs no outcome
line. Each line's fields are also on the record, as a dict: ``timers_request`` (outcome),
``timers_attempt``, ``timers_retry`` and ``timers_auth`` (a refresh after a 401). Never a
header, a token or a body; paths are shown percent-encoded and, like request ids, cleaned as
every server-provided text is.
``TIMERS_LOG=info`` (or ``debug``, ``warning``) sends these lines to stderr without any code,
and there only (the ``timers`` logger then stops propagating, so an app's own logging does not
print them twice). The logger has a ``NullHandler``, as a library's should: without any
logging set up, nothing is printed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import warnings
from typing import Any

import httpx

from timers._redact import clean, quote, remember_sent

__all__ = [
    "LOG_ENV",
    "log_attempt",
    "log_failed_attempt",
    "log_failed_request",
    "log_request",
    "logger",
    "request_id_of",
    "setup_from_env",
    "shown_path",
]

LOG_ENV = "TIMERS_LOG"
logger = logging.getLogger("timers")
logger.addHandler(logging.NullHandler())  # never Python's last-resort printing of warnings
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_SETUP = threading.Lock()  # clients created in several threads at once install one handler
_warned: set[str] = set()  # the unknown $TIMERS_LOG values already warned about


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``$TIMERS_LOG`` installs (recognised, so it is installed once). It writes to
    ``sys.stderr`` as it is when a line is logged, as Python's last-resort handler does: a
    stream that stood in for stderr when the first client was made (pytest's capture,
    ``contextlib.redirect_stderr``) must not receive, and hold, every later line. A stream
    given with ``setStream`` is used instead (``setStream(None)``: stderr again)."""

    _pinned: Any = None

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr if self._pinned is None else self._pinned

    @stream.setter
    def stream(self, stream: Any) -> None:
        self._pinned = stream


def setup_from_env() -> None:
    """Log the ``timers`` logger to stderr at ``$TIMERS_LOG``'s level (once per process).
    Another non-empty value is ignored, with a ``RuntimeWarning`` (once per value)."""
    value = (os.environ.get(LOG_ENV) or "").strip().lower()
    level = _LEVELS.get(value)
    if level is None:
        if value and value not in _warned:
            _warned.add(value)
            # About the environment, not a line of code: no stacklevel to point at one.
            warnings.warn(  # noqa: B028
                f"{LOG_ENV}={quote(value, 40)} is ignored: use debug, info or warning",
                RuntimeWarning,
            )
        return
    with _SETUP:
        if any(isinstance(h, _EnvHandler) for h in logger.handlers):
            return
        handler = _EnvHandler()
        handler.setFormatter(logging.Formatter("timers: %(levelname)s %(message)s"))
        handler.setLevel(level)  # not more, even when the logger's own level is lower
        logger.addHandler(handler)
        logger.propagate = False  # once on stderr, not again through the app's own handlers
        if logger.level == logging.NOTSET or logger.level > level:
            logger.setLevel(level)


def shown_path(request: httpx.Request) -> str:
    """The request's path as logged: percent-encoded (no raw control character), cleaned."""
    return clean(request.url.raw_path.partition(b"?")[0].decode())  # httpx: ASCII only


def request_id_of(response: httpx.Response) -> str | None:
    """The answer's ``X-Request-Id``, made safe to show (credentials redacted, one line)."""
    header = response.headers.get("x-request-id")
    return None if header is None else clean(header, 200) or None


def log_attempt(response: httpx.Response, started: float) -> None:
    """One DEBUG line per answered attempt: method, path, status, time, request id. (First,
    the request's credentials are remembered again: the answer, read now, may echo them.)"""
    remember_sent(response.request)
    if logger.isEnabledFor(logging.DEBUG):
        request_id = request_id_of(response)
        more = "" if request_id is None else f" (request id {request_id})"
        _log(logging.DEBUG, "timers_attempt", response.request, started, more,
             status=response.status_code, request_id=request_id)  # fmt: skip


def log_failed_attempt(request: httpx.Request, started: float, exc: BaseException) -> None:
    """One DEBUG line per attempt that got no answer: method, path, the exception's type (its
    fields' ``request_id`` is None: every line has the same keys)."""
    if logger.isEnabledFor(logging.DEBUG):
        _log(logging.DEBUG, "timers_attempt", request, started, "",
             error=type(exc).__name__, request_id=None)  # fmt: skip


def log_request(
    response: httpx.Response, started: float, retries: int, request_id: str | None
) -> None:
    """One line per request, once its outcome is known: INFO, WARNING for a 5xx."""
    level = logging.WARNING if response.status_code >= 500 else logging.INFO
    if logger.isEnabledFor(level):
        more = f" ({_retries(retries)}, request id {request_id or '-'})"
        _log(level, "timers_request", response.request, started, more,
             status=response.status_code, retries=retries, request_id=request_id)  # fmt: skip


def log_failed_request(
    request: httpx.Request, started: float, retries: int, exc: BaseException
) -> None:
    """One WARNING line per request that ended without an answer (the exception's type only:
    its text may quote what a server sent)."""
    if logger.isEnabledFor(logging.WARNING):
        more = f" ({_retries(retries)}, no answer)"
        _log(logging.WARNING, "timers_request", request, started, more,
             error=type(exc).__name__, retries=retries, request_id=None)  # fmt: skip


def _retries(count: int) -> str:
    return f"{count} retr{'y' if count == 1 else 'ies'}"


def _log(
    level: int, key: str, request: httpx.Request, started: float, more: str, **fields: Any
) -> None:
    """The line ``METHOD path -> status-or-error in N ms<more>``; ``fields`` (``status`` or
    ``error``, and more) go on the record as ``key``, with the method, path and time."""
    elapsed = (time.perf_counter() - started) * 1000
    path = shown_path(request)
    outcome = fields["status"] if "status" in fields else fields["error"]
    logger.log(
        level,
        "%s %s -> %s in %.1f ms%s",
        request.method,
        path,
        outcome,
        elapsed,
        more,
        extra={key: {"method": request.method, "path": path, "elapsed_ms": elapsed, **fields}},
    )
