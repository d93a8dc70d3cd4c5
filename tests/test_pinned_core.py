"""What both clients share (timers._core): settings, the requests they build, and how an answer
becomes a model or an error. Through both clients where the I/O matters."""

from __future__ import annotations

import json
import pickle
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual

from timers import (
    APIError,
    AsyncTimersClient,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    TimersClient,
    UsageError,
)
from timers._config import DEFAULT_ATTEMPT_TIMEOUT, ERROR_BODY_LIMIT
from timers._core import _HEADERS, ClientCore, request_id_of
from timers._errors import OUTCOME_UNKNOWN_NOTE
from timers._version import __version__

RUNS_URL = "https://timer.automate.globus.org/api/v1"
RUN_PATH = f"/timers/{TIMER_ID}/runs/{RUN_ID}"
USER_AGENT = f"timers-client/{__version__} httpx/{httpx.__version__}"
MISSING_ROUTE_HINT = (
    "the production Globus Timers service has no such path: it keeps run history under its "
    "/jobs API, use api='jobs'"
)


def core(**overrides: Any) -> ClientCore:
    settings: dict[str, Any] = {
        "access_token": TOKEN,
        "authorizer": None,
        "base_url": None,
        "api": None,
        "timeout": None,
        "max_response_size": None,
        "max_retries": None,
        "retry": None,
        "allow_insecure_http": False,
        "clock": None,
        "http_client": None,
        "http_type": httpx.Client,
    }
    settings.update(overrides)
    return ClientCore(**settings)


