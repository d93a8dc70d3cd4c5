"""A server that quotes the ``Authorization`` header back never gets the token into an error,
a log line, a pickle or the CLI's output.

Every server here echoes the header it received (``Bearer <token>``) and the bare token, in
each place a server's words reach the user: an error body's ``message``, ``code``,
``errors[].message`` and ``request_id``, the ``X-Request-Id`` header, an HTML ``<title>``, a
2xx field that fails validation, a page's ``next_page`` (which the client then sends back),
and the reason phrase. The credential is a static token or an authorizer's header.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from click.testing import CliRunner
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import (
    Connection,
    HostileServer,
    Request,
    Servers,
    call,
    each_request,
    http_response,
    json_response,
    raised,
)

from timers import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    TimersClient,
    TimersError,
    UnprocessableEntityError,
    UnsupportedOperationError,
    UsageError,
    WaitTimeoutError,
)
from timers._errors import ResponseTooLargeError
from timers.cli._app import cli

TOKEN = "tok-HOSTILE-5e1f0c9a"
OTHER_TOKEN = "oth-HOSTILE-77d3a1b0"  # what the authorizer hands out


class HeaderAuthorizer:
    """A globus-sdk-like authorizer with a token of its own."""

    def get_authorization_header(self) -> str:
        return f"Bearer {OTHER_TOKEN}"


CREDENTIALS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "access_token": (TOKEN, lambda: {"access_token": TOKEN}),
    "authorizer": (OTHER_TOKEN, lambda: {"authorizer": HeaderAuthorizer()}),
}


def echoed(request: Request) -> tuple[str, str]:
    """The ``Authorization`` header the client sent, and the token in it."""
    header = request.headers.get("authorization", "")
    return header, header.partition(" ")[2] or header


# -- the echoing servers ---------------------------------------------------------------------


def _error_body(request: Request) -> dict[str, Any]:
    header, token = echoed(request)
    return {
        "code": token,
        "message": f"the token {header} was refused",
        "request_id": token,
        "errors": [{"code": token, "message": header}, {"detail": f"seen {token}"}],
    }


def _json_error(status: int) -> Callable[[Request, Connection], None]:
    def respond(request: Request, conn: Connection) -> None:
        conn.send(json_response(status, _error_body(request)))

    return respond


def _request_id_header(request: Request, conn: Connection) -> None:
    header, _ = echoed(request)
    conn.send(
        json_response(
            404, {"code": "NOT_FOUND", "message": "no"}, headers=[("X-Request-Id", header)]
        )
    )


def _html_title(request: Request, conn: Connection) -> None:
    header, token = echoed(request)
    page = f"<html><head><title>Denied: {header}</title></head><body>{token}</body></html>"
    conn.send(http_response(502, page.encode(), content_type="text/html"))


def _plain_text(request: Request, conn: Connection) -> None:
    header, _ = echoed(request)
    conn.send(http_response(500, f"upstream said: {header}".encode(), content_type="text/plain"))


def _nested_error(request: Request, conn: Connection) -> None:
    header, token = echoed(request)
    conn.send(json_response(403, {"error": {"code": token, "detail": header}}))


def _fastapi_detail(request: Request, conn: Connection) -> None:
    header, token = echoed(request)
    body = {"detail": [{"loc": ["header", token], "msg": header, "type": token}]}
    conn.send(json_response(422, body))


def _invalid_2xx_field(request: Request, conn: Connection) -> None:
    header, token = echoed(request)
    conn.send(json_response(200, run_json(id=header), headers=[("X-Request-Id", token)]))


def _invalid_page_field(request: Request, conn: Connection) -> None:
    header, token = echoed(request)
    conn.send(
        json_response(200, page_json([run_json(status=None, start_time=header)], next_page=token))
    )


def _marker_then(second: Callable[[Request, Connection], None], *, bearer: bool = False):
    """Page one's ``next_page`` is the token (or the whole header); later pages ``second``."""

    def respond(request: Request, conn: Connection) -> None:
        header, token = echoed(request)
        if "marker=" not in request.query:
            marker = header if bearer else token
            conn.send(json_response(200, page_json([run_json()], next_page=marker)))
        else:
            second(request, conn)

    return respond


