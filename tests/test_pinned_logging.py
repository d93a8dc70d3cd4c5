"""What the ``timers`` logger says (timers._logging), and ``$TIMERS_LOG``."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from timers._logging import _EnvHandler, log_attempt, log_request, logger, setup_from_env

URL = "https://example.org/api/v1/timers/t/runs?limit=5&marker=secret-marker"


@pytest.fixture
def pristine_logger() -> Iterator[None]:
    """The ``timers`` logger without handlers or level, restored afterwards."""
    handlers, level = logger.handlers[:], logger.level
    logger.handlers = [h for h in handlers if not isinstance(h, _EnvHandler)]
    logger.setLevel(logging.NOTSET)
    yield
    logger.handlers = handlers
    logger.setLevel(level)


def env_handlers() -> list[logging.Handler]:
    return [h for h in logger.handlers if isinstance(h, _EnvHandler)]


def answer(status: int = 200, method: str = "GET") -> httpx.Response:
    return httpx.Response(status, request=httpx.Request(method, URL))


@pytest.mark.parametrize(("value", "level"), [("info", logging.INFO), (" DEBUG ", logging.DEBUG)])
def test_timers_log_sends_the_logger_to_stderr_at_its_level(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv("TIMERS_LOG", value)
    setup_from_env()
    (handler,) = env_handlers()
    assert isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    assert logger.level == level
    record = logging.LogRecord("timers", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    assert handler.format(record) == "timers: INFO hello you"


@pytest.mark.parametrize("value", [None, "", "verbose", "warning"])
def test_without_a_known_timers_log_nothing_is_installed(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("TIMERS_LOG", raising=False)
    else:
        monkeypatch.setenv("TIMERS_LOG", value)
    setup_from_env()
    assert env_handlers() == [] and logger.level == logging.NOTSET


def test_timers_log_installs_its_handler_once(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMERS_LOG", "info")
    setup_from_env()
    monkeypatch.setenv("TIMERS_LOG", "debug")
    setup_from_env()
    assert len(env_handlers()) == 1 and logger.level == logging.INFO


@pytest.mark.parametrize(
    ("before", "after"),
    [(logging.DEBUG, logging.DEBUG), (logging.WARNING, logging.INFO)],
    ids=["never-raises-a-lower-level", "lowers-a-higher-level"],
)
def test_timers_log_info_only_ever_lowers_the_level(
    before: int, after: int, pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger.setLevel(before)
    monkeypatch.setenv("TIMERS_LOG", "info")
    setup_from_env()
    assert logger.level == after
    assert len(env_handlers()) == 1


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "timers"]


def test_a_request_is_one_info_line_with_its_outcome(caplog: pytest.LogCaptureFixture) -> None:
    started = time.perf_counter() - 0.5
    with caplog.at_level(logging.INFO, logger="timers"):
        log_request(answer(200), started, 0, None)
        log_request(answer(503, "POST"), started, 1, "req-1")
        log_request(answer(404), started, 2, "req-2")
    lines = messages(caplog)
    assert [level for level, _ in lines] == [logging.INFO] * 3
    pattern = r"GET /api/v1/timers/t/runs -> 200 in 5\d\d\.\d ms \(0 retries, request id -\)"
    assert re.fullmatch(pattern, lines[0][1])
    assert re.fullmatch(
        r"POST /api/v1/timers/t/runs -> 503 in 5\d\d\.\d ms \(1 retry, request id req-1\)",
        lines[1][1],
    )
    assert lines[2][1].endswith(" (2 retries, request id req-2)")


def test_an_attempt_is_one_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    started = time.perf_counter() - 0.25
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_attempt(answer(502), started)
    ((level, line),) = messages(caplog)
    assert level == logging.DEBUG
    assert re.fullmatch(r"GET /api/v1/timers/t/runs -> 502 in 2\d\d\.\d ms", line)


def test_nothing_is_logged_below_the_loggers_level(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="timers"):
        log_attempt(answer(200), time.perf_counter())
    assert messages(caplog) == []
    with caplog.at_level(logging.WARNING, logger="timers"):
        log_request(answer(200), time.perf_counter(), 0, None)
    assert messages(caplog) == []


def test_the_elapsed_time_is_in_milliseconds_to_a_tenth(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timers import _logging

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return 10.0

    monkeypatch.setattr(_logging, "time", Clock)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_attempt(answer(200), 9.75)
        log_request(answer(200), 8.0, 0, "r")
    assert messages(caplog) == [
        (logging.DEBUG, "GET /api/v1/timers/t/runs -> 200 in 250.0 ms"),
        (logging.INFO, "GET /api/v1/timers/t/runs -> 200 in 2000.0 ms (0 retries, request id r)"),
    ]
