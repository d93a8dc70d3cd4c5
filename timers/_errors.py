"""The error tree. Every error the library raises is a ``TimersError``::

    TimersError
    ├── InvalidArgumentError (also a ValueError)   bad input, caught before any request
    ├── UsageError (also a RuntimeError)            a closed client, a second event loop
    ├── UnsupportedOperationError                  the API in use has no such operation
    ├── MissingExtraError (also ModuleNotFoundError) an optional extra is not installed
    ├── APIConnectionError                         the request failed in transport
    │   └── APITimeoutError                        ... because it timed out
    ├── APIError                                   the service answered non-2xx
    │   ├── BadRequestError               400
    │   ├── AuthenticationError           401
    │   ├── PermissionDeniedError         403
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409
    │   ├── UnprocessableEntityError      422
    │   ├── RateLimitError                429      (retry_after)
    │   └── ServerError                   >= 500
    ├── ResponseValidationError                    a 2xx body that does not match the spec
    │   └── ResponseTooLargeError                  ... or is larger than max_response_size
    ├── PaginationError                            paging would never end, or cannot go on
    └── WaitTimeoutError (also a TimeoutError)     a run did not finish in time

No message built here includes a header, and every server-provided value in one is cleaned
(``_redact.clean``: credentials redacted, one line, control characters visible, bounded), so
neither a token nor a terminal escape sequence can come through ``str(error)``. Errors
pickle without their ``response`` (which holds the request's headers): they unpickle to the
same type, message and public attributes, with ``response`` None, and ``run`` with any
credential the service echoed into it redacted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from timers._error_body import body_of, parse_error_body
from timers._logging import request_id_of
from timers._redact import clean, quote, redact, redact_data

if TYPE_CHECKING:
    from timers._models import TimerRun

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InvalidArgumentError",
    "MissingExtraError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "TimersError",
    "UnprocessableEntityError",
    "UnsupportedOperationError",
    "UsageError",
    "WaitTimeoutError",
]

OUTCOME_UNKNOWN_NOTE = (
    "the run may or may not have been created: list the timer's runs before triggering it again"
)


class TimersError(Exception):
    """Base class of every error raised by ``timers``.

    ``run``: for an error raised while ``run_timer(wait=True)`` waited for the run it had
    created, that run (its latest state); the message names it too. None otherwise.
    ``outcome_unknown``: True when the failed call may still have taken effect (a
    ``run_timer`` whose run may or may not exist; the message says so); False otherwise.
    """

    run: TimerRun | None = None
    outcome_unknown: bool = False

    def created_run(self, run: TimerRun) -> TimersError:
        """This error, noting that ``run`` was created before it happened (so that nobody
        triggers the timer again to get one)."""
        if self.run is None:
            self.run = run
        note = created_note(run)
        args: tuple[Any, ...] = (f"{self.args[0]}; {note}" if self.args else note, *self.args[1:])
        self.args = args
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # The response (and its request's headers) stays behind; the rest is plain data.
        state = {name: value for name, value in vars(self).items() if name != "response"}
        if "response" in vars(self):
            state["response"] = None
        if state.get("run") is not None:  # service data: it may echo a credential
            state["run"] = state["run"]._without_secrets()
        if isinstance(self, ImportError):  # its msg, name and path live outside __dict__
            state["msg"], state["name"], state["path"] = self.msg, self.name, self.path
        return (_restore, (type(self), self.args, state))


@contextlib.contextmanager
def outcome_noted() -> Iterator[None]:
    """Ctrl-C, a cancellation or any other ``BaseException`` that is not an error, raised
    inside (a ``run_timer`` request under way), gets ``OUTCOME_UNKNOWN_NOTE`` (a
    ``TimersError`` says whether a run may exist itself)."""
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):
            exc.add_note(OUTCOME_UNKNOWN_NOTE)
        raise


def created_note(run: TimerRun) -> str:
    """What an error after ``run_timer`` created ``run`` adds: the run exists."""
    return (
        f"run {clean(run.id, 80)} of timer {clean(run.timer_id, 80)} was created before this "
        "happened: wait for it with wait_for_run instead of triggering again"
    )


def _restore(cls: type[TimersError], args: tuple[Any, ...], state: dict[str, Any]) -> TimersError:
    error = cls.__new__(cls, *args)
    error.args = args
    if isinstance(error, ImportError):  # __reduce__ set all three
        error.msg, error.name, error.path = state.pop("msg"), state.pop("name"), state.pop("path")
    error.__dict__.update(state)
    return error


class InvalidArgumentError(TimersError, ValueError):
    """An argument was rejected before any request was sent (e.g. a ``timer_id`` not a UUID)."""


class UsageError(TimersError, RuntimeError):
    """The client was used in a way it does not support (closed, or from a second event loop).

    ``outcome_unknown`` is True when the client was closed while ``run_timer``'s request was
    in flight: a run may have been created (the message says so)."""


class UnsupportedOperationError(TimersError):
    """The API the client speaks has no such operation (e.g. ``run_timer`` with ``api="jobs"``:
    the production service cannot run a timer now). Raised before any request is sent."""


class MissingExtraError(TimersError, ModuleNotFoundError):
    """An optional part of ``timers`` was used without the extra that installs what it needs.

    ``extra`` is the extra to install (``pip install 'timers-client[<extra>]'``); ``module``
    (and ``name``) the missing module.
    """

    def __init__(self, feature: str, *, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{feature} needs {module}: pip install 'timers-client[{extra}]'", name=module
        )


class APIConnectionError(TimersError):
    """The request could not be completed: connection refused, reset, DNS failure, timeout.

    ``outcome_unknown`` is True when the request may have reached the service (so for
    ``run_timer`` a run may have been created); ``retries_taken`` counts retries before giving up.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        retries_taken: int = 0,
        outcome_unknown: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.retries_taken = retries_taken
        self.outcome_unknown = outcome_unknown
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.message} ({self.method} {_shown(self.url)})"
        return text + _attempt_notes(self.retries_taken, self.outcome_unknown)


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, reading, writing, or waiting for a pooled connection)."""


class APIError(TimersError):
    """The service answered with a non-2xx status.

    Attributes: ``status_code``; ``code`` and ``message`` (the service's own, parsed from any of
    the Globus error shapes; ``message`` falls back to the HTTP reason); ``request_id`` (from the
    body or the ``X-Request-Id`` header). These three are made safe to show: one line, control
    characters escaped, at most 80, 300 and 200 characters (the request id as pages and log
    lines have it; the message cuts it to 80). ``errors`` (a list of sub-error dicts) and
    ``body`` (the parsed JSON, or the text) are as the service sent them. Secrets are redacted
    from all of them. Also ``method``; ``url``; ``response`` (None once the error was
    unpickled); ``retries_taken``;
    ``outcome_unknown`` (True for a 5xx answer to ``run_timer``: the run may exist); and
    ``hint`` (the client's advice, when it has some, also at the end of the message; for a
    3xx: where the service redirects, which the client never follows).
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        retries_taken: int = 0,
        outcome_unknown: bool = False,
        hint: str | None = None,
        content: bytes | None = None,
    ) -> None:
        _clean_reason_phrase(response)  # repr(response) quotes it: never a token, never raw
        redirect = hint is None and 300 <= response.status_code < 400
        self.hint: str | None = _redirect_hint(response) if redirect else hint
        self.response: httpx.Response | None = response  # None once unpickled
        self.status_code: int = response.status_code
        self.method: str = response.request.method
        self.url: str = _safe_url(response.request.url)
        self.retries_taken = retries_taken
        self.outcome_unknown = outcome_unknown
        # ``content``: the body as read (bounded) when the response was streamed.
        self.body: object = redact_data(body_of(response, content))
        code, message, request_id, errors = parse_error_body(self.body)
        # Text to show: cleaned and bounded as the message shows it, whatever the body's type.
        self.code: str | None = None if code is None else clean(code, 80)
        message = message or clean(response.reason_phrase, 200) or "HTTP error"
        self.message: str = clean(message)
        # The body's id first; the header's as pages and log lines have it (whole, up to 200).
        from_body = None if request_id is None else clean(request_id, 200) or None
        self.request_id: str | None = from_body or request_id_of(response)
        self.errors: list[dict[str, Any]] = errors
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.status_code}"
        if self.code:
            text += f" {clean(self.code, 80)}"
        message = clean(self.message)
        text += f": {message} ({self.method} {_shown(self.url)}"
        if self.request_id:
            text += f", request id {clean(self.request_id, 80)}"
        text += ")"
        # Sub-errors that only repeat the message are not said twice.
        details = [clean(str(e.get("message", e))) for e in self.errors]
        details = [d for d in details if d != message]
        if details:
            text += f" [{'; '.join(details[:3])}{'; ...' if len(details) > 3 else ''}]"
        text += _attempt_notes(self.retries_taken, self.outcome_unknown)
        return text if self.hint is None else f"{text}; {self.hint}"


