"""Fuzzed response bodies, generated from the spec's own schemas.

Every schema-valid ``TimerRun`` and ``RunList`` parses (and agrees with what the generated
client reads from it); the same bodies with a field removed, a wrong type, a bad date, or any
random JSON raise ``ResponseValidationError`` and nothing else. Deterministic: hypothesis runs
derandomized, 100 examples per schema (``support.budget``: ``$FUZZ_SCALE`` draws more).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.budget import examples
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.schemas import json_schema_validator, strategy_for

from timers import ResponseValidationError, RunPage, RunStatus, TimerRun, TimersClient
from timers._time import parse_datetime

FUZZ = settings(
    max_examples=examples(100),
    derandomize=True,
    deadline=None,
    database=None,
    # hypothesis-jsonschema filters out many of its draws: a health check that fails
    # depending on what ran before in the process (seen once, for RunList), not on the code.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


class Body:
    """A transport answering 200 with whatever body the current example set."""

    def __init__(self) -> None:
        self.content = b"{}"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=self.content, headers={"content-type": "application/json"}
        )


BODY = Body()
CLIENT = TimersClient(TOKEN, http_client=httpx.Client(transport=httpx.MockTransport(BODY)))


def get_run(body: Any) -> TimerRun:
    BODY.content = json.dumps(body).encode()
    return CLIENT.get_run(TIMER_ID, RUN_ID)


def list_runs(body: Any) -> RunPage:
    BODY.content = json.dumps(body).encode()
    return CLIENT.list_runs(TIMER_ID)


def _agrees_with_the_wire(run: TimerRun, body: dict[str, Any]) -> None:
    assert run.id == body["id"] and run.timer_id == body["timer_id"]
    assert run.status == body["status"] and isinstance(run.status, RunStatus)
    assert run.start_time == parse_datetime(body["start_time"])
    assert (run.end_time is None) == (body.get("end_time") is None)
    result = body.get("result")
    assert (run.result is None) == (result is None)
    if run.result is not None and result is not None:
        assert run.result.status == result["status"]
        assert run.result.status_code == result.get("status_code")
        assert run.result.run_id == result.get("run_id")
        error = result.get("error")
        assert (run.result.error is None) == (error is None)
        if run.result.error is not None and error is not None:
            assert run.result.error.code == error["code"]
            assert dict(run.result.error.detail) == (error.get("detail") or {})
    # and our wire form parses back to the same run
    assert TimerRun.from_dict(run.to_dict()) == run


def _agrees_with_the_generated_client(body: dict[str, Any]) -> None:
    from timers._generated.runs_api.models import TimerRun as GeneratedTimerRun

    generated = GeneratedTimerRun.from_dict(body)
    ours = TimerRun.from_dict(body)
    assert str(generated.id) == ours.id.lower()
    assert generated.status == ours.status


@pytest.mark.slow
@FUZZ
@given(strategy_for("TimerRun"))
def test_every_schema_valid_run_parses(body: dict[str, Any]) -> None:
    run = get_run(body)
    _agrees_with_the_wire(run, body)
    _agrees_with_the_generated_client(body)


PAGE_FIELDS = {"runs", "total", "has_next_page", "next_page"}
PAGES = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries(
        {
            "runs": st.lists(strategy_for("TimerRun")),
            "total": st.integers(min_value=0),
            "has_next_page": st.booleans(),
        },
        optional={"next_page": st.none() | st.text()},
    ),
    # RunList allows other properties, as a newer service may send.
    st.dictionaries(st.text().filter(lambda k: k not in PAGE_FIELDS), JSON_VALUES, max_size=3),
)
"""Every RunList the spec allows, built from lists of the TimerRun strategy: the same pages as
``strategy_for("RunList")`` (runs, total >= 0, has_next_page, an optional next_page string or
null, other properties), with fewer thrown away (that one also draws the page's own optional
keys through filters): about 14 s instead of 21 s for 500 pages. Each page is checked against
the spec's schema in the test, so this cannot drift into invalid pages."""
RUN_LIST = json_schema_validator("RunList")


