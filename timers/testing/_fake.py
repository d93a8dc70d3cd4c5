"""``FakeTimersService``: an in-memory implementation of ``spec/timers-runs.yaml``.

A second implementation of the spec (it shares no code with the client), used by the demo, the
CLI, the benchmarks, the contract tests, and by users to test their own code.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import threading
import time
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import attrs
import httpx

if TYPE_CHECKING:
    import respx

__all__ = ["FakeTimersService"]

DEFAULT_BASE_URL = "https://timer.automate.globus.org/api/v1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
OPERATIONS = ("run_timer", "list_timer_runs", "get_timer_run")
STATUSES = ("pending", "in_progress", "success", "failure")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_ROUTE = re.compile(
    r"(?:.*)/timers/(?P<timer>[^/]+)/(?:(?P<run>run)|runs(?:/(?P<run_id>[^/]+))?)\Z"
)
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z", re.ASCII
)
_INTEGER = re.compile(r"[+-]?\d{1,12}\Z", re.ASCII)
_HTTP_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway"}


def _iso(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; a fraction only when there is one (trailing zeros cut)."""
    moment = moment.astimezone(UTC)
    text = moment.replace(tzinfo=None, microsecond=0).isoformat()
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _parse_time(text: str) -> datetime | None:
    if not _DATE_TIME.match(text):
        return None
    normal = text.upper().replace(" ", "T").replace("Z", "+00:00")
    head, sep, tail = normal.partition(".")
    if sep:  # fromisoformat takes at most 6 fraction digits
        digits = re.match(r"\d+", tail)
        assert digits is not None
        normal = f"{head}.{digits.group()[:6].ljust(6, '0')}{tail[digits.end() :]}"
    try:
        return datetime.fromisoformat(normal).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@attrs.define(slots=True)
class _Run:
    """A run as stored. Triggered runs move through their lifecycle as the clock advances."""

    id: str
    timer_id: str
    start: datetime
    status: str
    end: datetime | None = None
    result: dict[str, Any] | None = None
    # For triggered runs: when it starts/finishes, and how it ends.
    lifecycle: tuple[datetime, datetime, str, dict[str, Any]] | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.start, self.id)

    def settle(self, now: datetime) -> None:
        if self.lifecycle is None:
            return
        running_at, done_at, outcome, result = self.lifecycle
        if now >= done_at:
            self.status, self.end, self.result = outcome, done_at, result
            self.lifecycle = None
        elif now >= running_at:
            self.status = "in_progress"

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "timer_id": self.timer_id,
            "status": self.status,
            "start_time": _iso(self.start),
        }
        if self.end is not None:
            body["end_time"] = _iso(self.end)
        if self.result is not None:
            body["result"] = self.result
        return body


@attrs.define(slots=True)
class _Timer:
    id: str
    callback: Literal["web", "flow"]
    failure_rate: float
    runs: list[_Run] = attrs.field(factory=list)  # oldest first, by (start, id)
    keys: list[tuple[datetime, str]] = attrs.field(factory=list)
    by_id: dict[str, _Run] = attrs.field(factory=dict)
    live: list[_Run] = attrs.field(factory=list)  # triggered runs not yet finished

    def settle(self, now: datetime) -> None:
        for run in self.live:
            run.settle(now)
        self.live = [run for run in self.live if run.lifecycle is not None]

    def insert(self, run: _Run) -> None:
        at = bisect_left(self.keys, run.key)
        self.keys.insert(at, run.key)
        self.runs.insert(at, run)
        self.by_id[run.id] = run


@attrs.define(slots=True)
class _Fault:
    count: int
    operation: str | None
    status: int = 0
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes = b""
    drop: bool = False
    after_processing: bool = False