def _redirect_hint(response: httpx.Response) -> str:
    """Where a 3xx answer sends the request (credentials dropped, secrets redacted, bounded),
    and that the client does not go there: it would send the token along."""
    location = response.headers.get("location")
    if not location:
        return "the service answered with a redirect, which the client does not follow"
    try:
        url = response.request.url.join(location)  # a Location may be relative
        target = str(url.copy_with(username=None, password=None) if url.userinfo else url)
    except (httpx.InvalidURL, TypeError, ValueError):
        target = location
    return (
        f"the service redirects to {quote(target, 300)}, which the client does not follow "
        "(if the service has moved, pass its new URL as base_url)"
    )


class BadRequestError(APIError):
    """400: the request was malformed (e.g. a marker the service did not issue)."""


class AuthenticationError(APIError):
    """401: no token, an expired token, or one the service does not accept."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not act on this timer."""


class NotFoundError(APIError):
    """404: no such timer, or no such run of it (or not visible to this token)."""


class ConflictError(APIError):
    """409: the request conflicts with the timer's current state."""


class UnprocessableEntityError(APIError):
    """422: a parameter was well-formed but not acceptable."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the seconds the service asked to wait, or None."""

    def __init__(
        self,
        response: httpx.Response,
        *,
        retries_taken: int = 0,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
        hint: str | None = None,
        content: bytes | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            response,
            retries_taken=retries_taken,
            outcome_unknown=outcome_unknown,
            hint=hint,
            content=content,
        )

    def _describe(self) -> str:
        text = super()._describe()
        if self.retry_after is not None:
            text += f"; the service asked to retry after {self.retry_after:g} s"
        return text