def _reset(request: Request, conn: Connection) -> None:
    conn.reset()


def _repeat_marker(request: Request, conn: Connection) -> None:
    _, token = echoed(request)
    conn.send(json_response(200, page_json([run_json()], next_page=token)))


def _reason_phrase(request: Request, conn: Connection) -> None:
    header, _ = echoed(request)
    conn.send(http_response(418, b"", reason=header, content_type=None))


# name: (how the server answers, the operation, the error expected)
ECHOES: dict[str, tuple[Callable[[Request, Connection], None], str, type[TimersError]]] = {
    "401 json body": (_json_error(401), "get_run", AuthenticationError),
    "503 json body, retried": (_json_error(503), "get_run", ServerError),
    "503 json body to run_timer": (_json_error(503), "run_timer", ServerError),
    "x-request-id header": (_request_id_header, "get_run", NotFoundError),
    "html title": (_html_title, "get_run", ServerError),
    "plain text body": (_plain_text, "list_runs", ServerError),
    "nested error object": (_nested_error, "get_run", PermissionDeniedError),
    "fastapi detail list": (_fastapi_detail, "list_runs", UnprocessableEntityError),
    "2xx field failing validation": (_invalid_2xx_field, "get_run", ResponseValidationError),
    "2xx page field failing validation": (
        _invalid_page_field,
        "iter_runs",
        ResponseValidationError,
    ),
    # The marker passed back by hand (paging would not follow it), then handed out again.
    "next_page repeated": (_repeat_marker, "resume all", PaginationError),
}
# Paging refuses to follow a marker holding the credential (test_pinned_paging.py); a marker
# passed back by hand is sent, and whatever then fails must not show it.
MARKER_ECHOES = {
    "next_page then 404": (_marker_then(_json_error(404)), "resume", NotFoundError),
    "bearer next_page then 500": (
        _marker_then(_json_error(500), bearer=True),
        "resume",
        ServerError,
    ),
    "next_page then an invalid body": (
        _marker_then(_invalid_2xx_field),
        "resume",
        ResponseValidationError,
    ),
    "next_page then a reset": (_marker_then(_reset), "resume", APIConnectionError),
}


def _echo_params() -> list[Any]:
    params: list[Any] = [pytest.param(name, id=name) for name in ECHOES]
    params += [pytest.param(name, id=name) for name in MARKER_ECHOES]
    return params


def _find(name: str) -> tuple[Callable[[Request, Connection], None], str, type[TimersError]]:
    return ECHOES.get(name) or MARKER_ECHOES[name]


def where_secret_shows(exc: BaseException, secret: str) -> list[str]:
    """The places an error shows ``secret``, by name (empty: nowhere)."""
    views = {
        "str": str(exc),
        "repr": repr(exc),
        "args": repr(exc.args),
        "vars": repr(vars(exc)),
        "traceback": "".join(traceback.format_exception(exc)),
    }
    return [name for name, text in views.items() if secret in text]


def timers_log(caplog: pytest.LogCaptureFixture) -> str:
    records = [r for r in caplog.records if r.name.startswith("timers")]
    return "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in records)


def failing_client(dual: Dual, server: HostileServer, credential: str) -> Any:
    _, make = CREDENTIALS[credential]
    return dual.client(base_url=server.base_url, retry=RetryPolicy(max_retries=2), **make())


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("scenario", _echo_params())
def test_an_echoed_token_is_nowhere_in_the_error_or_the_debug_log(
    dual: Dual,
    servers: Servers,
    caplog: pytest.LogCaptureFixture,
    scenario: str,
    credential: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="timers")
    respond, operation, expected = _find(scenario)
    server = servers(each_request(respond))
    secret, _ = CREDENTIALS[credential]
    client = failing_client(dual, server, credential)

    exc = raised(lambda: call(client, operation))

    assert isinstance(exc, expected), exc
    assert secret in server.requests[0].headers["authorization"]  # it was there to echo
    assert where_secret_shows(exc, secret) == []
    assert secret not in timers_log(caplog)


