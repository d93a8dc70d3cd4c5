"""The reference service's run outcomes and in-process transports, pinned down.

- ``_outcomes``: how long a finished run took (web: 0.2-5 s, 10-60 s when it failed; flow:
  2-600 s; whole milliseconds) and the exact ``result`` of each kind of finished run: a failed
  web call's attempts (1, or 3 twice as often), a failed flow run's state (``FAILED`` twice
  as often as ``INACTIVE``) and the 3-in-4 chance that a failed flow started at all. The
  random source is scripted, so each branch is reached and its every field checked.
- ``_inprocess``: ``service.handle()`` (so ``transport()``) and ``service.mock()`` (respx):
  latency waited through the injected ``sleep`` only when positive, after the request was
  carried out; for async clients awaited (the event loop runs on, a deadline cancels the
  wait) unless a ``sleep`` was given; a dropped connection as ``httpx.RemoteProtocolError``
  tied to its request, the response tied to its request with the reply's headers and body,
  and which URLs a respx router takes (scheme, host, port, path prefix) and the error when
  respx is missing.

(``_listing``'s paging algorithm is pinned by tests/test_reference_service.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import httpx
import pytest
import respx

from timers import MissingExtraError
from timers.testing import DEFAULT_BASE_URL, FakeTimersService
from timers.testing._inprocess import base_path_of
from timers.testing._outcomes import random_uuid, realistic_duration, realistic_result

T = TypeVar("T")

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMER = "12345678-1234-1234-1234-123456789012"

TARGET_URL = "https://example.org/hooks/nightly"
FLOW_ID = "0f0e0d0c-0b0a-4908-8706-050403020100"


class Scripted(random.Random):
    """A ``random.Random`` whose ``random()`` answers ``values`` in turn (then the last one
    again), whose ``choice`` picks by that value too, and which records every ``choice``'s
    options. ``getrandbits`` (so ``random_uuid``) stays seeded."""

    def __init__(self, *values: float) -> None:
        super().__init__(0)
        self.values = list(values)
        self.options: list[tuple[object, ...]] = []

    def random(self) -> float:
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]

    def choice(self, seq: Sequence[T]) -> T:
        self.options.append(tuple(seq))
        return seq[min(int(self.random() * len(seq)), len(seq) - 1)]


def _uuid4(text: object) -> bool:
    return isinstance(text, str) and str(uuid.UUID(text, version=4)) == text


# --- _outcomes: ids ------------------------------------------------------------------------------


def test_random_ids_are_version_4_uuids_fixed_by_the_seed() -> None:
    ids = [random_uuid(random.Random(seed)) for seed in range(20)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)
    assert len(set(ids)) == 20
    assert ids == [random_uuid(random.Random(seed)) for seed in range(20)]


# --- _outcomes: durations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callback", "success", "shortest", "longest"),
    [
        ("web", True, 0.2, 5.0),
        ("web", False, 10.0, 60.0),
        ("flow", True, 2.0, 600.0),
        ("flow", False, 2.0, 600.0),
    ],
)
def test_a_finished_run_took_a_realistic_time_for_its_callback(
    callback: Any, success: bool, shortest: float, longest: float
) -> None:
    assert realistic_duration(Scripted(0.0), callback, success=success) == timedelta(
        seconds=shortest
    )
    assert realistic_duration(Scripted(1.0), callback, success=success) == timedelta(
        seconds=longest
    )


def test_a_run_duration_is_rounded_to_whole_milliseconds() -> None:
    # 2 + 598 * 0.123456 = 75.826688 s
    assert realistic_duration(Scripted(0.123456), "flow", success=True) == timedelta(
        milliseconds=75827
    )
    # 0.2 + 4.8 * 0.5 = 2.6 s
    assert realistic_duration(Scripted(0.5), "web", success=True) == timedelta(milliseconds=2600)


# --- _outcomes: results --------------------------------------------------------------------------


def test_a_successful_web_call_answered_a_2xx_status() -> None:
    rng = Scripted(0.99)
    assert realistic_result(rng, "web", TARGET_URL, success=True) == {
        "status": "success",
        "status_code": 204,
    }
    assert rng.options == [(200, 200, 200, 200, 201, 202, 204)]


@pytest.mark.parametrize(
    ("draw", "code", "attempts"), [(0.0, 500, 1), (0.5, 503, 3), (0.99, 504, 3)]
)
def test_a_failed_web_call_names_its_status_url_and_attempts(
    draw: float, code: int, attempts: int
) -> None:
    rng = Scripted(draw)
    phrase = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
    assert realistic_result(rng, "web", TARGET_URL, success=False) == {
        "status": "failure",
        "status_code": code,
        "error": {
            "code": "CALLBACK_FAILED",
            "message": f"The web callback answered {code} {phrase[code]}.",
            "detail": {"url": TARGET_URL, "attempts": attempts},
        },
    }
    # a failed call was tried once, or (twice as often) three times
    assert rng.options == [(500, 502, 503, 503, 504), (1, 3, 3)]


def test_a_successful_flow_callback_started_a_flow_run() -> None:
    result = realistic_result(Scripted(0.0), "flow", FLOW_ID, success=True)
    assert list(result) == ["status", "run_id"]
    assert result["status"] == "success"
    assert _uuid4(result["run_id"])


@pytest.mark.parametrize(
    ("first", "state"), [(0.0, "FAILED"), (0.5, "FAILED"), (0.7, "INACTIVE"), (0.74, "INACTIVE")]
)
def test_a_failed_flow_run_names_the_state_it_ended_in(first: float, state: str) -> None:
    # the first draw (< 0.75: the flow run started) also picks the state
    rng = Scripted(first)
    result = realistic_result(rng, "flow", FLOW_ID, success=False)
    assert _uuid4(result["run_id"])
    assert result == {
        "status": "failure",
        "run_id": result["run_id"],
        "error": {
            "code": "FLOW_RUN_FAILED",
            "message": f"The flow run ended in state {state}.",
            "detail": {"flow_id": FLOW_ID, "state": state},
        },
    }
    assert rng.options == [("FAILED", "FAILED", "INACTIVE")]


@pytest.mark.parametrize("draw", [0.75, 0.99])
def test_a_flow_that_could_not_be_started_has_no_run_id(draw: float) -> None:
    rng = Scripted(draw)
    assert realistic_result(rng, "flow", FLOW_ID, success=False) == {
        "status": "failure",
        "run_id": None,
        "error": {
            "code": "FLOW_START_FAILED",
            "message": "The flow could not be started: consent is required for its scopes.",
            "detail": {"flow_id": FLOW_ID, "http_status": 403},
        },
    }
    assert rng.options == []


# --- _inprocess: handle() ------------------------------------------------------------------------


def _service(slept: list[float]) -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], seed=3, sleep=slept.append)
    service.add_timer(TIMER)
    return service


def _list_request(base: str = "https://x/api/v1") -> httpx.Request:
    return httpx.Request("GET", f"{base}/timers/{TIMER}/runs", headers=AUTH)


@pytest.mark.parametrize("latency", [0.25, 1.0, 2.5])
def test_handle_waits_out_a_positive_latency_with_the_given_sleep(latency: float) -> None:
    slept: list[float] = []
    service = _service(slept)
    service.latency = latency
    assert service.handle(_list_request()).status_code == 200
    assert slept == [latency]


def test_handle_does_not_sleep_without_latency() -> None:
    slept: list[float] = []
    assert _service(slept).handle(_list_request()).status_code == 200
    assert slept == []


def test_a_dropped_connection_is_a_remote_protocol_error_of_that_request() -> None:
    slept: list[float] = []
    service = _service(slept)
    service.latency = 0.5
    service.drop_next()
    request = _list_request()
    with pytest.raises(httpx.RemoteProtocolError) as caught:
        service.handle(request)
    assert str(caught.value) == "Server disconnected without sending a response."
    assert caught.value.request is request
    assert slept == [0.5]  # the latency passes before the connection drops


def test_handle_answers_with_the_replys_status_headers_and_body() -> None:
    service = _service([])
    service.fail_next(
        status=502,
        headers={"Content-Type": "text/html", "X-Trace": "t-1", "X-Request-Id": "rid"},
        body="<html>Bad gateway</html>",
    )
    request = _list_request()
    response = service.handle(request)
    assert response.request is request
    assert (response.status_code, response.content) == (502, b"<html>Bad gateway</html>")
    assert [(k.lower(), v) for k, v in response.headers.items()] == [
        ("content-type", "text/html"),
        ("x-trace", "t-1"),
        ("x-request-id", "rid"),
        ("content-length", "24"),
    ]


def test_handle_carries_the_request_out_before_it_waits_out_the_latency() -> None:
    # A client that gives up during the latency does not know that its run was created.
    created_when_waiting: list[int] = []
    service = FakeTimersService(
        tokens=[TOKEN], sleep=lambda _: created_when_waiting.append(service.runs_created)
    )
    service.add_timer(TIMER)
    service.latency = 0.5
    request = httpx.Request("POST", f"https://x/api/v1/timers/{TIMER}/run", headers=AUTH)
    assert service.handle(request).status_code == 201
    assert created_when_waiting == [1]


# --- _inprocess: async clients -------------------------------------------------------------------

LATENCY = 0.05  # long enough for a 10 ms heartbeat to beat, short enough for a fast test


async def _heartbeats_during(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[int, int]:
    """``(status, heartbeats)``: how often a 10 ms ticker ran while ``call`` was awaited
    (under whichever event loop runs the test: asyncio or trio)."""
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            await anyio.sleep(0.01)
            beats += 1

    async with anyio.create_task_group() as group:
        group.start_soon(heartbeat)
        await anyio.lowlevel.checkpoint()  # the ticker is started
        response = await call()
        group.cancel_scope.cancel()
    return response.status_code, beats


def _slow_service(**options: Any) -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], **options)
    service.add_timer(TIMER)
    service.latency = LATENCY
    return service


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.parametrize("through", ["transport", "mock"])
async def test_an_async_client_awaits_the_latency_and_the_event_loop_runs_on(
    anyio_backend: str, through: str
) -> None:
    service = _slow_service()
    transport = service.transport() if through == "transport" else None
    router = service.mock() if through == "mock" else contextlib.nullcontext()
    with router:
        async with httpx.AsyncClient(transport=transport, headers=AUTH) as http:
            status, beats = await _heartbeats_during(
                lambda: http.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs")
            )
    assert status == 200
    assert beats >= 2  # blocking in time.sleep, the ticker never ran


@pytest.mark.anyio
@pytest.mark.parametrize("through", ["transport", "mock"])
async def test_an_async_deadline_cuts_the_latency_short_once_the_run_was_created(
    through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The latency wait is watched rather than timed: it must be entered, then ended by the
    # deadline's cancellation, not by the latency running out (nor be a blocking sleep).
    waits: list[tuple[float, str]] = []
    real_sleep = anyio.sleep

    async def watched_sleep(seconds: float) -> None:
        try:
            await real_sleep(seconds)
        except asyncio.CancelledError:
            waits.append((seconds, "cancelled"))
            raise
        waits.append((seconds, "waited in full"))

    monkeypatch.setattr(anyio, "sleep", watched_sleep)
    service = _slow_service()
    service.latency = 0.5
    transport = service.transport() if through == "transport" else None
    router = service.mock() if through == "mock" else contextlib.nullcontext()
    with router:
        async with httpx.AsyncClient(transport=transport, headers=AUTH) as http:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.02):
                    await http.post(f"{DEFAULT_BASE_URL}/timers/{TIMER}/run")
    assert waits == [(0.5, "cancelled")]
    assert service.runs_created == 1  # carried out, only the answer was still held back


@pytest.mark.anyio
async def test_a_sleep_given_to_the_service_is_called_as_it_is_by_async_clients_too() -> None:
    slept: list[float] = []
    service = _slow_service(sleep=slept.append)
    async with httpx.AsyncClient(transport=service.transport(), headers=AUTH) as http:
        assert (await http.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs")).status_code == 200
    with service.mock():
        async with httpx.AsyncClient(headers=AUTH) as http:
            assert (await http.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs")).status_code == 200
    assert slept == [LATENCY, LATENCY]


@pytest.mark.anyio
async def test_an_async_client_of_mock_sees_a_dropped_connection_as_with_transport() -> None:
    service = _slow_service()
    service.latency = 0
    service.drop_next(2)
    with service.mock():
        async with httpx.AsyncClient(headers=AUTH) as http:
            with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without"):
                await http.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs")
    async with httpx.AsyncClient(transport=service.transport(), headers=AUTH) as http:
        with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without"):
            await http.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs")
    assert service.requests == [("GET", f"/api/v1/timers/{TIMER}/runs")] * 2


# --- _inprocess: respx ---------------------------------------------------------------------------


def test_mock_without_respx_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "respx", None)  # "import respx" now fails
    with pytest.raises(MissingExtraError) as caught:
        FakeTimersService().mock()
    error = caught.value
    assert str(error) == "service.mock() needs respx: pip install 'timers-client[testing]'"
    assert (error.extra, error.module, error.name) == ("testing", "respx", "respx")
    assert error.__cause__ is None and error.__suppress_context__


def _routed(router: respx.MockRouter, url: str) -> int | None:
    """The status ``url`` gets through ``router``; ``None`` when respx refuses it."""
    with router, httpx.Client() as http:
        try:
            return http.get(url, headers=AUTH).status_code
        except respx.models.AllMockedAssertionError:
            return None


def test_mock_takes_only_the_host_of_its_base_url() -> None:
    service = _service([])
    base = "https://timers.test/api/v1"
    assert _routed(service.mock(base, jobs_base_url=None), f"{base}/timers/{TIMER}/runs") == 200
    assert _routed(service.mock(base, jobs_base_url=None), "https://other.test/api/v1/x") is None


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"http://127.0.0.1:8080/api/v1/timers/{TIMER}/runs", 200),
        (f"http://127.0.0.1:8081/api/v1/timers/{TIMER}/runs", None),  # another port
        (f"http://127.0.0.1/api/v1/timers/{TIMER}/runs", None),  # the default port
        (f"https://127.0.0.1:8080/api/v1/timers/{TIMER}/runs", None),  # another scheme
    ],
)
def test_mock_takes_only_the_port_and_scheme_of_its_base_url(url: str, status: int | None) -> None:
    service = _service([])
    assert _routed(service.mock("http://127.0.0.1:8080/api/v1", jobs_base_url=None), url) == status


@pytest.mark.parametrize(
    ("base", "url", "status"),
    [
        ("https://timers.test/api/v1", f"https://timers.test/api/v1/timers/{TIMER}/runs", 200),
        ("https://timers.test/api/v1", f"https://timers.test/other/timers/{TIMER}/runs", None),
        ("https://timers.test/api/v1", f"https://timers.test/timers/{TIMER}/runs", None),
        # a path that only starts with the same letters is not under the base path
        ("https://timers.test/api/v1", f"https://timers.test/api/v1beta/timers/{TIMER}/runs", None),
        # a trailing slash on the base URL does not matter: its own path is routed too
        ("https://timers.test/api/v1/", f"https://timers.test/api/v1/timers/{TIMER}/runs", 200),
        ("https://timers.test/api/v1/", "https://timers.test/api/v1", 404),
        ("https://timers.test/api/v1/", f"https://timers.test/api/timers/{TIMER}/runs", None),
        # a one-letter base path is a prefix like any other
        ("https://timers.test/X", f"https://timers.test/X/timers/{TIMER}/runs", 200),
        ("https://timers.test/X", f"https://timers.test/Y/timers/{TIMER}/runs", None),
        # the root takes every path of the host (the runs API answers right under it only)
        ("https://timers.test", f"https://timers.test/anything/timers/{TIMER}/runs", 404),
        ("https://timers.test/", f"https://timers.test/timers/{TIMER}/runs", 200),
    ],
)
def test_mock_takes_only_paths_under_its_base_path(base: str, url: str, status: int | None) -> None:
    service = _service([])
    assert _routed(service.mock(base, jobs_base_url=None), url) == status


def test_mock_with_a_double_slash_base_path_takes_only_paths_under_it() -> None:
    service = _service([])
    router = service.mock("https://timers.test//api", jobs_base_url=None)
    assert _routed(router, f"https://timers.test/other/timers/{TIMER}/runs") is None
    assert _routed(router, f"https://timers.test//api/timers/{TIMER}/runs") == 200


@pytest.mark.anyio
async def test_an_async_client_without_latency_never_calls_the_sleep_given() -> None:
    slept: list[float] = []
    service = FakeTimersService(tokens=[TOKEN], sleep=slept.append)
    service.add_timer(TIMER)
    url = f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs"
    async with httpx.AsyncClient(transport=service.transport(), headers=AUTH) as http:
        assert (await http.get(url)).status_code == 200
        assert slept == []
        service.latency = 0.25
        assert (await http.get(url)).status_code == 200
    assert slept == [0.25]


def test_the_base_path_of_a_url_leaves_out_its_query_and_trailing_slash() -> None:
    assert base_path_of("https://x.example/api/v1/?k=v") == "/api/v1"
    assert base_path_of("https://x.example/a%20b?") == "/a%20b"
    assert base_path_of("https://x.example") == ""


def test_mock_without_a_jobs_base_url_answers_the_jobs_api_at_the_roots_paths_only() -> None:
    service = _service([])
    router = service.mock("https://timers.test", jobs_base_url=None)
    assert _routed(router, f"https://timers.test/jobs/{TIMER}") == 200
    assert _routed(service.mock("https://timers.test", jobs_base_url=None),
                   f"https://timers.test/x/jobs/{TIMER}") == 404  # fmt: skip


@pytest.mark.anyio
async def test_an_async_client_of_mock_is_routed_as_a_sync_one() -> None:
    # The jobs API is not under the runs API's base path: 404 there, for both kinds of client.
    service = _service([])
    url = f"{DEFAULT_BASE_URL}/jobs/{TIMER}"
    assert _routed(service.mock(), url) == 404
    with service.mock():
        async with httpx.AsyncClient() as http:
            assert (await http.get(url, headers=AUTH)).status_code == 404


def test_a_sync_client_of_mock_waits_out_the_latency_with_time_sleep_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    service = FakeTimersService(tokens=[TOKEN])
    service.add_timer(TIMER)
    service.latency = 0.25
    assert _routed(service.mock(), f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs") == 200
    assert slept == [0.25]


@pytest.mark.parametrize("base_url", [5, "http://[::1", "ftp://timers.test", "/api/v1"])
def test_mock_refuses_a_base_url_that_is_not_an_absolute_http_url(base_url: Any) -> None:
    with pytest.raises(ValueError, match="base_url must be an absolute http"):
        _service([]).mock(base_url)
