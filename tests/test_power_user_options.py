"""What power users reach for: per-call options (``with_options``), request ids on results,
and ``$TIMERS_LOG``."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual

from timers import AsyncTimersClient, NotFoundError, RetryPolicy, TimersClient, UsageError
from timers.testing import FakeTimersService, serve


class _Counting(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def get_request(self) -> Any:
        self.connections += 1
        return super().get_request()


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps(run_json()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", f"req-{self.server.connections}-{self.path[-4:]}")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[tuple[_Counting, str]]:
    server = _Counting(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_port}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- with_options -------------------------------------------------------------------------------


def test_with_options_shares_the_pool_and_leaves_the_original_alone(
    counting_server: tuple[_Counting, str],
) -> None:
    server, base_url = counting_server
    with TimersClient(TOKEN, base_url=base_url) as client:
        patient = client.with_options(timeout=120, max_retries=7)
        assert type(patient) is TimersClient
        assert patient.retry == RetryPolicy(max_retries=7) and client.retry == RetryPolicy()
        assert patient._core.attempt_timeout == 120.0 and client._core.attempt_timeout == 60.0
        for c in (client, patient, client, patient):
            assert c.get_run(TIMER_ID, RUN_ID).id == RUN_ID
        assert server.connections == 1  # one pool, one kept-alive connection
        patient.close()  # does not close the pool it shares
        assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID
    with pytest.raises(UsageError):  # closing the original closed the shared pool
        patient.get_run(TIMER_ID, RUN_ID)


def test_async_with_options_shares_the_pool_and_leaves_the_original_alone(
    counting_server: tuple[_Counting, str],
) -> None:
    server, base_url = counting_server

    async def main() -> None:
        async with AsyncTimersClient(TOKEN, base_url=base_url) as client:
            quick = client.with_options(timeout=2, retry=RetryPolicy(max_retries=0))
            assert type(quick) is AsyncTimersClient and quick.retry.max_retries == 0
            assert client.retry.max_retries == 3
            for c in (client, quick, quick, client):
                assert (await c.get_run(TIMER_ID, RUN_ID)).id == RUN_ID
            assert server.connections == 1
            await quick.aclose()
            assert (await client.get_run(TIMER_ID, RUN_ID)).id == RUN_ID
        with pytest.raises(UsageError):
            await quick.get_run(TIMER_ID, RUN_ID)

    asyncio.run(main())


def test_with_options_checks_its_arguments_like_the_constructor() -> None:
    client = TimersClient("t")
    with pytest.raises(ValueError, match="give max_retries or retry, not both"):
        client.with_options(max_retries=1, retry=RetryPolicy())
    with pytest.raises(ValueError, match="timeout must be"):
        client.with_options(timeout=-1)
    same = client.with_options()
    assert same.retry == client.retry and same.base_url == client.base_url


# -- request ids ----------------------------------------------------------------------------------


def test_runs_and_pages_carry_the_request_id_of_their_answer(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        rid = {"headers": {"x-request-id": f"rid-{request.url.path.rsplit('/', 1)[-1]}"}}
        if request.url.path.endswith("/runs"):
            return httpx.Response(200, json=page_json([run_json()]), **rid)
        return httpx.Response(200, json=run_json(), **rid)

    client = dual.client(handler=handler)
    run = client.get_run(TIMER_ID, RUN_ID)
    assert run.request_id == f"rid-{RUN_ID}"
    page = client.list_runs(TIMER_ID)
    assert page.request_id == "rid-runs" and page.runs[0].request_id == "rid-runs"
    # Out of equality, hashing and the wire form.
    plain = type(run).from_dict(run.to_dict())
    assert plain.request_id is None and plain == run and hash(plain) == hash(run)
    assert "request_id" not in run.to_dict() and "request_id" not in page.to_dict()
    assert [r.request_id for r in client.iter_runs(TIMER_ID)] == ["rid-runs"]


def test_a_hostile_request_id_is_cleaned(dual: Dual) -> None:
    answer = httpx.Response(
        200, json=run_json(), headers={"x-request-id": f"a\x1b[2J Bearer {TOKEN}"}
    )
    run = dual.client(handler=lambda r: answer, validate=False).get_run(TIMER_ID, RUN_ID)
    assert run.request_id is not None
    assert "\x1b" not in run.request_id and TOKEN not in run.request_id


def test_a_missing_request_id_is_none(dual: Dual) -> None:
    run = dual.client(handler=lambda r: httpx.Response(200, json=run_json())).get_run(
        TIMER_ID, RUN_ID
    )
    assert run.request_id is None


# -- TIMERS_LOG -----------------------------------------------------------------------------------

_SCRIPT = """
import os
from timers import TimersClient
from timers.testing import FakeTimersService, serve
service = FakeTimersService(tokens=[os.environ["T"]])
timer = service.add_timer()
service.seed_history(timer, 3)
with serve(service) as url:
    service.fail_next(1, status=503)
    with TimersClient(os.environ["T"], base_url=url) as client:
        client.list_runs(timer)
