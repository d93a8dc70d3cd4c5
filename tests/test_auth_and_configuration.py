"""Credentials, base URL, timeouts and the client's life cycle."""

from __future__ import annotations

from pathlib import Path

import globus_sdk
import httpx
import pytest
import yaml
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual

from timers import (
    AsyncTimersClient,
    AuthenticationError,
    InvalidArgumentError,
    TimersClient,
    UsageError,
)
from timers._config import DEFAULT_BASE_URL

ROOT = Path(__file__).resolve().parent.parent


class Seen:
    """A handler that records requests and answers with a run (or 401 for unknown tokens)."""

    def __init__(self, valid: tuple[str, ...] = (f"Bearer {TOKEN}",)) -> None:
        self.valid = valid
        self.requests: list[httpx.Request] = []
        self.auth_headers: list[str | None] = []  # copied at call time: retries reuse a request

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.auth_headers.append(request.headers.get("authorization"))
        if request.headers.get("authorization") not in self.valid:
            return httpx.Response(401, json={"code": "AUTHENTICATION_ERROR", "message": "bad"})
        return httpx.Response(201 if request.method == "POST" else 200, json=run_json())


# -- credentials ---------------------------------------------------------------------------


def test_token_from_the_environment_is_used_when_none_is_given(
    dual: Dual, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", "env-token")
    seen = Seen(valid=("Bearer env-token",))
    dual.client(handler=seen, access_token=None).get_run(TIMER_ID, RUN_ID)
    assert seen.auth_headers == ["Bearer env-token"]


def test_an_explicit_token_wins_over_the_environment(
    dual: Dual, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", "env-token")
    seen = Seen()
    dual.client(handler=seen).get_run(TIMER_ID, RUN_ID)
    assert seen.auth_headers == [f"Bearer {TOKEN}"]


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
def test_no_credential_at_all_names_every_way_to_give_one(cls: type) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        cls()
    message = str(info.value)
    assert "access_token" in message and "authorizer" in message
    assert "TIMERS_ACCESS_TOKEN" in message


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
@pytest.mark.parametrize(
    "token", ["", "   ", "abc\r\nX-Evil: 1", " padded", "nul\x00x", "vt\x0bx", "tab\tx", "ünïcode"]
)
def test_empty_or_multi_line_tokens_are_refused_without_echoing_them(cls: type, token: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        cls(token)
    assert token.strip() == "" or token.strip() not in str(info.value)


def test_token_and_authorizer_together_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="not both"):
        TimersClient("t", authorizer=globus_sdk.AccessTokenAuthorizer("t"))


def test_an_authorizer_without_the_method_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="get_authorization_header"):
        TimersClient(authorizer=object())  # type: ignore[arg-type]


def test_globus_sdk_access_token_authorizer_is_used_per_request(dual: Dual) -> None:
    seen = Seen()
    client = dual.client(handler=seen, authorizer=globus_sdk.AccessTokenAuthorizer(TOKEN))
    client.get_run(TIMER_ID, RUN_ID)
    client.run_timer(TIMER_ID)
    assert seen.auth_headers == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]


def test_a_401_with_a_globus_sdk_static_authorizer_is_not_retried(dual: Dual) -> None:
    seen = Seen(valid=())
    client = dual.client(handler=seen, authorizer=globus_sdk.AccessTokenAuthorizer("expired"))
    with pytest.raises(AuthenticationError):
        client.get_run(TIMER_ID, RUN_ID)
    assert len(seen.requests) == 1


class RefreshingAuthorizer:
    """Like globus-sdk's renewing authorizers: a new token after handle_missing_authorization."""

    def __init__(self, tokens: list[str], can_refresh: bool = True) -> None:
        self.tokens = tokens
        self.can_refresh = can_refresh
        self.refreshes = 0

    def get_authorization_header(self) -> str:
        return f"Bearer {self.tokens[0]}"

    def handle_missing_authorization(self) -> bool:
        self.refreshes += 1
        if self.can_refresh and len(self.tokens) > 1:
            self.tokens.pop(0)
            return True
        return False


