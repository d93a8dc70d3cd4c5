"""support.openapi checks every HTTP exchange against the spec, and says what is wrong."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from support.bodies import failed_run_json, page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.openapi import (
    OFF_SPEC_EXTENSION,
    OFF_SPEC_HEADER,
    AsyncValidatingTransport,
    DualValidatingTransport,
    SpecViolation,
    ValidatingTransport,
    component_errors,
    mark_off_spec,
    spec_document,
    validate_exchange,
    validating,
)

BASE = "https://timer.automate.globus.org/api/v1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUN_PATH = f"/timers/{TIMER_ID}/runs/{RUN_ID}"
RUNS_PATH = f"/timers/{TIMER_ID}/runs"
TRIGGER_PATH = f"/timers/{TIMER_ID}/run"

Handler = Callable[[httpx.Request], httpx.Response]


def answering(status: int, body: Any = None, **kwargs: Any) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, **kwargs)

    return handler


def send(
    handler: Handler,
    method: str = "GET",
    path: str = RUN_PATH,
    *,
    base_url: str = BASE,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One exchange through a validating transport over ``handler``."""
    transport = validating(httpx.MockTransport(handler))
    with httpx.Client(transport=transport, base_url=base_url) as client:
        return client.request(method, path, headers=AUTH if headers is None else headers, **kwargs)


def violation(handler: Handler, method: str = "GET", path: str = RUN_PATH, **kw: Any) -> str:
    with pytest.raises(SpecViolation) as caught:
        send(handler, method, path, **kw)
    return str(caught.value)


# --- the spec's own examples ------------------------------------------------------------------


def spec_examples() -> Iterator[Any]:
    """(method, path, status, body) for every example of every response in the spec."""
    document = spec_document()
    concrete = {"{timer_id}": TIMER_ID, "{run_id}": RUN_ID}
    for template, item in document["paths"].items():
        path = template
        for name, value in concrete.items():
            path = path.replace(name, value)
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].split("/")[-1]]
                media = response["content"]["application/json"]
                examples = {k: v["value"] for k, v in media.get("examples", {}).items()}
                if "example" in media:
                    examples["example"] = media["example"]
                code = 503 if status == "5XX" else int(status)
                for name, body in examples.items():
                    yield pytest.param(
                        method.upper(),
                        path,
                        code,
                        body,
                        id=f"{operation['operationId']}-{status}-{name}",
                    )


@pytest.mark.parametrize(("method", "path", "status", "body"), list(spec_examples()))
def test_every_example_in_the_spec_passes_validation(
    method: str, path: str, status: int, body: Any
) -> None:
    response = send(answering(status, body), method, path)
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.parametrize(
    "base_url",
    [
        "https://timer.automate.globus.org/api/v1",
        "http://127.0.0.1:8123/api/v1",
        "http://localhost/api/v1",
    ],
)
def test_any_host_serving_the_api_under_api_v1_matches(base_url: str) -> None:
    send(answering(200, run_json()), base_url=base_url)
    send(answering(201, run_json(status="pending")), "POST", TRIGGER_PATH, base_url=base_url)


def test_a_path_outside_api_v1_is_a_request_violation() -> None:
    message = violation(answering(200, run_json()), base_url="http://127.0.0.1:8123")
    assert "request" in message
    assert "'/api/v1'" in message


def test_an_undeclared_operation_is_a_request_violation() -> None:
    message = violation(answering(200, run_json()), "DELETE", TRIGGER_PATH)
    assert "(no such operation)" in message
    assert "Operation delete not found" in message


# --- responses --------------------------------------------------------------------------------


def test_an_undeclared_status_is_a_response_violation() -> None:
    with pytest.raises(SpecViolation) as caught:
        send(answering(418, run_json()))
    v = caught.value
    assert v.side == "response"
    assert v.status_code == 418
    assert v.operation == "get_timer_run (GET /timers/{timer_id}/runs/{run_id})"
    assert "status 418 is not declared" in str(v)


