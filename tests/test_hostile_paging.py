"""A hostile server cannot make paging loop forever, send an unsendable URL, or follow a page
that says it is the last.

Each guard ends paging with ``PaginationError`` (the service's fault) or ``InvalidArgumentError``
(the caller's), after a bounded, exact number of requests; never with an httpx error.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from click.testing import CliRunner
from support.bodies import numbered_runs, page_json, run_json
from support.dual import TIMER_ID, Dual
from support.hostile import (
    Connection,
    Request,
    Servers,
    call,
    each_request,
    json_response,
    raised,
)

from timers import InvalidArgumentError, PaginationError
from timers._paging import MAX_EMPTY_PAGES
from timers.cli._app import cli

LONG = 70_000
PAGING = ["iter_runs", "iter_run_pages"]


def markers_sent(server: Any) -> list[str | None]:
    sent = []
    for request in server.requests:
        query = dict(p.partition("=")[::2] for p in request.query.split("&") if p)
        sent.append(query.get("marker"))
    return sent


@pytest.mark.parametrize("operation", PAGING)
def test_endless_empty_pages_with_new_markers_end_with_pagination_error(
    dual: Dual, servers: Servers, operation: str
) -> None:
    fresh = itertools.count()

    def respond(request: Request, conn: Connection) -> None:
        page = page_json([], total=10, next_page=f"m{next(fresh)}")
        conn.send(json_response(200, page))

    server = servers(each_request(respond))
    client = dual.client(base_url=server.base_url)
    exc = raised(lambda: call(client, operation, max_items=5))
    assert type(exc) is PaginationError, exc
    assert f"{MAX_EMPTY_PAGES} empty pages in a row" in str(exc)
    assert len(server.requests) == MAX_EMPTY_PAGES  # the documented number, then stop


def test_empty_pages_between_full_ones_are_followed(dual: Dual, servers: Servers) -> None:
    # Fewer than MAX_EMPTY_PAGES empty pages in a row is a service's right (e.g. filtering).
    fresh = itertools.count(1)

    def respond(request: Request, conn: Connection) -> None:
        n = next(fresh)
        runs = numbered_runs(1, start=n) if n % MAX_EMPTY_PAGES == 0 else []
        last = n == 2 * MAX_EMPTY_PAGES
        conn.send(json_response(200, page_json(runs, next_page=None if last else f"m{n}")))

    server = servers(each_request(respond))
    runs = call(dual.client(base_url=server.base_url), "iter_runs")
    assert len(runs) == 2 and len(server.requests) == 2 * MAX_EMPTY_PAGES


@pytest.mark.parametrize(
    ("cycle", "requests"),
    [(["a", "b", "a"], 3), (["a", "a"], 2), (["start"], 1)],
    ids=["a-b-a", "a-a", "the caller's own marker"],
)
def test_a_repeated_marker_ends_with_pagination_error(
    dual: Dual, servers: Servers, cycle: list[str], requests: int
) -> None:
    answers = iter(cycle)

    def respond(request: Request, conn: Connection) -> None:
        conn.send(json_response(200, page_json(numbered_runs(2), next_page=next(answers))))

    server = servers(each_request(respond))
    client = dual.client(base_url=server.base_url)
    exc = raised(lambda: call(client, "iter_runs", marker="start"))
    assert type(exc) is PaginationError and "a second time" in str(exc), exc
    assert len(server.requests) == requests


def _long_marker(request: Request, conn: Connection) -> None:
    conn.send(json_response(200, page_json([run_json()], next_page="x" * LONG)))


@pytest.mark.parametrize("operation", PAGING)
def test_a_70000_character_next_page_is_a_pagination_error_not_an_invalid_url(
    dual: Dual, servers: Servers, operation: str
) -> None:
    server = servers(each_request(_long_marker))
    exc = raised(lambda: call(dual.client(base_url=server.base_url), operation))
    assert type(exc) is PaginationError, exc
    assert f"{LONG} characters" in str(exc) and len(str(exc)) < 500
    assert len(server.requests) == 1


def test_a_70000_character_next_page_from_list_runs_cannot_be_sent_back(
    dual: Dual, servers: Servers
) -> None:
    server = servers(each_request(_long_marker))
    client = dual.client(base_url=server.base_url)
    page = client.list_runs(TIMER_ID)  # one page is fine: nothing is sent back yet
    assert page.next_page is not None and len(page.next_page) == LONG
    exc = raised(lambda: client.list_runs(TIMER_ID, marker=page.next_page))
    assert type(exc) is InvalidArgumentError
    assert len(server.requests) == 1


@pytest.mark.parametrize("operation", ["list_runs", *PAGING])
def test_a_70000_character_marker_from_the_caller_is_refused_before_any_request(
    dual: Dual, servers: Servers, operation: str
) -> None:
    server = servers(each_request(_long_marker))
    exc = raised(lambda: call(dual.client(base_url=server.base_url), operation, marker="m" * LONG))
    assert type(exc) is InvalidArgumentError and f"{LONG} characters" in str(exc)
    assert len(str(exc)) < 500
    assert server.requests == []


def test_the_cli_refuses_a_70000_character_marker_in_one_line_with_exit_2(
    servers: Servers,
) -> None:
    server = servers(each_request(_long_marker))
    env = {"TIMERS_BASE_URL": server.base_url, "TIMERS_ACCESS_TOKEN": "tok-cli-0001"}
    args = ["runs", "list", TIMER_ID, "--marker", "m" * LONG]
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("timers: error: ")
    assert len(result.stderr) < 500 and result.stdout == ""
    assert server.requests == []


@pytest.mark.parametrize("operation", PAGING)
def test_has_next_page_false_with_a_marker_present_is_not_followed(
    dual: Dual, servers: Servers, operation: str
) -> None:
    def respond(request: Request, conn: Connection) -> None:
        page = page_json(numbered_runs(3), total=100, next_page="more")
        page["has_next_page"] = False
        conn.send(json_response(200, page))

    server = servers(each_request(respond))
    result = call(dual.client(base_url=server.base_url), operation)
    assert len(result) == (3 if operation == "iter_runs" else 1)
    assert markers_sent(server) == [None]


def test_max_items_stops_paging_a_server_that_never_stops(dual: Dual, servers: Servers) -> None:
    fresh = itertools.count()

    def respond(request: Request, conn: Connection) -> None:
        n = next(fresh)
        conn.send(json_response(200, page_json(numbered_runs(2, start=2 * n), next_page=f"m{n}")))

    server = servers(each_request(respond))
    runs = call(dual.client(base_url=server.base_url), "iter_runs", max_items=5)
    assert len(runs) == 5 and len(server.requests) == 3