def test_a_401_is_retried_once_after_the_authorizer_refreshes(dual: Dual) -> None:
    seen = Seen(valid=("Bearer fresh",))
    authorizer = RefreshingAuthorizer(["stale", "fresh"])
    client = dual.client(handler=seen, authorizer=authorizer)
    assert client.run_timer(TIMER_ID).id == RUN_ID
    assert seen.auth_headers == ["Bearer stale", "Bearer fresh"]
    assert authorizer.refreshes == 1
    client.get_run(TIMER_ID, RUN_ID)
    assert seen.auth_headers[-1] == "Bearer fresh"


def test_a_second_401_after_a_refresh_is_raised_not_looped(dual: Dual) -> None:
    seen = Seen(valid=())
    authorizer = RefreshingAuthorizer(["a", "b", "c"])
    client = dual.client(handler=seen, authorizer=authorizer)
    with pytest.raises(AuthenticationError):
        client.get_run(TIMER_ID, RUN_ID)
    assert seen.auth_headers == ["Bearer a", "Bearer b"]


def test_an_authorizer_that_cannot_refresh_gives_the_401(dual: Dual) -> None:
    seen = Seen(valid=())
    client = dual.client(handler=seen, authorizer=RefreshingAuthorizer(["a"], can_refresh=False))
    with pytest.raises(AuthenticationError):
        client.get_run(TIMER_ID, RUN_ID)
    assert len(seen.requests) == 1


def test_the_token_is_not_stored_in_the_http_clients_headers(dual: Dual) -> None:
    http = httpx.Client() if not dual.is_async else httpx.AsyncClient()
    client = dual.client(http_client=http)
    assert "authorization" not in client.inner._http.headers
    assert TOKEN not in repr(client.inner)
    assert TOKEN not in repr(vars(client.inner).get("_core"))


# -- base URL ------------------------------------------------------------------------------


def test_default_base_url_is_the_specs_server() -> None:
    spec = yaml.safe_load((ROOT / "spec" / "timers-runs.yaml").read_text())
    assert spec["servers"][0]["url"] == DEFAULT_BASE_URL
    assert TimersClient("t").base_url == DEFAULT_BASE_URL


def test_base_url_precedence_is_argument_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMERS_BASE_URL", "https://env.example/api/v1")
    assert TimersClient("t").base_url == "https://env.example/api/v1"
    assert TimersClient("t", base_url="https://arg.example/x").base_url == "https://arg.example/x"


@pytest.mark.parametrize("base", ["http://127.0.0.1:8123/api/v1", "http://127.0.0.1:8123/api/v1/"])
def test_base_url_with_or_without_trailing_slash_gives_the_same_requests(
    dual: Dual, base: str
) -> None:
    seen = Seen()
    dual.client(handler=seen, base_url=base).get_run(TIMER_ID, RUN_ID)
    assert str(seen.requests[0].url) == (
        f"http://127.0.0.1:8123/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"
    )


@pytest.mark.parametrize(
    "base", ["http://localhost:1/api", "http://127.0.0.1/api", "http://[::1]:9/api"]
)
def test_plain_http_to_loopback_is_allowed(base: str) -> None:
    assert TimersClient("t", base_url=base).base_url == base


def test_plain_http_to_another_host_is_refused_unless_opted_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InvalidArgumentError, match="clear text"):
        TimersClient("t", base_url="http://timers.example.org/api/v1")
    monkeypatch.setenv("TIMERS_BASE_URL", "http://timers.example.org/api/v1")
    with pytest.raises(InvalidArgumentError, match=r"\$TIMERS_BASE_URL|clear text"):
        AsyncTimersClient("t")
    client = TimersClient("t", allow_insecure_http=True)
    assert client.base_url == "http://timers.example.org/api/v1"


