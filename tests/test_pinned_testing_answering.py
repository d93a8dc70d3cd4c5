"""Pinned behaviour of the reference service's sans-IO answer layer, fault injection and replies.

What ``service.answerer.answer(...)`` gives back, exactly: the shared steps' error answers (401
with its ``WWW-Authenticate`` challenge, 404 for a path no API knows, 405 with ``Allow``) as
whole ``Reply`` values (status, header names as sent, in order, and the JSON body); injected
faults: on paths no API knows, the headers ``fail_next`` adds (its own ``X-Request-Id`` and
``Content-Type`` unless the caller gave them, in any case), the default body's code and reason
phrase for any status; ``drop_next`` for one operation only; the messages that refuse a bad
fault.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from timers.testing import Drop, FakeTimersService, Reply

TOKEN = "test-token"
BEARER = f"Bearer {TOKEN}"
TIMER = "12345678-1234-1234-1234-123456789012"
RUNS = f"/timers/{TIMER}/runs"


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], seed=5)
    service.add_timer(TIMER)
    return service


def _answer(
    service: FakeTimersService, method: str, target: str, authorization: str | None
) -> Reply:
    reply = service.answerer.answer(method, target, authorization)
    assert isinstance(reply, Reply)
    return reply


def _runs_error(code: str, message: str, request_id: str) -> bytes:
    body = {"code": code, "message": message, "request_id": request_id}
    return json.dumps(body, separators=(",", ":")).encode()


# --- the shared steps' error answers ------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "", "Basic dGVzdDp0ZXN0", "Bearer"])
def test_a_request_without_a_bearer_token_gets_401_with_a_plain_bearer_challenge(
    service: FakeTimersService, authorization: str | None
) -> None:
    reply = _answer(service, "GET", RUNS, authorization)
    request_id = reply.header("x-request-id")
    assert request_id is not None and len(request_id) == 16
    assert reply == Reply(
        401,
        (
            ("Content-Type", "application/json"),
            ("X-Request-Id", request_id),
            ("WWW-Authenticate", "Bearer"),
        ),
        _runs_error("AUTHENTICATION_ERROR", "Missing or invalid bearer token.", request_id),
    )


def test_an_unknown_bearer_token_gets_401_with_an_invalid_token_challenge(
    service: FakeTimersService,
) -> None:
    reply = _answer(service, "GET", RUNS, "Bearer not-a-known-token")
    request_id = reply.header("x-request-id")
    assert request_id is not None
    assert reply == Reply(
        401,
        (
            ("Content-Type", "application/json"),
            ("X-Request-Id", request_id),
            ("WWW-Authenticate", 'Bearer error="invalid_token"'),
        ),
        _runs_error("AUTHENTICATION_ERROR", "Missing or invalid bearer token.", request_id),
    )


def test_a_service_made_without_tokens_says_so_in_its_401() -> None:
    # tokens=[] is allowed (every request is refused: a way to test 401s), and the answer says why.
    service = FakeTimersService(tokens=[])
    reply = _answer(service, "GET", RUNS, "Bearer test-token")
    assert reply.status == 401
    assert reply.json()["message"] == (
        "Missing or invalid bearer token (this service accepts none: tokens=[])."
    )


def test_the_401_of_the_jobs_api_is_spelled_in_its_own_error_shape(
    service: FakeTimersService,
) -> None:
    reply = _answer(service, "GET", f"/jobs/{TIMER}", None)
    assert reply.status == 401
    assert reply.headers[-1] == ("WWW-Authenticate", "Bearer")
    assert reply.json() == {
        "error": {
            "code": "AUTHENTICATION_ERROR",
            "detail": "Missing or invalid bearer token.",
            "status": 401,
        }
    }


def test_a_path_no_api_knows_gets_404_no_such_resource(service: FakeTimersService) -> None:
    reply = _answer(service, "GET", "/nowhere/at/all?limit=5", BEARER)
    request_id = reply.header("x-request-id")
    assert request_id is not None and len(request_id) == 16
    assert reply == Reply(
        404,
        (("Content-Type", "application/json"), ("X-Request-Id", request_id)),
        _runs_error("NOT_FOUND", "No such resource.", request_id),
    )


def test_a_method_the_path_does_not_take_gets_405_with_an_allow_header(
    service: FakeTimersService,
) -> None:
    reply = _answer(service, "PATCH", RUNS, BEARER)
    request_id = reply.header("x-request-id")
    assert request_id is not None
    assert reply == Reply(
        405,
        (
            ("Content-Type", "application/json"),
            ("X-Request-Id", request_id),
            ("Allow", "GET"),
        ),
        _runs_error("METHOD_NOT_ALLOWED", "PATCH is not allowed here; use GET.", request_id),
    )


# --- faults on any request ----------------------------------------------------------------------


def test_a_fault_for_any_request_answers_a_path_no_api_knows_in_the_runs_error_shape(
    service: FakeTimersService,
) -> None:
    service.fail_next(status=502)
    reply = _answer(service, "GET", "/nowhere", BEARER)
    request_id = reply.header("x-request-id")
    assert request_id is not None
    assert reply == Reply(
        502,
        (("X-Request-Id", request_id), ("Content-Type", "application/json")),
        _runs_error("BAD_GATEWAY", "Bad Gateway.", request_id),
    )


# --- the headers of an injected answer ----------------------------------------------------------


def test_an_injected_text_body_gets_a_request_id_and_a_text_content_type(
    service: FakeTimersService,
) -> None:
    service.fail_next(status=500, headers={"Retry-After": "1"}, body="boom")
    reply = _answer(service, "GET", RUNS, BEARER)
    request_id = reply.header("x-request-id")
    assert request_id is not None
    assert reply == Reply(
        500,
        (
            ("Retry-After", "1"),
            ("X-Request-Id", request_id),
            ("Content-Type", "text/plain; charset=utf-8"),
        ),
        b"boom",
    )


@pytest.mark.parametrize("body", [None, b"<html></html>", {"a": 1}])
def test_injected_headers_that_name_the_request_id_or_content_type_are_kept_as_given(
    service: FakeTimersService, body: bytes | dict[str, int] | None
) -> None:
    given = {"x-REQUEST-id": "given-id", "CONTENT-type": "text/html"}
    service.fail_next(status=503, headers=given, body=body)
    reply = _answer(service, "GET", RUNS, BEARER)
    assert reply.headers == (("x-REQUEST-id", "given-id"), ("CONTENT-type", "text/html"))


# --- queueing faults ----------------------------------------------------------------------------


def test_a_drop_for_one_operation_leaves_the_other_operations_answered(
    service: FakeTimersService,
) -> None:
    service.drop_next(operation="run_timer")
    listed = service.answerer.answer("GET", RUNS, BEARER)
    assert isinstance(listed, Reply) and listed.status == 200
    assert service.answerer.answer("POST", f"/timers/{TIMER}/run", BEARER) == Drop()
    assert service.runs_created == 0


def test_a_drop_for_an_operation_no_api_has_is_refused(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match=r"operation must be one of .*, got 'delete_job'"):
        service.drop_next(operation="delete_job")
    reply = service.answerer.answer("GET", RUNS, BEARER)
    assert isinstance(reply, Reply) and reply.status == 200


@pytest.mark.parametrize("count", [0, -1])
def test_a_fault_count_below_one_is_refused_with_a_message_saying_so(
    service: FakeTimersService, count: int
) -> None:
    with pytest.raises(ValueError, match=r"^count must be at least 1$"):
        service.fail_next(count)
    with pytest.raises(ValueError, match=r"^count must be at least 1$"):
        service.drop_next(count)


@pytest.mark.parametrize("count", [1.5, 0.5, float("nan"), float("inf"), True, "2"])
def test_a_fault_count_that_is_not_an_int_is_refused_and_nothing_is_queued(
    service: FakeTimersService, count: object
) -> None:
    # A fractional count once queued a fault that never ran out (1.5 - 1 - 1 never hits 0).
    expected = rf"^count must be an int, got {type(count).__name__}: "
    with pytest.raises(TypeError, match=expected):
        service.fail_next(count)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=expected):
        service.drop_next(count)  # type: ignore[arg-type]
    assert _answer(service, "GET", RUNS, BEARER).status == 200


def test_a_fault_with_a_count_of_two_answers_exactly_two_requests(
    service: FakeTimersService,
) -> None:
    service.fail_next(2, status=503)
    statuses = [_answer(service, "GET", RUNS, BEARER).status for _ in range(4)]
    assert statuses == [503, 503, 200, 200]


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        ("503", TypeError, r"^status must be an int, got str: '503'$"),
        (503.0, TypeError, r"^status must be an int, got float: 503\.0$"),
        (True, TypeError, r"^status must be an int, got bool: True$"),
        (None, TypeError, r"^status must be an int, got NoneType: None$"),
        (-1, ValueError, r"^status must be from 200 to 599, got -1$"),
        (99, ValueError, r"^status must be from 200 to 599, got 99$"),
        (100, ValueError, r"^status must be from 200 to 599, got 100$"),  # interim, no answer
        (199, ValueError, r"^status must be from 200 to 599, got 199$"),
        (600, ValueError, r"^status must be from 200 to 599, got 600$"),
        (1000, ValueError, r"^status must be from 200 to 599, got 1000$"),
    ],
)
def test_an_injected_status_is_checked_when_the_fault_is_queued(
    service: FakeTimersService, status: object, error: type[Exception], message: str
) -> None:
    # Refused here, not later inside the client's call (differently in-process and served).
    with pytest.raises(error, match=message):
        service.fail_next(status=status)  # type: ignore[arg-type]
    assert _answer(service, "GET", RUNS, BEARER).status == 200


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        (
            {"Retry-After": 0},
            TypeError,
            r"^header values must be str, got int 0 in 'Retry-After': 0$",
        ),
        ({b"Retry-After": "0"}, TypeError, r"^header names must be str, got bytes b'Retry-After'"),
        ({"X-Note": None}, TypeError, r"^header values must be str, got NoneType None"),
        ([("Retry-After", "0")], TypeError, r"^headers must be a mapping of str to str, got list$"),
        (
            {"X-Note": "a\r\nSet-Cookie: x"},
            ValueError,
            r"^header values must be printable ASCII \(spaces and tabs inside\), without line "
            r"breaks, got 'a\\r\\nSet-Cookie: x' in 'X-Note'$",
        ),
        ({"X-Note": "café"}, ValueError, r"^header values must be printable ASCII"),
        ({"X-Note": " padded"}, ValueError, r"^header values must be printable ASCII"),
        ({"X-Note": "a\x7f"}, ValueError, r"^header values must be printable ASCII"),
        (
            {"X-Note\n": "a"},
            ValueError,
            r"^header names must be HTTP tokens \(letters, digits, !#\$%&'\*\+-\.\^_`\|~\), "
            r"got 'X-Note\\n'$",
        ),
        ({"Bad Name": "v"}, ValueError, r"^header names must be HTTP tokens"),
        ({"": "v"}, ValueError, r"^header names must be HTTP tokens"),
        ({"X-A:B": "v"}, ValueError, r"^header names must be HTTP tokens"),
    ],
)
def test_injected_headers_must_be_str_names_and_values_on_one_line(
    service: FakeTimersService, headers: object, error: type[Exception], message: str
) -> None:
    # httpx refused a non-str value in-process and through respx; served it went through.
    with pytest.raises(error, match=message):
        service.fail_next(status=429, headers=headers)  # type: ignore[arg-type]
    assert _answer(service, "GET", RUNS, BEARER).status == 200


def test_injected_headers_may_use_every_token_character_and_inner_spaces_and_tabs(
    service: FakeTimersService,
) -> None:
    name = "X-!#$%&'*+-.^_`|~09az"
    service.fail_next(status=429, headers={name: "a b\tc", "X-Empty": ""})
    reply = _answer(service, "GET", RUNS, BEARER)
    assert (reply.header(name), reply.header("x-empty")) == ("a b\tc", "")


@pytest.mark.parametrize("body", [[1, 2], 5, 1.5, True, bytearray(b"x")])
def test_an_injected_body_of_another_type_than_bytes_str_or_a_mapping_is_refused(
    service: FakeTimersService, body: object
) -> None:
    with pytest.raises(TypeError) as caught:
        service.fail_next(status=500, body=body)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"body must be bytes, str or a mapping (sent as JSON), got {type(body).__name__}: {body!r}"
    )
    assert _answer(service, "GET", RUNS, BEARER).status == 200


def test_an_injected_mapping_body_that_is_not_json_is_refused(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match=r"^body is not JSON: Object of type set is not JSON"):
        service.fail_next(status=500, body={"a": {1}})
    assert _answer(service, "GET", RUNS, BEARER).status == 200


def test_a_json_array_body_is_sent_as_its_text_with_the_content_type_given(
    service: FakeTimersService,
) -> None:
    service.fail_next(status=200, body="[1,2]", headers={"Content-Type": "application/json"})
    reply = _answer(service, "GET", RUNS, BEARER)
    assert (reply.status, reply.header("content-type"), reply.json()) == (
        200,
        "application/json",
        [1, 2],
    )


@pytest.mark.parametrize("status", [204, 304])
def test_an_injected_answer_that_http_gives_no_body_is_sent_empty_and_refuses_one(
    service: FakeTimersService, status: int
) -> None:
    for body in ("x", b"x", {"a": 1}):
        with pytest.raises(ValueError, match=rf"^a {status} answer has no body \(HTTP forbids"):
            service.fail_next(status=status, body=body)
    service.fail_next(status=status, body="")
    service.fail_next(status=status, body=b"")
    service.fail_next(status=status)
    for _ in range(3):
        reply = _answer(service, "GET", RUNS, BEARER)
        assert (reply.status, reply.body, reply.header("content-type")) == (status, b"", None)
    assert _answer(service, "GET", RUNS, BEARER).status == 200


def test_nan_and_infinities_are_not_json_in_an_injected_body_or_a_run_result(
    service: FakeTimersService,
) -> None:
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError, match=r"^body is not JSON: Out of range float values"):
            service.fail_next(status=500, body={"x": value})
        with pytest.raises(ValueError, match=r"^result is not JSON: Out of range float values"):
            service.add_run(TIMER, status="success", result={"status": "success", "x": value})
    reply = _answer(service, "GET", RUNS, BEARER)
    assert (reply.status, reply.json()["total"]) == (200, 0)


def test_a_run_result_that_is_not_a_mapping_is_refused_naming_its_type(
    service: FakeTimersService,
) -> None:
    with pytest.raises(TypeError) as caught:
        service.add_run(TIMER, status="success", result=[1])  # type: ignore[arg-type]
    assert str(caught.value) == "result must be a mapping (the run's result object), got list: [1]"
    assert service.answerer.answer("GET", RUNS, BEARER).json()["total"] == 0  # type: ignore[union-attr]


# --- the default body of an injected answer -----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (200, "INJECTED", "OK."),
        (299, "INJECTED", "Error."),
        (399, "INJECTED", "Error."),
        (400, "INVALID_PARAMETER", "Bad Request."),
        (418, "ERROR", "I'm a Teapot."),
        (599, "ERROR", "Error."),
    ],
)
def test_an_injected_status_without_a_body_is_named_by_its_code_and_reason_phrase(
    service: FakeTimersService, status: int, code: str, message: str
) -> None:
    service.fail_next(status=status)
    runs = _answer(service, "GET", RUNS, BEARER)
    assert runs.status == status
    assert runs.json() == {
        "code": code,
        "message": message,
        "request_id": runs.header("x-request-id"),
    }
    service.fail_next(status=status)
    jobs = _answer(service, "GET", f"/jobs/{TIMER}", BEARER)
    assert jobs.json() == {"error": {"code": code, "detail": message, "status": status}}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("GET", b"/jobs/", None), "target must be a str, got bytes"),
        ((b"GET", "/jobs/", None), "method must be a str, got bytes"),
        (("GET", "/jobs/", b"Bearer test-token"), "authorization must be a str or None, got bytes"),
    ],
)
def test_answer_refuses_arguments_of_the_wrong_type_before_recording_or_using_a_fault(
    arguments: tuple[Any, Any, Any], message: str
) -> None:
    service = FakeTimersService()
    service.fail_next(status=503)
    with pytest.raises(TypeError) as caught:
        service.answerer.answer(*arguments)
    assert str(caught.value) == message
    assert service.requests == []
    reply = service.answerer.answer("GET", "/jobs/", "Bearer test-token")
    assert isinstance(reply, Reply) and reply.status == 503  # the fault is still queued
