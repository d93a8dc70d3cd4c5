"""Non-2xx answers become one typed error each, in every error-body shape Globus uses."""

from __future__ import annotations

import re

import httpx
import pytest
from support.bodies import error_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual
from support.openapi import mark_off_spec

import timers
from timers import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimersError,
    UnprocessableEntityError,
)

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, ServerError),
    (502, ServerError),
    (503, ServerError),
    (504, ServerError),
    (507, ServerError),
    (418, APIError),
    (302, APIError),
]


DECLARED = {400, 401, 403, 404, 422, 429, 500, 502, 503, 504, 507}


def answer(
    status: int,
    body: object = None,
    headers: dict[str, str] | None = None,
    *,
    off_spec: bool = False,
) -> httpx.MockTransport:
    """Answers every request alike. ``off_spec`` marks answers the spec does not declare
    (other Globus error shapes, proxies' HTML pages, undeclared statuses) so that the
    spec-validating transport checks only the request."""

    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes | str):
            response = httpx.Response(status, content=body, headers=headers)
        else:
            response = httpx.Response(status, json=body, headers=headers)
        return mark_off_spec(response) if off_spec else response

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_each_status_maps_to_its_error_class(dual: Dual, status: int, cls: type) -> None:
    transport = answer(
        status, error_json("SOME_CODE", "went wrong"), off_spec=status not in DECLARED
    )
    client = dual.client(transport, max_retries=0)
    with pytest.raises(cls) as info:
        client.get_run(TIMER_ID, RUN_ID)
    err = info.value
    assert type(err) is cls
    assert isinstance(err, APIError) and isinstance(err, TimersError)
    assert err.status_code == status
    assert err.code == "SOME_CODE"
    assert err.message == "went wrong"
    assert err.request_id == "req-123"
    assert err.method == "GET"
    assert err.url == f"https://timer.automate.globus.org/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"
    assert err.response.status_code == status
    assert err.body == error_json("SOME_CODE", "went wrong")


def test_error_str_is_one_line_with_status_code_message_and_request_id(dual: Dual) -> None:
    client = dual.client(answer(404, error_json("NOT_FOUND", "No timer with\nthat id.", "r-9")))
    with pytest.raises(NotFoundError) as info:
        client.run_timer(TIMER_ID)
    text = str(info.value)
    assert "\n" not in text
    assert text == (
        "404 NOT_FOUND: No timer with that id. "
        f"(POST https://timer.automate.globus.org/api/v1/timers/{TIMER_ID}/run, request id r-9)"
    )
    assert TOKEN not in text and TOKEN not in repr(info.value)


