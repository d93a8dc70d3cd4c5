"""What both clients share, minus the I/O: settings, operations turned into requests, and
answers turned into models or errors.

The clients (``_async_client`` and its generated twin ``_sync_client``) only send, sleep and
loop. Data flows one way: arguments are checked (``_args``) -> the dialect describes the
request (``_dialects``, through ``_bridge``) -> httpx sends it with per-request auth
(``_auth``) -> ``_retry`` decides about another attempt -> the status is mapped to an error
(``_errors``) or the dialect parses the body into the public models.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

import httpx

from timers import _args
from timers._args import ListFilters
from timers._auth import Authorizer, resolve_auth
from timers._bridge import RequestSpec
from timers._config import (
    API_ENV,
    DEFAULT_TIMEOUT,
    ERROR_BODY_LIMIT,
    resolve_api,
    resolve_base_url,
    resolve_max_response_size,
    resolve_retry,
    resolve_timeout,
    tls_context,
)
from timers._dialects import PRODUCTION_URL, Exchange
from timers._errors import (
    OUTCOME_UNKNOWN_NOTE,
    APIError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnsupportedOperationError,
    UsageError,
    error_class_for,
)
from timers._logging import log_request, request_id_of, setup_from_env
from timers._models import TimerRun
from timers._redact import clean, quote, remember_sent
from timers._retry import Attempts, RetryPolicy, parse_retry_after, was_sent
from timers._version import __version__

__all__ = ["ClientCore", "Lookup"]

T = TypeVar("T")
_HEADERS = {
    "User-Agent": f"timers-client/{__version__} httpx/{httpx.__version__}",
    "Accept": "application/json",
    # Only what _io.BodyReader inflates within its bound (httpx would add br and zstd when
    # their packages are installed, and inflate each chunk of those whole).
    "Accept-Encoding": "gzip, deflate",
}
_HTTPX_AGENT = f"python-httpx/{httpx.__version__}"  # an httpx client's own User-Agent


class Lookup(NamedTuple):
    """How to read one run: the checked ids, and the dialect's read (None: find it by listing)."""

    timer_id: UUID
    run_id: UUID
    label: str  # the run id as the caller wrote it, for messages
    exchange: Exchange[TimerRun] | None


