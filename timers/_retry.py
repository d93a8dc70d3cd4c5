"""When to retry a request, and how long to wait first. Every retry decision lives here.

``RetryPolicy`` is the user's value (how many retries, backoff, ``Retry-After`` cap);
``Attempts`` applies it to one request: the client loops only ask it what to do next.

What is retried (and why):

- Reads (``GET``: ``list_runs``, ``get_run``) are idempotent, so they are retried after
  connection errors, timeouts, and the statuses 408, 429, 500, 502, 503 and 504.
- ``run_timer`` (``POST``) creates a run each time it reaches the service, so it is retried
  only when the request provably never got there: the connection was refused, DNS failed, or
  connecting timed out. After a read timeout, a connection dropped after sending, or any
  5xx, it is not retried: the error says the run may or may not have been created. A 429 is
  retried (the service refused it before doing anything).
- Neither is retried after a failed TLS handshake (a certificate that does not verify, a
  server that does not speak TLS there): trying again cannot help. A connection dropped
  during the handshake is a connection error like any other. Nor after a 3xx whose
  ``Location`` is not a URL (httpx fails on it, see ``bad_redirect``): an answer came.

The wait before retry ``n`` (0-based) is ``min(backoff_max, backoff_base * 2**n)``, scaled by
a random factor in [0.75, 1.0] so that clients do not retry in lockstep. A ``Retry-After``
header (seconds or an HTTP date) can lengthen it, never shorten it; one longer than
``max_retry_after`` is not waited for: the error is raised at once (a ``RateLimitError``
carries the value as ``retry_after``; another status's error has the header in ``response``).
"""

from __future__ import annotations

import email.utils
import math
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from timers._errors import APIConnectionError, APITimeoutError, InvalidArgumentError
from timers._logging import log_failed_request, logger, shown_path
from timers._redact import clean, quote, redact

__all__ = ["MAX_SECONDS", "NEVER_SENT", "Attempts", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_SECONDS = 86_400.0
"""The longest wait any setting may ask for (a day): longer cannot be slept reliably."""
# The request was never sent: safe to retry even a POST.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# (A LocalProtocolError is never sent either, but it is not worth retrying.)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RetryPolicy:
    """How a client retries failed requests (see this module's docstring for what is retried).

    >>> RetryPolicy(max_retries=5, backoff_max=4.0).delay_for(10, rand=lambda: 0.4)
    3.6

    ``max_retries=0`` turns retries off. The policy is an immutable value: share it freely.
    Raises ``InvalidArgumentError`` for a count or a number of seconds out of range.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        retries = self.max_retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InvalidArgumentError(f"max_retries must be an int >= 0, got {quote(retries)}")
        for name in ("backoff_base", "backoff_max", "max_retry_after"):
            value = getattr(self, name)
            # NaN and the infinities fail the range test; an int is compared exactly.
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if not numeric or not 0 <= value <= MAX_SECONDS:
                raise InvalidArgumentError(
                    f"{name} must be a number of seconds from 0 to {MAX_SECONDS:g}, "
                    f"got {quote(value)}"
                )

    def delay_for(self, retry_number: int, *, rand: Callable[[], float] = random.random) -> float:
        """The backoff before retry ``retry_number`` (0-based): exponential, capped, jittered."""
        raw = min(self.backoff_max, self.backoff_base * (2.0 ** min(retry_number, 62)))
        return raw * (1.0 - 0.25 * rand())

    def should_retry_exception(self, exc: httpx.HTTPError, *, idempotent: bool) -> bool:
        """Whether a transport failure may be retried (ignoring how many retries are left)."""
        if isinstance(exc, httpx.LocalProtocolError) or tls_failure(exc) is not None:
            return False  # httpx refused to send it, or TLS failed: trying again cannot help
        if bad_redirect(exc):
            return False  # an answer came, and the same answer would come again
        if isinstance(exc, NEVER_SENT):
            return True
        return idempotent and isinstance(exc, httpx.TransportError)

    def should_retry_status(self, status_code: int, *, idempotent: bool) -> bool:
        """Whether a response status may be retried (ignoring how many retries are left)."""
        if status_code == 429:
            return True
        return idempotent and status_code in RETRYABLE_STATUSES


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    ``now`` is the current Unix time (for the date form). Returns ``None`` when absent or
    unparseable; a date in the past gives 0.

    >>> parse_retry_after("30", now=0.0)
    30.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=0.0)
    60.0
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


class Attempts:
    """The retry decisions for one request, as it is sent again and again.

    ``after_exception`` and ``after_response`` say how long to wait before the next attempt
    (and count it), or that there is none. No retry is planned that would wait past
    ``deadline`` (a ``clock()`` time), so a ``wait_for_run`` poll never outlives its wait.
    ``wall_clock`` (Unix time; default ``clock``) is the now of a ``Retry-After`` date.
    """

    __slots__ = (
        "_attempt_began",
        "clock",
        "deadline",
        "idempotent",
        "policy",
        "retries",
        "started",
        "wall_clock",
    )

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        clock: Callable[[], float],
        deadline: float | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        self.policy = policy
        self.idempotent = idempotent
        self.clock = clock
        self.wall_clock = wall_clock or clock
        self.deadline = deadline
        self.retries = 0
        self.started = time.perf_counter()  # for the request's log line
        self._attempt_began = self.started  # then when each retry's wait ends

    def after_exception(self, exc: httpx.HTTPError, request: httpx.Request) -> float:
        """The wait before retrying after a transport failure; raises the mapped
        ``APIConnectionError`` (or ``APITimeoutError``) when there is no retry."""
        policy = self.policy
        if self.retries < policy.max_retries and policy.should_retry_exception(
            exc, idempotent=self.idempotent
        ):
            delay = self._planned(policy.delay_for(self.retries))
            if delay is not None:
                connection = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                why = (
                    f"could not connect to {request.url.host}:{request.url.port or ''}"
                    if connection
                    else f"{type(exc).__name__} from {request.url.host}"
                )
                self._log(request, delay, type(exc).__name__, why.rstrip(":"), connection)
                return delay
        log_failed_request(request, self.started, self.retries, exc)
        raise connection_error(exc, request, self.retries, self.idempotent) from exc

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before retrying after this response, or None to stop and use it."""
        status = response.status_code
        policy = self.policy
        if (
            status < 400
            or self.retries >= policy.max_retries
            or not policy.should_retry_status(status, idempotent=self.idempotent)
        ):
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.wall_clock())
        backoff = policy.delay_for(self.retries)
        if retry_after is not None and retry_after > policy.max_retry_after:
            return None
        # Retry-After is the least wait the service asks for: it lengthens the backoff, never
        # shortens it (a "0" or a date in the past makes no request storm).
        delay = self._planned(backoff if retry_after is None else max(retry_after, backoff))
        if delay is not None:
            why = f"the service answered {status}"
            self._log(response.request, delay, f"status {status}", why, False)
        return delay

    def _planned(self, delay: float) -> float | None:
        if self.deadline is not None and self.clock() + delay > self.deadline:
            return None
        self.retries += 1
        return delay

    def _log(
        self, request: httpx.Request, delay: float, cause: str, why: str, connection: bool
    ) -> None:
        # ``timers_retry`` lets a handler (the CLI's) word it for people; never any header.
        # ``took``: seconds the failed attempt took (a slow answer, a wait for a timeout).
        now = time.perf_counter()
        took, self._attempt_began = max(now - self._attempt_began, 0.0), now + delay
        retry = {
            "why": why,
            "number": self.retries,
            "of": self.policy.max_retries,
            "delay": delay,
            "connection": connection,
            "took": took,
        }
        logger.warning(
            "retrying %s %s in %.2f s (retry %d of %d) after %s",
            request.method,
            shown_path(request),
            delay,
            self.retries,
            self.policy.max_retries,
            cause,
            extra={"timers_retry": retry},
        )