print("done")
"""


@pytest.mark.parametrize("app_logging", [False, True])
@pytest.mark.parametrize("level", ["info", "debug", "INFO", ""])
def test_timers_log_sends_one_line_per_request_to_stderr_without_secrets(
    level: str, app_logging: bool
) -> None:
    secret = "tok-LOG-SECRET-0123456789"
    env = {**os.environ, "TIMERS_LOG": level, "T": secret, "PYTHONIOENCODING": "utf-8"}
    # An app that logs to stderr itself: with TIMERS_LOG, each line still comes once.
    setup = "import logging; logging.basicConfig(level=logging.DEBUG)\n" if app_logging else ""
    result = subprocess.run(
        [sys.executable, "-c", setup + _SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "done"
    lines = result.stderr.splitlines()
    assert secret not in result.stderr and "Authorization" not in result.stderr
    if not level:
        app_lines = [line for line in lines if line.startswith("INFO:timers:GET ")]
        assert len(app_lines) == (1 if app_logging else 0)
        assert not [line for line in lines if line.startswith("timers: ")]
        if not app_logging:
            assert lines == []
        return
    assert not [line for line in lines if line.startswith(("INFO:timers:", "DEBUG:timers:"))]
    requests = [line for line in lines if line.startswith("timers: INFO GET ")]
    assert len(requests) == 1
    assert "/api/v1/timers/" in requests[0] and " -> 200 in " in requests[0]
    assert "(1 retry, request id " in requests[0]
    assert sum("retrying GET" in line for line in lines) == 1
    # (The reference service, served in the same process, may log on timers.testing too.)
    attempts = [line for line in lines if line.startswith("timers: DEBUG GET ")]
    assert len(attempts) == (2 if level.lower() == "debug" else 0)  # the 503, then the 200


# --- event hooks of your own http_client ---------------------------------------------------------


def _raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


async def _async_raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


def test_a_response_hook_that_raises_for_the_status_still_gives_the_typed_error() -> None:
    # httpx closes the streamed response when a hook raises: the status is all that is left.
    service = FakeTimersService(tokens=[TOKEN])
    service.add_timer(TIMER_ID)
    with serve(service) as url:
        service.fail_next(2, status=503)
        hooks = {"response": [_raise_for_status]}
        with httpx.Client(event_hooks=hooks) as http:
            client = TimersClient(TOKEN, base_url=url, http_client=http, sleep=lambda s: None)
            assert client.list_runs(TIMER_ID).total == 0  # the two 503s were retried
            with pytest.raises(NotFoundError) as caught:
                client.get_run(TIMER_ID, RUN_ID)
        assert caught.value.status_code == 404 and caught.value.retries_taken == 0
        # The body httpx closed is not read: nothing, not the service's message.
        assert (caught.value.body, caught.value.code, caught.value.message) == (
            None,
            None,
            "Not Found",
        )

        async def main() -> None:
            service.fail_next(1, status=503)
            hooks = {"response": [_async_raise_for_status]}
            async with httpx.AsyncClient(event_hooks=hooks) as http:
                client = AsyncTimersClient(
                    TOKEN, base_url=url, http_client=http, sleep=_no_async_sleep
                )
                assert (await client.list_runs(TIMER_ID)).total == 0
                with pytest.raises(NotFoundError) as caught:
                    await client.get_run(TIMER_ID, RUN_ID)
            assert (caught.value.body, caught.value.message) == (None, "Not Found")

        asyncio.run(main())
    # Each 503 retried once, each 404 final: 3 + 1 requests, then 2 + 1.
    assert [method for method, _ in service.requests] == ["GET"] * 7


async def _no_async_sleep(seconds: float) -> None:
    return None
