"""The CLI's global options (--api, --allow-insecure-http), its usage hints and exit codes.

The reference service answers in-process (respx routes both APIs to it), so every answer is
the spec's. What the CLI shows of hostile answers: tests/test_cli_output_safety.py.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
import respx
from click.testing import CliRunner
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers._dialects.jobs import run_id_for
from timers.cli._app import (
    EXIT_CREATED_WAIT_FAILED,
    EXIT_RUN_STATUS_UNKNOWN,
    EXIT_USAGE,
    EXIT_WAIT_TIMEOUT,
    cli,
)
from timers.testing import FakeTimersService

RUNS = "http://127.0.0.1:9/api/v1"
JOBS = "http://127.0.0.1:9"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = {"TIMERS_BASE_URL": RUNS, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, list(args), env={**base, **(env or {})})
    assert not isinstance(result.exception, AssertionError), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def service() -> Iterator[FakeTimersService]:
    service = FakeTimersService(tokens=[TOKEN])
    service.add_timer(TIMER_ID, callback="web")
    service.seed_history(TIMER_ID, 30, interval=timedelta(hours=1), failure_rate=0.3)
    with service.mock(RUNS, jobs_base_url=JOBS):
        yield service


# -- --api -----------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["jobs", "JOBS"])
def test_api_jobs_lists_the_same_runs_through_the_jobs_api(
    service: FakeTimersService, api: str
) -> None:
    code, out, err = invoke(
        "--api", api, "runs", "list", TIMER_ID, "--format", "json", env={"TIMERS_BASE_URL": JOBS}
    )
    assert code == 0, err
    runs = json.loads(out)["runs"]
    assert len(runs) == 30
    assert all(path.startswith("/jobs/") for _, path in service.requests)
    runs_code, runs_out, _ = invoke("runs", "list", TIMER_ID, "--format", "json")
    assert runs_code == 0
    # The same history: the same start times, newest first (ids differ: jobs derives them).
    starts = [r["start_time"] for r in json.loads(runs_out)["runs"]]
    assert [r["start_time"] for r in runs] == starts


def test_timers_api_environment_variable_chooses_the_api(service: FakeTimersService) -> None:
    code, _, err = invoke(
        "runs", "list", TIMER_ID, env={"TIMERS_API": "jobs", "TIMERS_BASE_URL": JOBS}
    )
    assert code == 0, err
    assert service.requests[-1][1].startswith(f"/jobs/{TIMER_ID}")


def test_show_and_wait_work_with_api_jobs(service: FakeTimersService) -> None:
    jobs = {"TIMERS_BASE_URL": JOBS}
    code, out, _ = invoke("--api", "jobs", "runs", "list", TIMER_ID, "--format", "jsonl", env=jobs)
    newest_finished = next(
        json.loads(line) for line in out.splitlines() if json.loads(line)["end_time"]
    )
    for command in ("show", "wait"):
        code, out, err = invoke(
            "--api",
            "jobs",
            "runs",
            command,
            TIMER_ID,
            newest_finished["id"],
            "--format",
            "json",
            env=jobs,
        )
        assert code in (0, 7), err  # 7: the run failed
        assert json.loads(out)["id"] == newest_finished["id"]


def test_trigger_with_api_jobs_exits_2_in_one_line_without_a_request(
    service: FakeTimersService,
) -> None:
    code, out, err = invoke("--api", "jobs", "runs", "trigger", TIMER_ID)
    assert code == EXIT_USAGE and out == ""
    assert err.count("\n") == 1 and "no endpoint" in err
    assert "runs trigger is not available with --api jobs" in err
    assert service.requests == []


def test_an_unknown_api_is_a_usage_error() -> None:
    code, _, err = invoke("--api", "v3", "runs", "list", TIMER_ID)
    assert code == EXIT_USAGE and "'v3' is not one of 'runs', 'jobs'" in err


# -- --allow-insecure-http and misplaced global options -------------------------------------------


def test_plain_http_to_another_host_names_the_cli_option() -> None:
    code, _, err = invoke(
        "runs", "show", TIMER_ID, RUN_ID, env={"TIMERS_BASE_URL": "http://example.invalid/api/v1"}
    )
    assert code == EXIT_USAGE
    assert "--allow-insecure-http" in err and "allow_insecure_http=True" not in err


def test_allow_insecure_http_lets_plain_http_through() -> None:
    with respx.mock(base_url="http://example.invalid/api/v1") as router:
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json())
        code, out, err = invoke(
            "--allow-insecure-http",
            "runs",
            "show",
            TIMER_ID,
            RUN_ID,
            env={"TIMERS_BASE_URL": "http://example.invalid/api/v1"},
        )
    assert code == 0, err and RUN_ID in out


@pytest.mark.parametrize("option", ["--token", "--base-url", "--api", "--allow-insecure-http"])
def test_a_global_option_after_the_command_says_where_it_goes(option: str) -> None:
    code, _, err = invoke("runs", "list", TIMER_ID, option, "x")
    assert code == EXIT_USAGE
    assert f"{option} is a global option: put it before the command" in err


def test_an_unknown_option_is_still_the_usual_usage_error() -> None:
    code, _, err = invoke("runs", "list", TIMER_ID, "--nope")
    assert code == EXIT_USAGE and "No such option" in err and "--nope" in err
    assert "global" not in err


@pytest.mark.parametrize("given", ["FAILURE", "Failure", "failure"])
def test_status_is_accepted_in_any_case(service: FakeTimersService, given: str) -> None:
    code, out, err = invoke("runs", "list", TIMER_ID, "--status", given, "--format", "json")
    assert code == 0, err
    assert "status=failure" in service.requests[-1][1]
    assert {run["status"] for run in json.loads(out)["runs"]} == {"failure"}


@pytest.mark.parametrize("api", ["runs", "jobs"])
@pytest.mark.parametrize("command", ["list", "summary"])
def test_status_with_surrounding_whitespace_filters_as_without_it(
    service: FakeTimersService, api: str, command: str
) -> None:
    base = RUNS if api == "runs" else JOBS
    args = ("--api", api, "runs", command, TIMER_ID, "--format", "json")
    env = {"TIMERS_BASE_URL": base}
    code, out, err = invoke(*args, "--status", " failure\t", env=env)
    assert code == 0, err
    assert out == invoke(*args, "--status", "failure", env=env)[1]
    assert '"failure"' in out


@pytest.mark.parametrize("api", ["runs", "jobs"])
def test_a_blank_status_is_a_usage_error_not_an_empty_listing(
    service: FakeTimersService, api: str
) -> None:
    code, out, err = invoke("--api", api, "runs", "list", TIMER_ID, "--status", "  ")
    assert (code, out, service.requests) == (EXIT_USAGE, "", [])
    assert err.endswith(
        "Error: Invalid value for '--status': give a status: pending, in_progress, success, "
        "failure\n"
    )


def test_an_unlisted_status_is_quoted_with_its_whitespace_visible(
    service: FakeTimersService,
) -> None:
    code, _, err = invoke("runs", "list", TIMER_ID, "--status", "fail ure\r")
    assert code == EXIT_USAGE
    assert "'--status': 'fail ure\\r' is not one of" in err


# -- markers -----------------------------------------------------------------------------------


def test_a_marker_the_service_did_not_issue_exits_2_saying_it_once(
    service: FakeTimersService,
) -> None:
    code, out, err = invoke("runs", "list", TIMER_ID, "--marker", "garbage")
    assert code == EXIT_USAGE and out == ""
    assert err.count("\n") == 1
    assert err.count("marker is not a next_page value of this service") == 1


def test_an_overlong_marker_exits_2_before_any_request(service: FakeTimersService) -> None:
    code, _, err = invoke("runs", "list", TIMER_ID, "--marker", "m" * 70_000)
    assert code == EXIT_USAGE and err.count("\n") == 1 and len(err) < 500
    assert service.requests == []


# -- serve -------------------------------------------------------------------------------------


def test_serve_on_a_busy_port_is_one_line_with_the_port_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = invoke("serve", "--port", str(port), "--runs", "0")
    assert code == EXIT_USAGE
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err and "Traceback" not in err


# -- trigger --wait when the run exists but waiting fails ---------------------------------------


def test_trigger_wait_shows_the_created_run_and_exits_9_when_polls_fail(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    service.fail_next(20, status=500, operation="get_timer_run")
    code, out, err = invoke("runs", "trigger", TIMER_ID, "--wait", "--format", "json")
    assert code == EXIT_CREATED_WAIT_FAILED
    created = json.loads(out)
    assert service.runs_created == 1 and created["status"] == "pending"
    assert f"run {created['id']} of timer {TIMER_ID} was created" in err
    assert "instead of triggering again" in err


def test_trigger_wait_that_times_out_shows_the_run_and_exits_8(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    code, out, err = invoke(
        "runs", "trigger", TIMER_ID, "--wait", "--timeout", "0", "--format", "json"
    )
    assert code == EXIT_WAIT_TIMEOUT
    assert json.loads(out)["status"] == "pending" and "did not finish within 0 s" in err


@pytest.mark.parametrize(
    ("extra", "exit_code"),
    [([], EXIT_CREATED_WAIT_FAILED), (["--timeout", "0"], EXIT_WAIT_TIMEOUT)],
)
def test_trigger_wait_failing_after_the_run_exists_gives_the_command_to_wait_for_it(
    service: FakeTimersService, monkeypatch: pytest.MonkeyPatch, extra: list[str], exit_code: int
) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    service.fail_next(20, status=500, operation="get_timer_run")
    code, out, err = invoke("runs", "trigger", TIMER_ID, "--wait", *extra, "--format", "json")
    assert code == exit_code
    created = json.loads(out)["id"]
    assert f"wait for it with timers runs wait {TIMER_ID} {created} instead of triggering" in err
    assert "wait_for_run" not in err


# -- --api jobs filters in the client ------------------------------------------------------------


def test_a_filtered_jobs_page_says_it_was_filtered_here_not_how_many_match(
    service: FakeTimersService,
) -> None:
    code, out, err = invoke(
        "--api", "jobs", "runs", "list", TIMER_ID, "--status", "failure", "--limit", "5",
        env={"TIMERS_BASE_URL": JOBS},
    )  # fmt: skip
    assert code == 0, err
    assert len(service.requests) == 1  # one page, as asked: no paging to fill it
    shown = len(out.splitlines()) - 1
    assert shown < 5
    head, marker = err.split(" More: --marker ")
    assert head == (
        f"{shown} matching run{'' if shown == 1 else 's'} on this page of the timer's 30 runs "
        "(the jobs API filters in "
        "the client: --all searches every page)."
    )
    assert marker.endswith(".\n") and "\n" not in marker[:-1]


def test_a_jobs_status_the_client_does_not_know_can_be_filtered_on(
    service: FakeTimersService,
) -> None:
    start = service.now().replace(microsecond=0) - timedelta(minutes=5)
    service.add_run(TIMER_ID, status="FAILED", start_time=start, end_time=service.now())
    code, out, err = invoke(
        "--api", "jobs", "runs", "list", TIMER_ID, "--status", "FAILED", "--format", "json",
        env={"TIMERS_BASE_URL": JOBS},
    )  # fmt: skip
    assert code == 0, err
    assert [run["status"] for run in json.loads(out)["runs"]] == ["FAILED"]


def test_with_the_runs_api_an_unlisted_status_is_a_usage_error_before_any_request(
    service: FakeTimersService,
) -> None:
    for command in (["runs", "list"], ["runs", "summary"]):
        code, _, err = invoke(*command, TIMER_ID, "--status", "FAILED")
        assert code == EXIT_USAGE and not service.requests
        assert err.endswith(
            "Error: Invalid value for '--status': 'FAILED' is not one of pending, in_progress, "
            "success, failure (any case; with --api jobs, any status the service reports)\n"
        )


def test_a_run_that_finished_with_a_status_the_client_does_not_know_exits_10(
    service: FakeTimersService,
) -> None:
    start = service.now().replace(microsecond=0) - timedelta(minutes=5)
    service.add_run(TIMER_ID, status="SUCCEEDED", start_time=start, end_time=service.now())
    run_id = run_id_for(TIMER_ID, start)
    code, out, err = invoke(
        "--api", "jobs", "runs", "wait", TIMER_ID, run_id, "--format", "json",
        env={"TIMERS_BASE_URL": JOBS},
    )  # fmt: skip
    assert code == EXIT_RUN_STATUS_UNKNOWN == 10
    assert json.loads(out)["status"] == "SUCCEEDED"
    assert err.endswith(
        "timers: the run finished with status 'SUCCEEDED', which the client does not know: "
        "not known to have succeeded\n"
    )


def test_an_unfiltered_jobs_page_has_the_usual_footer(service: FakeTimersService) -> None:
    code, _, err = invoke(
        "--api", "jobs", "runs", "list", TIMER_ID, "--limit", "5", env={"TIMERS_BASE_URL": JOBS}
    )
    assert code == 0 and err.startswith("5 of 30 runs. More: --marker ")
