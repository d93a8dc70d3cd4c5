"""The only bridge to the generated client: requests built by it, responses parsed strictly.

Requests: the generated ``_get_kwargs`` functions give each operation's method, path and
query parameters exactly as the spec declares them, so a spec change shows up here. They are
imported on first use, which keeps ``import timers`` light.

Responses: the generated ``from_dict`` methods trust their input (wrong JSON types pass, a
missing field raises ``KeyError``, a bad date comes back as a ``str``), so 2xx bodies are
parsed here instead, field by field against the spec's schemas, into the public models. Any
mismatch raises ``ResponseValidationError`` naming the field path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from timers._errors import ResponseValidationError
from timers._models import RunError, RunPage, RunResult, RunStatus, TimerRun
from timers._time import RFC3339, format_datetime, parse_datetime

__all__ = [
    "RequestSpec",
    "format_datetime",
    "get_run_request",
    "list_runs_request",
    "parse_run_error",
    "parse_run_page",
    "parse_run_result",
    "parse_timer_run",
    "run_timer_request",
]

RequestSpec = tuple[str, str, dict[str, Any]]
"""(HTTP method, path relative to the base URL, query parameters)."""


def _spec(kwargs: dict[str, Any]) -> RequestSpec:
    return kwargs["method"].upper(), kwargs["url"], kwargs.get("params", {})


def run_timer_request(timer_id: UUID) -> RequestSpec:
    """``POST /timers/{timer_id}/run``."""
    from timers_openapi.api.runs import run_timer

    return _spec(run_timer._get_kwargs(timer_id))


def get_run_request(timer_id: UUID, run_id: UUID) -> RequestSpec:
    """``GET /timers/{timer_id}/runs/{run_id}``."""
    from timers_openapi.api.runs import get_timer_run

    return _spec(get_timer_run._get_kwargs(timer_id, run_id))


def list_runs_request(
    timer_id: UUID,
    *,
    limit: int | None,
    marker: str | None,
    status: RunStatus | None,
    start_after: datetime | None,
    start_before: datetime | None,
) -> RequestSpec:
    """``GET /timers/{timer_id}/runs`` with the given (already validated) filters."""
    from timers_openapi.api.runs import list_timer_runs
    from timers_openapi.models.run_status import RunStatus as GeneratedRunStatus
    from timers_openapi.types import UNSET

    method, path, params = _spec(
        list_timer_runs._get_kwargs(
            timer_id,
            limit=UNSET if limit is None else limit,
            marker=UNSET if marker is None else marker,
            status=UNSET if status is None else GeneratedRunStatus(status.value),
            start_after=UNSET if start_after is None else start_after,
            start_before=UNSET if start_before is None else start_before,
        )
    )
    # The generated code sends isoformat() ("+00:00"); the service documents RFC 3339 with "Z".
    if start_after is not None:
        params["start_after"] = format_datetime(start_after)
    if start_before is not None:
        params["start_before"] = format_datetime(start_before)
    return method, path, params


# -- strict parsing of response bodies ------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _fail(path: str, problem: str) -> ResponseValidationError:
    return ResponseValidationError(problem, path=path)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _object(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail(path, f"expected an object, got {_type_name(data)}")
    return data


def _required(data: Mapping[str, Any], name: str, path: str) -> Any:
    try:
        return data[name]
    except KeyError:
        raise _fail(_join(path, name), "required field is missing") from None


def _string(value: Any, path: str) -> str:
    if type(value) is not str:
        raise _fail(path, f"expected a string, got {_type_name(value)}")
    return value


def _uuid_string(value: Any, path: str) -> str:
    text = _string(value, path)
    if _UUID.match(text) is None:
        raise _fail(path, f"expected a UUID, got {text!r}")
    return text


def _datetime(value: Any, path: str) -> datetime:
    text = _string(value, path)
    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise _fail(path, str(exc)) from None


def _optional_string(data: Mapping[str, Any], name: str, path: str) -> str | None:
    value = data.get(name)
    return None if value is None else _string(value, _join(path, name))


def parse_run_error(data: Any, path: str) -> RunError:
    """Parse a ``RunError`` object found at ``path``."""
    obj = _object(data, path)
    detail = obj.get("detail")
    if detail is None:
        detail = _EMPTY
    elif isinstance(detail, Mapping):
        detail = MappingProxyType(dict(detail))
    else:
        raise _fail(_join(path, "detail"), f"expected an object, got {_type_name(detail)}")
    return RunError(
        code=_string(_required(obj, "code", path), _join(path, "code")),
        message=_string(_required(obj, "message", path), _join(path, "message")),
        detail=detail,
    )


def parse_run_result(data: Any, path: str) -> RunResult:
    """Parse a ``RunResult`` object found at ``path``."""
    obj = _object(data, path)
    status_code = obj.get("status_code")
    if status_code is not None and type(status_code) is not int:
        raise _fail(
            _join(path, "status_code"), f"expected an integer, got {_type_name(status_code)}"
        )
    error = obj.get("error")
    return RunResult(
        status=_string(_required(obj, "status", path), _join(path, "status")),
        status_code=status_code,
        run_id=_optional_string(obj, "run_id", path),
        error=None if error is None else parse_run_error(error, _join(path, "error")),
    )


def parse_timer_run(data: Any, path: str = "") -> TimerRun:
    """Parse a ``TimerRun`` object found at ``path`` (``""`` for a whole body)."""
    run = _quick_timer_run(data)
    return run if run is not None else _checked_timer_run(data, path)


def _checked_timer_run(data: Any, path: str) -> TimerRun:
    obj = _object(data, path)
    end_time = obj.get("end_time")
    result = obj.get("result")
    return TimerRun(
        id=_uuid_string(_required(obj, "id", path), _join(path, "id")),
        timer_id=_uuid_string(_required(obj, "timer_id", path), _join(path, "timer_id")),
        status=RunStatus(_string(_required(obj, "status", path), _join(path, "status"))),
        start_time=_datetime(_required(obj, "start_time", path), _join(path, "start_time")),
        end_time=None if end_time is None else _datetime(end_time, _join(path, "end_time")),
        result=None if result is None else parse_run_result(result, _join(path, "result")),
    )


# -- the fast path --------------------------------------------------------------------------
# Pages hold up to 1000 runs, so the common, well-formed case is parsed with as few calls as
# possible. It accepts exactly what the checked path accepts and builds the same values; on
# anything unusual it returns None and the checked path runs, to name the offending field.

_KNOWN_STATUSES = {status.value: status for status in RunStatus}
_uuid_match = _UUID.match
_rfc3339_match = RFC3339.match
_fromisoformat = datetime.fromisoformat


def _quick_datetime(text: Any) -> datetime | None:
    if type(text) is not str or _rfc3339_match(text) is None:
        return None
    try:
        moment = _fromisoformat(text)
        zone = moment.tzinfo
        if zone is UTC:
            return moment
        return None if zone is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _quick_result(data: Any) -> RunResult | None:
    if type(data) is not dict:
        return None
    get = data.get
    status, status_code, run_id, raw_error = (
        get("status"), get("status_code"), get("run_id"), get("error")
    )  # fmt: skip
    if (
        type(status) is not str
        or (status_code is not None and type(status_code) is not int)
        or (run_id is not None and type(run_id) is not str)
    ):
        return None
    error = None
    if raw_error is not None:
        if type(raw_error) is not dict:
            return None
        code, message, detail = (
            raw_error.get("code"),
            raw_error.get("message"),
            raw_error.get("detail"),
        )
        if type(code) is not str or type(message) is not str:
            return None
        if detail is None:
            detail = _EMPTY
        elif type(detail) is dict:
            detail = MappingProxyType(detail)
        else:
            return None
        error = RunError(code, message, detail)
    return RunResult(status, status_code, run_id, error)


def _quick_timer_run(data: Any) -> TimerRun | None:
    if type(data) is not dict:
        return None
    get = data.get
    run_id, timer_id, status = get("id"), get("timer_id"), get("status")
    if (
        type(run_id) is not str
        or type(timer_id) is not str
        or type(status) is not str
        or _uuid_match(run_id) is None
        or _uuid_match(timer_id) is None
    ):
        return None
    start = _quick_datetime(get("start_time"))
    if start is None:
        return None
    end = raw_end = get("end_time")
    if raw_end is not None and (end := _quick_datetime(raw_end)) is None:
        return None
    result = raw_result = get("result")
    if raw_result is not None and (result := _quick_result(raw_result)) is None:
        return None
    known = _KNOWN_STATUSES.get(status)
    return TimerRun(
        run_id, timer_id, known if known is not None else RunStatus(status), start, end, result
    )


def parse_run_page(data: Any) -> RunPage:
    """Parse a whole ``RunList`` body."""
    obj = _object(data, "")
    runs = _required(obj, "runs", "")
    if not isinstance(runs, list):
        raise _fail("runs", f"expected an array, got {_type_name(runs)}")
    total = _required(obj, "total", "")
    if type(total) is not int:
        raise _fail("total", f"expected an integer, got {_type_name(total)}")
    if total < 0:
        raise _fail("total", f"expected a count of at least 0, got {total}")
    has_next_page = _required(obj, "has_next_page", "")
    if type(has_next_page) is not bool:
        raise _fail("has_next_page", f"expected a boolean, got {_type_name(has_next_page)}")
    parsed: list[TimerRun] = []
    for i, item in enumerate(runs):
        run = _quick_timer_run(item)
        parsed.append(run if run is not None else _checked_timer_run(item, f"runs[{i}]"))
    return RunPage(
        runs=tuple(parsed),
        total=total,
        has_next_page=has_next_page,
        next_page=_optional_string(obj, "next_page", ""),
    )