@pytest.mark.parametrize(
    ("body", "code", "message", "errors"),
    [
        pytest.param(
            {"code": "NOT_FOUND", "message": "gone", "request_id": "r1"},
            "NOT_FOUND",
            "gone",
            [],
            id="spec-error",
        ),
        pytest.param(
            {
                "code": "INVALID_PARAMETER",
                "message": "Invalid query parameter.",
                "errors": [{"code": "INVALID_PARAMETER", "message": "limit too big"}],
            },
            "INVALID_PARAMETER",
            "Invalid query parameter.",
            [{"code": "INVALID_PARAMETER", "message": "limit too big"}],
            id="spec-error-with-errors",
        ),
        pytest.param(
            {"errors": [{"code": "BAD", "title": "Bad thing"}, {"detail": "second"}]},
            "BAD",
            "Bad thing",
            [
                {"code": "BAD", "title": "Bad thing", "message": "Bad thing"},
                {"detail": "second", "message": "second"},
            ],
            id="errors-list-with-title-and-detail",
        ),
        pytest.param(
            {"detail": [{"loc": ["query", "limit"], "msg": "too large", "type": "value_error"}]},
            "value_error",
            "too large",
            [
                {
                    "loc": ["query", "limit"],
                    "msg": "too large",
                    "type": "value_error",
                    "message": "too large",
                    "location": "query.limit",
                    "code": "value_error",
                }
            ],
            id="fastapi-validation",
        ),
        pytest.param({"detail": "Not authenticated"}, None, "Not authenticated", [], id="detail"),
        pytest.param(
            {"error": {"code": "FORBIDDEN", "detail": "nope", "status": 403}},
            "FORBIDDEN",
            "nope",
            [],
            id="nested-error",
        ),
        pytest.param({"unexpected": True}, None, "Unprocessable Entity", [], id="unknown-shape"),
        pytest.param([1, 2], None, "Unprocessable Entity", [], id="json-array"),
    ],
)
def test_every_globus_error_shape_is_understood(
    dual: Dual, body: object, code: str | None, message: str, errors: list[object]
) -> None:
    client = dual.client(answer(422, body, off_spec=True))
    with pytest.raises(UnprocessableEntityError) as info:
        client.list_runs(TIMER_ID)
    assert (info.value.code, info.value.message, info.value.errors) == (code, message, errors)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "502 Bad Gateway",
            id="html-with-title",
        ),
        pytest.param(b"<html><body>oops</body></html>", "the service answered with an HTML page"),
        pytest.param(b"", "Bad Gateway", id="empty"),
        pytest.param(b"upstream connect error", "upstream connect error", id="plain-text"),
        pytest.param(b'{"code": "X", "mess', '{"code": "X", "mess', id="truncated-json"),
    ],
)
def test_non_json_error_bodies_keep_the_status_and_a_readable_message(
    dual: Dual, content: bytes, message: str
) -> None:
    transport = answer(502, content, {"content-type": "text/html"}, off_spec=True)
    client = dual.client(transport, max_retries=0)
    with pytest.raises(ServerError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.status_code == 502
    assert info.value.message == message
    assert info.value.code is None


def test_request_id_falls_back_to_the_response_header(dual: Dual) -> None:
    client = dual.client(answer(403, {"detail": "no"}, {"x-request-id": "hdr-77"}, off_spec=True))
    with pytest.raises(PermissionDeniedError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.request_id == "hdr-77"
    assert "request id hdr-77" in str(info.value)


def test_rate_limit_error_carries_retry_after_seconds(dual: Dual) -> None:
    client = dual.client(
        answer(429, error_json("RATE_LIMITED", "slow down"), {"retry-after": "120"}),
        max_retries=0,
    )
    with pytest.raises(RateLimitError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.retry_after == 120.0
    assert "retry after 120 s" in str(info.value)


def test_rate_limit_error_without_header_has_no_retry_after(dual: Dual) -> None:
    client = dual.client(answer(429, error_json("RATE_LIMITED", "slow")), max_retries=0)
    with pytest.raises(RateLimitError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.retry_after is None


def test_sub_errors_appear_in_the_message(dual: Dual) -> None:
    body = {
        "code": "INVALID_PARAMETER",
        "message": "Invalid query parameter.",
        "errors": [{"code": "INVALID_PARAMETER", "message": f"problem {i}"} for i in range(5)],
    }
    client = dual.client(answer(400, body))
    with pytest.raises(BadRequestError) as info:
        client.list_runs(TIMER_ID)
    assert "[problem 0; problem 1; problem 2; ...]" in str(info.value)


def test_every_error_says_whether_its_outcome_is_unknown_false_unless_set() -> None:
    errors = [
        cls("problem")
        for cls in (TimersError, timers.InvalidArgumentError, timers.UnsupportedOperationError)
    ]
    assert [error.outcome_unknown for error in errors] == [False, False, False]


def _every_error_class(root: type[TimersError] = TimersError) -> list[type[TimersError]]:
    found = [root]
    for sub in root.__subclasses__():
        found += _every_error_class(sub)
    return found


def test_every_error_class_is_public_and_in_the_tree() -> None:
    from pathlib import Path

    from timers import _errors

    for name in timers.__all__:
        obj = getattr(timers, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, TimersError), name
    # And the other way: every error class is exported, and drawn in both trees.
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    tree = readme.split("### Errors", 1)[1].split("```", 2)[1]
    for cls in _every_error_class():
        if cls.__module__ != "timers._errors":  # a user's own subclass, or a test's
            continue
        name = cls.__name__
        assert name in timers.__all__ and getattr(timers, name) is cls, name
        assert re.search(rf"\b{name}\b", tree), f"{name} is not in the README's tree"
        assert re.search(rf"\b{name}\b", _errors.__doc__ or ""), f"{name}: _errors docstring"
    assert issubclass(timers.InvalidArgumentError, ValueError)
    assert issubclass(timers.WaitTimeoutError, TimeoutError)
    assert issubclass(timers.APITimeoutError, timers.APIConnectionError)


@pytest.mark.parametrize("status", [404, 503])
def test_an_error_body_nested_too_deep_for_json_is_kept_as_text(dual: Dual, status: int) -> None:
    deep = b"[" * 100_000
    client = dual.client(answer(status, deep, off_spec=True), max_retries=0)
    with pytest.raises(APIError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.status_code == status and isinstance(info.value.body, str)