@pytest.mark.slow
@FUZZ
@given(PAGES)
def test_every_schema_valid_page_parses(body: dict[str, Any]) -> None:
    RUN_LIST.validate(body)  # what this test is about: pages the spec allows
    page = list_runs(body)
    assert len(page) == len(body["runs"]) and page.total == body["total"]
    assert page.has_next_page is body["has_next_page"]
    assert page.next_page == body.get("next_page")
    for run, raw in zip(page, body["runs"], strict=True):
        _agrees_with_the_wire(run, raw)


REQUIRED = {
    "": ["id", "timer_id", "status", "start_time"],
    "result": ["status"],
    "result.error": ["code", "message"],
}
NOT_STRINGS = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.integers(), max_size=2)
)
BAD_DATES = st.one_of(
    st.sampled_from(
        [
            "yesterday",
            "2026-11-28",
            "2026-11-28T12:00:00",
            "28/11/2026 12:00",
            "2026-02-30T00:00:00Z",
        ]
    ),
    st.text(max_size=12).filter(lambda s: not s[:4].isdigit()),
)


def _at(body: dict[str, Any], path: str) -> dict[str, Any] | None:
    target: Any = body
    for key in filter(None, path.split(".")):
        target = target.get(key) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else None


@st.composite
def broken_runs(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid run with one thing broken, and the field path that should be blamed."""
    body = json.loads(json.dumps(draw(strategy_for("TimerRun"))))
    kind = draw(st.sampled_from(["missing", "wrong type", "bad date"]))
    if kind == "missing":
        where = draw(st.sampled_from([p for p in REQUIRED if _at(body, p) is not None]))
        name = draw(st.sampled_from(REQUIRED[where]))
        del _at(body, where)[name]  # type: ignore[union-attr]
    elif kind == "wrong type":
        name = draw(st.sampled_from(["id", "timer_id", "status", "start_time"]))
        body[name] = draw(NOT_STRINGS)
        where = ""
    else:
        name = draw(st.sampled_from(["start_time", "end_time"]))
        body[name] = draw(BAD_DATES)
        where = ""
    return body, f"{where}.{name}" if where else name


@pytest.mark.slow
@FUZZ
@given(broken_runs())
def test_a_broken_run_raises_response_validation_error_naming_the_field(
    case: tuple[dict[str, Any], str],
) -> None:
    body, path = case
    with pytest.raises(ResponseValidationError) as info:
        get_run(body)
    assert info.value.path == path


def _field_exists(value: Any, path: str) -> bool:
    """Whether ``path`` (``runs[3].result.status``) names a place in ``value`` or its parent
    (a missing field is blamed by the path it should have had)."""
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    target: Any = value
    for part in parts[:-1]:
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(target, list) or index >= len(target):
                return False
            target = target[index]
        else:
            if not isinstance(target, dict) or part not in target:
                return False
            target = target[part]
    return isinstance(target, dict | list)


def _outcome(call: Any, value: Any) -> Any:
    try:
        return call(value)
    except ResponseValidationError as error:  # anything else fails the test
        return error


@FUZZ
@given(JSON_VALUES)
def test_random_json_either_parses_or_raises_response_validation_error(value: Any) -> None:
    for call in (get_run, list_runs):
        outcome = _outcome(call, value)
        if isinstance(outcome, ResponseValidationError):
            assert str(outcome).startswith("invalid response body: ")
            assert outcome.status_code == 200 and outcome.response is not None
            assert outcome.path == "" or _field_exists(value, outcome.path), outcome.path
        else:  # only a body of the right shape parses, and then it is read faithfully
            parsed = outcome
            assert isinstance(value, dict)
            if isinstance(parsed, TimerRun):
                _agrees_with_the_wire(parsed, value)
            else:
                assert len(parsed) == len(value["runs"]) and parsed.total == value["total"]


@FUZZ
@given(st.binary(max_size=64))
def test_random_bytes_raise_response_validation_error_and_nothing_else(content: bytes) -> None:
    # 64 bytes cannot hold a run (its two ids alone take 72): every one of them is refused.
    BODY.content = content
    with pytest.raises(ResponseValidationError) as info:
        CLIENT.get_run(TIMER_ID, RUN_ID)
    message = str(info.value)
    assert message.startswith("invalid response body: ")
    assert "not valid JSON" in message or info.value.path is not None
