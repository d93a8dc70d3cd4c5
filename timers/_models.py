"""The public data model (runs, their results and errors, pages) and its wire form.

Every model is a frozen dataclass with slots (``dataclasses.replace(run, ...)`` derives a
changed copy; statuses are ``RunStatus``, from ``_status``). Optional fields are ``None``
when the service leaves them out; datetimes are timezone-aware UTC. ``to_dict()`` gives the
JSON-ready wire form (the ``runs`` API's) and ``from_dict()`` parses it back strictly,
raising ``ResponseValidationError`` naming the field: the parsing lives here, next to the
models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from timers._errors import InvalidArgumentError, ResponseValidationError
from timers._redact import quote, redact_data
from timers._status import RunStatus, status_of
from timers._time import format_datetime, quick_datetime, utc_datetime
from timers._validate import (
    UUID_PATTERN,
    fail,
    object_at,
    optional_string,
    required,
    string_at,
    timestamp_at,
    type_name,
    uuid_at,
    within,
)

__all__ = [
    "RunError",
    "RunPage",
    "RunResult",
    "RunStatus",
    "TimerRun",
    "build_result",
    "build_run",
    "parse_page",
    "parse_run",
    "status_of",
]

_freeze = object.__setattr__  # what a frozen dataclass's __init__ sets its fields with


def _readonly(value: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    """A read-only mapping (free-form service data must not change under a frozen model)."""
    if type(value) is MappingProxyType:
        return value
    if value is not None and not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value or {}))


CallbackKind = Literal["web", "flow"]


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RunError:
    """Why a run failed: a machine-readable ``code``, a ``message``, and free-form ``detail``.

    ``detail`` is a read-only mapping (empty when the service sent none).

        >>> err = RunError("CALLBACK_FAILED", "The callback answered 503.", {"attempts": 3})
        >>> err.detail["attempts"]
        3
    """

    code: str
    message: str
    # Left out of the hash (a mapping is not hashable); still compared by ==.
    detail: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _freeze(self, "detail", _readonly(self.detail, "detail"))

    def __reduce__(self) -> tuple[Any, ...]:
        return (RunError, (self.code, self.message, dict(self.detail)))

    def to_dict(self) -> dict[str, Any]:
        """The wire form: ``{"code", "message", "detail"}`` (``detail`` ``None`` when empty)."""
        return {"code": self.code, "message": self.message, "detail": dict(self.detail) or None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunError:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        return _under(_error, data, "error")


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RunResult:
    """The outcome of a run's callback.

    A web callback sets ``status_code`` (the HTTP status its URL answered); a flow callback
    sets ``run_id`` (the flow run it started), and may set ``status_code`` too (the HTTP status
    of starting it). ``error`` says why a run failed.

        >>> RunResult("success", status_code=204).callback_kind
        'web'
        >>> RunResult("success", run_id="7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a").callback_kind
        'flow'
    """

    status: str
    status_code: int | None = None
    run_id: str | None = None
    error: RunError | None = None

    @property
    def callback_kind(self) -> CallbackKind | None:
        """``"flow"`` when ``run_id`` is set, else ``"web"`` when ``status_code`` is set, else
        None.

        >>> RunResult("success", status_code=201, run_id="7d9e8f6a").callback_kind
        'flow'
        """
        if self.run_id is not None:
            return "flow"
        if self.status_code is not None:
            return "web"
        return None

    @property
    def http_ok(self) -> bool | None:
        """Whether ``status_code`` is a 2xx (a web callback's answer, or the answer to starting
        a flow run); ``None`` without a ``status_code``."""
        if self.status_code is None:
            return None
        return 200 <= self.status_code < 300

    def to_dict(self) -> dict[str, Any]:
        """The wire form, with ``None`` for absent optional fields."""
        return {
            "status": self.status,
            "status_code": self.status_code,
            "run_id": self.run_id,
            "error": None if self.error is None else self.error.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        return _under(_result, data, "result")


@dataclass(frozen=True, slots=True, weakref_slot=True)
class TimerRun:
    """One execution of a timer's callback.

    ``extra`` holds, read-only, the fields the service sent that have no place in the model
    (fields a newer ``runs`` API adds; a ``jobs`` result's ``ran_at``, ``data``, check times,
    ...), so nothing the service sent is lost. It is empty when there are none.
    ``request_id`` is the ``X-Request-Id`` of the answer the run came from (None when the
    service sent none, or the run was made by hand): left out of ``==``, hashing and
    ``to_dict()``.

    >>> from datetime import datetime, timezone
    >>> run = TimerRun(
    ...     id="9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
    ...     timer_id="12345678-1234-1234-1234-123456789012",
    ...     status=RunStatus.SUCCESS,
    ...     start_time=datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc),
    ...     end_time=datetime(2026, 11, 28, 12, 0, 2, tzinfo=timezone.utc),
    ... )
    >>> run.duration.total_seconds(), run.is_finished
    (2.0, True)
    """

    id: str
    timer_id: str
    status: RunStatus
    start_time: datetime
    end_time: datetime | None = None
    result: RunResult | None = None
    # Left out of the hash (a mapping is not hashable); still compared by ==.
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # How the API decides that a run is over (not data of the run: left out of ==).
    finished_by_end_time: bool = field(default=False, kw_only=True, compare=False, repr=False)
    # The X-Request-Id of the answer it came from: to quote to the service's operators.
    request_id: str | None = field(default=None, kw_only=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Checks the values (``InvalidArgumentError``); a ``status`` string becomes its
        ``RunStatus``, and times become UTC (the same instants)."""
        if not isinstance(self.status, RunStatus):
            if type(self.status) is not str:
                raise InvalidArgumentError(
                    f"status must be a RunStatus or its string, got {type(self.status).__name__}"
                )
            _freeze(self, "status", status_of(self.status))
        _freeze(self, "start_time", utc_datetime("start_time", self.start_time))
        if self.end_time is not None:
            _freeze(self, "end_time", utc_datetime("end_time", self.end_time))
        _freeze(self, "extra", _readonly(self.extra, "extra"))

    @property
    def duration(self) -> timedelta | None:
        """``end_time - start_time``, or ``None`` while the run has no end time (negative when
        the service's clocks disagree: times are kept as sent)."""
        if self.end_time is None:
            return None
        return self.end_time - self.start_time

    @property
    def is_finished(self) -> bool:
        """True when the status is terminal (``success`` or ``failure``); with
        ``finished_by_end_time`` (runs of the ``jobs`` API, whose statuses are not published),
        also when the run has an ``end_time``, whatever its status string."""
        return self.status.is_terminal or (self.finished_by_end_time and self.end_time is not None)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: RFC 3339 UTC times with ``Z``, ``None`` for absent optional fields,
        and the ``extra`` fields beside them (one named like a field gives way to the field).

        ``TimerRun.from_dict(run.to_dict()) == run`` for a run parsed from a service's answer
        unless its ``extra`` has such a name or ``finished_by_end_time`` (a run made by hand
        also needs UUID ids). A run of ``api="jobs"`` (whose ``finished_by_end_time``: an end
        time tells it is over) has that key too, ``true``.
        """
        return {
            **self.extra,
            "id": self.id,
            "timer_id": self.timer_id,
            "status": self.status.value,
            "start_time": format_datetime(self.start_time),
            "end_time": None if self.end_time is None else format_datetime(self.end_time),
            "result": None if self.result is None else self.result.to_dict(),
            **({_BY_END_TIME: True} if self.finished_by_end_time else {}),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["extra"] = dict(self.extra)  # a read-only mapping cannot be pickled as such
        return (_restore_run, (values,))

    def _without_secrets(self) -> TimerRun | None:
        """This run with every remembered credential redacted from its data, for an error that
        is pickled (None if that leaves no valid run, as when its id was the credential)."""
        # The run's own fields and ``extra`` apart: an extra field may share a field's name.
        own = {k: v for k, v in self.to_dict().items() if k in _RUN_FIELDS}
        extra = dict(self.extra)
        safe_own, safe_extra = redact_data(own), redact_data(extra)
        if safe_own == own and safe_extra == extra:
            return self
        try:
            run = parse_run(safe_own, self.request_id)
        except ResponseValidationError:
            return None
        return replace(run, extra=safe_extra, finished_by_end_time=self.finished_by_end_time)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimerRun:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        return _flagged(parse_run(data))


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RunPage:
    """One page of a timer's runs, newest first.

    Iterable and sized: ``for run in page`` and ``len(page)`` cover this page's runs only.
    ``total`` counts every run matching the filters, over all pages. Pass ``next_page`` back
    as ``marker=`` (now or later) to get the following page; it is ``None`` on the last page.
    With ``api="jobs"``, ``total`` is the timer's run count whatever the filters (the client
    filters each page itself), and the order is the service's (not published).
    """

    runs: tuple[TimerRun, ...]
    total: int
    has_next_page: bool
    next_page: str | None = None
    # The X-Request-Id of the answer the page came from (left out of ==, hashing, to_dict).
    request_id: str | None = field(default=None, kw_only=True, compare=False, repr=False)

    def __iter__(self) -> Iterator[TimerRun]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def to_dict(self) -> dict[str, Any]:
        """The wire form of the page (a ``RunList``)."""
        return {
            "runs": [run.to_dict() for run in self.runs],
            "total": self.total,
            "has_next_page": self.has_next_page,
            "next_page": self.next_page,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunPage:
        """Parse the wire form; raises ``ResponseValidationError`` naming the bad field."""
        page = parse_page(data)
        return replace(page, runs=tuple(map(_flagged, page.runs)))


def _restore_run(values: dict[str, Any]) -> TimerRun:
    return TimerRun(**values)


_BY_END_TIME = "finished_by_end_time"


def _flagged(run: TimerRun) -> TimerRun:
    """``run`` as ``to_dict`` wrote it: ``finished_by_end_time`` back out of ``extra``."""
    if run.extra.get(_BY_END_TIME) is not True:
        return run
    extra = {key: value for key, value in run.extra.items() if key != _BY_END_TIME}
    return replace(run, extra=extra, finished_by_end_time=True)


# -- the parsers' constructors ----------------------------------------------------------------
# A parser that has checked every value sets a model's fields through its slots' own
# descriptors: the dataclass's ``__init__`` (``object.__setattr__`` per field, defaults,
# ``__post_init__``) at half the cost, and pages build thousands of runs.

_new = object.__new__
_run_slot = vars(TimerRun)
_set_id, _set_timer_id = _run_slot["id"].__set__, _run_slot["timer_id"].__set__
_set_status, _set_start_time = _run_slot["status"].__set__, _run_slot["start_time"].__set__
_set_end_time, _set_result = _run_slot["end_time"].__set__, _run_slot["result"].__set__
_set_extra = _run_slot["extra"].__set__
_set_finished_by_end_time = _run_slot["finished_by_end_time"].__set__
_set_request_id = _run_slot["request_id"].__set__
_result_slot = vars(RunResult)
_set_result_status = _result_slot["status"].__set__
_set_status_code, _set_run_id = _result_slot["status_code"].__set__, _result_slot["run_id"].__set__
_set_error = _result_slot["error"].__set__


def build_run(
    id: str,
    timer_id: str,
    status: RunStatus,
    start_time: datetime,
    end_time: datetime | None,
    result: RunResult | None,
    extra: Mapping[str, Any],
    finished_by_end_time: bool,
    request_id: str | None,
) -> TimerRun:
    """``TimerRun(...)`` with every field given, for parsers (``extra`` read-only already)."""
    run = _new(TimerRun)
    _set_id(run, id)
    _set_timer_id(run, timer_id)
    _set_status(run, status)
    _set_start_time(run, start_time)
    _set_end_time(run, end_time)
    _set_result(run, result)
    _set_extra(run, extra)
    _set_finished_by_end_time(run, finished_by_end_time)
    _set_request_id(run, request_id)
    return run


def build_result(
    status: str, status_code: int | None, run_id: str | None, error: RunError | None
) -> RunResult:
    """``RunResult(...)`` with every field given, for parsers."""
    result = _new(RunResult)
    _set_result_status(result, status)
    _set_status_code(result, status_code)
    _set_run_id(result, run_id)
    _set_error(result, error)
    return result


# -- parsing the wire form --------------------------------------------------------------------
# Pages hold up to 1000 runs, so each field is checked inline the cheap way first; only a
# value that fails that check goes to the ``_validate`` helper, which raises the error naming
# the field (or, for a date-time the quick reader does not know, reads it). Nested parsers
# name fields relative to themselves; ``_under`` puts a failure's path under its parent's.

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_RUN_FIELDS = frozenset({"id", "timer_id", "status", "start_time", "end_time", "result"})
_uuid_match = UUID_PATTERN.match
T = TypeVar("T")


def _strict(check: Callable[[Any, str], T], obj: Mapping[str, Any], name: str) -> T:
    """Field ``name`` as ``check`` reads it, or the error naming it (missing, null, bad)."""
    return check(required(obj, name), name)


def _under(parse: Callable[[Any], T], data: Any, path: str) -> T:
    try:
        return parse(data)
    except ResponseValidationError as exc:
        raise within(exc, path) from None


def _error(data: Any) -> RunError:
    obj = data if type(data) is dict else object_at(data)
    code, message, detail = obj.get("code"), obj.get("message"), obj.get("detail")
    if detail is not None and not isinstance(detail, Mapping):
        raise fail("detail", f"expected an object, got {type_name(detail)}")
    if type(code) is not str:
        code = _strict(string_at, obj, "code")
    if type(message) is not str:
        message = _strict(string_at, obj, "message")
    return RunError(code, message, MappingProxyType(dict(detail or ())))


def _result(data: Any) -> RunResult:
    obj = data if type(data) is dict else object_at(data)
    get = obj.get
    status, status_code, run_id, error = (
        get("status"), get("status_code"), get("run_id"), get("error")
    )  # fmt: skip
    if type(status) is not str:
        status = _strict(string_at, obj, "status")
    if status_code is not None and type(status_code) is not int:
        raise fail("status_code", f"expected an integer, got {type_name(status_code)}")
    if run_id is not None and type(run_id) is not str:
        raise fail("run_id", f"expected a string, got {type_name(run_id)}")
    if error is not None:
        error = _under(_error, error, "error")
    return build_result(status, status_code, run_id, error)


def _extra(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if data.keys() <= _RUN_FIELDS:
        return _EMPTY
    return MappingProxyType({k: v for k, v in data.items() if k not in _RUN_FIELDS})


def parse_run(data: Any, request_id: str | None = None, timer_ok: str | None = None) -> TimerRun:
    """Parse a whole ``TimerRun`` body (of the answer with ``request_id``); ``timer_ok``: a
    timer id already checked (the runs of a page share one)."""
    obj = data if type(data) is dict else object_at(data)
    get = obj.get
    run_id, timer_id, status = get("id"), get("timer_id"), get("status")
    if type(run_id) is not str or _uuid_match(run_id) is None:
        run_id = _strict(uuid_at, obj, "id")
    if type(timer_id) is not str or (timer_id != timer_ok and _uuid_match(timer_id) is None):
        timer_id = _strict(uuid_at, obj, "timer_id")
    if type(status) is not str:
        status = _strict(string_at, obj, "status")
    start = quick_datetime(get("start_time"))
    if start is None:
        start = _strict(timestamp_at, obj, "start_time")
    end = raw_end = get("end_time")
    if raw_end is not None and (end := quick_datetime(raw_end)) is None:
        end = timestamp_at(raw_end, "end_time")
    result = get("result")
    if result is not None:
        try:  # _under, inline: a page calls this a thousand times
            result = _result(result)
        except ResponseValidationError as exc:
            raise within(exc, "result") from None
    status = status_of(status)
    return build_run(run_id, timer_id, status, start, end, result, _extra(obj), False, request_id)


def parse_page(data: Any, request_id: str | None = None) -> RunPage:
    """Parse a whole ``RunList`` body (of the answer with ``request_id``)."""
    obj = object_at(data)
    runs = required(obj, "runs")
    if not isinstance(runs, list):
        raise fail("runs", f"expected an array, got {type_name(runs)}")
    total = required(obj, "total")
    if type(total) is not int:
        raise fail("total", f"expected an integer, got {type_name(total)}")
    if total < 0:
        raise fail("total", f"expected a count of at least 0, got {quote(total)}")
    has_next_page = required(obj, "has_next_page")
    if type(has_next_page) is not bool:
        raise fail("has_next_page", f"expected a boolean, got {type_name(has_next_page)}")
    parsed: list[TimerRun] = []
    timer_ok = None
    for i, item in enumerate(runs):
        try:
            run = parse_run(item, request_id, timer_ok)
        except ResponseValidationError as exc:
            raise within(exc, f"runs[{i}]") from None
        timer_ok = run.timer_id
        parsed.append(run)
    return RunPage(
        runs=tuple(parsed),
        total=total,
        has_next_page=has_next_page,
        next_page=optional_string(obj, "next_page"),
        request_id=request_id,
    )
