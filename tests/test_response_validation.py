"""A 2xx body that does not match the spec raises ResponseValidationError naming the field."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from support.bodies import failed_run_json, numbered_runs, page_json, run_json, with_value
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import ResponseValidationError


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


RUN_CASES = [
    (without(run_json(), "id"), "id", "required field is missing"),
    (without(run_json(), "timer_id"), "timer_id", "required field is missing"),
    (without(run_json(), "status"), "status", "required field is missing"),
    (without(run_json(), "start_time"), "start_time", "required field is missing"),
    (without(run_json(), "result", "status"), "result.status", "required field is missing"),
    (without(failed_run_json(), "result", "error", "code"), "result.error.code", "missing"),
    (without(failed_run_json(), "result", "error", "message"), "result.error.message", "missing"),
    (with_value(run_json(), 5, "id"), "id", "expected a string, got int"),
    (with_value(run_json(), "run-1", "id"), "id", "expected a UUID"),
    (with_value(run_json(), None, "status"), "status", "expected a string, got null"),
    (with_value(run_json(), ["success"], "status"), "status", "expected a string, got list"),
    (with_value(run_json(), "yesterday", "start_time"), "start_time", "not an RFC 3339"),
    (with_value(run_json(), "2026-11-28", "start_time"), "start_time", "not an RFC 3339"),
    (with_value(run_json(), "2026-11-28T12:00:00", "end_time"), "end_time", "not an RFC 3339"),
    (with_value(run_json(), "2026-13-45T12:00:00Z", "end_time"), "end_time", "not a valid"),
    (with_value(run_json(), 1700000000, "start_time"), "start_time", "expected a string"),
    (with_value(run_json(), "200", "result", "status_code"), "result.status_code", "integer"),
    (with_value(run_json(), True, "result", "status_code"), "result.status_code", "integer"),
    (with_value(run_json(), 2.5, "result", "status_code"), "result.status_code", "integer"),
    (with_value(run_json(), 7, "result", "run_id"), "result.run_id", "expected a string"),
    (with_value(run_json(), "ok", "result"), "result", "expected an object, got str"),
    (with_value(failed_run_json(), [1], "result", "error"), "result.error", "expected an object"),
    (
        with_value(failed_run_json(), "text", "result", "error", "detail"),
        "result.error.detail",
        "expected an object",
    ),
]


@pytest.mark.parametrize(("body", "path", "problem"), RUN_CASES)
def test_a_bad_run_body_names_the_offending_field(
    dual: Dual, body: dict[str, Any], path: str, problem: str
) -> None:
    client = dual.client(handler=lambda r: httpx.Response(200, json=body), validate=False)
    with pytest.raises(ResponseValidationError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.path == path
    assert problem in info.value.problem
    assert info.value.status_code == 200
    assert f"at {path}:" in str(info.value)


PAGE_CASES = [
    (without(page_json([]), "runs"), "runs", "required field is missing"),
    (without(page_json([]), "total"), "total", "required field is missing"),
    (without(page_json([]), "has_next_page"), "has_next_page", "required field is missing"),
    (with_value(page_json([]), {}, "runs"), "runs", "expected an array"),
    (with_value(page_json([]), "3", "total"), "total", "expected an integer"),
    (with_value(page_json([]), -1, "total"), "total", "at least 0"),
    (with_value(page_json([]), "false", "has_next_page"), "has_next_page", "boolean"),
    (with_value(page_json([]), 0, "has_next_page"), "has_next_page", "boolean"),
    (with_value(page_json([]), 5, "next_page"), "next_page", "expected a string"),
    (
        with_value(page_json(numbered_runs(3)), "x", "runs", 2, "start_time"),
        "runs[2].start_time",
        "RFC 3339",
    ),
    (with_value(page_json(numbered_runs(2)), None, "runs", 1), "runs[1]", "expected an object"),
]


@pytest.mark.parametrize(("body", "path", "problem"), PAGE_CASES)
def test_a_bad_page_body_names_the_offending_field(
    dual: Dual, body: dict[str, Any], path: str, problem: str
) -> None:
    client = dual.client(handler=lambda r: httpx.Response(200, json=body), validate=False)
    with pytest.raises(ResponseValidationError) as info:
        client.list_runs(TIMER_ID)
    assert info.value.path == path
    assert problem in info.value.problem


@pytest.mark.parametrize(
    ("content", "content_type", "problem"),
    [
        (b"<html>ok</html>", "text/html", "expected a JSON body, got content type 'text/html'"),
        (b'{"id": 1}', "text/plain", "expected a JSON body"),
        (b'{"id": 1}', None, "expected a JSON body, got no content type"),
        (b"", "application/json", "not valid JSON"),
        (b'{"id": "9f2d8c7e', "application/json", "not valid JSON"),
        (b"\xff\xfe", "application/json", "not valid JSON"),
        (b"[" * 100_000, "application/json", "not valid JSON"),
        (b"null", "application/json", "expected an object, got null"),
        (b"[]", "application/json", "expected an object, got list"),
    ],
)
def test_a_success_body_that_is_not_a_json_object_is_a_validation_error(
    dual: Dual, content: bytes, content_type: str | None, problem: str
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    client = dual.client(
        handler=lambda r: httpx.Response(201, content=content, headers=headers), validate=False
    )
    with pytest.raises(ResponseValidationError) as info:
        client.run_timer(TIMER_ID)
    assert problem in str(info.value)
    assert info.value.path == ""


def test_an_unreadable_answer_to_run_timer_says_the_run_may_exist(dual: Dual) -> None:
    client = dual.client(handler=lambda r: httpx.Response(201, json={"id": "nope"}), validate=False)
    with pytest.raises(ResponseValidationError) as info:
        client.run_timer(TIMER_ID)
    assert info.value.outcome_unknown is True
    assert "may or may not have been created" in str(info.value)


def test_an_unreadable_answer_to_a_read_has_no_outcome_note(dual: Dual) -> None:
    client = dual.client(handler=lambda r: httpx.Response(200, json={"id": "nope"}), validate=False)
    with pytest.raises(ResponseValidationError) as info:
        client.get_run(TIMER_ID, RUN_ID)
    assert info.value.outcome_unknown is False
    assert "may or may not" not in str(info.value)
