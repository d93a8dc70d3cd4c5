"""A hostile server cannot make the client hold unbounded memory or print unbounded text.

Memory is measured in a fresh subprocess running the client (the hostile server stays in
the test process): its peak resident set during the call (``VmHWM``, reset just before it by
writing 5 to ``/proc/self/clear_refs``), minus its resident set then (``VmRSS``), after a
warm-up request has imported and connected everything. Why RSS and not ``tracemalloc``: RSS
counts every byte the process really holds, including what zlib, the socket layer and C
extensions allocate outside Python's allocators; ``tracemalloc`` sees only Python allocations
and slows each of them. Why not ``ru_maxrss``: Linux keeps it across ``exec``, so a child of a
big pytest worker would report the worker's peak. The bound is 200 MiB; the client inflates
compressed bodies itself, only as far as ``max_response_size`` (32 MiB).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import (
    Connection,
    Request,
    Servers,
    call,
    chunk,
    chunked_head,
    each_request,
    gzip_bomb,
    gzip_head,
    http_response,
    json_response,
    pieces,
    raised,
)

from timers import (
    APITimeoutError,
    BadRequestError,
    PaginationError,
    ResponseValidationError,
    ServerError,
    TimersError,
)
from timers._errors import ResponseTooLargeError
from timers.cli._app import cli

MIB = 1024 * 1024
MEMORY_BOUND_KIB = 200 * 1024
WARM_RUN_ID = "00000000-0000-4000-8000-000000000000"
HAVE_AIOHTTP = importlib.util.find_spec("aiohttp") is not None
MEMORY_MODES = [
    "sync",
    "async",
    pytest.param(
        "aiohttp", marks=pytest.mark.skipif(not HAVE_AIOHTTP, reason="aiohttp not installed")
    ),
]


# -- memory, measured in a subprocess ----------------------------------------------------------

CLIENT = r"""
import asyncio, json, sys

from timers import AsyncTimersClient, TimersClient, TimersError

base_url, mode, timer_id, run_id, warm_id = sys.argv[1:6]


def status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_kib():
    # The peak (VmHWM) starts again from here: writing 5 to clear_refs resets it (Linux).
    # Not ru_maxrss: it keeps the high-water mark of the process this one was forked from.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return status_kib("VmRSS")


def report(start, error):
    peak = status_kib("VmHWM")
    print(json.dumps({
        "growth_kib": peak - start,
        "classes": [cls.__name__ for cls in type(error).__mro__] if error else [],
        "retries": getattr(error, "retries_taken", None),
        "text_length": len(str(error)) if error else 0,
    }))


if mode == "sync":
    with TimersClient("tok-memory-0001", base_url=base_url, sleep=lambda s: None) as client:
        client.get_run(timer_id, warm_id)  # imports, connection, parsing: all before measuring
        start, error = rss_kib(), None
        try:
            client.get_run(timer_id, run_id)
        except TimersError as exc:
            error = exc
        report(start, error)
else:
    async def no_sleep(seconds):
        pass

    async def main():
        extra = {"http_backend": "aiohttp"} if mode == "aiohttp" else {}
        async with AsyncTimersClient(
            "tok-memory-0001", base_url=base_url, sleep=no_sleep, **extra
        ) as client:
            await client.get_run(timer_id, warm_id)
            start, error = rss_kib(), None
            try:
                await client.get_run(timer_id, run_id)
            except TimersError as exc:
                error = exc
            report(start, error)

    asyncio.run(main())
"""


def hostile_run(answer: Callable[[Connection], None]) -> Callable[[Request, Connection], None]:
    """Serves the warm-up run normally, and ``answer`` for the run under test."""

    def respond(request: Request, conn: Connection) -> None:
        if WARM_RUN_ID in request.path:
            conn.send(json_response(200, run_json(id=WARM_RUN_ID)))
        else:
            answer(conn)

    return respond


def measure(base_url: str, mode: str) -> dict[str, Any]:
    """The client's peak memory growth over one ``get_run``, and what it raised."""
    argv = [sys.executable, "-c", CLIENT, base_url, mode, TIMER_ID, RUN_ID, WARM_RUN_ID]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _gzip_bomb(status: int, inflated_mib: int) -> Callable[[Connection], None]:
    def answer(conn: Connection) -> None:
        body = gzip_bomb(inflated_mib)
        conn.send(gzip_head(status, len(body)))
        conn.send_all(pieces(body))

    return answer


def _plain_200_mb(conn: Connection) -> None:
    conn.send(http_response(200, content_length=200 * 1000 * 1000))
    block = b" " * MIB  # JSON whitespace, forever as far as the client can tell
    while True:
        conn.send(block)