@pytest.mark.parametrize("field", ["id", "timer_id", "status", "start_time"])
def test_a_missing_required_field_is_a_response_violation(field: str) -> None:
    body = run_json()
    del body[field]
    assert f"'{field}' is a required property" in violation(answering(200, body))


def test_a_missing_field_deep_in_a_page_is_reported_with_its_path() -> None:
    body = page_json([run_json(), failed_run_json()])
    del body["runs"][1]["result"]["error"]["code"]
    message = violation(answering(200, body), path=RUNS_PATH)
    assert "runs[1].result.error: 'code' is a required property" in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (run_json(id=5), "id: 5 is not of type 'string'"),
        (run_json(result={"status": "success", "status_code": "200"}), "status_code"),
        (page_json([run_json()]) | {"total": "3"}, "total: '3' is not of type 'integer'"),
        (page_json([run_json()]) | {"has_next_page": "no"}, "has_next_page"),
        (page_json([run_json()]) | {"total": -1}, "-1 is less than the minimum of 0"),
    ],
    ids=["id-int", "status_code-str", "total-str", "has_next_page-str", "total-negative"],
)
def test_a_wrong_type_is_a_response_violation(body: dict[str, Any], expected: str) -> None:
    path = RUNS_PATH if "runs" in body else RUN_PATH
    assert expected in violation(answering(200, body), path=path)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_time", "yesterday"),
        ("start_time", "2026-11-28"),
        ("start_time", "2026-11-28T12:00:00"),  # no offset: not RFC 3339
        ("end_time", "2026-13-45T12:00:00Z"),
        ("end_time", 1_800_000_000),
    ],
)
def test_a_bad_date_time_is_a_response_violation(field: str, value: Any) -> None:
    assert f"{field}: " in violation(answering(200, run_json(**{field: value})))


def test_a_bad_uuid_in_a_response_is_a_violation() -> None:
    assert "'run-1' is not a 'uuid'" in violation(answering(200, run_json(id="run-1")))


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(502, html="<html>Bad gateway</html>"), "mimetype not found: text/html"),
        (httpx.Response(500), "Missing response data"),
        (httpx.Response(200, text=json.dumps(run_json())), "mimetype not found: text/plain"),
        (
            httpx.Response(200, content=b"{not json", headers={"content-type": "application/json"}),
            "Failed to deserialize",
        ),
        (httpx.Response(200, content=json.dumps(run_json()).encode()), "mimetype not found: ."),
    ],
    ids=["html-502", "empty-500", "text-plain-200", "broken-json-200", "no-content-type"],
)
def test_a_body_that_is_not_json_is_a_response_violation(
    response: httpx.Response, expected: str
) -> None:
    assert expected in violation(lambda request: response)


def test_unknown_extra_response_fields_are_allowed() -> None:
    body = run_json(priority=3, result={"status": "success", "status_code": 200, "note": "x"})
    assert send(answering(200, body)).json()["priority"] == 3


def test_an_unlisted_run_status_in_a_response_passes() -> None:
    send(answering(200, run_json(status="paused")))


def test_nullable_fields_may_be_null_or_absent() -> None:
    send(answering(200, run_json(end_time=None, result=None)))
    send(answering(200, {k: v for k, v in run_json().items() if k not in ("end_time", "result")}))
    send(answering(200, run_json(result={"status": "x", "status_code": None, "run_id": None})))
    send(answering(200, run_json(result={"status": "failure", "error": None})))
    failed = failed_run_json()
    failed["result"]["error"]["detail"] = None
    send(answering(200, failed))
    send(answering(200, page_json([], next_page=None)), path=RUNS_PATH)


def test_a_status_that_is_null_is_a_response_violation() -> None:
    assert "None is not valid under any of the given schemas" in violation(
        answering(200, run_json(status=None))
    )


def test_a_declared_error_response_with_its_headers_passes() -> None:
    body = {"code": "RATE_LIMITED", "message": "Slow down.", "request_id": "r-1"}
    send(answering(429, body, headers={"Retry-After": "30", "X-Request-Id": "r-1"}))
    send(answering(503, body))


# --- requests ---------------------------------------------------------------------------------


