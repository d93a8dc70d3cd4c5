"""The token never shows up in logs, reprs, error messages or tracebacks."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable

import httpx
import pytest
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual

from timers import AsyncTimersClient, TimersClient, TimersError


def scripted(responses: list[object]) -> httpx.MockTransport:
    """Answers with each item in turn: an httpx.Response, or an exception to raise."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, httpx.Response)
        return item

    return httpx.MockTransport(handler)


def error(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": "E", "message": f"echo {status}"}, headers=headers)


SCENARIOS: dict[str, Callable[[], list[object]]] = {
    "success": lambda: [httpx.Response(200, json=run_json())],
    "401": lambda: [error(401)],
    "403 echoing the header": lambda: [
        httpx.Response(403, json={"code": "E", "message": "no", "seen": "Bearer <redacted>"})
    ],
    "404": lambda: [error(404)],
    "429 then success": lambda: [
        error(429, **{"retry-after": "1"}),
        httpx.Response(200, json=run_json()),
    ],
    "429 huge": lambda: [error(429, **{"retry-after": "99999"})],
    "503 retried to exhaustion": lambda: [error(503)],
    "connection refused then success": lambda: [
        httpx.ConnectError("refused"),
        httpx.Response(200, json=run_json()),
    ],
    "read timeout": lambda: [httpx.ReadTimeout("timed out")],
    "invalid json": lambda: [
        httpx.Response(200, content=b"{", headers={"content-type": "application/json"})
    ],
}


def exercise(dual: Dual, make: Callable[[], list[object]]) -> list[BaseException]:
    raised: list[BaseException] = []
    for op, args in (
        ("get_run", (TIMER_ID, RUN_ID)),
        ("list_runs", (TIMER_ID,)),
        ("run_timer", (TIMER_ID,)),
    ):
        body = make()
        if op == "list_runs":
            body = [
                httpx.Response(200, json=page_json([run_json()]))
                if isinstance(r, httpx.Response) and r.status_code == 200 and r.content != b"{"
                else r
                for r in body
            ]
        client = dual.client(scripted(body), validate=False)
        assert TOKEN not in repr(client.inner) and TOKEN not in str(client.inner)
        try:
            getattr(client, op)(*args)
        except TimersError as exc:
            raised.append(exc)
    return raised


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_token_never_appears_in_logs_errors_or_tracebacks(
    dual: Dual, scenario: str, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "timers", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    raised = exercise(dual, SCENARIOS[scenario])
    everything = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for exc in raised:
        everything += str(exc) + repr(exc)
        everything += "".join(traceback.format_exception(exc))
        everything += repr(vars(exc)) if hasattr(exc, "__dict__") else ""
    assert "GET" in caplog.text or "POST" in caplog.text or raised
    assert TOKEN not in everything
    assert "Authorization" not in caplog.text and "authorization" not in caplog.text


def test_debug_log_lines_have_method_path_status_and_time(
    dual: Dual, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="timers")
    answer = httpx.Response(200, json=run_json(), headers={"x-request-id": "req-7"})
    dual.client(scripted([answer])).get_run(TIMER_ID, RUN_ID)
    records = [r for r in caplog.records if r.name == "timers"]
    (line,) = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert re.fullmatch(  # each attempt's own request id too
        rf"GET /api/v1/timers/{TIMER_ID}/runs/{RUN_ID} -> 200 in \d+\.\d ms \(request id req-7\)",
        line,
    )
    # One INFO line per request: method, path, status, elapsed, retries, request id.
    (summary,) = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert re.fullmatch(
        rf"GET /api/v1/timers/{TIMER_ID}/runs/{RUN_ID} -> 200 in \d+\.\d ms "
        r"\(0 retries, request id req-7\)",
        summary,
    ), summary


def test_retries_are_logged_without_secrets(dual: Dual, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="timers")
    responses = [error(503), httpx.Response(200, json=run_json())]
    dual.client(scripted(responses), validate=False).get_run(TIMER_ID, RUN_ID)
    messages = [r.getMessage() for r in caplog.records if r.name == "timers"]
    assert len(messages) == 2
    assert "retrying GET" in messages[0] and "(retry 1 of 3) after status 503" in messages[0]
    assert messages[1].endswith("(1 retry, request id -)")


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
def test_client_repr_shows_where_not_who(cls: type) -> None:
    client = cls(TOKEN, base_url="http://127.0.0.1:9/api/v1")
    text = repr(client)
    assert "http://127.0.0.1:9/api/v1" in text
    assert TOKEN not in text


def test_httpx_refusing_a_request_is_not_retried_and_its_text_is_not_quoted(dual: Dual) -> None:
    # h11's message for a refused header quotes the header, i.e. possibly the token.
    calls: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.LocalProtocolError(f"Illegal header value b'Bearer {TOKEN}'")

    client = dual.client(httpx.MockTransport(refuse), validate=False)
    for call in (lambda: client.get_run(TIMER_ID, RUN_ID), lambda: client.run_timer(TIMER_ID)):
        with pytest.raises(TimersError) as info:
            call()
        assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
        assert "not valid HTTP" in str(info.value)
        assert getattr(info.value, "outcome_unknown", None) is False
    assert len(calls) == 2 and dual.clock.sleeps == []