@pytest.mark.parametrize(
    "base",
    [
        "ftp://example.org",
        "not a url",
        "https://",
        "https://user:pw@example.org/api",
        "https://example.org/api?x=1",
        "/relative/path",
    ],
)
def test_malformed_base_urls_are_refused(base: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        TimersClient("t", base_url=base)
    assert "pw" not in str(info.value)


# -- timeouts and life cycle ---------------------------------------------------------------


def test_default_timeouts_are_10s_connect_and_30s_read() -> None:
    client = TimersClient("t")
    assert client._http.timeout == httpx.Timeout(30.0, connect=10.0)


def test_a_created_http_client_sends_the_user_agent() -> None:
    client = TimersClient("t")
    assert client._http.headers["user-agent"].startswith("timers-client/0.")
    assert client._http.headers["accept"] == "application/json"


def test_a_float_timeout_applies_to_every_request(dual: Dual) -> None:
    seen = Seen()
    dual.client(handler=seen, timeout=2.5).get_run(TIMER_ID, RUN_ID)
    assert seen.requests[0].extensions["timeout"] == httpx.Timeout(2.5).as_dict()


def test_an_httpx_timeout_is_passed_through(dual: Dual) -> None:
    seen = Seen()
    timeout = httpx.Timeout(5.0, connect=1.0)
    dual.client(handler=seen, timeout=timeout).get_run(TIMER_ID, RUN_ID)
    assert seen.requests[0].extensions["timeout"] == timeout.as_dict()


@pytest.mark.parametrize("bad", [0, -1, "5", True])
def test_bad_timeouts_are_refused(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        TimersClient("t", timeout=bad)  # type: ignore[arg-type]


def test_the_wrong_kind_of_http_client_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match=r"httpx\.AsyncClient"):
        AsyncTimersClient("t", http_client=httpx.Client())  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"httpx\.Client"):
        TimersClient("t", http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_closing_closes_only_the_http_client_it_created() -> None:
    own = TimersClient("t")
    with own:
        pass
    assert own._http.is_closed
    mine = httpx.Client()
    with TimersClient("t", http_client=mine):
        pass
    assert not mine.is_closed
    mine.close()


@pytest.mark.anyio
async def test_async_closing_closes_only_the_http_client_it_created() -> None:
    own = AsyncTimersClient("t")
    async with own:
        pass
    assert own._http.is_closed
    mine = httpx.AsyncClient()
    async with AsyncTimersClient("t", http_client=mine):
        pass
    assert not mine.is_closed
    await mine.aclose()


def test_a_closed_client_raises_a_clear_error() -> None:
    client = TimersClient("t")
    client.close()
    with pytest.raises(UsageError, match="closed"):
        client.get_run(TIMER_ID, RUN_ID)


@pytest.mark.anyio
async def test_a_closed_async_client_raises_a_clear_error() -> None:
    client = AsyncTimersClient("t")
    await client.aclose()
    with pytest.raises(UsageError, match="closed"):
        await client.get_run(TIMER_ID, RUN_ID)


def test_an_async_client_used_from_a_second_event_loop_raises_a_clear_error() -> None:
    import asyncio

    client = AsyncTimersClient(
        TOKEN, http_client=httpx.AsyncClient(transport=httpx.MockTransport(Seen()))
    )
    asyncio.run(client.get_run(TIMER_ID, RUN_ID))
    with pytest.raises(UsageError, match="one http_client per event loop"):  # it is yours
        asyncio.run(client.get_run(TIMER_ID, RUN_ID))


def test_an_authorizer_header_http_cannot_carry_is_refused_without_quoting_it(dual: Dual) -> None:
    class Broken:
        def get_authorization_header(self) -> str:
            return "Bearer SECRET-123\nX-Evil: 1"

    seen = Seen()
    with pytest.raises(InvalidArgumentError) as info:
        dual.client(handler=seen, authorizer=Broken()).get_run(TIMER_ID, RUN_ID)
    assert "SECRET-123" not in str(info.value) and "SECRET-123" not in repr(info.value)
    assert seen.requests == []


def test_closing_an_async_client_from_another_event_loop_once_its_own_ended_closes_it() -> None:
    import asyncio

    client = AsyncTimersClient(TOKEN)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(Seen()))  # owned, mocked
    asyncio.run(client.get_run(TIMER_ID, RUN_ID))
    asyncio.run(client.aclose())
    assert client._http.is_closed