def test_a_bad_uuid_in_the_path_is_a_request_violation() -> None:
    with pytest.raises(SpecViolation) as caught:
        send(answering(200, run_json()), path=f"/timers/not-a-uuid/runs/{RUN_ID}")
    assert caught.value.side == "request"
    assert "Invalid path parameter: timer_id: 'not-a-uuid' is not a 'uuid'" in str(caught.value)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": 0}, "limit: 0 is less than the minimum of 1"),
        ({"limit": 1001}, "limit: 1001 is greater than the maximum of 1000"),
        ({"limit": "ten"}, "Query parameter error: limit"),
        ({"status": "paused"}, "status: 'paused' is not one of"),
        ({"start_after": "2026-11-21T00:00:00"}, "start_after: '2026-11-21T00:00:00' is not a"),
        ({"start_before": "last week"}, "start_before: 'last week' is not a 'date-time'"),
        ({"marker": ""}, "Query parameter error: marker"),
        ({"limit_": 5}, "query parameter 'limit_' is not declared"),
        ({"limit": [5, 6]}, "query parameter 'limit' is sent 2 times"),
    ],
    ids=[
        "limit-0",
        "limit-1001",
        "limit-text",
        "status-unknown",
        "start_after-naive",
        "start_before-text",
        "marker-empty",
        "undeclared",
        "repeated",
    ],
)
def test_a_bad_query_parameter_is_a_request_violation(
    params: dict[str, Any], expected: str
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=page_json([]))

    with pytest.raises(SpecViolation) as caught:
        send(handler, path=RUNS_PATH, params=params)
    assert caught.value.side == "request"
    assert expected in str(caught.value)
    assert calls == [], "a request that breaks the spec must not be sent"


def test_good_query_parameters_pass() -> None:
    params = {
        "limit": 50,
        "marker": "bTo5ZjJk",
        "status": "failure",
        "start_after": "2026-11-21T00:00:00Z",
        "start_before": "2026-11-28T00:00:00.5+01:00",
    }
    send(answering(200, page_json([])), path=RUNS_PATH, params=params)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "no usable 'Authorization: Bearer <token>' header"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "no usable 'Authorization: Bearer <token>'"),
        ({"Authorization": "Bearer "}, "the bearer token is empty"),
    ],
    ids=["missing", "basic", "empty"],
)
def test_a_request_without_a_bearer_token_is_a_request_violation(
    headers: dict[str, str], expected: str
) -> None:
    assert expected in violation(answering(200, run_json()), headers=headers)


def test_a_body_on_an_operation_without_one_is_a_request_violation() -> None:
    message = violation(answering(201, run_json()), "POST", TRIGGER_PATH, json={"now": True})
    assert "the spec declares none" in message


# --- off-spec responses for fault injection ---------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        lambda: mark_off_spec(httpx.Response(502, html="<html>Bad gateway</html>")),
        lambda: httpx.Response(418, json={}, extensions={OFF_SPEC_EXTENSION: True}),
        lambda: httpx.Response(500, headers={OFF_SPEC_HEADER: "1"}),
    ],
    ids=["mark_off_spec", "extension", "header"],
)
def test_a_response_marked_off_spec_is_not_checked(broken: Callable[[], httpx.Response]) -> None:
    response = broken()
    assert send(lambda request: response) is response


def test_the_request_of_an_off_spec_response_is_still_checked() -> None:
    off_spec = mark_off_spec(httpx.Response(502, html="<html>Bad gateway</html>"))
    message = violation(lambda request: off_spec, path=RUNS_PATH, params={"limit": 0})
    assert "limit" in message


# --- the transports ---------------------------------------------------------------------------


def test_violations_are_recorded_even_when_the_client_swallows_them() -> None:
    transport = validating(httpx.MockTransport(answering(418, {})))
    client = httpx.Client(transport=transport, base_url=BASE, headers=AUTH)
    with client, contextlib.suppress(Exception):  # as a careless client might
        client.get(RUN_PATH)
    assert len(transport.violations) == 1
    assert transport.violations[0].status_code == 418
    with pytest.raises(AssertionError, match="1 spec violation"):
        transport.assert_no_violations()


