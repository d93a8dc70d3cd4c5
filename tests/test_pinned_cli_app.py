"""The ``timers`` group (timers.cli._app): global options, logging while a command runs, and
what it leaves behind."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

import pytest
import respx
from click.testing import CliRunner
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers._logging import _EnvHandler, logger
from timers.cli import _app
from timers.cli._app import cli
from timers.cli._base import RetryNotices, State

BASE = "http://127.0.0.1:9/api/v1"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json())
        yield router


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What the logger looked like, and the state, while the command ran."""
    found: dict[str, object] = {}
    show = _app.runs.commands["show"].callback
    assert show is not None

    def spying(*args: object, **kwargs: object) -> None:
        found["level"] = logger.level
        found["handlers"] = list(logger.handlers)
        state = click_state()
        found["state"] = state
        show(*args, **kwargs)

    monkeypatch.setattr(_app.runs.commands["show"], "callback", spying)
    return found


def click_state() -> State:
    import click

    return click.get_current_context().find_object(State)


def invoke(*args: str) -> tuple[int, str, str]:
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_command_logs_retries_at_info(mock: respx.MockRouter, seen: dict[str, object]) -> None:
    code, _, err = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert code == 0, err
    assert seen["level"] == logging.INFO
    handlers = seen["handlers"]
    assert isinstance(handlers, list)
    assert [type(h) for h in handlers if isinstance(h, RetryNotices)] == [RetryNotices]
    assert not any(type(h) is logging.StreamHandler for h in handlers)


def test_a_lower_level_already_set_is_kept(
    mock: respx.MockRouter, seen: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logger, "level", logging.DEBUG)
    assert invoke("runs", "show", TIMER_ID, RUN_ID)[0] == 0
    assert seen["level"] == logging.DEBUG
    assert logger.level == logging.DEBUG


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_a_command_leaves_logging_as_it_found_it(
    mock: respx.MockRouter, seen: dict[str, object], verbose: list[str]
) -> None:
    before = (list(logger.handlers), logger.level)
    assert invoke(*verbose, "runs", "show", TIMER_ID, RUN_ID)[0] == 0
    assert (list(logger.handlers), logger.level) == before


def test_verbose_logs_at_debug_with_the_level_and_logger_name(
    mock: respx.MockRouter, seen: dict[str, object]
) -> None:
    code, _, err = invoke("-v", "runs", "show", TIMER_ID, RUN_ID)
    assert code == 0
    assert seen["level"] == logging.DEBUG
    assert f"DEBUG timers: GET /api/v1/timers/{TIMER_ID}/runs/{RUN_ID} -> 200 in " in err
    assert f"INFO timers: GET /api/v1/timers/{TIMER_ID}/runs/{RUN_ID} -> 200 in " in err


@pytest.fixture
def without_timers_log() -> Iterator[None]:
    """No $TIMERS_LOG handler before the test, and the logger restored after it."""
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    logger.handlers = [h for h in handlers if not isinstance(h, _EnvHandler)]
    yield
    logger.handlers = handlers
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.mark.parametrize("timers_log", ["info", "debug"])
def test_verbose_with_timers_log_prints_each_log_line_once(
    mock: respx.MockRouter, without_timers_log: None, timers_log: str
) -> None:
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_LOG": timers_log}
    result = CliRunner().invoke(cli, ["-v", "runs", "show", TIMER_ID, RUN_ID], env=env)
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if "GET /api/v1/timers/" in line]
    assert [line.split(" GET ")[0] for line in lines] == ["timers: DEBUG", "timers: INFO"]


def test_verbose_lowers_the_timers_log_handler_for_the_command_only(
    mock: respx.MockRouter, without_timers_log: None
) -> None:
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_LOG": "warning"}
    assert CliRunner().invoke(cli, ["runs", "show", TIMER_ID, RUN_ID], env=env).exit_code == 0
    (handler,) = [h for h in logger.handlers if isinstance(h, _EnvHandler)]
    assert handler.level == logging.WARNING
    # The handler writes to stderr as it is now: this command's, not the first one's.
    result = CliRunner().invoke(cli, ["-v", "runs", "show", TIMER_ID, RUN_ID], env=env)
    assert result.exit_code == 0 and "timers: DEBUG GET " in result.stderr
    assert handler.level == logging.WARNING  # restored once the command is over


def test_an_unknown_timers_log_is_a_warning_line_of_the_cli(
    mock: respx.MockRouter, without_timers_log: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timers import _logging

    monkeypatch.setattr(_logging, "_warned", set())
    env = {"TIMERS_BASE_URL": BASE, "TIMERS_ACCESS_TOKEN": TOKEN, "TIMERS_LOG": "verbose"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as with python -W error: still one line, no traceback
        result = CliRunner().invoke(cli, ["runs", "show", TIMER_ID, RUN_ID], env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "timers: warning: TIMERS_LOG='verbose' is ignored: use debug, info or warning"
    )


def test_the_global_options_reach_the_state(
    mock: respx.MockRouter, seen: dict[str, object]
) -> None:
    code, _, err = invoke(
        "--api", "RUNS", "--base-url", BASE, "--token", "other-token-1", "--allow-insecure-http",
        "runs", "show", TIMER_ID, RUN_ID,
    )  # fmt: skip
    assert code == 0, err
    state = seen["state"]
    assert isinstance(state, State)
    assert (state.api, state.base_url, state.token, state.allow_insecure_http) == (
        "runs",
        BASE,
        "other-token-1",
        True,
    )


def test_the_version_option_names_the_program() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("timers, version ")
