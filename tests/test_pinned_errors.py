"""The error tree (timers._errors): which field of which error-body shape wins, how sub-errors
are read, and the exact text of each message."""

from __future__ import annotations

import dataclasses
import json
import pickle
from typing import Any

import httpx
import pytest
from support.bodies import run_json

from timers import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MissingExtraError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TimerRun,
    TimersError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from timers._errors import OUTCOME_UNKNOWN_NOTE, error_class_for
from timers._redact import remember

URL = "https://timer.automate.globus.org/api/v1/timers/t/runs"


def response(
    status: int,
    body: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    url: str = URL,
    **kwargs: Any,
) -> httpx.Response:
    request = httpx.Request(method, url)
    if content is None and body is not None:
        content = json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers, request=request, **kwargs)


def error(status: int, body: Any = None, **kwargs: Any) -> APIError:
    options = {
        k: kwargs.pop(k) for k in ("retries_taken", "outcome_unknown", "hint") if k in kwargs
    }
    return error_class_for(status)(response(status, body, **kwargs), **options)


# --- which shape wins -------------------------------------------------------------------------


def test_the_top_level_message_wins_over_every_other_shape() -> None:
    e = error(
        400,
        {
            "message": "top",
            "detail": "detail text",
            "error": {"code": "NESTED", "message": "nested"},
            "errors": [{"code": "E0", "message": "first"}],
        },
    )
    assert (e.code, e.message) == ("NESTED", "top")


def test_a_detail_string_wins_over_a_nested_error_and_the_first_sub_error() -> None:
    e = error(
        400,
        {
            "detail": "detail text",
            "error": {"code": "NESTED", "message": "nested"},
            "errors": [{"code": "E0", "message": "first"}],
        },
    )
    assert (e.code, e.message) == ("NESTED", "detail text")
    assert str(e) == f"400 NESTED: detail text (GET {URL}) [first]"


def test_a_nested_error_object_gives_code_and_message_before_the_sub_errors() -> None:
    e = error(
        404,
        {
            "error": {"code": "NOT_FOUND", "message": "no such timer", "detail": "ignored"},
            "errors": [{"code": "E0", "message": "first"}],
        },
    )
    assert (e.code, e.message) == ("NOT_FOUND", "no such timer")


def test_a_nested_error_without_message_gives_its_detail() -> None:
    e = error(404, {"error": {"code": "NOT_FOUND", "detail": "no such job", "status": 404}})
    assert isinstance(e, NotFoundError)
    assert (e.code, e.message) == ("NOT_FOUND", "no such job")
    assert str(e) == f"404 NOT_FOUND: no such job (GET {URL})"


def test_the_top_level_code_wins_over_the_nested_one() -> None:
    e = error(400, {"code": "TOP", "error": {"code": "NESTED", "message": "m"}})
    assert (e.code, e.message) == ("TOP", "m")


def test_an_error_string_is_the_message_when_nothing_else_is() -> None:
    e = error(400, {"error": "error text", "errors": [{"code": "E0", "message": "first"}]})
    assert (e.code, e.message) == ("E0", "error text")


def test_an_error_string_does_not_replace_a_detail_string() -> None:
    e = error(400, {"detail": "detail text", "error": "error text"})
    assert e.message == "detail text"


def test_the_first_sub_error_gives_code_and_message_when_nothing_else_does() -> None:
    e = error(
        400, {"errors": [{"code": "E0", "message": "first"}, {"code": "E1", "message": "second"}]}
    )
    assert (e.code, e.message) == ("E0", "first")
    # the first sub-error repeats the message, so only the second is listed
    assert str(e) == f"400 E0: first (GET {URL}) [second]"


def test_errors_win_over_a_fastapi_detail_list() -> None:
    e = error(
        400,
        {"errors": [{"code": "E0", "message": "first"}], "detail": [{"msg": "m", "type": "t"}]},
    )
    assert e.errors == [{"code": "E0", "message": "first"}]


# --- sub-errors -------------------------------------------------------------------------------