def _endless_chunks(conn: Connection) -> None:
    conn.send(chunked_head(200))
    block = chunk(b"0" * MIB)
    while True:
        conn.send(block)


def hostile_requests(servers: Servers) -> int:
    return sum(
        1 for server in servers.started for r in server.requests if WARM_RUN_ID not in r.path
    )


@pytest.mark.parametrize("mode", MEMORY_MODES)
def test_a_1_mib_gzip_body_inflating_to_1_gib_is_too_large_and_never_inflated_whole(
    servers: Servers, mode: str
) -> None:
    assert len(gzip_bomb(1024)) < 1.1 * MIB  # 1 MiB on the wire, 1 GiB inflated
    server = servers(each_request(hostile_run(_gzip_bomb(200, 1024))))
    outcome = measure(server.base_url, mode)
    assert outcome["classes"][:2] == ["ResponseTooLargeError", "ResponseValidationError"]
    assert hostile_requests(servers) == 1  # a 2xx is never retried
    assert outcome["growth_kib"] < MEMORY_BOUND_KIB, outcome


def _gzip_bomb_in_pieces(conn: Connection) -> None:
    """The 1 GiB bomb, its first 30 KiB (30 MiB inflated, under max_response_size) in 1 KiB
    pieces the client reads one by one, then the rest at once."""
    body = gzip_bomb(1024)
    conn.send(gzip_head(200, len(body)))
    piece, sent = 1024, 0
    for _ in range(30):
        conn.send(body[sent : sent + piece])
        sent += piece
        conn.pause(0.02)
    conn.send_all(pieces(body[sent:]))


@pytest.mark.parametrize("mode", MEMORY_MODES)
def test_a_gzip_bomb_arriving_in_small_pieces_keeps_peak_memory_under_200_mib(
    servers: Servers, mode: str
) -> None:
    server = servers(each_request(hostile_run(_gzip_bomb_in_pieces)))
    outcome = measure(server.base_url, mode)
    assert outcome["classes"][0] == "ResponseTooLargeError"
    assert outcome["growth_kib"] < MEMORY_BOUND_KIB, outcome


@pytest.mark.parametrize("mode", MEMORY_MODES)
def test_a_500_gzip_bomb_is_not_inflated_on_each_retry(servers: Servers, mode: str) -> None:
    server = servers(each_request(hostile_run(_gzip_bomb(500, 512))))
    outcome = measure(server.base_url, mode)
    assert outcome["classes"][0] == "ServerError"
    assert outcome["retries"] == 3 and hostile_requests(servers) == 4
    # Four answers of 512 MiB each: holding even one whole would blow the bound.
    assert outcome["growth_kib"] < MEMORY_BOUND_KIB, outcome
    assert outcome["text_length"] < 2000


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_200_mb_plain_body_is_too_large_and_memory_stays_bounded(
    servers: Servers, mode: str
) -> None:
    server = servers(each_request(hostile_run(_plain_200_mb)))
    outcome = measure(server.base_url, mode)
    assert outcome["classes"][0] == "ResponseTooLargeError"
    assert outcome["growth_kib"] < MEMORY_BOUND_KIB, outcome


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_endless_chunked_body_ends_at_max_response_size_with_bounded_memory(
    servers: Servers, mode: str
) -> None:
    server = servers(each_request(hostile_run(_endless_chunks)))
    outcome = measure(server.base_url, mode)
    assert outcome["classes"][0] == "ResponseTooLargeError"
    assert outcome["growth_kib"] < MEMORY_BOUND_KIB, outcome


# -- endless bodies, in process ----------------------------------------------------------------


def test_an_endless_slow_chunked_body_ends_at_the_timeout(dual: Dual, servers: Servers) -> None:
    def respond(request: Request, conn: Connection) -> None:
        conn.send(chunked_head(200))
        while True:
            conn.send(chunk(b" "))
            conn.pause(0.1)

    server = servers(each_request(respond))
    client = dual.client(base_url=server.base_url, timeout=1.0, max_retries=0, clock=None)
    started = time.monotonic()
    exc = raised(lambda: client.get_run(TIMER_ID, RUN_ID))
    assert isinstance(exc, APITimeoutError), exc
    assert time.monotonic() - started < 1.0 + 1.0


