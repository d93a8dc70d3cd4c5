"""Authorization (timers._auth): which credential is used, which tokens are accepted, the
header on each request, and the one retry after a 401 with a refreshed token."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import Connection, Request, Servers, each_request, json_response

from timers import AsyncTimersClient, InvalidArgumentError, TimersClient
from timers._auth import TokenAuth, resolve_auth
from timers._redact import redact


class Authorizer:
    """Hands out ``headers`` one after the other (the last one repeats)."""

    def __init__(self, *headers: str | None, refreshes: bool | None = None) -> None:
        self.headers = list(headers)
        self.calls = 0
        self.refreshes = refreshes
        self.refresh_calls = 0

    def get_authorization_header(self) -> str | None:
        header = self.headers[min(self.calls, len(self.headers) - 1)]
        self.calls += 1
        return header


class RefreshingAuthorizer(Authorizer):
    def handle_missing_authorization(self) -> bool:
        self.refresh_calls += 1
        return bool(self.refreshes)


def send(
    auth: httpx.Auth, statuses: list[int], headers: dict[str, str] | None = None
) -> tuple[httpx.Response, list[str | None]]:
    """Send one GET through ``auth``; the server answers ``statuses`` in turn. Returns the
    final response and the Authorization header of each request the server got."""
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(statuses[min(len(seen) - 1, len(statuses) - 1)])

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as http:
        answer = http.get("https://example.org/x", headers=headers)
    return answer, seen


# --- choosing the credential ------------------------------------------------------------------


def test_a_token_and_an_authorizer_together_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^give access_token or authorizer, not both$"):
        resolve_auth("tok-1234", Authorizer("Bearer x"))


@pytest.mark.parametrize(
    "authorizer", [object(), type("Odd", (), {"get_authorization_header": 5})()]
)
def test_an_authorizer_without_the_method_is_refused_naming_its_type(authorizer: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_auth(None, authorizer)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "authorizer must have a get_authorization_header() method "
        f"(like globus_sdk.AccessTokenAuthorizer), got {type(authorizer).__name__}"
    )


def test_an_authorizer_is_used_as_given() -> None:
    authorizer = Authorizer("Bearer from-authorizer")
    auth = resolve_auth(None, authorizer)
    assert repr(auth) == "<TokenAuth via Authorizer>"
    _, seen = send(auth, [200])
    assert seen == ["Bearer from-authorizer"]


def test_the_token_comes_from_the_environment_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", "env-token-5678")
    _, seen = send(resolve_auth(None, None), [200])
    assert seen == ["Bearer env-token-5678"]


def test_a_given_token_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", "env-token-5678")
    _, seen = send(resolve_auth("given-token-1234", None), [200])
    assert seen == ["Bearer given-token-1234"]


@pytest.mark.parametrize("environment", [None, ""])
def test_no_credential_at_all_is_refused_saying_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch, environment: str | None
) -> None:
    if environment is not None:
        monkeypatch.setenv("TIMERS_ACCESS_TOKEN", environment)
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_auth(None, None)
    assert str(caught.value) == (
        "no credentials: pass access_token='...', pass authorizer=<an object with "
        "get_authorization_header()>, or set the TIMERS_ACCESS_TOKEN environment variable"
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ("   ", "$TIMERS_ACCESS_TOKEN must be a non-empty string"),
        (
            "tok en",
            "$TIMERS_ACCESS_TOKEN must be printable ASCII with no spaces or control characters",
        ),
    ],
)
def test_a_bad_token_from_the_environment_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, environment: str, message: str
) -> None:
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", environment)
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_auth(None, None)
    assert str(caught.value) == message


@pytest.mark.parametrize("token", ["", "   ", 1234, b"tok-1234"])
def test_a_token_that_is_not_a_non_empty_string_is_refused(token: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^access_token must be a non-empty string$"):
        resolve_auth(token, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["tok en", "tok\x7f", "tok\n", "tok\x00", "tokén", "tok\t"])
def test_a_token_that_cannot_go_in_a_header_is_refused(token: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_auth(token, None)
    assert str(caught.value) == (
        "access_token must be printable ASCII with no spaces or control characters"
    )


def test_tokens_with_every_printable_character_are_accepted() -> None:
    token = "!tok~" + "".join(chr(c) for c in range(0x21, 0x7F))
    _, seen = send(resolve_auth(token, None), [200])
    assert seen == [f"Bearer {token}"]


def test_a_static_token_never_shows_in_a_repr() -> None:
    auth = resolve_auth("hidden-token-9876", None)
    assert repr(auth) == "<TokenAuth via _StaticToken>"
    static = auth._authorizer  # type: ignore[attr-defined]
    assert repr(static) == str(static) == "<access token (hidden)>"


def test_a_static_token_and_its_header_are_redacted_from_then_on() -> None:
    resolve_auth("static-secret-4242", None)
    assert redact("x static-secret-4242 y") == "x [redacted] y"
    assert redact("Authorization: Bearer static-secret-4242") == "Authorization: [redacted]"


# --- the header on each request ---------------------------------------------------------------


@pytest.mark.parametrize("header", [None, ""])
def test_no_header_is_sent_when_the_authorizer_has_no_token(header: str | None) -> None:
    auth = TokenAuth(Authorizer(header))
    _, seen = send(auth, [200], headers={"Authorization": "Bearer stale"})
    assert seen == [None]


def test_an_authorizer_without_a_token_sends_no_header_from_either_client(dual: Dual) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=run_json())

    client = dual.client(handler=handler, authorizer=Authorizer(None), validate=False)
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID
    assert seen == [None]


def test_the_authorizer_is_asked_on_every_request() -> None:
    authorizer = Authorizer("Bearer one-1234", "Bearer two-1234")
    auth = TokenAuth(authorizer)
    assert send(auth, [200])[1] == ["Bearer one-1234"]
    assert send(auth, [200])[1] == ["Bearer two-1234"]


@pytest.mark.parametrize("header", ["Bearer tok\n", "Bearer tok\x1f", "Bearer tok\x7f", "Bearer é"])
def test_a_header_with_characters_http_cannot_carry_is_refused_without_quoting_it(
    header: str,
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        send(TokenAuth(Authorizer(header)), [200])
    assert str(caught.value) == (
        "Authorizer.get_authorization_header() returned a value with characters an HTTP "
        "header cannot carry"
    )


@pytest.mark.parametrize(
    ("header", "kind"), [(b"Bearer tok-1234", "bytes"), (5, "int"), (["Bearer x"], "list")]
)
def test_a_header_that_is_not_a_string_is_refused_naming_its_type(
    header: object, kind: str
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        send(TokenAuth(Authorizer(header)), [200])  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"Authorizer.get_authorization_header() returned a {kind}, not a str or None"
    )


def test_a_header_may_hold_spaces_and_tildes() -> None:
    _, seen = send(TokenAuth(Authorizer("Custom a b~c")), [200])
    assert seen == ["Custom a b~c"]


def test_only_spaces_are_taken_from_the_ends_of_a_header() -> None:
    # Its own characters at either end stay, whatever they are (only " " is trimmed).
    _, seen = send(TokenAuth(Authorizer(" XBearer tokX  ")), [200])
    assert seen == ["XBearer tokX"]


@pytest.mark.parametrize("backend", ["sync", "httpx", "aiohttp"])
def test_spaces_around_an_authorizer_header_are_not_sent_by_any_backend(
    servers: Servers, backend: str
) -> None:
    # h11 (httpx) refused to send them and aiohttp sent them: the same request from each now.
    def ok(request: Request, conn: Connection) -> None:
        conn.send(json_response(200, run_json()))

    server = servers(each_request(ok))
    authorizer = Authorizer("  Bearer spaced-1234 ", "   ")
    if backend == "sync":
        with TimersClient(authorizer=authorizer, base_url=server.base_url) as client:
            client.get_run(TIMER_ID, RUN_ID)
            client.get_run(TIMER_ID, RUN_ID)
    else:

        async def twice() -> None:
            async with AsyncTimersClient(
                authorizer=authorizer, base_url=server.base_url, http_backend=backend
            ) as client:
                await client.get_run(TIMER_ID, RUN_ID)
                await client.get_run(TIMER_ID, RUN_ID)

        asyncio.run(twice())
    sent = [request.headers.get("authorization") for request in server.requests]
    assert sent == ["Bearer spaced-1234", None]  # only spaces: no header, as for ""


def test_an_authorizer_header_and_its_token_are_redacted_from_then_on() -> None:
    send(TokenAuth(Authorizer("Bearer authorizer-secret-77")), [200])
    assert redact("authorizer-secret-77") == "[redacted]"
    assert redact("Bearer authorizer-secret-77") == "[redacted]"
    send(TokenAuth(Authorizer("SingleWordSecret88")), [200])
    assert redact("x SingleWordSecret88") == "x [redacted]"


# --- a 401 and a refreshed token --------------------------------------------------------------


def test_a_401_is_sent_again_once_with_the_refreshed_header() -> None:
    authorizer = RefreshingAuthorizer("Bearer old-1234", "Bearer new-1234", refreshes=True)
    answer, seen = send(TokenAuth(authorizer), [401, 401, 401])
    assert answer.status_code == 401
    assert seen == ["Bearer old-1234", "Bearer new-1234"]
    assert authorizer.refresh_calls == 1


def test_a_refreshed_401_is_logged_without_any_credential(
    caplog: pytest.LogCaptureFixture,
) -> None:
    authorizer = RefreshingAuthorizer("Bearer old-1234", "Bearer new-1234", refreshes=True)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        send(TokenAuth(authorizer), [401, 200])
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.INFO,
            "GET /x -> 401: RefreshingAuthorizer was asked for new credentials; sending it once "
            "more",
        )
    ]
    fields = {"method": "GET", "path": "/x", "authorizer": "RefreshingAuthorizer"}
    assert caplog.records[0].timers_auth == fields


def test_a_401_without_a_refresh_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    authorizer = RefreshingAuthorizer("Bearer old-1234", "Bearer new-1234", refreshes=False)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        send(TokenAuth(authorizer), [401, 200])
    assert caplog.records == []


def test_a_401_is_final_when_the_authorizer_cannot_refresh() -> None:
    authorizer = RefreshingAuthorizer("Bearer old-1234", "Bearer new-1234", refreshes=False)
    answer, seen = send(TokenAuth(authorizer), [401, 200])
    assert answer.status_code == 401
    assert seen == ["Bearer old-1234"] and authorizer.refresh_calls == 1


def test_a_401_is_final_when_the_authorizer_has_no_refresh() -> None:
    answer, seen = send(TokenAuth(Authorizer("Bearer old-1234", "Bearer new-1234")), [401, 200])
    assert answer.status_code == 401 and seen == ["Bearer old-1234"]


def test_other_statuses_never_ask_for_a_refresh() -> None:
    authorizer = RefreshingAuthorizer("Bearer old-1234", refreshes=True)
    answer, seen = send(TokenAuth(authorizer), [403, 200])
    assert answer.status_code == 403
    assert seen == ["Bearer old-1234"] and authorizer.refresh_calls == 0


def test_everything_after_the_scheme_is_remembered_as_the_token() -> None:
    send(TokenAuth(Authorizer("Scheme tok-part-one tok-part-two")), [200])
    assert redact("x tok-part-one tok-part-two y") == "x [redacted] y"


# --- many requests at once, one token renewal -------------------------------------------------


class RenewingLike:
    """As globus-sdk's ``RenewingAuthorizer``: renews an expired token inside
    ``get_authorization_header()`` (a blocking call to Globus Auth, and no lock of its own);
    ``handle_missing_authorization()`` only forgets the token. Records the calling threads."""

    def __init__(self, *, expired: bool) -> None:
        self.token: str | None = None if expired else "old"
        self.renewals = 0
        self.threads: set[int] = set()
        self.names: dict[int, str] = {}

    def get_authorization_header(self) -> str:
        self.threads.add(threading.get_ident())
        self.names[threading.get_ident()] = threading.current_thread().name
        if self.token is None:
            time.sleep(0.05)  # the round trip to Globus Auth: other requests come in meanwhile
            self.renewals += 1
            self.token = f"new-{self.renewals}"
        return f"Bearer {self.token}"

    def handle_missing_authorization(self) -> bool:
        self.threads.add(threading.get_ident())
        self.token = None
        return True


def _rejecting_old(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401 if request.headers["authorization"] == "Bearer old" else 200)


@pytest.mark.parametrize("expired", [True, False], ids=["expired-before", "401s-at-once"])
def test_requests_of_many_threads_at_once_make_one_renewal(expired: bool) -> None:
    authorizer = RenewingLike(expired=expired)
    http = httpx.Client(transport=httpx.MockTransport(_rejecting_old), auth=TokenAuth(authorizer))
    with http, ThreadPoolExecutor(20) as pool:
        answers = pool.map(lambda _: http.get("https://example.org/x").status_code, range(20))
        statuses = list(answers)
    assert statuses == [200] * 20 and authorizer.renewals == 1


@pytest.mark.parametrize("expired", [True, False], ids=["expired-before", "401s-at-once"])
def test_an_async_client_calls_the_authorizer_off_the_event_loop_and_renews_once(
    expired: bool,
) -> None:
    import asyncio

    authorizer = RenewingLike(expired=expired)

    async def main() -> tuple[list[int], int]:
        async def handler(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(0.01)  # every request is sent before the first answer
            return _rejecting_old(request)

        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, auth=TokenAuth(authorizer)) as http:
            answers = await asyncio.gather(*(http.get("https://example.org/x") for _ in range(20)))
        return [answer.status_code for answer in answers], threading.get_ident()

    statuses, loop_thread = asyncio.run(main())
    assert statuses == [200] * 20 and authorizer.renewals == 1
    assert authorizer.threads and loop_thread not in authorizer.threads
    # One worker thread of the client's own, named for it (not the loop's default executor).
    (worker,) = authorizer.threads
    assert authorizer.names[worker].startswith("timers-authorizer_")


def test_a_static_token_is_set_on_the_event_loop_itself() -> None:
    import asyncio

    seen: list[str | None] = []

    async def main() -> None:
        transport = httpx.MockTransport(
            lambda r: seen.append(r.headers.get("authorization")) or httpx.Response(200)
        )  # type: ignore[func-returns-value]
        auth = resolve_auth("static-on-loop-1234", None)
        async with httpx.AsyncClient(transport=transport, auth=auth) as http:
            with mock.patch("asyncio.to_thread", side_effect=AssertionError("no thread needed")):
                await http.get("https://example.org/x")

    asyncio.run(main())
    assert seen == ["Bearer static-on-loop-1234"]


def test_a_401_after_another_request_s_renewal_uses_its_token_and_renews_nothing() -> None:
    # Two requests sent with the old token; the first 401 renews it, the second 401 comes
    # only after the renewed token was answered: that one must not ask for another renewal.
    authorizer = RenewingLike(expired=False)
    both_sent = threading.Barrier(2, timeout=30)
    renewed_answered = threading.Event()
    order = threading.Lock()
    seen_old: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] != "Bearer old":
            renewed_answered.set()
            return httpx.Response(200)
        both_sent.wait()
        with order:
            seen_old.append(1)
            second = len(seen_old) == 2
        if second:
            assert renewed_answered.wait(30)
        return httpx.Response(401)

    http = httpx.Client(transport=httpx.MockTransport(handler), auth=TokenAuth(authorizer))
    with http, ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _: http.get("https://example.org/x").status_code, range(2)))
    assert statuses == [200, 200] and authorizer.renewals == 1


def test_a_slow_renewal_leaves_the_event_loop_s_default_executor_free() -> None:
    import asyncio

    release = threading.Event()

    class Slow(RenewingLike):
        def get_authorization_header(self) -> str:
            release.wait(30)  # a renewal that takes as long as the test wants
            return super().get_authorization_header()

    async def main() -> str:
        transport = httpx.MockTransport(lambda request: httpx.Response(200))
        auth = TokenAuth(Slow(expired=True))
        async with httpx.AsyncClient(transport=transport, auth=auth) as http:
            calls = [asyncio.ensure_future(http.get("https://example.org/x")) for _ in range(50)]
            await asyncio.sleep(0.05)  # every call is waiting for the authorizer now
            loop = asyncio.get_running_loop()
            try:  # what else uses the default executor (DNS lookups) still runs at once
                free = await asyncio.wait_for(loop.run_in_executor(None, lambda: "free"), 5)
            finally:
                release.set()
            await asyncio.gather(*calls)
            return free

    assert asyncio.run(main()) == "free"


def test_a_refresh_counts_so_a_401_to_a_request_sent_before_another_refresh_renews_nothing() -> (
    None
):
    # Driven by hand: refresh 1; X is sent; refresh 2 (another request); then X's 401 comes.
    authorizer = RefreshingAuthorizer("Bearer t1-1234", "Bearer t2-1234", refreshes=True)
    auth = TokenAuth(authorizer)

    def sent(flow: Generator[httpx.Request, httpx.Response, None]) -> httpx.Request:
        return next(flow)

    def refreshed_by_a_401() -> None:
        request = httpx.Request("GET", "https://example.org/x")
        flow = auth.auth_flow(request)
        sent(flow)
        flow.send(httpx.Response(401, request=request))  # refreshes, then sends again

    refreshed_by_a_401()
    x_request = httpx.Request("GET", "https://example.org/x")
    x = auth.auth_flow(x_request)
    sent(x)
    refreshed_by_a_401()
    assert authorizer.refresh_calls == 2
    again = x.send(httpx.Response(401, request=x_request))  # a refresh came since X was sent
    assert authorizer.refresh_calls == 2 and again is x_request


class CountingOverlaps(RenewingLike):
    """Also records how many calls were inside the authorizer at once, at most."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__(expired=expired)
        self.inside = self.most_inside = 0
        self._count = threading.Lock()

    def get_authorization_header(self) -> str:
        with self._count:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            return super().get_authorization_header()
        finally:
            with self._count:
                self.inside -= 1