class ServerError(APIError):
    """5xx: the service failed."""


class ResponseValidationError(TimersError):
    """A successful response's body does not match the spec.

    ``path`` names the offending field (e.g. ``runs[3].start_time``; empty for the whole body),
    ``response`` is the response (``None`` when parsing data given to ``from_dict``).
    ``outcome_unknown`` is True for ``run_timer``: the service accepted it, so a run may exist.
    ``retries_taken`` counts the retries before this answer came.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str = "",
        response: httpx.Response | None = None,
        outcome_unknown: bool = False,
        retries_taken: int = 0,
    ) -> None:
        self.problem = problem
        self.path = path
        self.response = response
        self.outcome_unknown = outcome_unknown
        self.retries_taken = retries_taken
        self.status_code: int | None = None if response is None else response.status_code
        self.request_id: str | None = None if response is None else request_id_of(response)
        where = f"at {clean(path, 120)}: " if path else ""
        text = f"invalid response body: {where}{clean(problem, 400)}"
        if response is not None:
            text += f" ({response.request.method} {_shown(_safe_url(response.request.url))}"
            text += f", status {response.status_code}"
            if self.request_id:
                text += f", request id {clean(self.request_id, 80)}"
            text += ")"
        text += _attempt_notes(retries_taken, False)
        if outcome_unknown:
            text += "; the service accepted the request, so " + OUTCOME_UNKNOWN_NOTE
        super().__init__(text)

    def with_response(
        self, response: httpx.Response, *, outcome_unknown: bool = False, retries_taken: int = 0
    ) -> ResponseValidationError:
        """The same problem, tied to the response it came from."""
        return ResponseValidationError(
            self.problem,
            path=self.path,
            response=response,
            outcome_unknown=outcome_unknown,
            retries_taken=retries_taken,
        )


class ResponseTooLargeError(ResponseValidationError):
    """The body was larger than the client's ``max_response_size`` (bytes, decoded): reading
    stopped there. ``limit`` is that size."""

    def __init__(
        self,
        limit: int,
        *,
        response: httpx.Response | None = None,
        outcome_unknown: bool = False,
        retries_taken: int = 0,
    ) -> None:
        self.limit = limit
        super().__init__(
            f"the body is larger than max_response_size ({limit} bytes); reading stopped there",
            response=response,
            outcome_unknown=outcome_unknown,
            retries_taken=retries_taken,
        )


class PaginationError(TimersError):
    """Paging would never end, or cannot go on: the service repeated a page marker, handed out
    too many empty pages in a row, sent more runs than twice its pages' ``total`` plus 1000,
    said more runs follow but sent no marker, or sent a marker too long to send back, not
    valid text, or holding the client's credential (never sent back in a URL). It is raised
    when the next page would be asked for: the runs of the page that brought the marker were
    handed out."""


class WaitTimeoutError(TimersError, TimeoutError):
    """``wait_for_run`` gave up: the run was not finished after ``timeout`` seconds.

    ``run`` is the last state seen (``None`` if no poll succeeded), ``timeout`` the limit.
    """

    def __init__(self, message: str, *, run: TimerRun | None, timeout: float) -> None:
        self.run = run
        self.timeout = timeout
        super().__init__(message)


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIError]:
    """The ``APIError`` subclass for an HTTP status (``APIError`` itself when none is specific)."""
    if status_code >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status_code, APIError)


def _attempt_notes(retries_taken: int, outcome_unknown: bool) -> str:
    """What every request error adds to its message: retries, and whether a run may exist."""
    text = ""
    if retries_taken:
        text += f" after {retries_taken} retr{'y' if retries_taken == 1 else 'ies'}"
    if outcome_unknown:
        text += f"; {OUTCOME_UNKNOWN_NOTE}"
    return text


def _clean_reason_phrase(response: httpx.Response) -> None:
    phrase = response.extensions.get("reason_phrase")
    if isinstance(phrase, bytes):
        text = phrase.decode("ascii", errors="replace")
        cleaned = clean(text, 200)
        if cleaned != text:
            response.extensions["reason_phrase"] = cleaned.encode("ascii", errors="replace")


def _shown(url: str) -> str:
    """A URL as a message quotes it: at most 500 characters (a page marker the service handed
    out, sent back in the query, may be thousands); the ``url`` attribute keeps it whole."""
    return clean(url, 500)


def _safe_url(url: httpx.URL) -> str:
    # Never echo credentials: in the URL's user info, or echoed by a server into a page
    # marker that was then sent back in the query.
    return redact(str(url.copy_with(username=None, password=None)) if url.userinfo else str(url))