def answering(
    status: int,
    body: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


# --- construction -----------------------------------------------------------------------------


def test_an_http_client_of_the_wrong_kind_is_refused_naming_both() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        TimersClient(TOKEN, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    assert str(caught.value) == "http_client must be an httpx.Client, got AsyncClient"
    with pytest.raises(InvalidArgumentError) as caught:
        AsyncTimersClient(TOKEN, http_client=httpx.Client())  # type: ignore[arg-type]
    assert str(caught.value) == "http_client must be an httpx.AsyncClient, got Client"


def test_the_repr_names_the_api_url_and_auth_but_never_the_token() -> None:
    with TimersClient(TOKEN) as client:
        assert repr(client) == (
            f"<TimersClient api='runs' base_url='{RUNS_URL}' auth=<TokenAuth via _StaticToken>>"
        )
    with TimersClient(TOKEN, api="jobs") as client:
        assert repr(client) == (
            "<TimersClient api='jobs' base_url='https://timer.automate.globus.org' "
            "auth=<TokenAuth via _StaticToken>>"
        )


def test_a_client_it_creates_has_the_default_timeouts_headers_and_no_redirects() -> None:
    with TimersClient(TOKEN) as client:
        http = client._http
        assert http.timeout == httpx.Timeout(30.0, connect=10.0)
        assert http.follow_redirects is False
        assert http.headers["user-agent"] == USER_AGENT
        assert http.headers["accept"] == "application/json"
        assert http.headers["accept-encoding"] == "gzip, deflate"


def test_a_client_it_creates_with_a_timeout_uses_it() -> None:
    with TimersClient(TOKEN, timeout=7) as client:
        assert client._http.timeout == httpx.Timeout(7.0)


def test_deadlines_default_to_a_monotonic_clock_and_retry_after_dates_to_the_time_of_day() -> None:
    assert (core().clock, core().wall_clock) == (time.monotonic, time.time)
    mine = time.perf_counter
    assert (core(clock=mine).clock, core(clock=mine).wall_clock) == (mine, mine)


@pytest.mark.parametrize("client_class", [TimersClient, AsyncTimersClient])
def test_a_clock_that_cannot_be_called_is_refused_at_once(client_class: type[Any]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(TOKEN, clock=1700000000.0)
    assert str(caught.value) == (
        "clock must be a function returning seconds (e.g. time.time), got float"
    )


@pytest.mark.parametrize("client_class", [TimersClient, AsyncTimersClient])
@pytest.mark.parametrize(("given", "shown"), [("no", "'no'"), (1, "1"), (None, "None")])
def test_allow_insecure_http_must_be_a_bool_not_just_truthy(
    client_class: type[Any], given: object, shown: str
) -> None:
    # "no" is truthy: it would have allowed plain http to any host.
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(TOKEN, base_url="http://example.org", allow_insecure_http=given)
    assert str(caught.value) == f"allow_insecure_http must be True or False, got {shown}"
    # False and True are taken as they are.
    assert client_class(TOKEN, base_url="http://x.org", allow_insecure_http=True).base_url == (
        "http://x.org"
    )
    with pytest.raises(InvalidArgumentError, match=r"refusing plain http:// to x\.org"):
        client_class(TOKEN, base_url="http://x.org", allow_insecure_http=False)


def test_the_settings_are_resolved_once() -> None:
    settings = core(timeout=5, max_response_size=10, max_retries=1, base_url="https://x.org/a/")
    assert settings.base_url == "https://x.org/a"
    assert (settings.timeout, settings.attempt_timeout) == (httpx.Timeout(5.0), 5.0)
    assert settings.max_response_size == 10
    assert settings.retry == RetryPolicy(max_retries=1)
    assert settings.owns_http and settings.headers is None  # set on the client it creates
    given = core(http_client=httpx.Client())
    assert not given.owns_http and given.headers == _HEADERS


def test_your_http_client_keeps_its_user_agent_and_gets_the_headers_answers_are_read_with() -> None:
    seen: list[httpx.Headers] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json=run_json())

    mine = {"User-Agent": "myapp/1.0", "Accept": "text/html", "Accept-Encoding": "br"}
    for headers in (mine, {}):
        http = httpx.Client(transport=httpx.MockTransport(record), headers=headers)
        TimersClient(TOKEN, http_client=http).get_run(TIMER_ID, RUN_ID)
    (yours, default) = seen
    assert yours["user-agent"] == "myapp/1.0"
    assert default["user-agent"] == _HEADERS["User-Agent"]  # not httpx's own
    for headers in seen:
        assert (headers["accept"], headers["accept-encoding"]) == (
            "application/json",
            "gzip, deflate",
        )


def test_your_http_client_s_base_url_must_be_where_requests_go() -> None:
    assert core(http_client=httpx.Client(base_url=RUNS_URL + "/")).base_url == RUNS_URL
    odd = "https://staging.example/APIX"  # ends in a letter: only slashes are trimmed
    assert core(base_url=odd, http_client=httpx.Client(base_url=odd)).base_url == odd
    long_own, long_ours = "https://a.example/" + "p" * 250, "https://b.example/" + "q" * 250
    with pytest.raises(InvalidArgumentError) as too_long:
        core(base_url=long_ours, http_client=httpx.Client(base_url=long_own))
    # Both URLs quoted, each cut at 200 characters.
    assert str(too_long.value) == (
        f"http_client has base_url '{long_own[:197]}...', but requests go to "
        f"'{long_ours[:197]}...' (the client's base_url: the http_client's is not used); "
        "pass base_url= to the client instead"
    )
    with pytest.raises(InvalidArgumentError) as caught:
        core(http_client=httpx.Client(base_url="https://staging.example/api/v1"))
    assert str(caught.value) == (
        "http_client has base_url 'https://staging.example/api/v1', but requests go to "
        "'https://timer.automate.globus.org/api/v1' (the client's base_url: the http_client's "
        "is not used); pass base_url= to the client instead"
    )


# --- with_options -----------------------------------------------------------------------------


def test_with_options_changes_only_what_is_given() -> None:
    base = core(timeout=5, max_retries=2)
    same = base.derived(timeout=None, max_retries=None, retry=None)
    assert (same.timeout, same.attempt_timeout, same.retry) == (
        base.timeout,
        base.attempt_timeout,
        base.retry,
    )
    assert not same.owns_http and base.owns_http
    slower = base.derived(timeout=9, max_retries=None, retry=None)
    assert (slower.timeout, slower.attempt_timeout) == (httpx.Timeout(9.0), 9.0)
    assert slower.retry is base.retry
    patient = base.derived(timeout=None, max_retries=7, retry=None)
    assert patient.retry.max_retries == 7 and patient.timeout == base.timeout
    policy = RetryPolicy(backoff_max=1.0)
    assert base.derived(timeout=None, max_retries=None, retry=policy).retry is policy
    assert (base.timeout, base.retry.max_retries) == (httpx.Timeout(5.0), 2)


def test_with_options_max_retries_keeps_the_rest_of_the_retry_policy() -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=0.1, backoff_max=1.0, max_retry_after=5.0)
    client = TimersClient(TOKEN, retry=policy)
    assert client.with_options(max_retries=8).retry == RetryPolicy(
        max_retries=8, backoff_base=0.1, backoff_max=1.0, max_retry_after=5.0
    )
    assert client.with_options(timeout=3).retry is policy
    assert client.retry is policy
    with pytest.raises(InvalidArgumentError, match="max_retries must be an int >= 0, got -1"):
        client.with_options(max_retries=-1)
    client.close()


def test_closing_a_client_made_by_with_options_leaves_the_pool_open() -> None:
    client = TimersClient(TOKEN)
    twin = client.with_options(max_retries=0)
    twin.close()
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed


# --- the requests -----------------------------------------------------------------------------


def test_a_request_on_a_given_http_client_carries_the_clients_headers(dual: Dual) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=run_json())

    dual.client(handler=handler).get_run(TIMER_ID, RUN_ID)
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"  # what the client can bound
    assert str(seen[0].url) == RUNS_URL + RUN_PATH