# Failures seen during a TLS handshake that a dropped connection causes: worth another try.
_TLS_TRANSIENT = (ssl.SSLEOFError, ssl.SSLSyscallError, ssl.SSLZeroReturnError)


def tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind ``exc`` when the TLS handshake itself failed (a certificate
    that does not verify, a server that does not speak TLS there, ...), else None (also for
    a TLS error once connected: that is a read or write error like any other)."""
    if not isinstance(exc, httpx.ConnectError):
        return None
    cause: BaseException | None = exc
    for _ in range(8):  # httpx -> httpcore -> ssl (or aiohttp -> ssl): a short chain
        if cause is None:
            break
        if isinstance(cause, ssl.SSLError):
            return None if isinstance(cause, _TLS_TRANSIENT) else cause
        cause = cause.__cause__ or cause.__context__
    return None


def bad_redirect(exc: BaseException) -> bool:
    """Whether ``exc`` is httpx's for a 3xx answer whose ``Location`` is not a URL: httpx reads
    it to prepare the redirect (which the client never follows) and raises a
    ``RemoteProtocolError`` from the ``InvalidURL``, instead of returning the answer."""
    return isinstance(exc, httpx.RemoteProtocolError) and isinstance(
        exc.__context__, httpx.InvalidURL
    )


def was_sent(exc: httpx.HTTPError) -> bool:
    """Whether the request may have reached the service before ``exc`` (False: provably not)."""
    return not isinstance(exc, (*NEVER_SENT, httpx.LocalProtocolError))


# What a timeout that says nothing (or only "timed out") was.
_UNSAID: dict[type[httpx.HTTPError], str] = {
    httpx.ConnectTimeout: "no connection within the connect timeout",
    httpx.ReadTimeout: "no data came within the read timeout",
    httpx.WriteTimeout: "the request could not be sent within the write timeout",
    httpx.PoolTimeout: "no connection was free within the pool timeout",
}


def connection_error(
    exc: httpx.HTTPError, request: httpx.Request, retries: int, idempotent: bool
) -> APIConnectionError:
    """The ``APIConnectionError`` for a transport failure, saying whether a run may exist."""
    sent = was_sent(exc)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else "failed"
    tls = tls_failure(exc)
    if tls is not None:
        what = "could not connect (the TLS handshake failed"
        if "WRONG_VERSION_NUMBER" in str(tls) or "record layer failure" in str(tls):
            what += ": is the server speaking plain http at an https:// base URL?"
        what += ")"
    elif isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        what = f"could not connect ({what.replace('failed', 'refused or unreachable')})"
    elif bad_redirect(exc):  # no run was made: the service redirected (as an APIError's 3xx)
        what += (
            " (the service answered with a redirect to a Location that is not a URL; "
            "if the service has moved, pass its new URL as base_url)"
        )
        sent = False
    name = type(exc).__name__
    detail = clean(str(exc))  # it may quote what the server sent
    if detail in ("", name, "timed out"):  # httpx's async timeouts say nothing, httpcore little
        detail = _UNSAID.get(type(exc), "")
    # httpx's own text for a refused request quotes the offending header, which may be a token.
    if not sent and isinstance(exc, httpx.LocalProtocolError):
        detail = "the request is not valid HTTP"
    return cls(
        f"request {what}: {name}: {detail}" if detail else f"request {what}: {name}",
        method=request.method,
        url=redact(str(request.url)),  # a marker sent back may echo a token
        retries_taken=retries,
        outcome_unknown=sent and not idempotent,
    )