def _successful_echo(request: Request, conn: Connection) -> None:
    header, _ = echoed(request)
    body = page_json([run_json()]) if request.path.endswith("/runs") else run_json()
    conn.send(json_response(200, body, headers=[("X-Request-Id", f"req {header}")]))


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_an_echoed_token_in_a_successful_answer_is_not_in_the_run_or_the_log(
    dual: Dual, servers: Servers, caplog: pytest.LogCaptureFixture, credential: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="timers")
    server = servers(each_request(_successful_echo))
    secret, make = CREDENTIALS[credential]
    client = dual.client(base_url=server.base_url, **make())
    run = client.get_run(TIMER_ID, RUN_ID)
    page = client.list_runs(TIMER_ID)
    shown = [run.request_id, page.request_id, *(r.request_id for r in page), repr(run), repr(page)]
    assert run.request_id is not None and run.request_id.startswith("req ")
    assert not [text for text in shown if text and secret in text]
    assert secret not in timers_log(caplog)


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_a_token_echoed_in_the_reason_phrase_is_nowhere_in_the_error(
    dual: Dual, servers: Servers, credential: str
) -> None:
    server = servers(each_request(_reason_phrase))
    secret, _ = CREDENTIALS[credential]
    exc = raised(lambda: failing_client(dual, server, credential).get_run(TIMER_ID, RUN_ID))
    assert type(exc) is APIError and exc.status_code == 418
    assert secret not in str(exc)  # (this much already holds)
    assert where_secret_shows(exc, secret) == []
    assert secret.encode() not in pickle.dumps(exc)


# -- the command line --------------------------------------------------------------------------

CLI_RUNS = {
    "401 json body": ["runs", "show", TIMER_ID, RUN_ID],
    "503 json body, retried": ["runs", "show", TIMER_ID, RUN_ID],
    "503 json body to run_timer": ["runs", "trigger", TIMER_ID],
    "x-request-id header": ["runs", "show", TIMER_ID, RUN_ID],
    "html title": ["runs", "show", TIMER_ID, RUN_ID],
    "plain text body": ["runs", "list", TIMER_ID],
    "nested error object": ["runs", "show", TIMER_ID, RUN_ID],
    "fastapi detail list": ["runs", "list", TIMER_ID],
    "2xx field failing validation": ["runs", "show", TIMER_ID, RUN_ID, "--format", "json"],
    "2xx page field failing validation": ["runs", "list", TIMER_ID, "--all"],
    "next_page repeated": ["runs", "list", TIMER_ID, "--all", "--format", "jsonl"],
    "next_page then 404": ["runs", "list", TIMER_ID, "--all"],
    "bearer next_page then 500": ["runs", "list", TIMER_ID, "--all"],
    "next_page then a reset": ["runs", "list", TIMER_ID, "--all"],
}