def test_a_timeout_is_sent_with_each_request_only_when_given(dual: Dual) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=run_json())

    dual.client(handler=handler, timeout=3).get_run(TIMER_ID, RUN_ID)
    dual.client(handler=handler).get_run(TIMER_ID, RUN_ID)
    assert seen[0] == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert seen[1] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}  # httpx's


def test_a_closed_client_refuses_to_build_a_request() -> None:
    settings = core()
    http = httpx.Client()
    http.close()
    with pytest.raises(UsageError, match=r"^this client is closed; create a new one$"):
        settings.build(http, ("GET", "/x", {}))


@pytest.mark.parametrize(
    ("idempotent", "failure", "may_exist"),
    [
        (False, httpx.ReadError("reset"), True),  # a POST that may have reached the service
        (False, httpx.ConnectError("refused"), False),  # a POST that never left
        (True, httpx.ReadError("reset"), False),  # a GET creates nothing
        (True, httpx.ConnectError("refused"), False),
    ],
)
def test_a_call_cut_short_by_closing_says_a_run_may_exist_only_if_one_may(
    idempotent: bool, failure: httpx.HTTPError, may_exist: bool
) -> None:
    settings = core()
    http = httpx.Client()
    http.close()
    attempts = settings.attempts(idempotent=idempotent)
    with pytest.raises(UsageError) as caught:
        settings.check_open(http, attempts, failure)
    assert caught.value.outcome_unknown is may_exist
    plain = "this client is closed; create a new one"
    assert (str(caught.value) == plain) is not may_exist
    with pytest.raises(UsageError, match=f"^{plain}$"):
        settings.check_open(http)  # no request in flight: nothing to say about runs
    open_http = httpx.Client()
    settings.check_open(open_http, attempts, failure)  # an open client: nothing raised
    open_http.close()


def test_a_request_httpx_cannot_build_is_an_invalid_argument() -> None:
    settings = core(base_url="https://example.org")
    with httpx.Client() as http, pytest.raises(InvalidArgumentError) as caught:
        settings.build(http, ("GET", "/x\x00\ny", {}))
    assert str(caught.value) == (
        "the request cannot be sent: Invalid non-printable ASCII character in URL, "
        "'\\x00' at position 21."
    )


