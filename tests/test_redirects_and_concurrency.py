"""Redirects never carry the token elsewhere; one client serves many threads or coroutines."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers import APIConnectionError, APIError, AsyncTimersClient, TimersClient

BASE = "https://timer.automate.globus.org/api/v1"
RUN_PATH = f"/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"


class Redirector:
    def __init__(self, location: str) -> None:
        self.location = location
        self.seen: list[tuple[str, str | None]] = []
        self.paths = {RUN_PATH}  # what is redirected

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((str(request.url), request.headers.get("authorization")))
        if request.url.host == "timer.automate.globus.org" and request.url.path in self.paths:
            return httpx.Response(307, headers={"location": self.location})
        return httpx.Response(200, json=run_json())


def test_redirects_are_not_followed_by_default() -> None:
    service = Redirector("https://elsewhere.example/steal")
    client = TimersClient(TOKEN, http_client=httpx.Client(transport=httpx.MockTransport(service)))
    with pytest.raises(APIError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.status_code == 307
    assert len(service.seen) == 1


@pytest.mark.parametrize("operation", ["get_run", "run_timer"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_redirect_whose_location_is_no_url_is_said_once_not_retried(
    mode: str, operation: str
) -> None:
    # httpx raises while preparing the redirect it will not follow (a RemoteProtocolError):
    # that was retried as a failed connection, and run_timer's outcome called unknown.
    service = Redirector("http://[::1")
    service.paths = {RUN_PATH, f"/api/v1/timers/{TIMER_ID}/run"}
    args = (TIMER_ID, RUN_ID) if operation == "get_run" else (TIMER_ID,)
    if mode == "sync":
        transport = httpx.MockTransport(service)
        client = TimersClient(TOKEN, http_client=httpx.Client(transport=transport))
        with pytest.raises(APIConnectionError) as info:
            getattr(client, operation)(*args)
    else:

        async def call() -> None:
            http = httpx.AsyncClient(transport=httpx.MockTransport(service))
            await getattr(AsyncTimersClient(TOKEN, http_client=http), operation)(*args)

        with pytest.raises(APIConnectionError) as info:
            asyncio.run(call())
    assert len(service.seen) == 1
    assert info.value.retries_taken == 0 and info.value.outcome_unknown is False
    assert str(info.value).startswith(
        "request failed (the service answered with a redirect to a Location that is not a "
        "URL; if the service has moved, pass its new URL as base_url): RemoteProtocolError: "
        "Invalid URL in location header"
    )


def test_a_followed_redirect_to_another_origin_does_not_carry_the_token() -> None:
    service = Redirector("https://elsewhere.example/steal")
    http = httpx.Client(transport=httpx.MockTransport(service), follow_redirects=True)
    TimersClient(TOKEN, http_client=http).get_run(TIMER_ID, RUN_ID)
    assert service.seen == [
        (BASE + RUN_PATH.removeprefix("/api/v1"), f"Bearer {TOKEN}"),
        ("https://elsewhere.example/steal", None),
    ]


@pytest.mark.anyio
async def test_a_followed_redirect_to_another_origin_does_not_carry_the_token_async() -> None:
    service = Redirector("http://elsewhere.example/steal")
    http = httpx.AsyncClient(transport=httpx.MockTransport(service), follow_redirects=True)
    await AsyncTimersClient(TOKEN, http_client=http).get_run(TIMER_ID, RUN_ID)
    assert [auth for _, auth in service.seen] == [f"Bearer {TOKEN}", None]


def test_a_followed_redirect_within_the_origin_keeps_the_token() -> None:
    service = Redirector(f"{BASE}/timers/{TIMER_ID}/runs/{RUN_ID}/moved")
    http = httpx.Client(transport=httpx.MockTransport(service), follow_redirects=True)
    TimersClient(TOKEN, http_client=http).get_run(TIMER_ID, RUN_ID)
    assert [auth for _, auth in service.seen] == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]


def test_one_client_is_safe_to_share_between_threads() -> None:
    threads_seen: set[int] = set()
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            threads_seen.add(threading.get_ident())
        run_id = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=run_json(id=run_id))

    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(200)]
    with (
        TimersClient(
            TOKEN, http_client=httpx.Client(transport=httpx.MockTransport(handler))
        ) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        runs = list(pool.map(lambda rid: client.get_run(TIMER_ID, rid), ids))
    assert [r.id for r in runs] == ids
    assert len(threads_seen) > 1


@pytest.mark.anyio
async def test_one_async_client_serves_concurrent_calls_in_its_loop() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        return httpx.Response(200, json=run_json(id=request.url.path.rsplit("/", 1)[1]))

    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(100)]
    async with AsyncTimersClient(
        TOKEN, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ) as client:
        runs = await asyncio.gather(*(client.get_run(TIMER_ID, rid) for rid in ids))
    assert [r.id for r in runs] == ids
