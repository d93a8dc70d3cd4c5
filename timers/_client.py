"""``TimersClient`` and ``AsyncTimersClient``.

Both share ``_Core``: argument checks, request building, retry decisions, status mapping and
parsing. The two classes differ only where I/O happens (sending, sleeping), so the sync and
async behaviour cannot drift apart.

Data flows one way: arguments are checked (``_args``) -> the generated client describes the
request (``_convert``) -> httpx sends it with per-request auth (``_auth``) and retries
(``_retry``) -> the status is mapped to an error (``_errors``) or the body is parsed into the
public models (``_convert``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from timers import _args
from timers._auth import Authorizer, resolve_auth
from timers._config import DEFAULT_TIMEOUT, resolve_base_url, resolve_retry, resolve_timeout
from timers._convert import (
    RequestSpec,
    get_run_request,
    list_runs_request,
    parse_run_page,
    parse_timer_run,
    run_timer_request,
)
from timers._errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidArgumentError,
    RateLimitError,
    ResponseValidationError,
    UsageError,
    error_class_for,
)
from timers._models import RunPage, RunStatus, TimerRun
from timers._paging import Pager
from timers._retry import NEVER_SENT, RetryPolicy, parse_retry_after
from timers._version import __version__
from timers._wait import Waiter

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncTimersClient", "TimersClient"]

logger = logging.getLogger("timers")

T = TypeVar("T")
_HEADERS = {
    "User-Agent": f"timers-python/{__version__} httpx/{httpx.__version__}",
    "Accept": "application/json",
}


class _Core:
    """Everything a client does except I/O."""

    __slots__ = ("auth", "base_url", "clock", "owns_http", "retry", "timeout")

    def __init__(
        self,
        *,
        access_token: str | None,
        authorizer: Authorizer | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
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
        self.auth = resolve_auth(access_token, authorizer)
        self.base_url = resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.timeout = resolve_timeout(timeout)
        self.retry = resolve_retry(max_retries, retry)
        self.clock = clock or time.time
        self.owns_http = http_client is None

    def new_http_kwargs(self) -> dict[str, Any]:
        """Arguments for the httpx client a ``TimersClient`` creates (and then owns)."""
        return {
            "timeout": self.timeout or DEFAULT_TIMEOUT,
            "follow_redirects": False,
            "headers": _HEADERS,
        }

    def build(self, http: httpx.Client | httpx.AsyncClient, spec: RequestSpec) -> httpx.Request:
        method, path, params = spec
        return http.build_request(
            method,
            self.base_url + path,
            params=params or None,
            # An httpx client we created already has these; merging them per request costs.
            headers=None if self.owns_http else _HEADERS,
            timeout=httpx.USE_CLIENT_DEFAULT if self.timeout is None else self.timeout,
        )

    # -- retries --------------------------------------------------------------------------

    def delay_after_exception(
        self,
        exc: Exception,
        request: httpx.Request,
        retries: int,
        idempotent: bool,
        deadline: float | None = None,
    ) -> float:
        """The wait before retrying after a transport failure, or raise the mapped error.

        No retry is planned that would wait past ``deadline`` (a ``clock()`` time)."""
        if (
            isinstance(exc, httpx.HTTPError)
            and retries < self.retry.max_retries
            and self.retry.should_retry_exception(exc, idempotent=idempotent)
        ):
            delay = self.retry.delay_for(retries)
            if deadline is None or self.clock() + delay <= deadline:
                _log_retry(request, retries, self.retry.max_retries, delay, type(exc).__name__)
                return delay
        raise _connection_error(exc, request, retries, idempotent) from exc

    def delay_after_response(
        self,
        response: httpx.Response,
        retries: int,
        idempotent: bool,
        deadline: float | None = None,
    ) -> float | None:
        """The wait before retrying after this response, or None to stop and use it.

        No retry is planned that would wait past ``deadline`` (a ``clock()`` time)."""
        status = response.status_code
        if status < 400 or retries >= self.retry.max_retries:
            return None
        if not self.retry.should_retry_status(status, idempotent=idempotent):
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
        if retry_after is not None:
            if retry_after > self.retry.max_retry_after:
                return None
            delay = retry_after
        else:
            delay = self.retry.delay_for(retries)
        if deadline is not None and self.clock() + delay > deadline:
            return None
        _log_retry(response.request, retries, self.retry.max_retries, delay, f"status {status}")
        return delay

    # -- results --------------------------------------------------------------------------

    def finish(
        self,
        response: httpx.Response,
        parse: Callable[[Any], T],
        retries: int,
        idempotent: bool,
    ) -> T:
        """Parse a 2xx body with ``parse``, or raise the ``APIError`` for the status."""
        status = response.status_code
        if not 200 <= status < 300:
            raise self.error_for(response, retries, idempotent)
        content_type = response.headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        unknown = not idempotent  # a 2xx to run_timer: the run exists, whatever the body
        if media != "application/json" and not media.endswith("+json"):
            raise ResponseValidationError(
                f"expected a JSON body, got content type {content_type or 'none'!r}",
                response=response,
                outcome_unknown=unknown,
            )
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise ResponseValidationError(
                f"the body is not valid JSON ({exc})", response=response, outcome_unknown=unknown
            ) from None
        try:
            result = parse(data)
        except ResponseValidationError as exc:
            raise exc.with_response(response, outcome_unknown=unknown) from None
        # httpx's Response and its stream refer to each other, so a finished response (and
        # its raw body) lives until a full garbage collection. Breaking the cycle frees it
        # now: paging then holds one page's body, not a dozen.
        response.stream = httpx.ByteStream(b"")
        return result

    def error_for(self, response: httpx.Response, retries: int, idempotent: bool) -> Exception:
        status = response.status_code
        outcome_unknown = not idempotent and status >= 500
        cls = error_class_for(status)
        if cls is RateLimitError:
            retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
            return RateLimitError(
                response,
                retries_taken=retries,
                outcome_unknown=outcome_unknown,
                retry_after=retry_after,
            )
        return cls(response, retries_taken=retries, outcome_unknown=outcome_unknown)

    # -- argument checking, per operation ---------------------------------------------------

    @staticmethod
    def run_timer_spec(timer_id: Any) -> RequestSpec:
        return run_timer_request(_args.check_uuid("timer_id", timer_id))

    @staticmethod
    def get_run_spec(timer_id: Any, run_id: Any) -> RequestSpec:
        return get_run_request(
            _args.check_uuid("timer_id", timer_id), _args.check_uuid("run_id", run_id)
        )

    @staticmethod
    def list_query(timer_id: Any, status: Any, start_after: Any, start_before: Any) -> _ListQuery:
        after, before = _args.check_time_window(start_after, start_before)
        return _ListQuery(
            _args.check_uuid("timer_id", timer_id), _args.check_status(status), after, before
        )

    @staticmethod
    def wait_args(timeout: Any, poll_interval: Any) -> tuple[float, float]:
        return (
            _args.check_positive_number("timeout", timeout, allow_zero=True),
            _args.check_positive_number("poll_interval", poll_interval),
        )

    def pager(self, page_size: Any, max_items: Any, marker: Any) -> Pager:
        if max_items is not None and (type(max_items) is not int or max_items < 0):
            raise InvalidArgumentError(f"max_items must be an int >= 0, got {max_items!r}")
        return Pager(
            marker=_args.check_marker(marker),
            page_size=_args.check_limit("page_size", page_size),
            max_items=max_items,
        )


class _ListQuery:
    """The checked filters of a listing, reused for every page."""

    __slots__ = ("start_after", "start_before", "status", "timer_id")

    def __init__(
        self,
        timer_id: Any,
        status: RunStatus | None,
        start_after: datetime | None,
        start_before: datetime | None,
    ) -> None:
        self.timer_id = timer_id
        self.status = status
        self.start_after = start_after
        self.start_before = start_before

    def request(self, *, limit: int | None, marker: str | None) -> RequestSpec:
        return list_runs_request(
            self.timer_id,
            limit=limit,
            marker=marker,
            status=self.status,
            start_after=self.start_after,
            start_before=self.start_before,
        )


def _log_retry(
    request: httpx.Request, retries: int, max_retries: int, delay: float, why: str
) -> None:
    logger.info(
        "retrying %s %s in %.2f s (retry %d of %d) after %s",
        request.method,
        request.url.path,
        delay,
        retries + 1,
        max_retries,
        why,
    )


def _log_response(response: httpx.Response, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %d in %.1f ms",
            response.request.method,
            response.request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )


def _connection_error(
    exc: Exception, request: httpx.Request, retries: int, idempotent: bool
) -> APIConnectionError:
    sent = not isinstance(exc, (*NEVER_SENT, httpx.LocalProtocolError))
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else "failed"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        what = f"could not connect ({what.replace('failed', 'refused or unreachable')})"
    # httpx's own text for a refused request quotes the offending header, which may be a token.
    detail = (
        "the request is not valid HTTP"
        if not sent and isinstance(exc, httpx.LocalProtocolError)
        else (str(exc) or type(exc).__name__)
    )
    return cls(
        f"request {what}: {type(exc).__name__}: {detail}",
        method=request.method,
        url=str(request.url),
        retries_taken=retries,
        outcome_unknown=sent and not idempotent,
    )


def _closed_error(name: str) -> UsageError:
    return UsageError(f"this {name} is closed; create a new one")


_DEFAULT_WAIT_TIMEOUT = 600.0
_DEFAULT_POLL_INTERVAL = 2.0


class TimersClient:
    """A synchronous client for the Timers service's run operations.

    >>> with TimersClient("my-token") as client:  # doctest: +SKIP
    ...     run = client.run_timer("12345678-1234-1234-1234-123456789012")

    Arguments:
        access_token: a Globus Auth access token for the Timers scope. If neither it nor
            ``authorizer`` is given, ``$TIMERS_ACCESS_TOKEN`` is used.
        authorizer: instead of a token, any object with ``get_authorization_header()``
            (e.g. a ``globus_sdk`` authorizer); asked for the header on every request.
        base_url: the service's URL; default ``$TIMERS_BASE_URL``, else the real service.
        timeout: seconds (float) or an ``httpx.Timeout``; default 10 s to connect, 30 s to read.
        http_client: an ``httpx.Client`` you own (proxies, transports, respx). The client
            never closes an ``http_client`` you pass.
        max_retries: shortcut for ``retry=RetryPolicy(max_retries=...)``; 0 disables retries.
        retry: a ``RetryPolicy``.
        allow_insecure_http: allow plain ``http://`` to a non-loopback host.
        sleep, clock: injectable ``time.sleep`` and ``time.time`` (tests use them to avoid
            real waiting).

    One client may be used from many threads at once: it holds no per-call state, and the
    httpx connection pool is thread-safe. Raises ``InvalidArgumentError`` for bad arguments.
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        authorizer: Authorizer | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.Client | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._core = _Core(
            access_token=access_token,
            authorizer=authorizer,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            clock=clock,
            http_client=http_client,
            http_type=httpx.Client,
        )
        self._sleep = sleep or time.sleep
        self._http = http_client or httpx.Client(**self._core.new_http_kwargs())

    @property
    def base_url(self) -> str:
        """The service URL requests go to (no trailing slash)."""
        return self._core.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._core.retry

    def __repr__(self) -> str:
        return f"<TimersClient base_url={self._core.base_url!r} auth={self._core.auth!r}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the httpx client if this client created it (never one you passed in)."""
        if self._core.owns_http:
            self._http.close()

    # -- the three operations ---------------------------------------------------------------

    def run_timer(
        self,
        timer_id: str | Any,
        *,
        wait: bool = False,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Trigger a run of the timer now and return it (usually still ``pending``).

        With ``wait=True``, then wait for it to finish (see ``wait_for_run`` for ``timeout``,
        ``poll_interval`` and ``on_update``) and return the finished run.

        Not idempotent, so retried only when the request provably never reached the service.
        Raises ``NotFoundError`` for an unknown timer, ``InvalidArgumentError`` for an id that
        is not a UUID, and an error with ``outcome_unknown=True`` when the run may or may not
        have been created.

        >>> run = client.run_timer("12345678-1234-1234-1234-123456789012")  # doctest: +SKIP
        >>> run.status  # doctest: +SKIP
        <RunStatus.PENDING: 'pending'>
        """
        spec = self._core.run_timer_spec(timer_id)
        if wait:
            wait_timeout, interval = self._core.wait_args(timeout, poll_interval)
        run = self._request(spec, parse_timer_run, idempotent=False)
        if not wait:
            return run
        spec = self._core.get_run_spec(run.timer_id, run.id)
        return self._wait(spec, run.id, wait_timeout, interval, on_update, first=run)

    def list_runs(
        self,
        timer_id: str | Any,
        *,
        limit: int | None = None,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        marker: str | None = None,
    ) -> RunPage:
        """Fetch one page of the timer's runs, newest first.

        ``limit``: 1 to 1000 runs per page. ``status``: a ``RunStatus`` or its string.
        ``start_after`` / ``start_before``: timezone-aware datetimes, compared with each run's
        ``start_time`` (naive datetimes are refused). ``marker``: a previous page's
        ``next_page``. To go through every page, use ``iter_runs`` or ``iter_run_pages``.

        >>> page = client.list_runs(timer_id, status="failure", limit=50)  # doctest: +SKIP
        >>> page.total, len(page), page.next_page  # doctest: +SKIP
        """
        query = self._core.list_query(timer_id, status, start_after, start_before)
        spec = query.request(
            limit=_args.check_limit("limit", limit), marker=_args.check_marker(marker)
        )
        return self._request(spec, parse_run_page, idempotent=True)

    def get_run(self, timer_id: str | Any, run_id: str | Any) -> TimerRun:
        """Fetch one run. Raises ``NotFoundError`` when the timer or the run does not exist.

        >>> run = client.get_run(timer_id, run_id)  # doctest: +SKIP
        >>> run.result.callback_kind if run.result else None  # doctest: +SKIP
        'web'
        """
        return self._request(
            self._core.get_run_spec(timer_id, run_id), parse_timer_run, idempotent=True
        )

    # -- paging -------------------------------------------------------------------------------

    def iter_run_pages(
        self,
        timer_id: str | Any,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> Iterator[RunPage]:
        """Iterate over pages of runs, fetching each only when asked for.

        The filters are sent on every page. ``marker`` resumes from a saved ``next_page``.
        ``max_items`` caps the total number of runs (pages ask for no more than needed).
        Raises ``PaginationError`` if the service repeats a marker. Arguments are checked now;
        nothing is fetched until iteration starts.

        >>> for page in client.iter_run_pages(timer_id, page_size=100):  # doctest: +SKIP
        ...     save(page.next_page)
        """
        query = self._core.list_query(timer_id, status, start_after, start_before)
        return self._pages(query, self._core.pager(page_size, max_items, marker))

    def iter_runs(
        self,
        timer_id: str | Any,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> Iterator[TimerRun]:
        """Iterate over every matching run across pages, newest first, one page in memory.

        Same arguments as ``iter_run_pages``. Breaking out of the loop fetches nothing more.

        >>> week_ago = datetime.now(timezone.utc) - timedelta(days=7)  # doctest: +SKIP
        >>> for run in client.iter_runs(timer_id, status="failure", start_after=week_ago):
        ...     print(run.id, run.result.error.message)  # doctest: +SKIP
        """
        return _items(
            self.iter_run_pages(
                timer_id,
                status=status,
                start_after=start_after,
                start_before=start_before,
                page_size=page_size,
                max_items=max_items,
                marker=marker,
            )
        )

    def _pages(self, query: _ListQuery, pager: Pager) -> Iterator[RunPage]:
        while not pager.finished:
            spec = query.request(limit=pager.limit, marker=pager.marker)
            page = pager.accept(self._request(spec, parse_run_page, idempotent=True))
            yield page
            del page  # hold one page at a time

    # -- waiting ------------------------------------------------------------------------------

    def wait_for_run(
        self,
        timer_id: str | Any,
        run_id: str | Any,
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Poll the run until its status is terminal, and return it.

        Polls start ``poll_interval`` seconds apart and grow gently (capped at 30 s); a 429's
        ``Retry-After`` is honoured. ``on_update(run)`` is called whenever the status
        changes (including the first poll). Raises ``WaitTimeoutError`` (a ``TimeoutError``;
        ``.run`` is the last run seen) once ``timeout`` seconds have passed.

        >>> run = client.wait_for_run(timer_id, run_id, timeout=120)  # doctest: +SKIP
        >>> run.status  # doctest: +SKIP
        <RunStatus.SUCCESS: 'success'>
        """
        spec = self._core.get_run_spec(timer_id, run_id)
        wait_timeout, interval = self._core.wait_args(timeout, poll_interval)
        return self._wait(spec, str(run_id), wait_timeout, interval, on_update, first=None)

    def _wait(
        self,
        spec: RequestSpec,
        run_id: str,
        timeout: float,
        poll_interval: float,
        on_update: Callable[[TimerRun], object] | None,
        *,
        first: TimerRun | None,
    ) -> TimerRun:
        waiter = Waiter(
            run_id=run_id,
            timeout=timeout,
            poll_interval=poll_interval,
            clock=self._core.clock,
            on_update=on_update,
        )
        if first is not None and waiter.observe(first):
            return first
        delay = 0.0 if first is None else waiter.next_delay()
        while True:
            if delay:
                self._sleep(delay)
            try:
                # Retries inside the poll stop at the deadline; the waiter handles the rest.
                run = self._request(
                    spec, parse_timer_run, idempotent=True, deadline=waiter.deadline
                )
            except RateLimitError as exc:
                delay = waiter.next_delay(exc.retry_after)
                continue
            if waiter.observe(run):
                return run
            delay = waiter.next_delay()

    # -- I/O ----------------------------------------------------------------------------------

    def _request(
        self,
        spec: RequestSpec,
        parse: Callable[[Any], T],
        idempotent: bool,
        deadline: float | None = None,
    ) -> T:
        if self._http.is_closed:
            raise _closed_error("TimersClient")
        core = self._core
        request = core.build(self._http, spec)
        retries = 0
        while True:
            started = time.perf_counter()
            try:
                response = self._http.send(request, auth=core.auth)
            except httpx.HTTPError as exc:
                delay = core.delay_after_exception(exc, request, retries, idempotent, deadline)
            else:
                _log_response(response, started)
                retry_delay = core.delay_after_response(response, retries, idempotent, deadline)
                if retry_delay is None:
                    return core.finish(response, parse, retries, idempotent)
                delay = retry_delay
            self._sleep(delay)
            retries += 1


class AsyncTimersClient:
    """The asyncio twin of ``TimersClient``: the same arguments, the methods as coroutines.

    >>> async with AsyncTimersClient("my-token") as client:  # doctest: +SKIP
    ...     run = await client.get_run(timer_id, run_id)
    ...     async for run in client.iter_runs(timer_id, status="failure"):
    ...         print(run.id)

    ``http_client`` is an ``httpx.AsyncClient``; ``sleep`` an async function like
    ``asyncio.sleep``. Use one client per event loop: using it from a second loop raises
    ``UsageError`` (httpx's connections belong to the loop that opened them). Concurrent
    calls within one loop (``asyncio.gather``) share the connection pool.
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        authorizer: Authorizer | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._core = _Core(
            access_token=access_token,
            authorizer=authorizer,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            clock=clock,
            http_client=http_client,
            http_type=httpx.AsyncClient,
        )
        import asyncio  # here, not at the top: `import timers` should not pay for asyncio

        self._sleep = sleep or asyncio.sleep
        self._http = http_client or httpx.AsyncClient(**self._core.new_http_kwargs())
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def base_url(self) -> str:
        """The service URL requests go to (no trailing slash)."""
        return self._core.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._core.retry

    def __repr__(self) -> str:
        return f"<AsyncTimersClient base_url={self._core.base_url!r} auth={self._core.auth!r}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the httpx client if this client created it (never one you passed in).

        Call it in the event loop the client was used in (``UsageError`` otherwise)."""
        if self._core.owns_http:
            if self._loop is not None:
                self._check_loop()
            await self._http.aclose()

    async def run_timer(
        self,
        timer_id: str | Any,
        *,
        wait: bool = False,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Trigger a run now; see ``TimersClient.run_timer``."""
        spec = self._core.run_timer_spec(timer_id)
        if wait:
            wait_timeout, interval = self._core.wait_args(timeout, poll_interval)
        run = await self._request(spec, parse_timer_run, idempotent=False)
        if not wait:
            return run
        spec = self._core.get_run_spec(run.timer_id, run.id)
        return await self._wait(spec, run.id, wait_timeout, interval, on_update, run)

    async def list_runs(
        self,
        timer_id: str | Any,
        *,
        limit: int | None = None,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        marker: str | None = None,
    ) -> RunPage:
        """Fetch one page of runs; see ``TimersClient.list_runs``."""
        query = self._core.list_query(timer_id, status, start_after, start_before)
        spec = query.request(
            limit=_args.check_limit("limit", limit), marker=_args.check_marker(marker)
        )
        return await self._request(spec, parse_run_page, idempotent=True)

    async def get_run(self, timer_id: str | Any, run_id: str | Any) -> TimerRun:
        """Fetch one run; see ``TimersClient.get_run``."""
        spec = self._core.get_run_spec(timer_id, run_id)
        return await self._request(spec, parse_timer_run, idempotent=True)

    def iter_run_pages(
        self,
        timer_id: str | Any,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> AsyncIterator[RunPage]:
        """Pages of runs for ``async for`` (no ``await`` first); see ``TimersClient``."""
        query = self._core.list_query(timer_id, status, start_after, start_before)
        return self._pages(query, self._core.pager(page_size, max_items, marker))

    def iter_runs(
        self,
        timer_id: str | Any,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> AsyncIterator[TimerRun]:
        """Every matching run for ``async for`` (no ``await`` first); see ``TimersClient``."""
        return _aitems(
            self.iter_run_pages(
                timer_id,
                status=status,
                start_after=start_after,
                start_before=start_before,
                page_size=page_size,
                max_items=max_items,
                marker=marker,
            )
        )

    async def _pages(self, query: _ListQuery, pager: Pager) -> AsyncIterator[RunPage]:
        while not pager.finished:
            spec = query.request(limit=pager.limit, marker=pager.marker)
            page = pager.accept(await self._request(spec, parse_run_page, idempotent=True))
            yield page
            del page  # hold one page at a time

    async def wait_for_run(
        self,
        timer_id: str | Any,
        run_id: str | Any,
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Poll until the run finishes; see ``TimersClient.wait_for_run``."""
        spec = self._core.get_run_spec(timer_id, run_id)
        wait_timeout, interval = self._core.wait_args(timeout, poll_interval)
        return await self._wait(spec, str(run_id), wait_timeout, interval, on_update, None)

    async def _wait(
        self,
        spec: RequestSpec,
        run_id: str,
        timeout: float,
        poll_interval: float,
        on_update: Callable[[TimerRun], object] | None,
        first: TimerRun | None,
    ) -> TimerRun:
        waiter = Waiter(
            run_id=run_id,
            timeout=timeout,
            poll_interval=poll_interval,
            clock=self._core.clock,
            on_update=on_update,
        )
        if first is not None and waiter.observe(first):
            return first
        delay = 0.0 if first is None else waiter.next_delay()
        while True:
            if delay:
                await self._sleep(delay)
            try:
                # Retries inside the poll stop at the deadline; the waiter handles the rest.
                run = await self._request(
                    spec, parse_timer_run, idempotent=True, deadline=waiter.deadline
                )
            except RateLimitError as exc:
                delay = waiter.next_delay(exc.retry_after)
                continue
            if waiter.observe(run):
                return run
            delay = waiter.next_delay()

    async def _request(
        self,
        spec: RequestSpec,
        parse: Callable[[Any], T],
        idempotent: bool,
        deadline: float | None = None,
    ) -> T:
        if self._http.is_closed:
            raise _closed_error("AsyncTimersClient")
        self._check_loop()
        core = self._core
        request = core.build(self._http, spec)
        retries = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.send(request, auth=core.auth)
            except httpx.HTTPError as exc:
                delay = core.delay_after_exception(exc, request, retries, idempotent, deadline)
            else:
                _log_response(response, started)
                retry_delay = core.delay_after_response(response, retries, idempotent, deadline)
                if retry_delay is None:
                    return core.finish(response, parse, retries, idempotent)
                delay = retry_delay
            await self._sleep(delay)
            retries += 1

    def _check_loop(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise UsageError(
                "this AsyncTimersClient is bound to another event loop (the one it was first "
                "used in); create one AsyncTimersClient per event loop, e.g. inside the "
                "coroutine you pass to asyncio.run()"
            )


def _items(pages: Iterable[RunPage]) -> Iterator[TimerRun]:
    for page in pages:
        runs = page.runs
        del page
        yield from runs
        del runs  # before the next page is fetched


async def _aitems(pages: AsyncIterator[RunPage]) -> AsyncIterator[TimerRun]:
    async for page in pages:
        runs = page.runs
        del page
        for run in runs:
            yield run
        del runs  # before the next page is fetched