def test_an_attempt_ends_at_the_attempt_timeout_or_the_deadline_whichever_is_first() -> None:
    now = [100.0]
    settings = core(clock=lambda: now[0])
    assert settings.attempt_timeout == DEFAULT_ATTEMPT_TIMEOUT

    def assert_ends_in(core_: ClientCore, deadline: float | None, seconds: float) -> None:
        # The attempt ends ``seconds`` after the monotonic time of the call: bracketed by
        # readings taken just before and just after, with no tolerance.
        before = time.monotonic()
        at = core_.attempt_deadline(deadline)
        after = time.monotonic()
        assert at is not None
        assert before + seconds <= at <= after + seconds

    assert_ends_in(settings, None, 60)
    assert_ends_in(settings, 110.0, 10)
    assert_ends_in(settings, 1000.0, 60)
    assert_ends_in(settings, 100.0, 0)  # the deadline is now: no time left
    # Already past: nothing more is sent (a transport the deadline cannot reach would send it).
    with pytest.raises(httpx.PoolTimeout, match=r"^the deadline passed before the request"):
        settings.attempt_deadline(99.999)
    unbounded = core(timeout=httpx.Timeout(5.0), clock=lambda: now[0])
    assert unbounded.attempt_deadline(None) is None
    assert_ends_in(unbounded, 120.0, 20)


@pytest.mark.parametrize(
    ("status", "limit"),
    [(199, ERROR_BODY_LIMIT), (200, 1234), (299, 1234), (300, ERROR_BODY_LIMIT), (404, 65536)],
)
def test_a_2xx_body_is_read_up_to_the_size_limit_and_an_error_body_to_64_kib(
    status: int, limit: int
) -> None:
    assert core(max_response_size=1234).read_limit(httpx.Response(status)) == limit


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON ; charset=utf-8",
        "application/problem+json",
        "application/json; charset=utf-8; profile=run",
    ],
)
def test_json_bodies_are_parsed_whatever_the_spelling_of_their_type(
    dual: Dual, content_type: str
) -> None:
    handler = answering(
        200, content=json.dumps(run_json()).encode(), headers={"content-type": content_type}
    )
    assert dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID).id == RUN_ID


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        ({"content-type": "text/plain"}, "content type 'text/plain'"),
        ({"content-type": "none"}, "content type 'none'"),
        ({}, "no content type"),
        ({"content-type": ""}, "no content type"),
    ],
)
def test_a_body_that_is_not_json_is_refused_naming_its_type(
    dual: Dual, headers: dict[str, str], shown: str
) -> None:
    handler = answering(200, content=json.dumps(run_json()).encode(), headers=headers)
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.problem == f"expected a JSON body, got {shown}"
    assert not caught.value.outcome_unknown
    assert caught.value.status_code == 200 and caught.value.response is not None
    assert str(caught.value).endswith(f"(GET {RUNS_URL}{RUN_PATH}, status 200)")


def test_a_2xx_to_run_timer_that_cannot_be_read_says_the_run_exists(dual: Dual) -> None:
    handler = answering(201, content=b"<html>", headers={"content-type": "text/html"})
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).run_timer(TIMER_ID)
    assert caught.value.outcome_unknown
    assert str(caught.value).endswith(
        "the service accepted the request, so " + OUTCOME_UNKNOWN_NOTE
    )


def test_invalid_json_is_refused_with_the_parsers_reason(dual: Dual) -> None:
    handler = answering(200, content=b"{", headers={"content-type": "application/json"})
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.problem.startswith("the body is not valid JSON (Expecting ")
    assert caught.value.status_code == 200 and not caught.value.outcome_unknown


def test_invalid_json_from_run_timer_says_the_run_exists(dual: Dual) -> None:
    handler = answering(201, content=b"{", headers={"content-type": "application/json"})
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).run_timer(TIMER_ID)
    assert caught.value.outcome_unknown