def test_fastapi_validation_errors_become_sub_errors_with_location_and_code() -> None:
    e = error(
        422,
        {
            "detail": [
                {"loc": ["query", "page_size", 0], "msg": "too big", "type": "value_error"},
                {"loc": "body", "msg": "missing", "type": "missing"},
            ]
        },
    )
    assert isinstance(e, UnprocessableEntityError)
    assert e.errors == [
        {
            "loc": ["query", "page_size", 0],
            "msg": "too big",
            "type": "value_error",
            "message": "too big",
            "location": "query.page_size.0",
            "code": "value_error",
        },
        {
            "loc": "body",
            "msg": "missing",
            "type": "missing",
            "message": "missing",
            "location": "body",
            "code": "missing",
        },
    ]
    assert (e.code, e.message) == ("value_error", "too big")
    assert str(e) == f"422 value_error: too big (GET {URL}) [missing]"


def test_a_sub_error_keeps_its_own_message_location_and_code() -> None:
    item = {
        "message": "own",
        "title": "title",
        "loc": ["q"],
        "msg": "msg",
        "location": "mine",
        "type": "t",
        "code": "C",
    }
    assert error(400, {"errors": [item]}).errors == [item]


def test_a_sub_error_message_comes_from_title_then_detail_then_msg() -> None:
    e = error(
        400,
        {
            "errors": [
                {"title": "T", "detail": "D", "msg": "M"},
                {"detail": "D", "msg": "M"},
                {"msg": "M"},
                {"title": 7},
            ]
        },
    )
    assert [sub.get("message") for sub in e.errors] == ["T", "D", "M", "7"]


def test_msg_without_loc_gives_no_location_and_no_type_gives_no_code() -> None:
    e = error(400, {"errors": [{"msg": "M"}, {"loc": ["a"], "x": 1}]})
    assert e.errors == [{"msg": "M", "message": "M"}, {"loc": ["a"], "x": 1}]


def test_sub_errors_that_are_not_objects_become_their_text() -> None:
    e = error(400, {"message": "bad", "errors": ["plain", 5, None]})
    assert e.errors == [{"message": "plain"}, {"message": "5"}, {"message": "None"}]
    assert str(e) == f"400: bad (GET {URL}) [plain; 5; None]"


def test_a_sub_error_without_any_text_is_shown_whole() -> None:
    e = error(400, {"message": "bad", "errors": [{"x": 1}]})
    assert str(e) == f"400: bad (GET {URL}) [{{'x': 1}}]"


def test_at_most_three_sub_errors_are_listed() -> None:
    three = error(400, {"message": "m", "errors": ["a", "b", "c"]})
    assert str(three) == f"400: m (GET {URL}) [a; b; c]"
    four = error(400, {"message": "m", "errors": ["a", "b", "c", "d"]})
    assert str(four) == f"400: m (GET {URL}) [a; b; c; ...]"
    assert len(four.errors) == 4


# --- codes, ids, texts ------------------------------------------------------------------------


def test_codes_and_request_ids_that_are_not_strings_become_text() -> None:
    e = error(400, {"code": 42, "message": "m", "request_id": 7})
    assert (e.code, e.request_id) == ("42", "7")
    assert str(e) == f"400 42: m (GET {URL}, request id 7)"


def test_a_nested_or_sub_error_code_that_is_not_a_string_becomes_text() -> None:
    assert error(400, {"error": {"code": 3, "message": "m"}}).code == "3"
    assert error(400, {"errors": [{"code": 4, "message": "m"}]}).code == "4"
    assert error(400, {"error": {"code": "C", "message": 5}}).message == "5"


def test_empty_strings_count_as_absent() -> None:
    e = error(400, {"code": "", "message": "", "request_id": "", "detail": "d"})
    assert (e.code, e.message, e.request_id) == (None, "d", None)


def test_the_request_id_header_is_the_fallback() -> None:
    e = error(404, {"message": "m"}, headers={"x-request-id": "hdr-1"})
    assert e.request_id == "hdr-1"
    assert error(404, {"message": "m", "request_id": "body-1"}).request_id == "body-1"
    assert error(404, {"message": "m"}).request_id is None
    both = error(404, {"message": "m", "request_id": "body-1"}, headers={"x-request-id": "hdr-1"})
    assert both.request_id == "body-1"  # the body's wins
    assert error(404, {"message": "m"}, headers={"x-request-id": "   "}).request_id is None
    spaces = error(404, {"request_id": " \n "}, headers={"x-request-id": "hdr-2"})
    assert spaces.request_id == "hdr-2"  # a body id with nothing to show is no id


