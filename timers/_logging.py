"""What the ``timers`` logger says, and ``$TIMERS_LOG``.

One INFO line per request once it is over (method, path, status, elapsed time, retries,
request id; for a request that got no answer, the exception's type instead of a status), an
INFO line per retry, and a DEBUG line per attempt. A call cancelled, or cut short by closing
its client, logs no outcome line. Never a header, a token or
a body; a request id is cleaned like every server-provided text. ``TIMERS_LOG=info`` (or
``debug``) sends these lines to stderr without any code, and there only (the ``timers``
logger then stops propagating, so an app's own logging does not print them twice).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import httpx

__all__ = [
    "LOG_ENV",
    "log_attempt",
    "log_failed_attempt",
    "log_failed_request",
    "log_request",
    "logger",
    "setup_from_env",
]

LOG_ENV = "TIMERS_LOG"
logger = logging.getLogger("timers")
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_SETUP = threading.Lock()  # clients created in several threads at once install one handler


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``$TIMERS_LOG`` installs (recognised, so it is installed once)."""


def setup_from_env() -> None:
    """Log the ``timers`` logger to stderr at ``$TIMERS_LOG``'s level (once per process)."""
    level = _LEVELS.get((os.environ.get(LOG_ENV) or "").strip().lower())
    if level is None:
        return
    with _SETUP:
        if any(isinstance(h, _EnvHandler) for h in logger.handlers):
            return
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("timers: %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False  # once on stderr, not again through the app's own handlers
        if logger.level == logging.NOTSET or logger.level > level:
            logger.setLevel(level)


def log_attempt(response: httpx.Response, started: float) -> None:
    """One DEBUG line per answered attempt: method, path, status, time."""
    _log(logging.DEBUG, response.request, str(response.status_code), started, "")


def log_failed_attempt(request: httpx.Request, started: float, exc: BaseException) -> None:
    """One DEBUG line per attempt that got no answer: method, path, the exception's type."""
    _log(logging.DEBUG, request, type(exc).__name__, started, "")


def log_request(
    response: httpx.Response, started: float, retries: int, request_id: str | None
) -> None:
    """One INFO line per request, once its outcome is known."""
    retried = f"{retries} retr{'y' if retries == 1 else 'ies'}"
    more = f" ({retried}, request id {request_id or '-'})"
    _log(logging.INFO, response.request, str(response.status_code), started, more)


def log_failed_request(
    request: httpx.Request, started: float, retries: int, exc: BaseException
) -> None:
    """One INFO line per request that ended without an answer (the exception's type only:
    its text may quote what a server sent)."""
    retried = f"{retries} retr{'y' if retries == 1 else 'ies'}"
    _log(logging.INFO, request, type(exc).__name__, started, f" ({retried}, no answer)")


def _log(level: int, request: httpx.Request, outcome: str, started: float, more: str) -> None:
    if logger.isEnabledFor(level):
        elapsed = (time.perf_counter() - started) * 1000
        logger.log(
            level,
            "%s %s -> %s in %.1f ms%s",
            request.method,
            request.url.path,
            outcome,
            elapsed,
            more,
        )