def run_cli(args: list[str], base_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # every wait of the CLI
    env = {"TIMERS_BASE_URL": base_url, "TIMERS_ACCESS_TOKEN": TOKEN}
    return CliRunner().invoke(cli, ["--verbose", *args], env=env, catch_exceptions=False)


@pytest.mark.parametrize("scenario", CLI_RUNS)
def test_an_echoed_token_is_nowhere_in_the_cli_output(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    respond, _, _ = _find(scenario)
    server = servers(each_request(respond))
    result = run_cli(CLI_RUNS[scenario], server.base_url, monkeypatch)
    assert result.exit_code != 0, result.output
    assert result.stderr.count("timers: error: ") == 1
    assert TOKEN not in result.stdout
    assert TOKEN not in result.stderr


def test_an_echoed_token_as_next_page_is_not_in_the_cli_list_footer(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = servers(each_request(_repeat_marker))
    result = run_cli(["runs", "list", TIMER_ID], server.base_url, monkeypatch)
    assert result.exit_code == 0, result.output
    # The client does not follow it, nor offer it to paste back.
    assert result.stderr.endswith(
        "1 of 1 run. The service's next marker holds your credential: the client does not "
        "follow it (nor does --all).\n"
    )
    assert TOKEN not in result.stderr and TOKEN not in result.stdout


# -- pickling ----------------------------------------------------------------------------------


def _pending(request: Request, conn: Connection) -> None:
    status = 201 if request.method == "POST" else 200
    conn.send(json_response(status, run_json(status="pending", end_time=None, result=None)))


def _created_then_failing(request: Request, conn: Connection) -> None:
    if request.method == "POST":
        _pending(request, conn)
    else:
        _json_error(500)(request, conn)


def _silent(request: Request, conn: Connection) -> None:
    conn.wait_for_close()


def _raise_for(dual: Dual, server: HostileServer, case: str) -> TimersError:
    base = {"base_url": server.base_url, "access_token": TOKEN}
    if case == "InvalidArgumentError":
        return raised(lambda: dual.client(**base).get_run(TIMER_ID, "../" + TOKEN))
    if case == "UsageError":
        client = dual.client(**base)
        client.close()
        return raised(lambda: client.get_run(TIMER_ID, RUN_ID))
    if case == "UnsupportedOperationError":
        return raised(lambda: dual.client(api="jobs", **base).run_timer(TIMER_ID))
    if case == "ResponseTooLargeError":
        return raised(lambda: dual.client(max_response_size=64, **base).get_run(TIMER_ID, RUN_ID))
    if case == "APITimeoutError":
        client = dual.client(timeout=0.3, max_retries=0, clock=None, **base)
        return raised(lambda: client.get_run(TIMER_ID, RUN_ID))
    if case == "WaitTimeoutError":
        return raised(lambda: dual.client(**base).wait_for_run(TIMER_ID, RUN_ID, timeout=5))
    if case == "created run":
        return raised(lambda: dual.client(**base).run_timer(TIMER_ID, wait=True))
    client = dual.client(**base)
    operation = "iter_runs" if case in ("PaginationError", "APIConnectionError") else "get_run"
    return raised(lambda: call(client, operation))


PICKLE_CASES: dict[str, tuple[Callable[[Request, Connection], None], type[TimersError]]] = {
    "BadRequestError": (_json_error(400), BadRequestError),
    "AuthenticationError": (_json_error(401), AuthenticationError),
    "PermissionDeniedError": (_nested_error, PermissionDeniedError),
    "NotFoundError": (_request_id_header, NotFoundError),
    "ConflictError": (_json_error(409), ConflictError),
    "UnprocessableEntityError": (_fastapi_detail, UnprocessableEntityError),
    "RateLimitError": (
        lambda request, conn: conn.send(
            json_response(429, _error_body(request), headers=[("Retry-After", "99999")])
        ),
        RateLimitError,
    ),
    "ServerError": (_html_title, ServerError),
    "APIError": (_json_error(418), APIError),
    "ResponseValidationError": (_invalid_2xx_field, ResponseValidationError),
    "ResponseTooLargeError": (_json_error(200), ResponseTooLargeError),
    "PaginationError": (_repeat_marker, PaginationError),
    "APIConnectionError": (lambda request, conn: conn.reset(), APIConnectionError),
    "APITimeoutError": (_silent, APITimeoutError),
    "WaitTimeoutError": (_pending, WaitTimeoutError),
    "created run": (_created_then_failing, ServerError),
    "InvalidArgumentError": (_pending, InvalidArgumentError),
    "UsageError": (_pending, UsageError),
    "UnsupportedOperationError": (_pending, UnsupportedOperationError),
}


def public_state(error: BaseException) -> dict[str, Any]:
    return {name: value for name, value in vars(error).items() if not name.startswith("_")}


@pytest.mark.parametrize("case", PICKLE_CASES)
def test_every_error_pickles_without_the_token_to_the_same_error(
    dual: Dual, servers: Servers, case: str
) -> None:
    respond, expected = PICKLE_CASES[case]
    server = servers(each_request(respond))
    exc = _raise_for(dual, server, case)
    assert type(exc) is expected, exc

    data = pickle.dumps(exc)
    clone = pickle.loads(data)  # noqa: S301 (our own bytes)

    assert TOKEN.encode() not in data
    assert type(clone) is type(exc)
    assert str(clone) == str(exc) and clone.args == exc.args
    state = public_state(exc)
    if "response" in state:
        state["response"] = None
    assert public_state(clone) == state
    if case == "created run":
        assert clone.run is not None and clone.run.id == RUN_ID


def _get_run_in_a_worker(base_url: str) -> None:
    with TimersClient(TOKEN, base_url=base_url, max_retries=0) as client:
        client.get_run(TIMER_ID, RUN_ID)


def test_a_404_in_a_process_pool_worker_comes_back_as_not_found_without_the_token(
    servers: Servers,
) -> None:
    server = servers(each_request(_json_error(404)))
    context = multiprocessing.get_context("fork")  # the worker inherits this module
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_get_run_in_a_worker, server.base_url)
        exc = future.exception(timeout=60)

    assert type(exc) is NotFoundError  # not BrokenProcessPool: it pickled both ways
    assert exc.status_code == 404 and exc.response is None
    assert exc.request_id == "[redacted]"
    assert where_secret_shows(exc, TOKEN) == []
    remote = exc.__cause__  # concurrent.futures' _RemoteTraceback: the worker's traceback
    assert remote is not None and "NotFoundError" in str(remote)
    assert TOKEN not in str(remote)


# -- many clients, one process -------------------------------------------------------------------


@pytest.mark.parametrize("held_back", ["the whole answer", "its body"])
def test_other_clients_requests_sent_meanwhile_cannot_unredact_an_echoed_token(
    servers: Servers, caplog: pytest.LogCaptureFixture, held_back: str
) -> None:
    # A portal with a client per user: tenant A's answer (or only its body), which echoes A's
    # header, comes after 100 other tenants' requests went out (each token is remembered as a
    # secret, and only the most recent ones are kept).
    import threading

    others_done = threading.Event()

    def respond(request: Request, conn: Connection) -> None:
        header = request.headers.get("authorization", "")
        if header.endswith("tenant-a-secret-token-0451"):
            token = header.partition(" ")[2]
            message = f"bad header: {header}; token {token}"
            body = {"code": "BAD", "message": message, "request_id": header}
            answer = json_response(400, body, headers=[("X-Request-Id", header)])
            head, _, rest = answer.partition(b"\r\n\r\n")
            if held_back == "its body":
                conn.send(head + b"\r\n\r\n")
            others_done.wait(30)
            conn.send(rest if held_back == "its body" else answer)
        else:
            conn.send(json_response(200, run_json()))

    server = servers(each_request(respond))
    caught: list[BaseException] = []

    def tenant_a() -> None:
        with TimersClient("tenant-a-secret-token-0451", base_url=server.base_url) as client:
            try:
                client.get_run(TIMER_ID, RUN_ID)
            except TimersError as exc:
                caught.append(exc)

    caplog.set_level(logging.DEBUG, logger="timers")
    thread = threading.Thread(target=tenant_a)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(100):
            with TimersClient(f"other-tenant-token-{i:04d}", base_url=server.base_url) as other:
                other.get_run(TIMER_ID, RUN_ID)
    finally:
        others_done.set()
        thread.join(30)
    assert len(caught) == 1 and isinstance(caught[0], BadRequestError)
    error = caught[0]
    shown = [str(error), repr(error), str(error.body), str(error.request_id), caplog.text]
    assert not [text for text in shown if "tenant-a-secret-token-0451" in text]
    assert "bad header: [redacted]; token [redacted]" in str(error)