def test_the_message_falls_back_to_the_reason_phrase_then_to_http_error() -> None:
    assert error(404, {}).message == "Not Found"
    assert error(599).message == "HTTP error"
    assert str(error(599)) == f"599: HTTP error (GET {URL})"


def test_long_codes_messages_and_request_ids_are_cut_in_the_message_and_attributes() -> None:
    e = error(400, {"code": "C" * 100, "message": "m" * 400, "request_id": "r" * 100})
    assert str(e) == (f"400 {'C' * 77}...: {'m' * 297}... (GET {URL}, request id {'r' * 77}...)")
    # The code and message are what the message shows; the request id is whole up to 200
    # characters, as pages and log lines have it; the body keeps it all.
    assert (e.code, e.message, e.request_id) == ("C" * 77 + "...", "m" * 297 + "...", "r" * 100)
    assert error(400, {"request_id": "r" * 201}).request_id == "r" * 197 + "..."
    assert e.body == {"code": "C" * 100, "message": "m" * 400, "request_id": "r" * 100}


@pytest.mark.parametrize(
    "body",
    [
        {"code": "E\x1b[2J", "message": "line one\nline two\x1b[31m", "request_id": "r\x07"},
        "line one\nline two\x1b[31m",  # a text body: its message was cleaned already
    ],
)
def test_the_text_attributes_are_cleaned_whatever_the_body_type(body: Any) -> None:
    content = body.encode() if isinstance(body, str) else None
    e = error(400, None if content else body, content=content, headers={"x-request-id": "r\x07"})
    assert e.message == "line one line two\\x1b[31m"
    assert e.request_id == "r\\x07"
    if isinstance(body, dict):
        assert e.code == "E\\x1b[2J"
        assert e.body == body  # as sent


@pytest.mark.parametrize(
    ("value", "shown"),
    [(["a", {"b": 1}], None), ({"x": 1}, None), (True, None), (404, "404"), (1.5, "1.5")],
)
def test_a_text_field_that_is_not_text_is_left_to_the_body(value: Any, shown: str | None) -> None:
    e = error(400, {"code": value, "message": value, "request_id": value})
    assert (e.code, e.request_id) == (shown, shown)
    assert e.message == (shown or "Bad Request")  # then the reason phrase
    assert "{" not in str(e) and "[" not in str(e)


def test_a_long_sub_error_is_cut() -> None:
    e = error(400, {"message": "m", "errors": ["s" * 400]})
    assert str(e) == f"400: m (GET {URL}) [{'s' * 297}...]"


def test_a_long_reason_phrase_is_cut_to_200_characters() -> None:
    e = error_class_for(400)(response(400, extensions={"reason_phrase": b"R" * 300}))
    assert e.message == "R" * 197 + "..."


def test_a_reason_phrase_with_control_characters_is_cleaned_in_the_response_too() -> None:
    raw = response(400, extensions={"reason_phrase": b"Bad\x1b[31m Request"})
    e = error_class_for(400)(raw)
    assert e.message == "Bad\\x1b[31m Request"
    assert raw.reason_phrase == "Bad\\x1b[31m Request"
    plain = response(400, extensions={"reason_phrase": b"Bad Request"})
    error_class_for(400)(plain)
    assert plain.extensions["reason_phrase"] == b"Bad Request"


# --- bodies that are not JSON objects ---------------------------------------------------------


def test_an_html_page_gives_its_title() -> None:
    page = b"<!DOCTYPE html><HTML><head><TITLE>502 Bad Gateway</TITLE></head></HTML>"
    e = error(502, content=page)
    assert isinstance(e, ServerError)
    assert e.message == "502 Bad Gateway"
    assert e.body == page.decode()


def test_an_html_page_without_a_title_is_named_as_such() -> None:
    assert error(502, content=b"<html><body>oops</body></html>").message == (
        "the service answered with an HTML page"
    )
    # an empty title falls back to the reason phrase
    assert error(502, content=b"<html><title> </title></html>").message == "Bad Gateway"
    # a closing tag before the opening one is no title
    assert error(502, content=b"<html></title>x<title></html>").message == (
        "the service answered with an HTML page"
    )