def test_an_endless_chunked_error_body_is_read_only_up_to_its_limit(
    dual: Dual, servers: Servers
) -> None:
    def respond(request: Request, conn: Connection) -> None:
        conn.send(chunked_head(503))
        while True:
            conn.send(chunk(b"x" * 65536))

    server = servers(each_request(respond))
    exc = raised(lambda: dual.client(base_url=server.base_url).get_run(TIMER_ID, RUN_ID))
    assert isinstance(exc, ServerError) and exc.retries_taken == 3
    assert len(server.requests) == 4
    assert len(str(exc)) < 2000 and len(exc.message) < 2000


# -- max_response_size -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "outcome_unknown"),
    [("get_run", False), ("list_runs", False), ("iter_runs", False), ("run_timer", True)],
)
def test_a_max_response_size_below_a_normal_answer_is_response_too_large(
    dual: Dual, servers: Servers, operation: str, outcome_unknown: bool
) -> None:
    def respond(request: Request, conn: Connection) -> None:
        if request.method == "POST":
            conn.send(json_response(201, run_json(status="pending", end_time=None, result=None)))
        elif request.path.endswith("/runs"):
            conn.send(json_response(200, page_json([run_json()])))
        else:
            conn.send(json_response(200, run_json()))

    server = servers(each_request(respond))
    client = dual.client(base_url=server.base_url, max_response_size=100)
    exc = raised(lambda: call(client, operation))
    assert type(exc) is ResponseTooLargeError and isinstance(exc, ResponseValidationError)
    assert exc.limit == 100 and exc.status_code in (200, 201)
    assert exc.outcome_unknown is outcome_unknown
    assert len(server.requests) == 1  # never retried, whatever the method
    if outcome_unknown:
        assert "may or may not have been created" in str(exc)


# -- bounded error texts -----------------------------------------------------------------------


