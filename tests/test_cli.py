"""The `timers` command with click's runner: every command, output format and error path.

HTTP is mocked with respx here (it patches httpx in-process); tests/test_cli_end_to_end.py runs
the installed script against the served reference service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
import respx
from click.testing import CliRunner
from support.bodies import failed_run_json, numbered_runs, page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers.cli._app import (
    EXIT_AUTH,
    EXIT_ERROR,
    EXIT_NOT_FOUND,
    EXIT_RATE_LIMITED,
    EXIT_RUN_FAILED,
    EXIT_SERVER,
    EXIT_USAGE,
    EXIT_WAIT_TIMEOUT,
    cli,
)

BASE = "http://127.0.0.1:9/api/v1"
ENV = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN}


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), env=ENV if env is None else env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_list_prints_a_table_with_status_outcome_and_a_footer(mock: respx.MockRouter) -> None:
    runs = [run_json(), failed_run_json(id="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d")]
    runs.append(
        run_json(
            id="4c1b2a3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            result={"status": "success", "run_id": "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"},
        )
    )
    mock.get(f"/timers/{TIMER_ID}/runs").respond(
        200, json=page_json(runs, total=10, next_page="next-m")
    )
    code, out, err = invoke("runs", "list", TIMER_ID)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "STATUS",
        "STARTED",
        "(UTC)",
        "DURATION",
        "CALLBACK",
        "OUTCOME",
    ]
    assert RUN_ID in lines[1] and "success" in lines[1] and "HTTP 200" in lines[1]
    assert "2026-11-28 12:00:00Z" in lines[1] and "2.5s" in lines[1] and "web" in lines[1]
    assert "failure" in lines[2] and "HTTP 503 CALLBACK_FAILED" in lines[2]
    assert "flow" in lines[3] and "flow run 7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a" in lines[3]
    assert "3 of 10 runs." in err and "--marker next-m" in err


def test_list_passes_filters_to_the_service(mock: respx.MockRouter) -> None:
    route = mock.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([]))
    code, _, err = invoke(
        "runs", "list", TIMER_ID, "--status", "failure", "--after", "2026-11-01T00:00:00+01:00",
        "--before", "2026-11-28T00:00:00Z", "--limit", "7", "--marker", "abc",
    )  # fmt: skip
    assert code == 0, err
    assert dict(route.calls.last.request.url.params) == {
        "status": "failure",
        "start_after": "2026-10-31T23:00:00Z",
        "start_before": "2026-11-28T00:00:00Z",
        "limit": "7",
        "marker": "abc",
    }


@pytest.mark.parametrize(("since", "seconds"), [("30m", 1800), ("24h", 86400), ("7d", 604800)])
def test_since_is_a_window_ending_now(mock: respx.MockRouter, since: str, seconds: int) -> None:
    from datetime import UTC, datetime, timedelta

    route = mock.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([]))
    window = timedelta(seconds=seconds)
    before = datetime.now(UTC)
    assert invoke("runs", "list", TIMER_ID, "--since", since)[0] == 0
    after = datetime.now(UTC)
    sent = route.calls.last.request.url.params["start_after"]
    assert sent.endswith("Z")  # sent to the microsecond: no rounding to allow for
    sent_at = datetime.fromisoformat(sent)
    assert before - window <= sent_at <= after - window


def test_list_all_streams_every_page_as_jsonl(mock: respx.MockRouter) -> None:
    pages = {None: ("m1", numbered_runs(2)), "m1": (None, numbered_runs(2, start=2))}

    def handler(request: httpx.Request) -> httpx.Response:
        following, runs = pages[request.url.params.get("marker")]
        return httpx.Response(200, json=page_json(runs, total=4, next_page=following))

    mock.get(f"/timers/{TIMER_ID}/runs").mock(side_effect=handler)
    code, out, _ = invoke("runs", "list", TIMER_ID, "--all", "--format", "jsonl", "--limit", "2")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in numbered_runs(4)]


def test_list_json_is_the_page_in_wire_format(mock: respx.MockRouter) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([failed_run_json()]))
    code, out, _ = invoke("runs", "list", TIMER_ID, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 1 and data["runs"][0]["result"]["error"]["code"] == "CALLBACK_FAILED"


def test_show_prints_every_field_including_error_details(mock: respx.MockRouter) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=failed_run_json())
    code, out, _ = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert code == 0
    for text in (
        RUN_ID, TIMER_ID, "failure", "2026-11-28 12:00:00Z", "2026-11-28 12:00:02Z", "2.5s",
        "web", "503 (not ok)", "CALLBACK_FAILED", "The web callback answered 503",
        "url", "https://example.org/hooks/nightly", "attempts", "3",
    ):  # fmt: skip
        assert text in out, text


def test_show_json_round_trips(mock: respx.MockRouter) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json())
    code, out, _ = invoke("runs", "show", TIMER_ID, RUN_ID, "--format", "json")
    assert code == 0
    from timers import TimerRun

    assert TimerRun.from_dict(json.loads(out)) == TimerRun.from_dict(run_json())


def test_trigger_prints_the_new_run(mock: respx.MockRouter) -> None:
    route = mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    code, out, _ = invoke("runs", "trigger", TIMER_ID)
    assert code == 0 and route.call_count == 1
    assert "pending" in out and RUN_ID in out


def _lifecycle(mock: respx.MockRouter, final: dict[str, object]) -> None:
    mock.post(f"/timers/{TIMER_ID}/run").respond(
        201, json=run_json(status="pending", end_time=None, result=None)
    )
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").mock(
        side_effect=[
            httpx.Response(200, json=run_json(status="in_progress", end_time=None, result=None)),
            httpx.Response(200, json=final),
        ]
    )


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    return slept


def test_trigger_wait_shows_each_status_and_exits_0_on_success(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    _lifecycle(mock, run_json())
    code, out, err = invoke("runs", "trigger", TIMER_ID, "--wait", "--timeout", "60")
    assert code == 0
    assert "pending" in err and "in_progress" in err and "success" in err
    assert "success" in out and no_sleep


def test_trigger_wait_exits_7_when_the_run_fails(
    mock: respx.MockRouter, no_sleep: list[float]
) -> None:
    _lifecycle(mock, failed_run_json())
    code, out, _ = invoke("runs", "trigger", TIMER_ID, "--wait")
    assert code == EXIT_RUN_FAILED
    assert "CALLBACK_FAILED" in out


def test_wait_exits_8_on_timeout(mock: respx.MockRouter, no_sleep: list[float]) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        200, json=run_json(status="in_progress", end_time=None, result=None)
    )
    code, _, err = invoke("runs", "wait", TIMER_ID, RUN_ID, "--timeout", "0")
    assert code == EXIT_WAIT_TIMEOUT
    assert "did not finish within 0 s" in err


def test_wait_returns_a_finished_run(mock: respx.MockRouter, no_sleep: list[float]) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json())
    code, out, _ = invoke("runs", "wait", TIMER_ID, RUN_ID, "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "success"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, EXIT_NOT_FOUND),
        (401, EXIT_AUTH),
        (403, EXIT_AUTH),
        (429, EXIT_RATE_LIMITED),
        (500, EXIT_SERVER),
        (503, EXIT_SERVER),
        (409, EXIT_ERROR),
        (400, EXIT_USAGE),  # the service refused the request as malformed: fix the input
        (422, EXIT_USAGE),
    ],
)
def test_api_errors_give_one_line_and_the_documented_exit_code(
    mock: respx.MockRouter, status: int, code: int, no_sleep: list[float]
) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        status,
        json={"code": "SOME_CODE", "message": "it went wrong", "request_id": "r-1"},
        headers={"retry-after": "9999"},
    )
    exit_code, out, err = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert exit_code == code
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("timers: error: ")
    assert "it went wrong" in err and "Traceback" not in err
    assert TOKEN not in err


def test_connection_failure_exits_6(mock: respx.MockRouter, no_sleep: list[float]) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").mock(side_effect=httpx.ConnectError("refused"))
    code, _, err = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert code == EXIT_SERVER and "could not connect" in err


def test_a_dead_service_is_a_network_error_told_at_each_retry(
    closed_port: int, no_sleep: list[float]
) -> None:
    # A real refused connection on loopback (no respx), the retry backoff not waited.
    env = {**ENV, "TIMERS_BASE_URL": f"http://127.0.0.1:{closed_port}/api/v1"}
    code, out, err = invoke("runs", "list", TIMER_ID, env=env)
    assert code == EXIT_SERVER and out == ""
    *notices, last = err.splitlines()
    assert last.startswith("timers: error: request could not connect")
    # The refusal is told at once, with each retry: the command is never silently stuck. Each
    # notice gives the wait that then follows.
    assert len(notices) == 3 and len(no_sleep) == 3
    for number, (line, slept) in enumerate(zip(notices, no_sleep, strict=True), start=1):
        assert line == (
            f"timers: could not connect to 127.0.0.1:{closed_port}; "
            f"retry {number} of 3 in {slept:.1f} s"
        )


def test_an_invalid_response_exits_6(mock: respx.MockRouter) -> None:
    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json={"id": "x"})
    code, _, err = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert code == EXIT_SERVER and "invalid response body" in err


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "show", "not-a-uuid", RUN_ID],
        ["runs", "list", TIMER_ID, "--limit", "0"],
        ["runs", "list", TIMER_ID, "--status", "done"],
        ["runs", "list", TIMER_ID, "--since", "7 days"],
        ["runs", "list", TIMER_ID, "--since", "99999999999d"],
        ["runs", "list", TIMER_ID, "--since", "3000000w"],
        ["runs", "list", TIMER_ID, "--after", "2026-11-01"],
        ["runs", "list", TIMER_ID, "--after", "2026-11-01T00:00:00Z", "--since", "1d"],
        ["runs", "list", TIMER_ID, "--format", "xml"],
        ["runs", "bogus"],
        ["runs", "show", TIMER_ID],
    ],
)
def test_usage_errors_exit_2_without_a_request(mock: respx.MockRouter, args: list[str]) -> None:
    code, _, err = invoke(*args)
    assert code == EXIT_USAGE, err
    assert "Traceback" not in err
    assert not mock.calls


def test_no_token_is_a_usage_error_that_names_the_ways_to_give_one() -> None:
    code, _, err = invoke("runs", "show", TIMER_ID, RUN_ID, env={"TIMERS_BASE_URL": BASE})
    assert code == EXIT_USAGE
    assert "--token" in err and "TIMERS_ACCESS_TOKEN" in err


def test_token_option_is_used_and_never_printed(mock: respx.MockRouter) -> None:
    route = mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        401, json={"code": "AUTHENTICATION_ERROR", "message": "bad token"}
    )
    code, out, err = invoke(
        "--token", "cli-secret-123", "--verbose", "runs", "show", TIMER_ID, RUN_ID,
        env={"TIMERS_BASE_URL": BASE},
    )  # fmt: skip
    assert code == EXIT_AUTH
    assert route.calls.last.request.headers["authorization"] == "Bearer cli-secret-123"
    assert "cli-secret-123" not in out + err


def test_verbose_logs_each_request_to_stderr(mock: respx.MockRouter) -> None:
    import logging

    mock.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json())
    before = logging.getLogger("timers").handlers[:], logging.getLogger("timers").level
    code, _, err = invoke("--verbose", "runs", "show", TIMER_ID, RUN_ID)
    assert code == 0
    assert f"GET /api/v1/timers/{TIMER_ID}/runs/{RUN_ID} -> 200" in err
    # run in-process, the command leaves logging as it found it
    assert (logging.getLogger("timers").handlers, logging.getLogger("timers").level) == before


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["runs"],
        ["runs", "list"],
        ["runs", "show"],
        ["runs", "trigger"],
        ["runs", "wait"],
        ["runs", "watch"],
        ["runs", "summary"],
        ["serve"],
        ["demo"],
    ],
)
def test_every_command_has_help_with_examples(args: list[str]) -> None:
    code, out, _ = invoke(*args, "--help")
    assert code == 0
    assert "Usage:" in out
    assert re.search(r"\n  Examples?:\n    timers ", out)


def test_top_level_help_documents_exit_codes() -> None:
    _, out, _ = invoke("--help")
    assert "Exit codes" in out and "7 the run failed" in out