def test_plain_text_becomes_one_cleaned_line() -> None:
    assert error(503, content=b"  down for\nmaintenance \x07 ").message == (
        "down for maintenance \\x07"
    )
    assert error(503, content=b" \n ").message == "Service Unavailable"


def test_a_body_that_is_json_but_not_an_object_gives_no_fields() -> None:
    e = error(400, ["a", "b"])
    assert (e.code, e.message, e.request_id, e.errors) == (None, "Bad Request", None, [])
    assert e.body == ["a", "b"]


def test_an_empty_body_is_none() -> None:
    assert error(400, content=b"").body is None


def test_text_is_decoded_with_the_response_charset() -> None:
    e = error(
        400,
        content="café".encode("latin-1"),
        headers={"content-type": "text/plain; charset=latin-1"},
    )
    assert e.body == "café" and e.message == "café"


def test_an_unread_streamed_response_has_no_body_unless_the_content_is_given() -> None:
    request = httpx.Request("GET", URL)
    streamed = httpx.Response(400, stream=httpx.ByteStream(b'{"message": "m"}'), request=request)
    assert BadRequestError(streamed).body is None
    given = BadRequestError(streamed, content=b'{"message": "given"}')
    assert given.message == "given"


# --- statuses, URLs, notes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [(418, APIError), (499, APIError), (500, ServerError), (501, ServerError), (599, ServerError)],
)
def test_statuses_from_500_up_are_server_errors(status: int, cls: type[APIError]) -> None:
    assert error_class_for(status) is cls


def test_credentials_in_the_url_never_reach_the_message() -> None:
    e = error(401, {"message": "m"}, url="https://user:pa55@example.org/api?x=1")
    assert isinstance(e, AuthenticationError)
    assert e.url == "https://example.org/api?x=1"
    assert str(e) == "401: m (GET https://example.org/api?x=1)"


def test_a_remembered_secret_in_the_url_is_redacted() -> None:
    remember("pinned-errors-secret-marker")
    e = error(400, {"message": "m"}, url=f"{URL}?marker=pinned-errors-secret-marker")
    assert e.url == f"{URL}?marker=[redacted]"


def test_retries_and_an_unknown_outcome_are_noted() -> None:
    one = error(503, {"message": "m"}, retries_taken=1, method="POST")
    assert str(one) == f"503: m (POST {URL}) after 1 retry"
    two = error(503, {"message": "m"}, retries_taken=2, outcome_unknown=True)
    assert str(two) == f"503: m (GET {URL}) after 2 retries; {OUTCOME_UNKNOWN_NOTE}"
    assert two.retries_taken == 2 and two.outcome_unknown


def test_a_hint_ends_the_message() -> None:
    e = error(401, {"message": "m"}, hint="check the token")
    assert e.hint == "check the token"
    assert str(e) == f"401: m (GET {URL}); check the token"


REDIRECT_NOTE = (
    ", which the client does not follow (if the service has moved, pass its new URL as base_url)"
)


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://new.example/api/v1", "'https://new.example/api/v1'"),
        ("/v2/timers", "'https://timer.automate.globus.org/v2/timers'"),  # relative: joined
        ("https://me:pw@new.example/", "'https://new.example/'"),  # credentials dropped
    ],
)
def test_a_redirect_says_where_it_goes_and_that_the_client_does_not_follow(
    location: str, shown: str
) -> None:
    e = error(301, {"message": "m"}, headers={"Location": location})
    assert e.hint == f"the service redirects to {shown}" + REDIRECT_NOTE
    assert str(e) == f"301: m (GET {URL}); {e.hint}"


@pytest.mark.parametrize("status", [300, 304, 399])
def test_every_3xx_is_a_redirect_even_without_a_location(status: int) -> None:
    e = error(status, {"message": "m"})
    assert e.hint == "the service answered with a redirect, which the client does not follow"
    assert str(e).endswith(f"; {e.hint}")