def _huge_2xx_field(request: Request, conn: Connection) -> None:
    head = json.dumps(run_json())[:-1].encode() + b', "id": "'
    size = 200 * 1000 * 1000
    tail = b'"}'
    conn.send(http_response(200, head, content_length=len(head) + size + len(tail)))
    block = b"a" * MIB
    for _ in range(size // MIB):
        conn.send(block)
    conn.send(b"a" * (size % MIB) + tail)


def _huge_error_message(request: Request, conn: Connection) -> None:
    size = 200 * 1000 * 1000
    head = b'{"code": "TOO_MUCH", "message": "'
    conn.send(http_response(400, head, content_length=len(head) + size + 2))
    block = b"m" * MIB
    while True:
        conn.send(block)


def _json_answer(status: int, body: Any, **headers: str | bytes):
    def respond(request: Request, conn: Connection) -> None:
        conn.send(json_response(status, body, headers=list(headers.items())))

    return respond


BIG = 60 * 1000  # fits (with the rest) in the 64 KiB of an error body that is read
BOUNDED_TEXTS: dict[str, tuple[Callable[[Request, Connection], None], str, type[TimersError]]] = {
    "200 MB message in an error body": (_huge_error_message, "get_run", BadRequestError),
    "5 MB code in an error body": (
        _json_answer(400, {"code": "C" * 5_000_000, "message": "m"}),
        "get_run",
        BadRequestError,
    ),
    "60 KB code": (_json_answer(400, {"code": "C" * BIG}), "get_run", BadRequestError),
    "60 KB message": (_json_answer(400, {"message": "M" * BIG}), "get_run", BadRequestError),
    "60 KB request_id": (
        _json_answer(400, {"code": "E", "message": "m", "request_id": "R" * BIG}),
        "get_run",
        BadRequestError,
    ),
    "60 KB X-Request-Id header": (
        _json_answer(400, {"code": "E", "message": "m"}, **{"X-Request-Id": "R" * BIG}),
        "get_run",
        BadRequestError,
    ),
    "1500 sub-errors": (
        _json_answer(400, {"errors": [{"code": f"E{i}", "message": f"m{i}"} for i in range(1500)]}),
        "list_runs",
        BadRequestError,
    ),
    "60 KB sub-error messages": (
        _json_answer(400, {"errors": [{"message": "S" * 15000}, {"message": "T" * 15000}]}),
        "list_runs",
        BadRequestError,
    ),
    "5 MB start_time in a 2xx": (
        _json_answer(200, run_json(start_time="2" * 5_000_000)),
        "get_run",
        ResponseValidationError,
    ),
    "5 MB next_page": (
        _json_answer(200, page_json([run_json()], next_page="n" * 5_000_000)),
        "iter_runs",
        PaginationError,
    ),
    "200 MB bad field in a 2xx": (_huge_2xx_field, "get_run", ResponseValidationError),
}


def _bounded_params() -> list[Any]:
    slow = {"200 MB bad field in a 2xx"}
    return [
        pytest.param(name, id=name, marks=[pytest.mark.slow] if name in slow else [])
        for name in BOUNDED_TEXTS
    ]


@pytest.mark.parametrize("scenario", _bounded_params())
def test_error_texts_stay_bounded_whatever_the_server_sends(
    dual: Dual, servers: Servers, scenario: str
) -> None:
    respond, operation, expected = BOUNDED_TEXTS[scenario]
    server = servers(each_request(respond))
    # Large enough for the 200 MB field to be read and parsed: its text is what is bounded.
    client = dual.client(base_url=server.base_url, max_response_size=256 * MIB)
    exc = raised(lambda: call(client, operation))
    assert isinstance(exc, expected), exc
    assert len(str(exc)) < 2000
    assert len(repr(exc)) < 2100


# -- one line, nothing a terminal would act on -------------------------------------------------

ACTIVE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
NASTY = "a\nb\r\nc\x1b[2J\x1b]0;pwned\x07d\x9b31m\u202eevil\x00"

ESCAPES: dict[str, tuple[Callable[[Request, Connection], None], str, type[TimersError]]] = {
    "error body fields": (
        _json_answer(
            409,
            {
                "code": f"CODE{NASTY}",
                "message": f"message {NASTY}",
                "request_id": f"req{NASTY}",
                "errors": [{"code": NASTY, "message": f"sub {NASTY}"}],
            },
        ),
        "get_run",
        TimersError,
    ),
    "fastapi detail": (
        _json_answer(422, {"detail": [{"loc": ["query", NASTY], "msg": NASTY, "type": NASTY}]}),
        "list_runs",
        TimersError,
    ),
    "html title": (
        lambda request, conn: conn.send(
            http_response(
                502,
                f"<html><title>{NASTY}</title></html>".encode(),
                content_type="text/html",
            )
        ),
        "get_run",
        ServerError,
    ),
    "plain text body": (
        lambda request, conn: conn.send(
            http_response(500, NASTY.encode(), content_type="text/plain")
        ),
        "get_run",
        ServerError,
    ),
    "obs-text X-Request-Id and reason phrase": (
        lambda request, conn: conn.send(
            http_response(
                404,
                b"",
                reason=b"Not \x9b2J Found",
                headers=[("X-Request-Id", b"id-\x9b31m-\x85-end")],
            )
        ),
        "get_run",
        TimersError,
    ),
    "2xx field": (
        _json_answer(200, run_json(id=NASTY), **{"X-Request-Id": b"\x9b2J"}),
        "get_run",
        ResponseValidationError,
    ),
    "2xx page field": (
        _json_answer(200, page_json([run_json(start_time=NASTY)])),
        "list_runs",
        ResponseValidationError,
    ),
    "repeated next_page": (
        _json_answer(200, page_json([run_json()], next_page=NASTY)),
        "iter_runs",
        PaginationError,
    ),
}


@pytest.mark.parametrize("scenario", ESCAPES)
def test_newlines_and_escapes_from_the_server_never_break_the_one_line_error(
    dual: Dual, servers: Servers, scenario: str
) -> None:
    respond, operation, expected = ESCAPES[scenario]
    server = servers(each_request(respond))
    exc = raised(lambda: call(dual.client(base_url=server.base_url), operation))
    assert isinstance(exc, expected), exc
    text = str(exc)
    assert ACTIVE.search(text) is None, repr(text)
    assert "\n" not in text and "\x1b" not in text


def test_a_cli_error_line_stays_one_line_whatever_the_server_sends(servers: Servers) -> None:
    respond, _, _ = ESCAPES["error body fields"]
    server = servers(each_request(respond))
    env = {"TIMERS_BASE_URL": server.base_url, "TIMERS_ACCESS_TOKEN": "tok-cli-0001"}
    result = CliRunner().invoke(cli, ["runs", "show", TIMER_ID, RUN_ID], env=env)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("timers: error: 409 ")
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")
    assert ACTIVE.search(result.stderr[:-1]) is None, repr(result.stderr)


def test_unicode_line_separators_from_the_server_never_break_the_one_line_error(
    dual: Dual, servers: Servers
) -> None:
    body = {"code": "E\u2028F", "message": "one\u2029two\u2028three"}
    server = servers(each_request(_json_answer(400, body)))
    exc = raised(lambda: dual.client(base_url=server.base_url).get_run(TIMER_ID, RUN_ID))
    assert isinstance(exc, BadRequestError)
    assert len(str(exc).splitlines()) == 1, repr(str(exc))