def test_validating_picks_the_wrapper_for_the_transport() -> None:
    mock = httpx.MockTransport(answering(200, run_json()))
    assert isinstance(validating(mock), DualValidatingTransport)
    assert type(validating(httpx.HTTPTransport())) is ValidatingTransport
    assert type(validating(httpx.AsyncHTTPTransport())) is AsyncValidatingTransport
    with pytest.raises(TypeError):
        validating(object())  # type: ignore[call-overload]


def test_one_wrapped_mock_transport_serves_sync_and_async_clients() -> None:
    transport = validating(httpx.MockTransport(answering(200, run_json())))

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=AUTH) as client:
            return await client.get(RUN_PATH)

    assert asyncio.run(fetch()).json() == run_json()
    with httpx.Client(transport=transport, base_url=BASE, headers=AUTH) as client:
        assert client.get(RUN_PATH).json() == run_json()
    assert transport.exchanges == 2
    transport.assert_no_violations()


def test_the_async_transport_raises_violations_too() -> None:
    transport = validating(httpx.MockTransport(answering(200, run_json(start_time="noon"))))

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=AUTH) as client:
            await client.get(RUN_PATH)

    with pytest.raises(SpecViolation, match="start_time: 'noon' is not a 'date-time'"):
        asyncio.run(fetch())
    assert len(transport.violations) == 1


def test_request_checks_can_be_turned_off_for_tests_of_server_side_validation() -> None:
    transport = validating(httpx.MockTransport(answering(422, {"code": "X", "message": "m"})))
    transport.validate_requests = False
    with httpx.Client(transport=transport, base_url=BASE, headers=AUTH) as client:
        assert client.get(RUNS_PATH, params={"limit": 0}).status_code == 422
    transport.assert_no_violations()


def test_validate_exchange_checks_one_exchange() -> None:
    request = httpx.Request("GET", BASE + RUN_PATH, headers=AUTH)
    validate_exchange(request, httpx.Response(200, json=run_json()))
    with pytest.raises(SpecViolation) as caught:
        validate_exchange(request, httpx.Response(200, json=run_json(id=None)))
    assert caught.value.side == "response"
    bad = httpx.Request("GET", BASE + RUNS_PATH, params={"limit": 0}, headers=AUTH)
    with pytest.raises(SpecViolation) as caught:
        validate_exchange(bad, httpx.Response(200, json=run_json(id=None)))
    assert caught.value.side == "request and response"


@pytest.fixture
def loopback_server() -> Iterator[str]:
    """A stdlib HTTP server on 127.0.0.1 that answers every GET with a spec-valid run."""
    body = json.dumps(run_json()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_validated_network_response_is_still_readable_by_the_client(
    loopback_server: str,
) -> None:
    transport = validating(httpx.HTTPTransport())
    with httpx.Client(
        transport=transport, base_url=loopback_server, headers=AUTH, trust_env=False
    ) as client:
        response = client.get(RUN_PATH)
        assert response.json() == run_json()
        assert response.elapsed.total_seconds() >= 0
        with client.stream("GET", RUN_PATH) as streamed:
            assert json.loads(b"".join(streamed.iter_raw())) == run_json()
    assert transport.exchanges == 2


def test_a_validated_async_network_response_is_still_readable_by_the_client(
    loopback_server: str,
) -> None:
    transport = validating(httpx.AsyncHTTPTransport())

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=transport, base_url=loopback_server, headers=AUTH, trust_env=False
        ) as client:
            return await client.get(RUN_PATH)

    response = asyncio.run(fetch())
    assert response.json() == run_json()
    assert response.elapsed.total_seconds() >= 0


# --- components -------------------------------------------------------------------------------


def test_component_errors_explain_why_a_value_does_not_match_a_schema() -> None:
    assert component_errors("TimerRun", run_json()) == []
    assert component_errors("TimerRun", run_json(id=5)) == ["id: 5 is not of type 'string'"]
    assert component_errors("RunResult", None) == []
    assert component_errors("RunList", page_json([run_json(start_time="x")])) == [
        "runs[0].start_time: 'x' is not a 'date-time'"
    ]