@pytest.mark.parametrize("status", [299, 400])
def test_a_location_on_an_answer_that_is_not_3xx_gives_no_hint(status: int) -> None:
    assert error(status, {"message": "m"}, headers={"Location": "https://x.example"}).hint is None


def test_a_redirect_location_that_is_not_a_url_is_shown_as_sent_and_bounded() -> None:
    e = error(300, headers={"Location": "http://[::1"})
    assert e.hint == "the service redirects to 'http://[::1'" + REDIRECT_NOTE
    long = error(302, headers={"Location": "https://x.example/" + "a" * 400})
    assert f"'https://x.example/{'a' * 279}...'" + REDIRECT_NOTE == long.hint.removeprefix(
        "the service redirects to "
    )


def test_a_hint_given_wins_over_the_redirect_one_and_survives_pickling() -> None:
    assert error(302, hint="mine").hint == "mine"
    moved = error(302, headers={"Location": "https://new.example"})
    # Our own bytes (S301).
    assert pickle.loads(pickle.dumps(moved)).hint == moved.hint  # noqa: S301


def test_a_rate_limit_error_says_when_to_retry() -> None:
    e = RateLimitError(response(429, {"message": "slow"}), retry_after=7.5, retries_taken=1)
    assert e.retry_after == 7.5
    assert str(e) == f"429: slow (GET {URL}) after 1 retry; the service asked to retry after 7.5 s"
    assert str(RateLimitError(response(429, {"message": "slow"}))) == f"429: slow (GET {URL})"


def test_a_connection_error_names_the_request_and_its_notes() -> None:
    e = APITimeoutError(
        "request timed out", method="POST", url=URL, retries_taken=3, outcome_unknown=True
    )
    assert isinstance(e, APIConnectionError)
    assert (e.method, e.url, e.retries_taken, e.outcome_unknown) == ("POST", URL, 3, True)
    assert e.message == "request timed out"
    assert str(e) == f"request timed out (POST {URL}) after 3 retries; {OUTCOME_UNKNOWN_NOTE}"
    assert str(APIConnectionError("x", method="GET", url=URL)) == f"x (GET {URL})"


# A page marker the service handed out (4096 characters at most, each percent-encoded into
# up to 9) goes back in the URL: messages quote 500 characters of it, the attribute all.
LONG_URL = URL + "?marker=" + "%E2%80%AE" * 4000
SHOWN = LONG_URL[:497] + "..."


def test_a_long_url_is_cut_in_every_message_and_kept_whole_in_the_attribute() -> None:
    connection = APIConnectionError("x", method="GET", url=LONG_URL)
    assert str(connection) == f"x (GET {SHOWN})" and connection.url == LONG_URL
    api = NotFoundError(response(404, {"code": "C", "message": "m"}, url=LONG_URL))
    assert str(api) == f"404 C: m (GET {SHOWN})" and api.url == LONG_URL
    invalid = ResponseValidationError("bad", response=response(200, {}, url=LONG_URL))
    assert str(invalid) == f"invalid response body: bad (GET {SHOWN}, status 200)"


def test_a_url_of_500_characters_is_quoted_whole() -> None:
    url = URL + "?marker=" + "m" * (500 - len(URL) - 8)
    assert len(url) == 500
    assert str(APIConnectionError("x", method="GET", url=url)) == f"x (GET {url})"


def test_a_missing_extra_names_the_feature_the_module_and_the_extra() -> None:
    e = MissingExtraError("the timers command", extra="cli", module="click")
    assert isinstance(e, ModuleNotFoundError)
    assert (e.extra, e.module, e.name) == ("cli", "click", "click")
    assert str(e) == "the timers command needs click: pip install 'timers-client[cli]'"


# --- ResponseValidationError ------------------------------------------------------------------


def test_a_validation_error_names_the_request_status_and_request_id() -> None:
    raw = response(200, {}, method="POST", headers={"x-request-id": "req-9"})
    e = ResponseValidationError("expected a string", path="runs[3].start_time", response=raw)
    assert (e.status_code, e.request_id, e.path, e.problem) == (
        200,
        "req-9",
        "runs[3].start_time",
        "expected a string",
    )
    assert str(e) == (
        "invalid response body: at runs[3].start_time: expected a string "
        f"(POST {URL}, status 200, request id req-9)"
    )