class ClientCore:
    """A client's settings and every decision that needs no I/O."""

    __slots__ = (
        "api_from_env",
        "attempt_timeout",
        "auth",
        "base_url",
        "clock",
        "dialect",
        "headers",
        "max_response_size",
        "owns_http",
        "retry",
        "timeout",
        "wall_clock",
    )

    def __init__(
        self,
        *,
        access_token: str | None,
        authorizer: Authorizer | None,
        base_url: str | None,
        api: str | None,
        timeout: float | httpx.Timeout | None,
        max_response_size: int | None,
        max_retries: int | None,
        retry: RetryPolicy | None,
        allow_insecure_http: bool,
        clock: Callable[[], float] | None,
        http_client: object,
        http_type: type[httpx.Client] | type[httpx.AsyncClient],
    ) -> None:
        if http_client is not None and not isinstance(http_client, http_type):
            raise InvalidArgumentError(
                f"http_client must be an {http_type.__module__}.{http_type.__qualname__}, "
                f"got {type(http_client).__name__}"
            )
        if type(allow_insecure_http) is not bool:  # "no" would allow it
            raise InvalidArgumentError(
                f"allow_insecure_http must be True or False, got {quote(allow_insecure_http)}"
            )
        if clock is not None and not callable(clock):
            raise InvalidArgumentError(
                f"clock must be a function returning seconds (e.g. time.time), got "
                f"{type(clock).__name__}"
            )
        self.auth = resolve_auth(access_token, authorizer)
        self.dialect = resolve_api(api)
        self.api_from_env = api is None and bool(os.environ.get(API_ENV))  # for messages
        self.base_url = resolve_base_url(
            base_url, default=self.dialect.DEFAULT_BASE_URL, allow_insecure_http=allow_insecure_http
        )
        self.timeout, self.attempt_timeout = resolve_timeout(timeout)
        self.max_response_size = resolve_max_response_size(max_response_size)
        self.retry = resolve_retry(max_retries, retry)
        # Deadlines and waits: a clock the system's time changes cannot move. Unix time only
        # for the "now" of a Retry-After date. A clock of yours (tests) is both.
        self.clock = clock or time.monotonic
        self.wall_clock = clock or time.time
        self.owns_http = http_client is None  # so closing the client closes it
        self.headers = None if http_client is None else _headers_for(http_client, self.base_url)
        setup_from_env()

    def derived(
        self,
        *,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        retry: RetryPolicy | None,
    ) -> ClientCore:
        """These settings with other timeouts or retries, for a client sharing the same
        connection pool (which it never closes: the original client owns it)."""
        twin = copy.copy(self)
        twin.owns_http = False
        if timeout is not None:
            twin.timeout, twin.attempt_timeout = resolve_timeout(timeout)
        if max_retries is not None or retry is not None:
            twin.retry = resolve_retry(max_retries, retry, base=self.retry)
        return twin

    def describe(self, client: object) -> str:
        """The client's ``repr``: never the token."""
        return (
            f"<{type(client).__name__} api={self.dialect.NAME!r} base_url={self.base_url!r} "
            f"auth={self.auth!r}>"
        )

    def new_http_kwargs(self) -> dict[str, Any]:
        """Arguments for the httpx client a client creates (and then owns)."""
        return {
            "timeout": self.timeout or DEFAULT_TIMEOUT,
            "follow_redirects": False,
            "headers": _HEADERS,
            "verify": tls_context(),
        }

    # -- operations: checked arguments in, requests out ------------------------------------

    def filters(
        self, timer_id: Any, status: Any, start_after: Any, start_before: Any
    ) -> ListFilters:
        """The checked filters of a listing, the same for every page. Where the client applies
        them (``jobs``), ``status`` may be any status the service reports (``check_status``)."""
        after, before = _args.check_time_window(start_after, start_before)
        status = _args.check_status(status, any_status=self.dialect.LOCAL_FILTERS)
        return ListFilters(_args.check_uuid("timer_id", timer_id), status, after, before)

    def trigger(self, timer_id: Any) -> Exchange[TimerRun]:
        """The checked request that runs the timer (``UnsupportedOperationError`` where the
        API has none: naming ``$TIMERS_API`` when the API came from there, not from code)."""
        checked = _args.check_uuid("timer_id", timer_id)
        try:
            return self.dialect.trigger(checked)
        except UnsupportedOperationError as exc:
            if not self.api_from_env:
                raise
            why = f"{exc} (api={self.dialect.NAME!r} is from ${API_ENV})"
            raise UnsupportedOperationError(why) from None

    def lookup(self, timer_id: Any, run_id: Any) -> Lookup:
        timer = _args.check_uuid("timer_id", timer_id)
        run = _args.check_uuid("run_id", run_id)
        label = run_id if type(run_id) is str else str(run)  # as written, when it is a str
        return Lookup(timer, run, label, self.dialect.fetch(timer, run))

    def run_not_found(self, http: httpx.Client | httpx.AsyncClient, lookup: Lookup) -> APIError:
        """The ``NotFoundError`` when paging the timer's runs found no ``lookup.run_id``.

        No answer said 404, so its ``response`` is made here: status 404, code
        ``RUN_NOT_FOUND``, for the request of the listing's first page."""
        first = self.dialect.list_page(ListFilters(lookup.timer_id), None, None)
        message = (
            f"timer {lookup.timer_id} has no run {lookup.label} among its results "
            "(the service keeps them for 90 days)"
        )
        body = {"code": "RUN_NOT_FOUND", "message": message}
        response = httpx.Response(404, json=body, request=self.build(http, first.request))
        return NotFoundError(response)

    def local_filter(self, filters: ListFilters) -> Callable[[TimerRun], bool] | None:
        """The filter the client applies to each page (None: the service filtered, or there
        is nothing to filter)."""
        if not self.dialect.LOCAL_FILTERS or filters == ListFilters(filters.timer_id):
            return None
        return filters.matches

    # -- requests and answers ------------------------------------------------------------------

    def build(self, http: httpx.Client | httpx.AsyncClient, spec: RequestSpec) -> httpx.Request:
        """The httpx request for ``spec`` (``UsageError`` once the client is closed)."""
        self.check_open(http)
        method, path, params = spec
        try:
            return http.build_request(
                method,
                self.base_url + path,
                params=params or None,
                # An httpx client we created already has these; merging them per request costs.
                headers=self.headers,
                timeout=httpx.USE_CLIENT_DEFAULT if self.timeout is None else self.timeout,
            )
        except httpx.InvalidURL as exc:
            raise InvalidArgumentError(f"the request cannot be sent: {clean(str(exc))}") from None

    @staticmethod
    def check_open(
        http: httpx.Client | httpx.AsyncClient,
        attempts: Attempts | None = None,
        failure: httpx.HTTPError | None = None,
    ) -> None:
        """``UsageError`` once the client is closed (also for a call that was in flight: given
        its ``attempts`` and ``failure``, the error says when a run may have been created)."""
        if http.is_closed:
            if attempts is None or failure is None or attempts.idempotent or not was_sent(failure):
                raise UsageError("this client is closed; create a new one")
            error = UsageError(
                f"this client was closed while the request was in flight; {OUTCOME_UNKNOWN_NOTE}"
            )
            error.outcome_unknown = True
            raise error

    def attempt_deadline(self, deadline: float | None) -> float | None:
        """When the next attempt must be over (``time.monotonic()``), from the attempt bound
        and the caller's ``deadline`` (a ``clock()`` time), whichever comes first.

        Raises ``httpx.PoolTimeout`` (never sent) once ``deadline`` has passed: a transport
        the deadline cannot reach (in memory) must not keep sending."""
        now = time.monotonic()
        ends = [] if self.attempt_timeout is None else [now + self.attempt_timeout]
        if deadline is not None:
            left = deadline - self.clock()
            if left < 0:
                raise httpx.PoolTimeout("the deadline passed before the request was sent")
            ends.append(now + left)
        return min(ends, default=None)

    def read_limit(self, response: httpx.Response) -> int:
        """How many bytes of ``response``'s body to read: a 2xx whole (up to
        ``max_response_size``, else ``ResponseTooLargeError``), an error's first
        ``ERROR_BODY_LIMIT`` bytes."""
        return self.max_response_size if 200 <= response.status_code < 300 else ERROR_BODY_LIMIT

    def unreadable(
        self, response: httpx.Response, attempts: Attempts, problem: str | None = None
    ) -> ResponseValidationError:
        """For a 2xx whose body cannot be decoded (``problem``: an encoding not asked for, or
        compressed data that is not valid) or, without a ``problem``, is over
        ``max_response_size``; logged as the request's outcome. The answer came, so for
        ``run_timer`` a run may exist."""
        remember_sent(response.request)
        log_request(response, attempts.started, attempts.retries, request_id_of(response))
        unknown, retries = not attempts.idempotent, attempts.retries
        if problem is None:
            return ResponseTooLargeError(
                self.max_response_size,
                response=response,
                outcome_unknown=unknown,
                retries_taken=retries,
            )
        return ResponseValidationError(
            problem, response=response, outcome_unknown=unknown, retries_taken=retries
        )

    def attempts(self, *, idempotent: bool, deadline: float | None = None) -> Attempts:
        return Attempts(
            self.retry,
            idempotent=idempotent,
            clock=self.clock,
            deadline=deadline,
            wall_clock=self.wall_clock,
        )

    def finish(
        self,
        response: httpx.Response,
        content: bytes,
        parse: Callable[[Any, str | None], T],
        attempts: Attempts,
    ) -> T:
        """Parse a 2xx body (``content``) with ``parse``, or raise the ``APIError``."""
        request_id = request_id_of(response)
        log_request(response, attempts.started, attempts.retries, request_id)
        if not 200 <= response.status_code < 300:
            raise self.error_for(response, attempts, content)
        content_type = response.headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        try:
            if media != "application/json" and not media.endswith("+json"):
                got = f"content type {quote(content_type)}" if content_type else "no content type"
                raise ResponseValidationError(f"expected a JSON body, got {got}")
            try:
                data = json.loads(content)
            except (ValueError, RecursionError) as exc:
                raise ResponseValidationError(f"the body is not valid JSON ({exc})") from None
            return parse(data, request_id)
        except ResponseValidationError as exc:  # to run_timer: the run exists, whatever the body
            raise exc.with_response(
                response, outcome_unknown=not attempts.idempotent, retries_taken=attempts.retries
            ) from None

    def _missing_route_hint(self, response: httpx.Response, content: bytes) -> str | None:
        """The dialect's hint for a 404 from the production host for a path it does not
        serve: the body is not the spec's ``Error`` (no ``code``), as FastAPI's
        ``{"detail": ...}``."""
        hint = self.dialect.MISSING_ROUTE_HINT
        production = (self.base_url + "/").startswith(PRODUCTION_URL + "/")
        if hint is None or response.status_code != 404 or not production:
            return None
        try:
            body = json.loads(content)
        except (ValueError, RecursionError):
            return hint  # not even JSON: not the API answering
        return None if isinstance(body, dict) and "code" in body else hint

    def error_for(self, response: httpx.Response, attempts: Attempts, content: bytes) -> APIError:
        """The typed error for an error answer whose (bounded) body is ``content``."""
        status = response.status_code
        cls = error_class_for(status)
        if cls is RateLimitError:  # a 429: never a missing route, never an unknown outcome
            retry_after = parse_retry_after(
                response.headers.get("retry-after"), now=self.wall_clock()
            )
            return RateLimitError(
                response, retries_taken=attempts.retries, retry_after=retry_after, content=content
            )
        return cls(
            response,
            retries_taken=attempts.retries,
            outcome_unknown=not attempts.idempotent and status >= 500,
            hint=self._missing_route_hint(response, content),
            content=content,
        )


def _headers_for(http: httpx.Client | httpx.AsyncClient, base_url: str) -> dict[str, str]:
    """The headers sent with each request through your ``http`` client: ``Accept`` and
    ``Accept-Encoding`` as the client reads answers, your ``User-Agent`` if you set one.
    ``InvalidArgumentError`` if its ``base_url`` is not where requests go: it is not used."""
    own = str(http.base_url).rstrip("/")
    if own and own != base_url:
        raise InvalidArgumentError(
            f"http_client has base_url {quote(own, 200)}, but requests go to "
            f"{quote(base_url, 200)} (the client's base_url: the http_client's is not used); "
            "pass base_url= to the client instead"
        )
    agent = http.headers.get("user-agent")
    if agent is None or agent == _HTTPX_AGENT:
        return _HEADERS
    return {name: value for name, value in _HEADERS.items() if name != "User-Agent"}
