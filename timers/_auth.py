"""Authorization, applied per request as an ``httpx.Auth``: the token never sits in a header dict.

Either a fixed access token, or an *authorizer*: any object with
``get_authorization_header() -> str | None`` (globus-sdk's ``AccessTokenAuthorizer``,
``RefreshTokenAuthorizer`` and ``ClientCredentialsAuthorizer`` fit). On a 401, an authorizer
with ``handle_missing_authorization()`` that returns True (it got a new token) gets the request
sent once more with the new header.
"""

from __future__ import annotations

import collections
import functools
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import httpx

from timers import _redact
from timers._errors import InvalidArgumentError
from timers._logging import logger, shown_path

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["Authorizer", "TokenAuth", "resolve_auth"]

TOKEN_ENV = "TIMERS_ACCESS_TOKEN"  # noqa: S105 (a variable name, not a secret)


@runtime_checkable
class Authorizer(Protocol):
    """What ``authorizer=`` accepts: the value of an ``Authorization`` header, or None."""

    def get_authorization_header(self) -> str | None: ...


_T = TypeVar("_T")


class _Guard:
    """What every client of one authorizer shares: the lock around each call of it, the count
    of its refreshes, and the worker thread async clients call it in (made on first use)."""

    __slots__ = ("__weakref__", "lock", "refreshes", "worker")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.refreshes = 0  # successful refreshes so far
        self.worker: ThreadPoolExecutor | None = None


# id(authorizer) -> its guard, weakly: the guard lives as long as a client of the authorizer,
# which holds the authorizer too, so while the guard lives that id names that object.
_GUARDS: dict[int, weakref.ref[_Guard]] = {}
_GUARDS_LOCK = threading.Lock()
_GONE: collections.deque[tuple[int, weakref.ref[_Guard]]] = collections.deque()  # to drop
_ALL_GUARDS: weakref.WeakSet[_Guard] = weakref.WeakSet()


def _guard_for(authorizer: object) -> _Guard:
    """The guard of ``authorizer``, shared by every client given that same object."""
    key = id(authorizer)
    with _GUARDS_LOCK:
        _drop_gone()
        known = _GUARDS.get(key)
        guard = None if known is None else known()
        if guard is None:
            guard = _Guard()
            _ALL_GUARDS.add(guard)
            _GUARDS[key] = weakref.ref(guard, functools.partial(_forget, key))
        return guard


def _forget(key: int, gone: weakref.ref[_Guard]) -> None:
    """A guard is gone with its last client: drop its entry (unless a newer guard holds it)
    now, or when the registry is next used if it is busy (a garbage collection inside
    ``_guard_for`` may call this: waiting for the lock would never end)."""
    _GONE.append((key, gone))
    if _GUARDS_LOCK.acquire(blocking=False):
        try:
            _drop_gone()
        finally:
            _GUARDS_LOCK.release()


def _drop_gone() -> None:
    """Drop the entries of guards that are gone (the caller holds ``_GUARDS_LOCK``)."""
    while _GONE:
        key, gone = _GONE.popleft()
        if _GUARDS.get(key) is gone:
            del _GUARDS[key]


def _new_locks_after_fork() -> None:
    """In a forked child: new locks, and no worker (another thread of the parent may have been
    calling an authorizer at the fork, and nobody would release its lock here)."""
    global _GUARDS_LOCK
    _GUARDS_LOCK = threading.Lock()
    for guard in list(_ALL_GUARDS):
        guard.lock = threading.Lock()
        guard.worker = None  # its thread is not in the child


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_new_locks_after_fork)