def test_a_validation_error_without_response_or_path_is_only_the_problem() -> None:
    e = ResponseValidationError("not an object")
    assert str(e) == "invalid response body: not an object"
    assert (e.status_code, e.request_id, e.response) == (None, None, None)


def test_a_validation_error_with_an_unknown_outcome_says_the_run_may_exist() -> None:
    raw = response(201, {})
    e = ResponseValidationError("bad", response=raw).with_response(raw, outcome_unknown=True)
    assert e.outcome_unknown and e.response is raw
    assert str(e) == (
        f"invalid response body: bad (GET {URL}, status 201); the service accepted the "
        f"request, so {OUTCOME_UNKNOWN_NOTE}"
    )


def test_a_validation_error_cuts_a_long_path_and_problem() -> None:
    e = ResponseValidationError("p" * 500, path="a" * 200)
    assert str(e) == f"invalid response body: at {'a' * 117}...: {'p' * 397}..."


def test_a_validation_error_strips_credentials_from_the_url() -> None:
    raw = response(200, {}, url="https://u:p@example.org/x")
    assert str(ResponseValidationError("bad", response=raw)) == (
        "invalid response body: bad (GET https://example.org/x, status 200)"
    )


def test_a_too_large_response_names_the_limit() -> None:
    e = ResponseTooLargeError(1024, response=response(200, {}), outcome_unknown=True)
    assert isinstance(e, ResponseValidationError) and e.limit == 1024
    assert str(e).startswith(
        "invalid response body: the body is larger than max_response_size (1024 bytes); "
        f"reading stopped there (GET {URL}, status 200)"
    )


# --- created runs and pickling ----------------------------------------------------------------


def test_an_error_after_a_run_was_created_names_the_run() -> None:
    run = type("Run", (), {"id": "r-1", "timer_id": "t-1"})()
    e = error(503, {"message": "m"})
    assert e.created_run(run) is e  # type: ignore[arg-type]
    assert e.run is run
    assert str(e) == (
        f"503: m (GET {URL}); run r-1 of timer t-1 was created before this happened: "
        "wait for it with wait_for_run instead of triggering again"
    )
    other = type("Run", (), {"id": "r-2", "timer_id": "t-1"})()
    e.created_run(other)  # type: ignore[arg-type]
    assert e.run is run  # the first one stays


def test_the_note_cuts_long_ids_and_escapes_control_characters() -> None:
    # Service data: a run's ids are shown as any server-provided value is.
    run = type("Run", (), {"id": "r" * 100, "timer_id": "t\x1b" + "t" * 99})()
    e = TimersError().created_run(run)  # type: ignore[arg-type]
    assert e.args == (
        f"run {'r' * 77}... of timer t\\x1b{'t' * 72}... was created before this happened: "
        "wait for it with wait_for_run instead of triggering again",
    )


def test_an_error_without_a_message_gets_only_the_note() -> None:
    run = type("Run", (), {"id": "r-1", "timer_id": "t-1"})()
    e = TimersError().created_run(run)  # type: ignore[arg-type]
    assert e.args == (
        "run r-1 of timer t-1 was created before this happened: "
        "wait for it with wait_for_run instead of triggering again",
    )


def test_errors_pickle_without_their_response() -> None:
    e = error(404, {"message": "m", "code": "C"}, headers={"x-request-id": "id"})
    back = pickle.loads(pickle.dumps(e))  # noqa: S301 (our own bytes)
    assert type(back) is NotFoundError
    assert back.args == e.args and str(back) == str(e)
    assert back.response is None
    assert (back.status_code, back.code, back.message, back.request_id, back.body) == (
        404,
        "C",
        "m",
        "id",
        {"message": "m", "code": "C"},
    )
    plain = pickle.loads(pickle.dumps(TimersError("x")))  # noqa: S301 (our own bytes)
    assert "response" not in vars(plain)
    assert pickle.loads(pickle.dumps(ResponseValidationError("bad"))).args == (  # noqa: S301 (our own bytes)
        "invalid response body: bad",
    )


# --- what the first mutation run of timers/_errors.py showed untested -------------------------