@pytest.mark.parametrize("expired", [True, False], ids=["expired-before", "401s-at-once"])
def test_clients_given_one_authorizer_call_it_one_at_a_time_and_renew_once(
    expired: bool,
) -> None:
    # A web app that makes a client per request, with one authorizer for the whole app.
    authorizer = CountingOverlaps(expired=expired)
    clients = [
        TimersClient(
            authorizer=authorizer,
            http_client=httpx.Client(
                transport=httpx.MockTransport(
                    lambda r: _rejecting_old(r) if r.headers["authorization"] == "Bearer old"
                    else httpx.Response(200, json=run_json())
                )
            ),
            max_retries=0,
        )
        for _ in range(10)
    ]  # fmt: skip
    with ThreadPoolExecutor(20) as pool:
        runs = list(pool.map(lambda i: clients[i % 10].get_run(TIMER_ID, RUN_ID), range(20)))
    assert [run.id for run in runs] == [RUN_ID] * 20
    assert (authorizer.renewals, authorizer.most_inside) == (1, 1)


def test_async_clients_given_one_authorizer_share_its_worker_thread_and_renew_once() -> None:
    import asyncio

    authorizer = RenewingLike(expired=False)

    async def main() -> list[int]:
        async def handler(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(0.01)  # every request is sent before the first answer
            return _rejecting_old(request)

        transport = httpx.MockTransport(handler)
        clients = [httpx.AsyncClient(transport=transport, auth=TokenAuth(authorizer)) for _ in "ab"]
        gets = [clients[i % 2].get("https://example.org/x") for i in range(20)]
        answers = await asyncio.gather(*gets)
        for client in clients:
            await client.aclose()
        return [answer.status_code for answer in answers]

    assert asyncio.run(main()) == [200] * 20
    assert authorizer.renewals == 1 and len(authorizer.threads) == 1


def test_one_authorizer_has_one_guard_while_a_client_uses_it() -> None:
    import gc

    from timers import _auth

    authorizer = Authorizer("Bearer guarded-1234")
    first, second = TokenAuth(authorizer), TokenAuth(authorizer)
    other = TokenAuth(Authorizer("Bearer guarded-1234"))
    assert first._guard is second._guard and other._guard is not first._guard
    key = id(authorizer)
    assert _auth._GUARDS[key]() is first._guard
    del first, second
    gc.collect()
    assert key not in _auth._GUARDS  # gone with its clients; the authorizer lives on
    assert send(TokenAuth(authorizer), [200])[1] == ["Bearer guarded-1234"]


def test_a_dead_entry_is_replaced_and_a_newer_guard_s_entry_is_kept() -> None:
    from timers import _auth

    authorizer = Authorizer("Bearer guarded-5678")
    key = id(authorizer)
    dead = weakref.ref(_auth._Guard())  # a guard whose clients are gone
    other_key = key + 1
    with _auth._GUARDS_LOCK:  # as in a garbage collection inside _guard_for: put off
        _auth._GUARDS[key] = dead
        _auth._GUARDS[other_key] = dead
        _auth._forget(other_key, dead)
        assert _auth._GUARDS[other_key] is dead and _auth._GUARDS[key] is dead
    fresh = TokenAuth(authorizer)._guard  # the registry's next use drops the one put off
    assert other_key not in _auth._GUARDS and _auth._GUARDS[key]() is fresh  # dead: replaced
    _auth._forget(key, dead)  # the old guard's late callback leaves the newer entry
    assert _auth._GUARDS[key]() is fresh and not _auth._GONE


def test_an_authorizer_that_cannot_be_weakly_referenced_is_shared_too() -> None:
    class Slotted:
        __slots__ = ()

        def get_authorization_header(self) -> str:
            return "Bearer slotted-1234"

    authorizer = Slotted()
    first, second = TokenAuth(authorizer), TokenAuth(authorizer)
    assert first._guard is second._guard
    assert send(first, [200])[1] == ["Bearer slotted-1234"]


def test_static_tokens_take_no_lock_and_share_nothing() -> None:
    from timers import _auth

    first, second = resolve_auth("static-1234", None), resolve_auth("static-1234", None)
    assert first._guard is not second._guard
    assert not _auth._GUARDS.get(id(first._authorizer))  # nothing registered for a token
    first._guard.lock.acquire()  # even held, the token is set: it is never taken
    try:
        assert send(first, [200])[1] == ["Bearer static-1234"]
    finally:
        first._guard.lock.release()


def test_an_async_401_with_a_static_token_needs_no_worker_thread() -> None:
    import asyncio

    auth = resolve_auth("static-401-1234", None)

    async def main() -> int:
        transport = httpx.MockTransport(lambda request: httpx.Response(401))
        async with httpx.AsyncClient(transport=transport, auth=auth) as http:
            return (await http.get("https://example.org/x")).status_code

    assert asyncio.run(main()) == 401
    assert auth._guard.worker is None  # nothing to refresh: no thread made for it


def test_a_forked_child_gets_new_locks_and_no_worker_of_the_parent() -> None:
    from timers import _auth

    auth = TokenAuth(Authorizer("Bearer fork-1234"))
    old_lock, old_registry_lock = auth._guard.lock, _auth._GUARDS_LOCK
    auth._guard.worker = object()  # type: ignore[assignment]  # as after an async call
    old_lock.acquire()  # another thread inside the authorizer at the fork
    old_registry_lock.acquire()  # another thread making a client at the fork
    try:
        _auth._new_locks_after_fork()  # what os.register_at_fork runs in the child
    finally:
        old_lock.release()
        old_registry_lock.release()
    assert auth._guard.lock is not old_lock and auth._guard.lock.acquire(blocking=False)
    assert _auth._GUARDS_LOCK is not old_registry_lock and _auth._GUARDS_LOCK.acquire(False)
    _auth._GUARDS_LOCK.release()
    assert auth._guard.worker is None
