"""support.prism runs Prism on 127.0.0.1 as a mock of the spec or a checking proxy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.openapi import SPEC_PATH, spec_document, validate_exchange
from support.prism import PrismError, prism_mock, prism_proxy, violations_of

pytestmark = pytest.mark.slow  # each Prism takes 1-2 s to start

AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUN_PATH = f"/timers/{TIMER_ID}/runs/{RUN_ID}"
RUNS_PATH = f"/timers/{TIMER_ID}/runs"
OFF_SPEC_RUN_ID = "00000000-0000-4000-8000-000000000bad"


def get(base_url: str, path: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        return client.get(path, **kwargs)


def assert_spec_valid(path: str, response: httpx.Response, **kwargs: Any) -> None:
    """Cross-check with openapi-core, as if the exchange had gone to the real service."""
    request = httpx.Request("GET", "https://timer.automate.globus.org/api/v1" + path, **kwargs)
    validate_exchange(request, response)


def get_run_example(name: str) -> Any:
    operation = spec_document()["paths"]["/timers/{timer_id}/runs/{run_id}"]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["examples"][name]["value"]


# --- mock -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with prism_mock(SPEC_PATH) as url:
        yield url


def test_the_mock_answers_with_the_spec_example_and_no_violations(mock_url: str) -> None:
    response = get(mock_url, RUN_PATH, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == get_run_example("web_callback")
    assert violations_of(response) == []
    assert_spec_valid(RUN_PATH, response, headers=AUTH)


def test_the_mock_answers_with_a_named_example_when_asked(mock_url: str) -> None:
    response = get(mock_url, RUN_PATH, headers={**AUTH, "Prefer": "example=failed"})
    assert response.json() == get_run_example("failed")


def test_the_mock_reports_a_limit_of_zero_as_a_violation(mock_url: str) -> None:
    response = get(mock_url, RUNS_PATH, params={"limit": 0}, headers=AUTH)
    assert response.status_code in (400, 422)
    [violation] = violations_of(response)
    assert violation["location"] == ["request", "query", "limit"]
    assert violation["severity"] == "Error"
    assert "limit must be >= 1" in violation["message"]


def test_the_mock_reports_a_missing_token_as_a_violation(mock_url: str) -> None:
    response = get(mock_url, RUN_PATH)
    assert response.status_code == 401
    assert [v["location"] for v in violations_of(response)] == [["request"]]


def test_the_mock_serves_the_spec_paths_at_its_root_not_under_api_v1(mock_url: str) -> None:
    assert get(mock_url, "/api/v1" + RUN_PATH, headers=AUTH).status_code == 404


def test_the_dynamic_mock_generates_spec_valid_bodies() -> None:
    with prism_mock(SPEC_PATH, dynamic=True, seed="7") as url:
        for path in (RUN_PATH, RUNS_PATH):
            response = get(url, path, headers=AUTH)
            assert response.status_code == 200
            assert violations_of(response) == []
            assert_spec_valid(path, response, headers=AUTH)


def test_a_mock_that_cannot_start_says_why() -> None:
    expected = r"(?s)exited with status.*no-such-spec\.yaml"
    with pytest.raises(PrismError, match=expected), prism_mock("no-such-spec.yaml"):
        pass


# --- proxy ------------------------------------------------------------------------------------


class Upstream:
    """A stdlib HTTP server on 127.0.0.1: a valid run, or an off-spec body for OFF_SPEC_RUN_ID."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.paths.append(self.path)
                if OFF_SPEC_RUN_ID in self.path:
                    body: dict[str, Any] = {"id": 5, "status": "success"}
                else:
                    body = run_json()
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Upstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream() as server:
        yield server


@pytest.fixture(scope="module")
def proxy_url(upstream: Upstream) -> Iterator[str]:
    with prism_proxy(SPEC_PATH, upstream.base_url) as url:
        yield url


def test_the_proxy_passes_a_spec_valid_response_without_violations(
    proxy_url: str, upstream: Upstream
) -> None:
    response = get(proxy_url, RUN_PATH, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == run_json()
    assert violations_of(response) == []
    assert upstream.paths[-1] == "/api/v1" + RUN_PATH


def test_the_proxy_reports_an_off_spec_response(proxy_url: str) -> None:
    response = get(proxy_url, f"/timers/{TIMER_ID}/runs/{OFF_SPEC_RUN_ID}", headers=AUTH)
    assert response.status_code == 200, "without errors=True the upstream answer comes through"
    assert response.json() == {"id": 5, "status": "success"}
    found = {(tuple(v["location"]), v["message"]) for v in violations_of(response)}
    assert (("response", "body", "id"), "Response body property id must be string") in found
    assert (
        ("response", "body"),
        "Response body must have required property 'timer_id'",
    ) in found


def test_the_proxy_reports_an_off_spec_request(proxy_url: str) -> None:
    response = get(proxy_url, RUN_PATH)
    assert [v["location"] for v in violations_of(response)] == [["request"]]


def test_the_proxy_with_errors_turns_an_off_spec_response_into_a_500(upstream: Upstream) -> None:
    with prism_proxy(SPEC_PATH, upstream.base_url, errors=True) as url:
        response = get(url, f"/timers/{TIMER_ID}/runs/{OFF_SPEC_RUN_ID}", headers=AUTH)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert violations_of(response)


def test_the_proxy_refuses_an_upstream_that_is_not_on_loopback() -> None:
    real_service = "https://timer.automate.globus.org/api/v1"
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"), prism_proxy(SPEC_PATH, real_service):
        pass


# --- violations_of ----------------------------------------------------------------------------


def test_violations_of_a_response_without_the_header_is_empty() -> None:
    assert violations_of(httpx.Response(200)) == []


def test_violations_of_parses_the_header() -> None:
    header = [{"location": ["request"], "severity": "Error", "message": "x"}]
    response = httpx.Response(422, headers={"sl-violations": json.dumps(header)})
    assert violations_of(response) == header