def test_a_note_about_a_created_run_keeps_the_other_arguments() -> None:
    run = type("Run", (), {"id": "r-1", "timer_id": "t-1"})()
    e = TimersError("first", "second", "third").created_run(run)  # type: ignore[arg-type]
    assert e.args[1:] == ("second", "third")
    assert e.args[0].startswith("first; run r-1 of timer t-1 was created")


def test_a_missing_extra_error_pickles_with_its_module_name() -> None:
    e = MissingExtraError("the timers command", extra="cli", module="click")
    back = pickle.loads(pickle.dumps(e))  # noqa: S301 (our own bytes)
    assert (back.extra, back.module, str(back)) == ("cli", "click", str(e))
    assert back.name == "click"
    assert back.path is None and "path" not in vars(back)
    assert e.msg is not None and back.msg == e.msg  # ImportError's msg, as raised
    assert "msg" not in vars(back)


def test_a_missing_extra_error_pickles_with_its_import_path() -> None:
    e = MissingExtraError("the aiohttp backend", extra="aiohttp", module="aiohttp")
    e.path = "/opt/site-packages/aiohttp/__init__.py"
    back = pickle.loads(pickle.dumps(e))  # noqa: S301 (our own bytes)
    assert (back.name, back.path) == ("aiohttp", "/opt/site-packages/aiohttp/__init__.py")
    assert "path" not in vars(back) and "name" not in vars(back)


def test_a_rate_limit_error_keeps_an_unknown_outcome_and_a_hint() -> None:
    e = RateLimitError(
        response(429, {"message": "slow"}, method="POST"),
        outcome_unknown=True,
        hint="slow down",
        retry_after=2,
    )
    assert e.outcome_unknown and e.hint == "slow down"
    assert str(e) == (
        f"429: slow (POST {URL}); {OUTCOME_UNKNOWN_NOTE}; slow down; "
        "the service asked to retry after 2 s"
    )


def test_a_validation_error_has_a_known_outcome_unless_told() -> None:
    raw = response(200, {})
    assert not ResponseValidationError("bad").with_response(raw).outcome_unknown
    assert not ResponseTooLargeError(10, response=raw).outcome_unknown
    assert not ResponseValidationError("bad", response=raw).outcome_unknown


def test_a_validation_error_took_no_retries_unless_told() -> None:
    raw = response(200, {})
    for error in (
        ResponseTooLargeError(10, response=raw),
        ResponseValidationError("bad", response=raw),
        ResponseValidationError("bad").with_response(raw),
    ):
        assert error.retries_taken == 0 and " retr" not in str(error)
    told = ResponseTooLargeError(10, response=raw, retries_taken=1)
    assert told.retries_taken == 1 and str(told).endswith(", status 200) after 1 retry")


def test_a_validation_errors_long_request_id_is_cut_in_the_message_and_attribute() -> None:
    raw = response(200, {}, headers={"x-request-id": "r" * 100})
    e = ResponseValidationError("bad", response=raw)
    assert e.request_id == "r" * 100  # as an APIError's, a page's and a log line's
    assert str(e) == f"invalid response body: bad (GET {URL}, status 200, request id {'r' * 77}...)"


def test_a_reason_phrase_over_200_characters_is_cut_in_the_response_too() -> None:
    raw = response(400, extensions={"reason_phrase": b"R" * 201})
    error_class_for(400)(raw)
    assert raw.reason_phrase == "R" * 197 + "..."
    exactly = response(400, extensions={"reason_phrase": b"R" * 200})
    error_class_for(400)(exactly)
    assert exactly.extensions["reason_phrase"] == b"R" * 200


def test_a_reason_phrase_that_is_not_ascii_becomes_question_marks() -> None:
    raw = response(400, extensions={"reason_phrase": "Café\x07".encode()})
    e = error_class_for(400)(raw)
    assert raw.extensions["reason_phrase"] == b"Caf??\\x07"
    assert e.message == "Caf??\\x07"


def test_a_body_that_is_not_valid_text_is_decoded_with_replacement_characters() -> None:
    e = error(502, content=b"\xff\xfe gateway \xc3")
    assert e.body == "\ufffd\ufffd gateway \ufffd"
    assert e.message == "\ufffd\ufffd gateway \ufffd"


