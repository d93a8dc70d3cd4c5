"""``AsyncTimersClient``: the client's I/O, written once.

``scripts/unasync`` generates ``_sync_client.py`` (``TimersClient``) from this file by plain
substitutions (``async def`` -> ``def``, ``await`` dropped, ``AsyncGenerator`` ->
``Generator``, ...; lines marked ``# async-only`` are left out), and a test fails when that
file is stale. Every decision lives in ``_core`` and the modules it calls; this file only
sends, sleeps and loops.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar
from uuid import UUID

import httpx

from timers import _args, _errors, _io, _transport
from timers._auth import Authorizer
from timers._core import ClientCore, Lookup
from timers._dialects import ApiName, Exchange
from timers._errors import APIConnectionError, RateLimitError, TimersError, created_note
from timers._io import HttpBackend  # async-only
from timers._logging import log_attempt, log_failed_attempt
from timers._models import RunPage, RunStatus, TimerRun
from timers._paging import Pager
from timers._retry import RetryPolicy
from timers._wait import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, Waiter, WaitSettings

__all__ = ["AsyncTimersClient"]

T = TypeVar("T")
DRAIN_LIMIT = 16 * 1024  # bytes of a retried answer's body read to keep its connection
DRAIN_TIME = 0.25  # seconds that read may take at most


class AsyncTimersClient:
    """An asyncio client for the Timers service's run operations.

    >>> async with AsyncTimersClient("my-token") as client:  # doctest: +SKIP
    ...     run = await client.run_timer("12345678-1234-1234-1234-123456789012", wait=True)
    ...     async for failed in client.iter_runs(run.timer_id, status="failure"):
    ...         print(failed.id, failed.start_time)

    Arguments:
        access_token: a Globus Auth access token for the Timers scope. If neither it nor
            ``authorizer`` is given, ``$TIMERS_ACCESS_TOKEN`` is used.
        authorizer: instead of a token, any object with ``get_authorization_header()``
            (e.g. a ``globus_sdk`` authorizer); asked for the header on every request.
        base_url: the service's URL; default ``$TIMERS_BASE_URL``, else the API's own.
        api: which API the service speaks: ``"runs"`` (``spec/timers-runs.yaml``, the
            default) or ``"jobs"`` (the production service's ``/jobs``); default
            ``$TIMERS_API``, else ``"runs"``. ``InvalidArgumentError`` for any other value.
        timeout: seconds: bounds each attempt from its first byte sent to its last byte read
            (and each operation); or an ``httpx.Timeout``, which bounds each operation only;
            default 10 s to connect, 30 s per read, 60 s per attempt (with an
            ``http_client`` of yours and no ``timeout``: its own timeouts for each operation,
            and the 60 s per attempt checked between the chunks of a body). ``None`` means
            these defaults, not "no limit" as in httpx: ``httpx.Timeout(None)`` is no limit.
        max_response_size: bytes of decoded body a successful answer may have (default
            32 MiB); reading stops there with ``ResponseTooLargeError``.
        http_client: an ``httpx.AsyncClient`` you own (proxies, transports, respx). The client
            never closes an ``http_client`` you pass.
        max_retries: how many times a failed request is retried (default 3; 0: never).
        retry: a ``RetryPolicy``, instead of ``max_retries``.
        allow_insecure_http: allow ``http://`` to a host that is not loopback.
        sleep: replaces ``asyncio.sleep`` (for tests: nothing really waits).
        clock: replaces ``time.monotonic`` (deadlines, waits) and ``time.time`` (the now of
            a ``Retry-After`` date) (for tests: a clock of Unix time, as ``time.time``).
        http_backend: ``"httpx"`` (default) or ``"aiohttp"``. (async only)
            ``"aiohttp"`` is faster for wide ``asyncio.gather`` fan-out. (async only)
            It needs the ``aiohttp`` extra (else ``MissingExtraError``). (async only)

    Raises ``InvalidArgumentError`` for a bad argument or no credentials. Sharing one client
    between threads or tasks, and event loops: see the README's "Configuration".
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        authorizer: Authorizer | None = None,
        base_url: str | None = None,
        api: ApiName | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_response_size: int | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        http_backend: HttpBackend = "httpx",  # async-only
    ) -> None:
        self._core = ClientCore(
            access_token=access_token,
            authorizer=authorizer,
            base_url=base_url,
            api=api,
            timeout=timeout,
            max_response_size=max_response_size,
            max_retries=max_retries,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            clock=clock,
            http_client=http_client,
            http_type=httpx.AsyncClient,
        )
        self._sleep = _io.async_sleeper(sleep)
        if http_backend != "httpx":  # async-only
            http_client = _io.backend_client(http_backend, http_client, self._core)  # async-only
        if http_client is None:
            http_client = httpx.AsyncClient(**self._core.new_http_kwargs())
        # Attempts bounded at the socket (only in a client we created: never touch yours).
        self._deadline_at_socket = self._core.owns_http and _transport.install(http_client)
        self._http = http_client
        self._loop = _io.loop_binding(http_client, http_backend, self._core)  # async-only

    @property
    def api(self) -> ApiName:
        """The API the client speaks: ``"runs"`` or ``"jobs"``."""
        return self._core.dialect.NAME

    @property
    def base_url(self) -> str:
        """The service URL requests go to (no trailing slash)."""
        return self._core.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._core.retry

    def __repr__(self) -> str:
        return self._core.describe(self)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> Self:
        """A client with other timeouts or retries that shares this one's connection pool and
        credentials (an argument left out keeps this client's setting); this client is
        unchanged. Closing this client closes the pool they share; closing the other one
        does not.

        >>> patient = client.with_options(timeout=120, max_retries=8)  # doctest: +SKIP
        >>> run = await patient.get_run(timer_id, run_id)  # doctest: +SKIP
        """
        twin = copy.copy(self)
        twin._core = self._core.derived(timeout=timeout, max_retries=max_retries, retry=retry)
        return twin

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
        """Close the httpx client if this client created it (never one you passed in)."""
        if self._core.owns_http:
            if self._loop.bound:  # async-only
                self._loop.check()  # async-only
            await self._http.aclose()

    # -- the operations ----------------------------------------------------------------------

    async def run_timer(
        self,
        timer_id: str | UUID,
        *,
        wait: bool = False,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Trigger a run of the timer now and return it (usually still ``pending``).

        With ``wait=True``, then wait for it to finish (see ``wait_for_run`` for ``timeout``,
        ``poll_interval`` and ``on_update``, which are refused without ``wait=True``) and
        return the finished run.

        Not idempotent, so retried only when the request provably never reached the service.
        Raises ``NotFoundError`` for an unknown timer, ``InvalidArgumentError`` for an id that
        is not a UUID, ``UnsupportedOperationError`` with ``api="jobs"`` (before sending
        anything), and an error with ``outcome_unknown=True`` when the run may or may not have
        been created. With ``wait=True``, an error after the run was created carries it as
        ``.run`` and says so (any other exception, such as one from ``on_update`` or a
        ``KeyboardInterrupt``, gets a note naming the run).

        >>> run = await client.run_timer("12345678-1234-1234-1234-123456789012")  # doctest: +SKIP
        >>> run.status  # doctest: +SKIP
        <RunStatus.PENDING: 'pending'>
        """
        exchange = self._core.trigger(timer_id)
        settings = WaitSettings.for_trigger(wait, timeout, poll_interval, on_update)
        with _errors.outcome_noted():  # Ctrl-C or a cancellation: the POST may have been sent
            run = await self._request(exchange, idempotent=False)
        if settings is None:
            return run
        waiter: Waiter | None = None
        try:
            waiter = Waiter(run_id=run.id, settings=settings, clock=self._core.clock)
            return await self._wait(self._core.lookup(run.timer_id, run.id), waiter, first=run)
        except TimersError as exc:  # the run exists: say so, so nobody triggers it again
            raise exc.created_run((waiter and waiter.last) or run) from None
        except BaseException as exc:  # your on_update or sleep raised, or a cancellation
            exc.add_note(created_note(run))
            raise

    async def list_runs(
        self,
        timer_id: str | UUID,
        *,
        limit: int | None = None,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        marker: str | None = None,
    ) -> RunPage:
        """Fetch one page of the timer's runs, newest first (with ``api="jobs"``: in the
        service's order, which is not published; newest first is likely).

        ``limit``: 1 to 1000 runs per page. ``status``: a ``RunStatus`` or its string (with
        ``api="jobs"``, whose statuses are not published: any status the service reports, such
        as ``"FAILED"``, matched in any case).
        ``start_after`` / ``start_before``: timezone-aware datetimes, exclusive bounds on each
        run's ``start_time`` (naive datetimes are refused, and so is a window with
        ``start_after`` not earlier than ``start_before``: it holds no run). ``marker``: a
        previous page's ``next_page`` (the client refuses one over 4096 characters, here and
        when paging).
        To go through every page, use ``iter_runs`` or ``iter_run_pages``.
        With ``api="jobs"`` the service filters nothing: ``limit`` results are read and the
        client keeps those that match, so a page may hold fewer (even none) while later pages
        have more.

        >>> page = await client.list_runs(timer_id, status="failure", limit=50)  # doctest: +SKIP
        >>> page.total, len(page), page.next_page  # doctest: +SKIP
        """
        filters = self._core.filters(timer_id, status, start_after, start_before)
        limit, marker = _args.check_limit("limit", limit), _args.check_marker(marker)
        page = await self._request(self._core.dialect.list_page(filters, limit, marker))
        keep = self._core.local_filter(filters)
        return page if keep is None else dataclasses.replace(page, runs=tuple(filter(keep, page)))

    async def get_run(self, timer_id: str | UUID, run_id: str | UUID) -> TimerRun:
        """Fetch one run. Raises ``NotFoundError`` when the timer or the run does not exist.

        >>> run = await client.get_run(timer_id, run_id)  # doctest: +SKIP
        >>> run.result.callback_kind if run.result else None  # doctest: +SKIP
        'web'
        """
        return await self._get(self._core.lookup(timer_id, run_id))

    # -- paging ------------------------------------------------------------------------------

    def iter_run_pages(
        self,
        timer_id: str | UUID,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> AsyncGenerator[RunPage, None]:
        """Iterate over pages of runs, fetching each only when asked for.

        The filters are sent on every page (with ``api="jobs"``, applied by the client to each
        page instead). ``marker`` resumes from a saved ``next_page``. ``max_items`` caps the
        total number of runs (pages ask for no more than needed, so that each page's
        ``next_page`` resumes right after it). Raises ``PaginationError`` if paging would never
        end (see ``PaginationError``). Arguments are checked now; nothing is fetched until
        iteration starts.

        >>> async for page in client.iter_run_pages(timer_id, page_size=100):  # doctest: +SKIP
        ...     save(page.next_page)
        """
        filters = self._core.filters(timer_id, status, start_after, start_before)
        return self._pages(filters, Pager.checked(page_size, max_items, marker))

    def iter_runs(
        self,
        timer_id: str | UUID,
        *,
        status: RunStatus | str | None = None,
        start_after: datetime | None = None,
        start_before: datetime | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        marker: str | None = None,
    ) -> AsyncGenerator[TimerRun, None]:
        """Iterate over every matching run across pages, in the order of ``list_runs``, one
        page in memory.

        Same arguments as ``iter_run_pages``. Breaking out of the loop fetches nothing more.
        With ``api="jobs"``, a filter and ``max_items``, pages are read whole (the client keeps
        the matching runs), not shrunk to the runs still wanted.

        >>> week_ago = datetime.now(timezone.utc) - timedelta(days=7)  # doctest: +SKIP
        >>> async for run in client.iter_runs(timer_id, status="failure", start_after=week_ago):
        ...     print(run.id, run.start_time)  # doctest: +SKIP
        """
        filters = self._core.filters(timer_id, status, start_after, start_before)
        pager = Pager.checked(page_size, max_items, marker)
        # No page's marker is handed out here, so pages the client filters need not shrink.
        pager.filtered_here = self._core.local_filter(filters) is not None
        return _items(self._pages(filters, pager))

    # -- waiting -----------------------------------------------------------------------------

    async def wait_for_run(
        self,
        timer_id: str | UUID,
        run_id: str | UUID,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_update: Callable[[TimerRun], object] | None = None,
    ) -> TimerRun:
        """Poll the run until its status is terminal, and return it.

        Polls start ``poll_interval`` seconds apart and grow gently, up to 30 s (or
        ``poll_interval`` when it is longer); a 429's ``Retry-After`` is honoured; the last poll
        is at the deadline. ``on_update(run)`` is called whenever the status
        changes (including the first poll). Raises ``WaitTimeoutError`` (a ``TimeoutError``;
        ``.run`` is the last run seen) once ``timeout`` seconds have passed (also when polls
        kept getting a 429 until then: its message says so); ``timeout=0`` fetches the run
        once. Another poll error that retries do not cure is raised as is
        (``NotFoundError``, ``ServerError``, ``APIConnectionError``, ...). With
        ``api="jobs"`` each poll pages through the timer's results from the first page.

        >>> run = await client.wait_for_run(timer_id, run_id, timeout=120)  # doctest: +SKIP
        >>> run.status  # doctest: +SKIP
        <RunStatus.SUCCESS: 'success'>
        """
        lookup = self._core.lookup(timer_id, run_id)
        settings = WaitSettings.checked(timeout, poll_interval, on_update)
        waiter = Waiter(run_id=lookup.label, settings=settings, clock=self._core.clock)
        return await self._wait(lookup, waiter, first=None)

    # -- the loops ---------------------------------------------------------------------------

    async def _pages(
        self, filters: _args.ListFilters, pager: Pager, deadline: float | None = None
    ) -> AsyncGenerator[RunPage, None]:
        keep = self._core.local_filter(filters)
        while not pager.finished:
            exchange = self._core.dialect.list_page(filters, pager.limit, pager.marker)
            page = pager.accept(await self._request(exchange, deadline=deadline), keep)
            yield page
            del page  # hold one page at a time

    async def _get(self, lookup: Lookup, deadline: float | None = None) -> TimerRun:
        if lookup.exchange is not None:
            return await self._request(lookup.exchange, deadline=deadline)
        # The API reads no single run: look for it page by page, from the first.
        wanted = str(lookup.run_id)
        pager = Pager(marker=None, page_size=None, max_items=None)
        async for page in self._pages(_args.ListFilters(lookup.timer_id), pager, deadline):
            for run in page:
                if run.id == wanted:
                    return run
        raise self._core.run_not_found(self._http, lookup)

    async def _wait(self, lookup: Lookup, waiter: Waiter, *, first: TimerRun | None) -> TimerRun:
        if first is not None and waiter.observe(first):
            return first
        delay = 0.0 if first is None else waiter.next_delay()
        # A poll (and its retries) ends by the deadline; with timeout=0, the one poll is
        # bounded as any request is.
        deadline = waiter.deadline if waiter.timeout else None
        while True:
            if delay:
                await self._sleep(delay)
            try:
                run = await self._get(lookup, deadline=deadline)
            except RateLimitError as exc:
                delay = waiter.next_delay(refused=exc)
                continue
            except APIConnectionError as exc:
                if deadline is not None and waiter.expired:  # the deadline cut the poll short
                    raise waiter.timeout_error(exc) from exc
                raise
            if waiter.observe(run):
                return run
            delay = waiter.next_delay()

    async def _request(
        self, exchange: Exchange[T], *, idempotent: bool = True, deadline: float | None = None
    ) -> T:
        core = self._core
        self._loop.check()  # async-only
        request = core.build(self._http, exchange.request)
        attempts = core.attempts(idempotent=idempotent, deadline=deadline)
        while True:
            started = time.perf_counter()
            try:
                at = core.attempt_deadline(deadline)
                async with _io.async_deadline(at, at_socket=self._deadline_at_socket):
                    try:
                        response = await self._http.send(request, auth=core.auth, stream=True)
                    except RuntimeError:  # httpx: "the client has been closed"
                        core.check_open(self._http)
                        raise
                    except httpx.HTTPStatusError as exc:  # your response hook raised for it
                        response = exc.response  # the answer, as any other (its body is lost)
                    try:
                        retry_delay = attempts.after_response(response)
                        if retry_delay is None:  # this answer is the outcome: read its body
                            try:
                                content = await _read(response, core.read_limit(response))
                            except httpx.DecodingError as exc:  # only a 2xx's: see _read
                                raise core.unreadable(response, attempts, str(exc)) from None
                            if response.is_success and len(content) > core.max_response_size:
                                raise core.unreadable(response, attempts)
                        elif self._deadline_at_socket:  # a read that ends by the deadline
                            await _drain(response)
                    finally:
                        await response.aclose()
                        # Let the body go now: Response and stream refer to each other, so it
                        # would live until a full garbage collection (paging: a dozen bodies).
                        response.stream = httpx.ByteStream(b"")
            except httpx.HTTPError as exc:
                core.check_open(self._http, attempts, exc)  # closed while in flight: that is it
                log_failed_attempt(request, started, exc)
                delay = attempts.after_exception(exc, request)
            else:
                log_attempt(response, started)
                if retry_delay is None:
                    return core.finish(response, content, exchange.parse, attempts)
                delay = retry_delay
            await self._sleep(delay)
            core.check_open(self._http)


async def _read(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, read until ``limit`` bytes are passed (then ``limit + 1`` bytes are
    returned, and the rest is never read or inflated; see ``_io.BodyReader``). A 2xx body that
    cannot be decoded raises ``httpx.DecodingError``; an error answer's is left out (``b""``):
    its status is the news."""
    if response.is_stream_consumed:  # built in memory (a mock transport's): read already
        return response.content[: limit + 1]
    if response.is_closed:  # by httpx, when an event hook of yours raised: nothing to read
        return b""
    try:
        reader = _io.BodyReader(response, limit)
        async for chunk in response.aiter_raw():
            reader.feed(chunk)
            del chunk
            if reader.full:
                break
            if _transport.expired():  # on a transport the deadline cannot reach
                raise httpx.ReadTimeout(_transport.ATTEMPT_OVER)
    except httpx.DecodingError:
        if response.is_success:
            raise
        return b""
    return reader.finish()


async def _drain(response: httpx.Response) -> None:
    """Read the small body of an answer that is retried, so that its connection is kept for
    the retry (httpx closes a connection whose body is left unread): at most ``DRAIN_LIMIT``
    bytes said by ``Content-Length``, within ``DRAIN_TIME`` at the socket. A longer or unsized
    body, or one that does not come in time, is left unread, and its connection closed."""
    length = response.headers.get("content-length", "")
    sized = len(length) <= 5 and length.isascii() and length.isdigit()  # not "²", not 10**5000
    if response.is_stream_consumed or not sized or int(length) > DRAIN_LIMIT:
        return
    at = time.monotonic() + (_transport.remaining(DRAIN_TIME) or DRAIN_TIME)
    with _transport.attempt_deadline(at), contextlib.suppress(httpx.HTTPError):
        async for _ in response.aiter_raw():
            pass


async def _items(pages: AsyncGenerator[RunPage, None]) -> AsyncGenerator[TimerRun, None]:
    async for page in pages:
        runs = page.runs
        del page
        for run in runs:
            yield run
        del runs  # before the next page is fetched