def test_a_parse_failure_is_tied_to_the_response(dual: Dual) -> None:
    handler = answering(201, run_json(id="nope"), headers={"x-request-id": "req-5"})
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).run_timer(TIMER_ID)
    error = caught.value
    assert (error.path, error.status_code, error.request_id) == ("id", 201, "req-5")
    assert error.outcome_unknown and error.response is not None


@pytest.mark.parametrize(
    ("body", "headers", "problem"),
    [
        (b"<html>", {"content-type": "text/html"}, "expected a JSON body"),
        (b"{", {"content-type": "application/json"}, "the body is not valid JSON"),
        (b'{"id": "nope"}', {"content-type": "application/json"}, "expected a UUID"),
        (b"{}" * 50, {"content-type": "application/json"}, "the body is larger than"),
        (b"{}", {"content-type": "application/json", "content-encoding": "br"}, "the body's"),
    ],
)
def test_an_invalid_body_after_retries_counts_them(
    dual: Dual, body: bytes, headers: dict[str, str], problem: str
) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(502),
            httpx.Response(200, stream=httpx.ByteStream(body), headers=headers),
        ]
    )
    client = dual.client(
        handler=lambda request: next(answers), validate=False, max_response_size=60
    )
    with pytest.raises(ResponseValidationError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    error = caught.value
    assert error.problem.startswith(problem) and error.retries_taken == 2
    assert str(error).endswith(", status 200) after 2 retries")
    assert pickle.loads(pickle.dumps(error)).retries_taken == 2  # noqa: S301 (our own bytes)


def test_an_invalid_body_at_once_has_no_retries_in_its_message(dual: Dual) -> None:
    handler = answering(200, content=b"{", headers={"content-type": "application/json"})
    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.retries_taken == 0 and str(caught.value).endswith(", status 200)")


def test_the_request_id_is_given_to_the_models_cleaned(dual: Dual) -> None:
    handler = answering(200, run_json(), headers={"x-request-id": "  req\x01-9  "})
    run = dual.client(handler=handler).get_run(TIMER_ID, RUN_ID)
    assert run.request_id == "req\\x01-9"


def test_a_request_id_is_cut_and_an_empty_one_is_none() -> None:
    long_id = httpx.Response(200, headers={"x-request-id": "r" * 300})
    assert request_id_of(long_id) == "r" * 197 + "..."
    assert request_id_of(httpx.Response(200, headers={"x-request-id": "  "})) is None
    assert request_id_of(httpx.Response(200)) is None


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "unknown"), [(499, False), (500, True), (503, True)])
def test_a_server_error_to_run_timer_leaves_the_outcome_unknown(
    dual: Dual, status: int, unknown: bool
) -> None:
    handler = answering(status, {"code": "E", "message": "m"})
    with pytest.raises(APIError) as caught:
        dual.client(handler=handler, validate=False, max_retries=0).run_timer(TIMER_ID)
    assert caught.value.outcome_unknown is unknown


def test_a_server_error_to_a_read_has_a_known_outcome(dual: Dual) -> None:
    handler = answering(503, {"code": "E", "message": "m"})
    with pytest.raises(ServerError) as caught:
        dual.client(handler=handler, max_retries=1).get_run(TIMER_ID, RUN_ID)
    assert not caught.value.outcome_unknown and caught.value.retries_taken == 1