class _Problem(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def _bad_parameter(name: str, message: str, location: str = "query") -> _Problem:
    return _Problem(
        400,
        "INVALID_PARAMETER",
        f"Invalid {location} parameter {name}: {message}",
        [{"code": "INVALID_PARAMETER", "message": message, "location": f"{location}.{name}"}],
    )


class FakeTimersService:
    """An in-memory Timers service for tests and demos, answering exactly as the spec says.

    >>> service = FakeTimersService(tokens=["test-token"])
    >>> timer_id = service.add_timer()
    >>> service.seed_history(timer_id, 100)
    >>> client = TimersClient("test-token", http_client=httpx.Client(transport=service.transport()))
    ... # doctest: +SKIP

    - ``tokens``: the bearer tokens it accepts (anything else gets 401).
    - ``clock``: returns the current aware UTC datetime (default: the real time);
      ``advance(seconds)`` moves the service's time on from there.
    - ``seed``: makes generated ids and outcomes reproducible.
    - ``pending_seconds`` / ``in_progress_seconds``: how long a triggered run stays in each.
    - ``sleep``: what ``latency`` sleeps with in-process (default ``time.sleep``).

    Runs are listed newest first (by ``start_time``, then id); the default page size is 50.
    A page marker encodes the position after the page's last run, so runs triggered between
    page fetches are neither skipped nor repeated. Thread-safe.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("test-token",),
        clock: Callable[[], datetime] | None = None,
        seed: int = 0,
        pending_seconds: float = 1.0,
        in_progress_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._tokens = set(tokens)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._random = random.Random(seed)  # noqa: S311 - fake data, not secrets
        self._pending = timedelta(seconds=pending_seconds)
        self._in_progress = timedelta(seconds=in_progress_seconds)
        self._sleep = sleep
        self._lock = threading.RLock()
        self._timers: dict[str, _Timer] = {}
        self._faults: list[_Fault] = []
        self._request_ids = 0
        self.latency: float = 0.0
        """Seconds added to every response."""
        self.runs_created: int = 0
        """How many runs ``run_timer`` has created."""
        self.requests: list[tuple[str, str]] = []
        """``(method, path?query)`` of every request received, in order."""

    # -- state ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The service's current time (its clock plus every ``advance``)."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the service's time forward, e.g. to let triggered runs finish."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    def add_token(self, token: str) -> None:
        """Accept another bearer token."""
        with self._lock:
            self._tokens.add(token)

    def add_timer(
        self,
        timer_id: str | None = None,
        *,
        callback: Literal["web", "flow"] = "web",
        failure_rate: float = 0.0,
    ) -> str:
        """Create a timer and return its id. ``failure_rate``: the share of triggered runs
        that fail. ``callback``: ``"web"`` (results with ``status_code``) or ``"flow"``."""
        if callback not in ("web", "flow"):
            raise ValueError(f"callback must be 'web' or 'flow', got {callback!r}")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be within 0..1, got {failure_rate!r}")
        with self._lock:
            timer_id = timer_id or self._uuid()
            if not _UUID.match(timer_id):
                raise ValueError(f"timer_id must be a UUID, got {timer_id!r}")
            timer_id = timer_id.lower()
            if timer_id in self._timers:
                raise ValueError(f"timer {timer_id} already exists")
            self._timers[timer_id] = _Timer(timer_id, callback, failure_rate)
            return timer_id

    def add_run(
        self,
        timer_id: str,
        *,
        status: str = "success",
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        result: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a run as it is (any status string, even one the spec does not list) and return
        its wire JSON. Without ``result``, a finished run gets a realistic one."""
        with self._lock:
            timer = self._timer(timer_id)
            start = (start_time or self.now()).astimezone(UTC)
            finished = status in ("success", "failure")
            if end_time is None and finished:
                end_time = start + timedelta(seconds=self._random.uniform(0.2, 5.0))
            if result is None and finished:
                result = self._result(timer.callback, status == "success")
            run = _Run(
                id=(run_id or self._uuid()).lower(),
                timer_id=timer.id,
                start=start,
                status=status,
                end=None if end_time is None else end_time.astimezone(UTC),
                result=None if result is None else json.loads(json.dumps(result)),
            )
            if run.id in timer.by_id:
                raise ValueError(f"run {run.id} already exists")
            timer.insert(run)
            return run.wire()

    def seed_history(
        self,
        timer_id: str,
        count: int,
        *,
        end: datetime | None = None,
        interval: timedelta = timedelta(hours=1),
        failure_rate: float = 0.2,
    ) -> None:
        """Add ``count`` finished runs, one per ``interval`` (with a little jitter) up to
        ``end`` (default: now): mostly successes, ``failure_rate`` failures with errors,
        web or flow results by the timer's callback kind. Reproducible for a given seed."""
        with self._lock:
            timer = self._timer(timer_id)
            newest = (end or self.now()).astimezone(UTC)
            rng = self._random
            jitter = min(interval.total_seconds() / 4, 30.0)
            runs = []
            for i in range(count):
                start = newest - interval * (i + 1) + timedelta(seconds=rng.uniform(0, jitter))
                start = start.replace(microsecond=start.microsecond // 1000 * 1000)
                ok = rng.random() >= failure_rate
                took = rng.uniform(0.2, 4.0) if ok else rng.uniform(1.0, 30.0)
                runs.append(
                    _Run(
                        id=self._uuid(),
                        timer_id=timer.id,
                        start=start,
                        status="success" if ok else "failure",
                        end=start + timedelta(seconds=round(took, 3)),
                        result=self._result(timer.callback, ok),
                    )
                )
            if not timer.runs or min(r.key for r in runs) > timer.keys[-1]:
                runs.sort(key=lambda r: r.key)
                timer.runs.extend(runs)
                timer.keys.extend(r.key for r in runs)
                timer.by_id.update((r.id, r) for r in runs)
            else:
                for run in runs:
                    timer.insert(run)

    def get_run_json(self, timer_id: str, run_id: str) -> dict[str, Any]:
        """A run's current wire JSON (after its lifecycle caught up with the clock)."""
        with self._lock:
            run = self._timer(timer_id).by_id[run_id.lower()]
            run.settle(self.now())
            return run.wire()

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        operation: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests (of ``operation``, or any) with this status,
        headers and body (default: the spec's ``Error`` JSON) instead; nothing is created."""
        self._check_operation(operation)
        if body is None:
            content = json.dumps(
                {"code": "INJECTED_FAULT", "message": f"Injected fault ({status})."}
            ).encode()
            kind = "application/json"
        elif isinstance(body, Mapping):
            content, kind = json.dumps(dict(body)).encode(), "application/json"
        else:
            content = body.encode() if isinstance(body, str) else body
            kind = "text/plain"
        merged = {"content-type": kind, **{k.lower(): v for k, v in (headers or {}).items()}}
        with self._lock:
            self._faults.append(_Fault(count, operation, status, merged, content))

    def drop_next(
        self, count: int = 1, *, operation: str | None = None, after_processing: bool = False
    ) -> None:
        """Drop the connection of the next ``count`` requests without an answer. With
        ``after_processing`` the request is carried out first (e.g. the run is created),
        as when a connection breaks after the server acted on it."""
        self._check_operation(operation)
        with self._lock:
            self._faults.append(
                _Fault(count, operation, drop=True, after_processing=after_processing)
            )

    def reset(self) -> None:
        """Forget timers, runs, faults, counters and recorded requests (tokens stay)."""
        with self._lock:
            self._timers.clear()
            self._faults.clear()
            self.requests.clear()
            self.runs_created = 0
            self.latency = 0.0

    # -- the HTTP side ----------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` for ``httpx.Client`` and ``httpx.AsyncClient`` alike."""
        return httpx.MockTransport(self.handle)

    def mock(self, base_url: str = DEFAULT_BASE_URL) -> respx.MockRouter:
        """A respx router sending every request under ``base_url`` here (needs respx)::

        with service.mock():
            TimersClient("test-token").get_run(timer_id, run_id)
        """
        import respx

        router = respx.mock(base_url=base_url, assert_all_called=False)
        router.route().mock(side_effect=self.handle)
        return router

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the service would (the core of every way to use it)."""
        with self._lock:
            self.requests.append((request.method, request.url.raw_path.decode("ascii")))
            self._request_ids += 1
            request_id = f"fake-{self._request_ids:06d}"
        if self.latency:
            self._sleep(self.latency)
        route = _ROUTE.match(request.url.path)
        operation = self._operation(request.method, route)
        fault = self._take_fault(operation)
        if fault is not None and not fault.drop:
            return httpx.Response(
                fault.status,
                content=fault.body,
                headers={"x-request-id": request_id, **fault.headers},
            )
        if fault is not None and not fault.after_processing:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        try:
            status, body = self._answer(request, route, operation)
        except _Problem as problem:
            status, body = (
                problem.status,
                {
                    "code": problem.code,
                    "message": problem.message,
                    "request_id": request_id,
                },
            )
            if problem.errors:
                body["errors"] = problem.errors
        if fault is not None:  # dropped after doing the work
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        headers = {"content-type": "application/json", "x-request-id": request_id}
        if status == 405:
            headers["allow"] = "POST" if route and route.group("run") else "GET"
        return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)

    # -- internals --------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _timer(self, timer_id: str) -> _Timer:
        try:
            return self._timers[timer_id.lower()]
        except KeyError:
            raise KeyError(f"no timer {timer_id}; add it with add_timer()") from None

    @staticmethod
    def _check_operation(operation: str | None) -> None:
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS} or None, got {operation!r}")

    @staticmethod
    def _operation(method: str, route: re.Match[str] | None) -> str | None:
        if route is None:
            return None
        if route.group("run"):
            return "run_timer" if method == "POST" else None
        if method != "GET":
            return None
        return "get_timer_run" if route.group("run_id") else "list_timer_runs"

    def _take_fault(self, operation: str | None) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.operation is None or fault.operation == operation:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _result(self, callback: str, ok: bool) -> dict[str, Any]:
        rng = self._random
        if callback == "flow":
            if ok:
                return {"status": "success", "run_id": self._uuid()}
            return {
                "status": "failure",
                "error": {
                    "code": "FLOW_START_FAILED",
                    "message": "The flow could not be started: the flow's input is invalid.",
                    "detail": {"flow_id": self._uuid(), "reason": "input schema mismatch"},
                },
            }
        if ok:
            return {"status": "success", "status_code": rng.choice([200, 200, 200, 201, 204])}
        if rng.random() < 0.2:
            return {
                "status": "failure",
                "error": {
                    "code": "CALLBACK_TIMEOUT",
                    "message": "The web callback did not answer within 30 seconds.",
                    "detail": {"url": "https://example.org/hooks/nightly", "timeout_s": 30},
                },
            }
        code = rng.choice([500, 502, 503, 503, 404])
        reason = _HTTP_REASONS.get(code, "Service Unavailable")
        return {
            "status": "failure",
            "status_code": code,
            "error": {
                "code": "CALLBACK_FAILED",
                "message": f"The web callback answered {code} {reason}.",
                "detail": {"url": "https://example.org/hooks/nightly", "attempts": 3},
            },
        }

    def _answer(
        self, request: httpx.Request, route: re.Match[str] | None, operation: str | None
    ) -> tuple[int, Any]:
        if route is None:
            raise _Problem(404, "NOT_FOUND", f"No such resource: {request.url.path}", [])
        if operation is None:
            raise _Problem(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here", [])
        if not self._authorized(request):
            raise _Problem(401, "AUTHENTICATION_ERROR", "Missing or invalid bearer token.", [])
        timer_id = self._path_uuid("timer_id", route.group("timer"))
        run_id = route.group("run_id")
        if run_id is not None:
            run_id = self._path_uuid("run_id", run_id)
        with self._lock:
            timer = self._timers.get(timer_id)
            if timer is None:
                raise _Problem(404, "NOT_FOUND", f"No timer with id {timer_id}.", [])
            if operation == "run_timer":
                return 201, self._trigger(timer)
            if operation == "get_timer_run":
                assert run_id is not None
                run = timer.by_id.get(run_id)
                if run is None:
                    raise _Problem(
                        404, "NOT_FOUND", f"No run with id {run_id} for timer {timer_id}.", []
                    )
                run.settle(self.now())
                return 200, run.wire()
            return 200, self._list(timer, request.url.params)

    def _authorized(self, request: httpx.Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() in self._tokens and bool(token.strip())

    @staticmethod
    def _path_uuid(name: str, value: str) -> str:
        if not _UUID.match(value):
            raise _Problem(
                422,
                "UNPROCESSABLE_ENTITY",
                f"{name} is not a valid UUID.",
                [
                    {
                        "code": "INVALID_UUID",
                        "message": f"{name} is not a valid UUID.",
                        "location": f"path.{name}",
                    }
                ],
            )
        return value.lower()

    def _trigger(self, timer: _Timer) -> dict[str, Any]:
        now = self.now()
        ok = self._random.random() >= timer.failure_rate
        done = now + self._pending + self._in_progress
        result = self._result(timer.callback, ok)
        run = _Run(
            id=self._uuid(),
            timer_id=timer.id,
            start=now,
            status="pending",
            lifecycle=(now + self._pending, done, "success" if ok else "failure", result),
        )
        timer.insert(run)
        timer.live.append(run)
        self.runs_created += 1
        return run.wire()

    def _list(self, timer: _Timer, params: httpx.QueryParams) -> dict[str, Any]:
        single: dict[str, str] = {}
        for name in ("limit", "marker", "status", "start_after", "start_before"):
            values = params.get_list(name)
            if len(values) > 1:
                raise _bad_parameter(name, "must be given at most once")
            if values:
                single[name] = values[0]
        limit = DEFAULT_LIMIT
        if "limit" in single:
            if not _INTEGER.match(single["limit"]) or not 1 <= int(single["limit"]) <= MAX_LIMIT:
                raise _bad_parameter("limit", f"must be an integer from 1 to {MAX_LIMIT}")
            limit = int(single["limit"])
        status = single.get("status")
        if status is not None and status not in STATUSES:
            raise _bad_parameter("status", f"must be one of {', '.join(STATUSES)}")
        bounds: dict[str, datetime] = {}
        for name in ("start_after", "start_before"):
            if name in single:
                moment = _parse_time(single[name])
                if moment is None:
                    raise _bad_parameter(name, "must be an RFC 3339 date-time with an offset")
                bounds[name] = moment
        timer.settle(self.now())

        # Runs are stored oldest first: [lo, hi) is the window the time filters allow.
        lo = 0
        hi = len(timer.runs)
        if "start_after" in bounds:
            lo = bisect_right(timer.keys, (bounds["start_after"], "\uffff"))
        if "start_before" in bounds:
            hi = bisect_left(timer.keys, (bounds["start_before"], ""))
        if status is None:
            total = max(0, hi - lo)
        else:
            total = sum(1 for i in range(lo, hi) if timer.runs[i].status == status)
        end = hi
        if "marker" in single:
            end = min(hi, bisect_left(timer.keys, self._decode_marker(single["marker"])))
        page: list[_Run] = []
        i = end - 1
        while i >= lo and len(page) < limit + 1:
            run = timer.runs[i]
            if status is None or run.status == status:
                page.append(run)
            i -= 1
        more = len(page) > limit
        page = page[:limit]
        return {
            "runs": [run.wire() for run in page],
            "total": total,
            "has_next_page": more,
            "next_page": self._encode_marker(page[-1].key) if more else None,
        }

    @staticmethod
    def _encode_marker(key: tuple[datetime, str]) -> str:
        raw = f"{key[0].isoformat()}|{key[1]}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_marker(marker: str) -> tuple[datetime, str]:
        try:
            raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
            when, run_id = raw.split("|")
            moment = datetime.fromisoformat(when)
            if moment.tzinfo is None or not _UUID.match(run_id):
                raise ValueError(raw)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise _bad_parameter("marker", "is not a marker this service issued") from None
        return moment, run_id
