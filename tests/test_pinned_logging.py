"""What the ``timers`` logger says (timers._logging), and ``$TIMERS_LOG``."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import httpx
import pytest
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import APIConnectionError, ResponseValidationError
from timers._logging import (
    _EnvHandler,
    log_attempt,
    log_failed_request,
    log_request,
    logger,
    setup_from_env,
)

URL = "https://example.org/api/v1/timers/t/runs?limit=5&marker=secret-marker"


@pytest.fixture
def pristine_logger() -> Iterator[None]:
    """The ``timers`` logger without handlers or level, propagating, restored afterwards."""
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    logger.handlers = [h for h in handlers if not isinstance(h, _EnvHandler)]
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    yield
    logger.handlers = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def env_handlers() -> list[logging.Handler]:
    return [h for h in logger.handlers if isinstance(h, _EnvHandler)]


def answer(status: int = 200, method: str = "GET") -> httpx.Response:
    return httpx.Response(status, request=httpx.Request(method, URL))


def test_timers_log_writes_to_stderr_as_it_is_when_a_line_is_logged(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first client made while stderr was redirected (pytest, CliRunner, the README's
    # example): that stream must not get, and hold, every later line.
    monkeypatch.setenv("TIMERS_LOG", "info")
    first, later = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(first):
        setup_from_env()
        logger.info("while redirected")
    with contextlib.redirect_stderr(later):
        logger.info("after")
    assert first.getvalue() == "timers: INFO while redirected\n"
    assert later.getvalue() == "timers: INFO after\n"
    (handler,) = env_handlers()
    pinned = io.StringIO()
    handler.setStream(pinned)  # logging's own API: that stream from now on
    with contextlib.redirect_stderr(later):
        logger.info("pinned")
    handler.stream = None  # type: ignore[assignment]  # back to stderr as it is
    with contextlib.redirect_stderr(later):
        logger.info("stderr again")
    assert pinned.getvalue() == "timers: INFO pinned\n"
    assert later.getvalue() == "timers: INFO after\ntimers: INFO stderr again\n"


@pytest.mark.parametrize(("value", "level"), [("info", logging.INFO), (" DEBUG ", logging.DEBUG)])
def test_timers_log_sends_the_logger_to_stderr_at_its_level(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv("TIMERS_LOG", value)
    setup_from_env()
    (handler,) = env_handlers()
    assert isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    assert logger.level == level
    assert logger.propagate is False  # on stderr once, not again through the app's handlers
    record = logging.LogRecord("timers", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    assert handler.format(record) == "timers: INFO hello you"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_without_timers_log_nothing_is_installed(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    from timers import _logging

    monkeypatch.setattr(_logging, "_warned", set())  # no value warned about before
    if value is None:
        monkeypatch.delenv("TIMERS_LOG", raising=False)
    else:
        monkeypatch.setenv("TIMERS_LOG", value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and nothing to warn about
        setup_from_env()
    assert env_handlers() == [] and logger.level == logging.NOTSET
    assert logger.propagate is True


@pytest.mark.parametrize("value", ["verbose", "error", "1"])
def test_an_unknown_timers_log_is_ignored_with_one_warning(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from timers import _logging

    monkeypatch.setattr(_logging, "_warned", set())
    monkeypatch.setenv("TIMERS_LOG", f" {value.upper()} ")
    with pytest.warns(RuntimeWarning) as caught:
        setup_from_env()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setup_from_env()  # the same value again: no second warning
    assert [str(w.message) for w in caught] == [
        f"TIMERS_LOG='{value}' is ignored: use debug, info or warning"
    ]
    assert env_handlers() == [] and logger.level == logging.NOTSET
    assert logger.propagate is True


def test_the_warning_quotes_at_most_40_characters_of_the_value(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timers import _logging

    monkeypatch.setattr(_logging, "_warned", set())
    monkeypatch.setenv("TIMERS_LOG", "x" * 100)
    with pytest.warns(RuntimeWarning) as caught:
        setup_from_env()
    assert [str(w.message) for w in caught] == [
        f"TIMERS_LOG='{'x' * 37}...' is ignored: use debug, info or warning"
    ]


def test_the_warning_escapes_a_control_character_once(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timers import _logging

    monkeypatch.setattr(_logging, "_warned", set())
    monkeypatch.setenv("TIMERS_LOG", "bo\x1b[31mgus")
    with pytest.warns(RuntimeWarning) as caught:
        setup_from_env()
    assert [str(w.message) for w in caught] == [
        "TIMERS_LOG='bo\\x1b[31mgus' is ignored: use debug, info or warning"  # one backslash
    ]


def test_timers_log_warning_shows_retries_and_failures_only(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMERS_LOG", "warning")
    setup_from_env()
    (handler,) = env_handlers()
    assert logger.level == handler.level == logging.WARNING


def test_timers_log_prints_nothing_below_its_level_when_the_logger_is_lower(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger.setLevel(logging.DEBUG)  # the app's, for its own handlers
    monkeypatch.setenv("TIMERS_LOG", "info")
    setup_from_env()
    (handler,) = env_handlers()
    assert handler.level == logging.INFO and logger.level == logging.DEBUG


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


def test_clients_created_in_many_threads_at_once_install_one_handler(
    pristine_logger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timers import _logging

    class SlowHandler(_logging._EnvHandler):
        def __init__(self) -> None:
            time.sleep(0.05)  # every thread is past a check made without the lock by now
            super().__init__()

    monkeypatch.setattr(_logging, "_EnvHandler", SlowHandler)
    monkeypatch.setenv("TIMERS_LOG", "info")
    start = threading.Barrier(6)

    def setup() -> None:
        start.wait(timeout=5)
        setup_from_env()

    threads = [threading.Thread(target=setup) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len([h for h in logger.handlers if isinstance(h, SlowHandler)]) == 1


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "timers"]


NOW = 10.0
"""What ``time.perf_counter()`` says in ``timers._logging`` under the ``frozen_clock`` fixture."""


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The elapsed time logged is exactly ``NOW - started``, whatever the real clock does."""
    from timers import _logging

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return NOW

    monkeypatch.setattr(_logging, "time", Clock)