def test_a_rate_limit_error_carries_retry_after_from_the_clients_clock(dual: Dual) -> None:
    date = "Fri, 15 Jan 2027 08:00:30 GMT"  # 30 s after the fake clock's start below
    handler = answering(429, {"code": "SLOW", "message": "m"}, headers={"retry-after": date})
    dual.clock.now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(RateLimitError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.retry_after == 30.0 and caught.value.retries_taken == 0


def test_without_a_clock_given_a_retry_after_date_is_read_against_the_time_of_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    date = "Fri, 15 Jan 2027 08:00:30 GMT"
    monkeypatch.setattr("time.time", lambda: 1_800_000_000.0)  # 2027-01-15T08:00:00Z
    waits: list[float] = []
    answers = iter([429, 429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 429:
            return httpx.Response(
                429, json={"code": "SLOW", "message": "m"}, headers={"retry-after": date}
            )
        return httpx.Response(200, json=run_json())

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = TimersClient(TOKEN, http_client=http, sleep=waits.append, max_retries=2)
    client.get_run(TIMER_ID, RUN_ID)
    assert len(waits) == 2 and all(30.0 <= wait <= 31.0 for wait in waits)
    with pytest.raises(RateLimitError) as caught:
        TimersClient(
            TOKEN,
            http_client=httpx.Client(
                transport=httpx.MockTransport(
                    lambda r: httpx.Response(429, headers={"retry-after": date})
                )
            ),
            max_retries=0,
        ).get_run(TIMER_ID, RUN_ID)
    assert caught.value.retry_after == 30.0


def test_an_error_body_is_read_from_what_was_streamed(dual: Dual) -> None:
    handler = answering(409, {"code": "BUSY", "message": "timer busy"})
    with pytest.raises(APIError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert (caught.value.code, caught.value.message) == ("BUSY", "timer busy")


@pytest.mark.parametrize(
    "answer",
    [
        {"detail": "Not Found"},  # FastAPI's own 404
        "<html>404</html>",  # not even JSON
        ["x"],
    ],
)
def test_a_404_without_a_code_from_production_says_to_use_jobs(dual: Dual, answer: Any) -> None:
    content = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
    handler = answering(404, content=content, headers={"content-type": "application/json"})
    with pytest.raises(NotFoundError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.hint == MISSING_ROUTE_HINT
    assert str(caught.value).endswith("; " + MISSING_ROUTE_HINT)


def test_a_404_with_a_code_is_the_runs_api_answering(dual: Dual) -> None:
    handler = answering(404, {"code": "NOT_FOUND", "message": "no such run"})
    with pytest.raises(NotFoundError) as caught:
        dual.client(handler=handler).get_run(TIMER_ID, RUN_ID)
    assert caught.value.hint is None


@pytest.mark.parametrize(
    ("base_url", "hinted"),
    [
        ("https://timer.automate.globus.org", True),  # the production host, without /api/v1
        ("https://timer.automate.globus.org/other", True),
        ("https://timers.example.org", False),
        ("https://timer.automate.globus.org.example.org", False),  # not that host
        ("https://timer.automate.globus.orgx/api/v1", False),
    ],
)
def test_a_404_without_a_code_gets_the_hint_only_from_the_production_host(
    dual: Dual, base_url: str, hinted: bool
) -> None:
    handler = answering(404, {"detail": "Not Found"})
    client = dual.client(handler=handler, validate=False, base_url=base_url)
    with pytest.raises(NotFoundError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.hint == (MISSING_ROUTE_HINT if hinted else None)


def test_another_status_without_a_code_from_production_gets_no_hint(dual: Dual) -> None:
    handler = answering(403, {"detail": "Forbidden"})
    with pytest.raises(APIError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.hint is None


def test_a_404_from_the_jobs_api_gets_no_hint(jobs_dual: Dual) -> None:
    handler = answering(404, {"detail": "Not Found"})
    with pytest.raises(NotFoundError) as caught:
        jobs_dual.client(handler=handler, validate=False).list_runs(TIMER_ID)
    assert caught.value.hint is None


def test_a_run_the_jobs_api_does_not_list_is_not_found_naming_it(jobs_dual: Dual) -> None:
    body = {"job_id": TIMER_ID, "n_runs": 0, "results": {"data": [], "page_next": None}}
    handler = answering(200, body)
    asked = RUN_ID.upper()
    with pytest.raises(NotFoundError) as caught:
        jobs_dual.client(handler=handler, validate=False).get_run(TIMER_ID, asked)
    error = caught.value
    message = (
        f"timer {TIMER_ID} has no run {asked} among its results "
        "(the service keeps them for 90 days)"
    )
    assert (error.status_code, error.code, error.message) == (404, "RUN_NOT_FOUND", message)
    assert error.body == {"code": "RUN_NOT_FOUND", "message": message}
    assert str(error.response.request.url) == f"https://timer.automate.globus.org/jobs/{TIMER_ID}"
    assert error.hint is None


# --- survivors of the mutation run ------------------------------------------------------------


class _UnreadStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body the client streams, so ``response.content`` is never set (as on a socket)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Any:
        yield self._body

    async def __aiter__(self) -> Any:
        yield self._body


def test_run_timer_refuses_a_timer_id_that_is_not_a_uuid_naming_the_argument(
    dual: Dual,
) -> None:
    client = dual.client(handler=answering(201, run_json()))
    with pytest.raises(InvalidArgumentError) as caught:
        client.run_timer("nope")
    assert str(caught.value) == (
        "timer_id must be a UUID like '12345678-1234-1234-1234-123456789012', got 'nope'"
    )


def test_a_300_answer_is_an_error_not_a_run(dual: Dual) -> None:
    handler = answering(300, run_json())
    with pytest.raises(APIError) as caught:
        dual.client(handler=handler, validate=False, max_retries=0).get_run(TIMER_ID, RUN_ID)
    assert caught.value.status_code == 300


def _streamed(status: int, body: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering ``status`` with ``body`` as a stream not yet read (as a socket's)."""
    content = json.dumps(body).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json"}
        return httpx.Response(status, headers=headers, stream=_UnreadStream(content))

    return handler


def test_a_streamed_404_with_a_code_from_production_gets_no_hint(dual: Dual) -> None:
    handler = _streamed(404, {"code": "NOT_FOUND", "message": "no such run"})
    with pytest.raises(NotFoundError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert (caught.value.code, caught.value.hint) == ("NOT_FOUND", None)


def test_a_404_without_a_code_from_production_gets_the_jobs_hint() -> None:
    settings = core()
    request = httpx.Request("GET", RUNS_URL + RUN_PATH)
    plain = b'{"detail": "Not Found"}'
    response = httpx.Response(404, content=plain, request=request)
    error = settings.error_for(response, settings.attempts(idempotent=True), plain)
    assert isinstance(error, NotFoundError) and error.hint == MISSING_ROUTE_HINT
    coded = b'{"code": "NOT_FOUND", "message": "m"}'
    answer = httpx.Response(404, content=coded, request=request)
    assert settings.error_for(answer, settings.attempts(idempotent=True), coded).hint is None


def test_get_run_refuses_a_timer_id_that_is_not_a_uuid_naming_the_argument(dual: Dual) -> None:
    client = dual.client(handler=answering(200, run_json()))
    with pytest.raises(InvalidArgumentError) as caught:
        client.get_run("nope", RUN_ID)
    assert str(caught.value) == (
        "timer_id must be a UUID like '12345678-1234-1234-1234-123456789012', got 'nope'"
    )


def test_a_finished_response_keeps_no_body_in_its_stream(dual: Dual) -> None:
    handler = _streamed(409, {"code": "BUSY", "message": "timer busy"})
    with pytest.raises(APIError) as caught:
        dual.client(handler=handler, validate=False).get_run(TIMER_ID, RUN_ID)
    assert caught.value.code == "BUSY"  # read before the stream was let go
    stream = caught.value.response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    assert b"".join(stream) == b""


def test_a_run_id_given_as_a_str_is_quoted_as_written_in_messages() -> None:
    upper = RUN_ID.upper()
    assert core().lookup(TIMER_ID, upper).label == upper


def test_a_run_id_of_another_type_is_quoted_in_its_canonical_form() -> None:
    class Id(str):
        def __str__(self) -> str:
            raise RuntimeError("a str subclass whose __str__ fails")

    assert core().lookup(TIMER_ID, Id(RUN_ID.upper())).label == RUN_ID
    assert core().lookup(TIMER_ID, uuid.UUID(RUN_ID)).label == RUN_ID