class TokenAuth(httpx.Auth):
    """Sets ``Authorization`` on each request; retries once after a 401 if the authorizer can
    refresh. Its ``repr`` never shows the token.

    An authorizer of yours is called by one request at a time, across every client given that
    same object (globus-sdk's renew an expired token inside ``get_authorization_header()``,
    without a lock of their own), and many requests that get a 401 at once make one refresh:
    each asks for one only if no other request's refresh came since it was sent. Async
    clients call it in the authorizer's own worker thread, which they share (a refresh is a
    blocking request to Globus Auth: the event loop, and its default executor, run on).
    """

    def __init__(self, authorizer: Authorizer) -> None:
        self._authorizer = authorizer
        static = isinstance(authorizer, _StaticToken)  # never locked, nothing to refresh
        self._guard = _Guard() if static else _guard_for(authorizer)

    def __repr__(self) -> str:
        return f"<TokenAuth via {type(self._authorizer).__name__}>"

    def _apply(self, request: httpx.Request) -> None:
        """Set the header on ``request`` (and remember it as a secret: see ``_redact``)."""
        if isinstance(self._authorizer, _StaticToken):
            header: object = self._authorizer.get_authorization_header()
        else:
            with self._guard.lock:
                header = self._authorizer.get_authorization_header()
        if header is not None and not isinstance(header, str):
            raise InvalidArgumentError(
                f"{type(self._authorizer).__name__}.get_authorization_header() returned a "
                f"{type(header).__name__}, not a str or None"
            )
        if header and not all(" " <= c <= "~" for c in header):
            # Checked here, not left to h11: its error message would quote the header.
            raise InvalidArgumentError(
                f"{type(self._authorizer).__name__}.get_authorization_header() returned a "
                "value with characters an HTTP header cannot carry"
            )
        # Spaces around a value are no part of it (RFC 9110, 5.5); h11 refuses to send them,
        # aiohttp would send them: both send the value without them.
        header = header and header.strip(" ")
        if not header:
            request.headers.pop("Authorization", None)
            return
        _redact.remember_header(header)
        request.headers["Authorization"] = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refreshes = self._guard.refreshes
        self._apply(request)
        response = yield request  # (its credentials are remembered again: _logging.log_attempt)
        if response.status_code == 401 and self._renewed(request, refreshes):
            self._apply(request)
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        refreshes = self._guard.refreshes
        if isinstance(self._authorizer, _StaticToken):
            self._apply(request)
        else:  # yours: it may block
            await self._in_worker(self._apply, request)
        response = yield request
        if (
            response.status_code == 401
            and hasattr(self._authorizer, "handle_missing_authorization")  # not a static token
            and await self._in_worker(self._renewed, request, refreshes)
        ):
            await self._in_worker(self._apply, request)
            yield request

    async def _in_worker(self, call: Callable[..., _T], *args: Any) -> _T:
        """``call(*args)`` in the authorizer's own worker thread: not on the event loop, nor in
        its default executor (calls waiting for a slow renewal would fill it, and DNS lookups
        wait there too)."""
        import asyncio  # here: sync users need not import it (an async client has)

        guard = self._guard
        if guard.worker is None:
            from concurrent.futures import ThreadPoolExecutor

            with _GUARDS_LOCK:  # two event loops' first calls at once: one worker
                if guard.worker is None:
                    guard.worker = ThreadPoolExecutor(1, thread_name_prefix="timers-authorizer")
        return await asyncio.get_running_loop().run_in_executor(guard.worker, call, *args)

    def _renewed(self, request: httpx.Request, refreshes: int) -> bool:
        """After a 401 to ``request`` (sent after ``refreshes`` refreshes): whether to send it
        once more, the authorizer asked for new credentials unless a refresh came meanwhile."""
        refresh = getattr(self._authorizer, "handle_missing_authorization", None)
        if refresh is None:
            return False
        guard = self._guard
        with guard.lock:
            if guard.refreshes == refreshes:
                if not refresh():
                    return False
                guard.refreshes += 1
                path, name = shown_path(request), type(self._authorizer).__name__
                logger.info(
                    "%s %s -> 401: %s was asked for new credentials; sending it once more",
                    request.method,
                    path,
                    name,
                    extra={
                        "timers_auth": {"method": request.method, "path": path, "authorizer": name}
                    },
                )
        return True


class _StaticToken:
    """A fixed bearer token. ``repr`` and ``str`` hide it."""

    __slots__ = ("_header",)

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"
        _redact.remember(self._header, token)

    def get_authorization_header(self) -> str:
        return self._header

    def __repr__(self) -> str:
        return "<access token (hidden)>"

    __str__ = __repr__


def resolve_auth(access_token: str | None, authorizer: Authorizer | None) -> TokenAuth:
    """The auth for a client: ``access_token``, else ``authorizer``, else ``$TIMERS_ACCESS_TOKEN``.

    Raises ``InvalidArgumentError`` for both at once, an empty token, or no credential at all.
    """
    if access_token is not None and authorizer is not None:
        raise InvalidArgumentError("give access_token or authorizer, not both")
    if authorizer is not None:
        if not callable(getattr(authorizer, "get_authorization_header", None)):
            raise InvalidArgumentError(
                "authorizer must have a get_authorization_header() method "
                f"(like globus_sdk.AccessTokenAuthorizer), got {type(authorizer).__name__}"
            )
        return TokenAuth(authorizer)
    name = "access_token"
    if access_token is None:
        access_token, name = os.environ.get(TOKEN_ENV) or None, f"${TOKEN_ENV}"
        if access_token is None:
            raise InvalidArgumentError(
                "no credentials: pass access_token='...', pass authorizer=<an object with "
                f"get_authorization_header()>, or set the {TOKEN_ENV} environment variable"
            )
    if not isinstance(access_token, str) or not access_token.strip():
        raise InvalidArgumentError(f"{name} must be a non-empty string")
    # HTTP would refuse anything else in a header, and its error message would quote the token.
    if not all("!" <= c <= "~" for c in access_token):
        raise InvalidArgumentError(
            f"{name} must be printable ASCII with no spaces or control characters"
        )
    return TokenAuth(_StaticToken(access_token))