@pytest.mark.usefixtures("frozen_clock")
def test_a_request_is_one_line_with_its_outcome_a_warning_for_a_5xx(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = NOW - 0.5
    with caplog.at_level(logging.INFO, logger="timers"):
        log_request(answer(200), started, 0, None)
        log_request(answer(503, "POST"), started, 1, "req-1")
        log_request(answer(404), started, 2, "req-2")
        log_request(answer(500), started, 0, None)  # the first status logged as a warning
        log_request(answer(499), started, 0, None)
    lines = messages(caplog)
    levels = [logging.INFO, logging.WARNING, logging.INFO, logging.WARNING, logging.INFO]
    assert [level for level, _ in lines] == levels
    assert lines[0][1] == "GET /api/v1/timers/t/runs -> 200 in 500.0 ms (0 retries, request id -)"
    assert lines[1][1] == (
        "POST /api/v1/timers/t/runs -> 503 in 500.0 ms (1 retry, request id req-1)"
    )
    assert (
        lines[2][1] == "GET /api/v1/timers/t/runs -> 404 in 500.0 ms (2 retries, request id req-2)"
    )


@pytest.mark.usefixtures("frozen_clock")
def test_an_attempt_is_one_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_attempt(answer(502), NOW - 0.25)
    assert messages(caplog) == [(logging.DEBUG, "GET /api/v1/timers/t/runs -> 502 in 250.0 ms")]


def test_nothing_is_logged_below_the_loggers_level(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="timers"):
        log_attempt(answer(200), time.perf_counter())
    assert messages(caplog) == []
    with caplog.at_level(logging.WARNING, logger="timers"):
        log_request(answer(499), time.perf_counter(), 0, None)
    assert messages(caplog) == []
    with caplog.at_level(logging.ERROR, logger="timers"):
        log_request(answer(500), time.perf_counter(), 0, None)
        log_failed_request(httpx.Request("GET", URL), time.perf_counter(), 0, OSError())
    assert messages(caplog) == []


@pytest.mark.usefixtures("frozen_clock")
def test_the_elapsed_time_is_in_milliseconds_to_a_tenth(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_attempt(answer(200), 9.75)
        log_request(answer(200), 8.0, 0, "r")
    assert messages(caplog) == [
        (logging.DEBUG, "GET /api/v1/timers/t/runs -> 200 in 250.0 ms"),
        (logging.INFO, "GET /api/v1/timers/t/runs -> 200 in 2000.0 ms (0 retries, request id r)"),
    ]


@pytest.mark.usefixtures("frozen_clock")
def test_an_attempt_or_a_request_without_an_answer_names_the_exception_type_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from timers._logging import log_failed_attempt, log_failed_request

    started = NOW - 0.25
    request = httpx.Request("POST", URL)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_failed_attempt(request, started, httpx.ReadTimeout("tok-SECRET echoed"))
        log_failed_request(request, started, 1, httpx.ConnectError("refused"))
        log_failed_request(request, started, 2, httpx.ConnectError("refused"))
    assert messages(caplog) == [
        (logging.DEBUG, "POST /api/v1/timers/t/runs -> ReadTimeout in 250.0 ms"),
        (
            logging.WARNING,
            "POST /api/v1/timers/t/runs -> ConnectError in 250.0 ms (1 retry, no answer)",
        ),
        (
            logging.WARNING,
            "POST /api/v1/timers/t/runs -> ConnectError in 250.0 ms (2 retries, no answer)",
        ),
    ]
    assert "SECRET" not in caplog.text and "marker" not in caplog.text


# -- what a client logs, end to end ----------------------------------------------------------


def test_a_request_that_never_got_an_answer_is_logged_like_any_other(
    dual: Dual, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client = dual.client(handler=handler, max_retries=1)
    with caplog.at_level(logging.DEBUG, logger="timers"), pytest.raises(APIConnectionError):
        client.get_run(TIMER_ID, RUN_ID)
    path = f"/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"
    lines = messages(caplog)
    assert [level for level, _ in lines] == [
        logging.DEBUG,
        logging.WARNING,  # the retry
        logging.DEBUG,
        logging.WARNING,  # the request's outcome: no answer
    ]
    assert lines[0][1].startswith(f"GET {path} -> ConnectError in ")
    assert lines[1][1].startswith(f"retrying GET {path} in ")
    assert re.fullmatch(
        rf"GET {path} -> ConnectError in \d+\.\d ms \(1 retry, no answer\)", lines[3][1]
    )


@pytest.mark.parametrize("failure", ["too large", "not decodable"])
def test_a_success_whose_body_is_refused_unread_is_logged_with_its_status(
    dual: Dual, caplog: pytest.LogCaptureFixture, failure: str
) -> None:
    headers = {"content-type": "application/json", "x-request-id": "req-7"}
    if failure == "not decodable":
        headers["content-encoding"] = "br"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b"{}" * 100), headers=headers)

    size = 10 if failure == "too large" else None
    client = dual.client(handler=handler, validate=False, max_response_size=size)
    with (
        caplog.at_level(logging.INFO, logger="timers"),
        pytest.raises(ResponseValidationError) as caught,
    ):
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.problem.startswith("the body's" if size is None else "the body is larger")
    ((level, line),) = messages(caplog)
    path = f"/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"
    assert level == logging.INFO
    assert re.fullmatch(rf"GET {path} -> 200 in \d+\.\d ms \(0 retries, request id req-7\)", line)


def test_each_line_carries_its_fields_for_log_aggregation(caplog: pytest.LogCaptureFixture) -> None:
    from timers._logging import log_failed_attempt

    started = time.perf_counter()
    request = httpx.Request("POST", URL)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        log_attempt(
            httpx.Response(503, headers={"x-request-id": "r-1\x1b"}, request=request), started
        )
        log_failed_attempt(request, started, httpx.ReadTimeout("tok"))
        log_request(answer(200), started, 2, "r-2")
        log_failed_request(request, started, 3, httpx.ConnectError("no"))
    fields = [
        {k: v for k, v in getattr(r, key).items() if k != "elapsed_ms"}
        for r, key in zip(
            caplog.records,
            ["timers_attempt", "timers_attempt", "timers_request", "timers_request"],
            strict=True,
        )
    ]
    path = {"path": "/api/v1/timers/t/runs"}
    assert fields == [
        {"method": "POST", **path, "status": 503, "request_id": "r-1\\x1b"},
        {"method": "POST", **path, "error": "ReadTimeout", "request_id": None},
        {"method": "GET", **path, "status": 200, "retries": 2, "request_id": "r-2"},
        {"method": "POST", **path, "error": "ConnectError", "retries": 3, "request_id": None},
    ]
    assert all(
        getattr(r, "timers_attempt", getattr(r, "timers_request", {})).get("elapsed_ms", -1) >= 0
        for r in caplog.records
    )
    assert caplog.records[0].getMessage().endswith(" ms (request id r-1\\x1b)")


def test_paths_are_logged_percent_encoded_and_cleaned(caplog: pytest.LogCaptureFixture) -> None:
    from timers import _redact

    _redact.remember("Bearer tok-in-the-path-123", "tok-in-the-path-123")
    url = "https://example.org/x%0Aforged%1b[31m/tok-in-the-path-123/runs?marker=m?n"
    with caplog.at_level(logging.INFO, logger="timers"):
        log_request(
            httpx.Response(200, request=httpx.Request("GET", url)), time.perf_counter(), 0, None
        )
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("GET /x%0Aforged%1b[31m/[redacted]/runs -> 200 in ")
    assert "\n" not in line and "\x1b" not in line and "marker" not in line


def test_the_logger_prints_nothing_when_logging_is_not_set_up() -> None:
    # Python prints warnings of a logger without handlers anywhere (logging.lastResort).
    probe = (
        "import time, httpx\n"
        "from timers._logging import log_failed_request\n"
        "request = httpx.Request('GET', 'https://x.org/y')\n"
        "log_failed_request(request, time.perf_counter(), 0, OSError())\n"
        "import logging; logging.getLogger('timers').warning('direct')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