def test_an_html_page_with_two_titles_shows_the_first() -> None:
    page = b"<html><title>First</title><body><title>Second</title></body></html>"
    assert error(502, content=page).message == "First"


def test_an_html_page_that_starts_with_its_title_shows_it() -> None:
    assert error(502, content=b"<title>Gateway down</title>").message == "Gateway down"


def test_a_body_whose_encoding_was_unset_is_read_as_utf_8() -> None:
    raw = response(502, content="gateway café".encode())
    raw.encoding = None  # type: ignore[assignment]  # as a response hook may leave it
    assert error_class_for(502)(raw).body == "gateway café"


@pytest.mark.parametrize(
    "charset", ["rot13", "hex", "base64", "undefined-charset", "undefined", "idna"]
)
def test_an_error_body_in_a_charset_that_is_no_text_encoding_is_read_as_utf_8(
    charset: str,
) -> None:
    e = error_class_for(404)(
        response(
            404,
            content=b"no such timer",
            headers={"content-type": f"text/plain; charset={charset}"},
        )
    )
    assert e.body == "no such timer" and e.message == "no such timer"


def test_an_error_body_its_charset_cannot_decode_is_read_as_utf_8() -> None:
    headers = {"content-type": "text/plain; charset=punycode"}
    e = error_class_for(500)(response(500, content=b"gone \xff away", headers=headers))
    assert e.body == "gone \ufffd away"


# --- a run carried by an error, pickled -------------------------------------------------------


def echoed_run(**extra: Any) -> TimerRun:
    body = run_json(status="pending", end_time=None, result=None, **extra)
    return dataclasses.replace(
        TimerRun.from_dict(body), finished_by_end_time=True, request_id="req-7"
    )


def test_a_credential_the_service_echoed_into_the_run_is_redacted_when_pickled() -> None:
    remember("pinned-errors-echoed-token-1")
    run = echoed_run(echoed="Bearer pinned-errors-echoed-token-1", note="kept")
    e = WaitTimeoutError("run r did not finish", run=run, timeout=5.0)
    data = pickle.dumps(e)
    assert b"pinned-errors-echoed-token-1" not in data
    back = pickle.loads(data)  # noqa: S301 (our own bytes)
    assert back.run.extra == {"echoed": "Bearer [redacted]", "note": "kept"}
    assert (back.run.id, back.run.status, back.run.start_time) == (
        run.id,
        run.status,
        run.start_time,
    )
    assert back.run.finished_by_end_time and back.run.request_id == "req-7"
    assert e.run is run  # the error itself keeps what the service sent


def test_a_run_with_nothing_to_redact_is_pickled_as_it_is() -> None:
    run = echoed_run(note="nothing secret")
    back = pickle.loads(pickle.dumps(TimersError("x").created_run(run)))  # noqa: S301
    assert back.run == run and back.run.request_id == "req-7"
    assert back.run.finished_by_end_time


def test_a_run_whose_id_is_the_credential_is_left_out_when_pickled() -> None:
    token = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e7"  # a token shaped like a run id
    remember(token)
    run = TimerRun.from_dict(run_json(id=token))
    back = pickle.loads(pickle.dumps(WaitTimeoutError("w", run=run, timeout=1.0)))  # noqa: S301
    assert back.run is None


def test_an_extra_field_named_like_a_run_field_survives_the_redaction() -> None:
    remember("pinned-errors-echoed-token-2")
    run = dataclasses.replace(
        echoed_run(), extra={"id": "the service's own id", "echo": "pinned-errors-echoed-token-2"}
    )
    back = pickle.loads(pickle.dumps(WaitTimeoutError("w", run=run, timeout=1.0)))  # noqa: S301
    assert back.run.id == run.id
    assert back.run.extra == {"id": "the service's own id", "echo": "[redacted]"}


def test_an_error_body_its_own_charset_cannot_decode_keeps_that_charset_with_replacements() -> None:
    # Valid UTF-8, declared ASCII: decoded as ASCII with replacement characters, not as UTF-8.
    headers = {"content-type": "text/plain; charset=ascii"}
    e = error_class_for(500)(response(500, content="café".encode(), headers=headers))
    assert e.body == "caf\ufffd\ufffd"
