"""Check HTTP exchanges against the OpenAPI spec (openapi-core 0.23.1 over httpx).

Two ways in:

- ``validate_exchange(request, response)`` checks one exchange and raises ``SpecViolation``
  (an ``AssertionError``) naming the operation, the side (request or response) and
  openapi-core's detail.
- ``validating(transport)`` wraps an httpx transport (``ValidatingTransport``,
  ``AsyncValidatingTransport``, or ``DualValidatingTransport`` for ``httpx.MockTransport``,
  which serves both kinds of client). Every exchange through it is checked: a violation is
  raised out of ``handle_request`` *and* appended to ``transport.violations``, so a fixture
  can still fail the test when the client swallowed the exception.

What is checked. Requests: the operation exists under the server path ``/api/v1`` (on any
host: the real service, the fake on 127.0.0.1, ...), path and query parameters match their
schemas, no undeclared or repeated query parameters, no body where none is declared, and a
non-empty ``Authorization: Bearer`` token. Responses: the status is declared for the
operation, declared headers match, the content type is JSON and the body matches the schema.
Extra response fields are allowed (the spec does not forbid them).

Fault-injection tests send deliberately broken responses. Mark such a response as
intentionally off-spec and only its request is checked::

    return mark_off_spec(httpx.Response(502, text="<html>Bad gateway</html>"))
    # same as: httpx.Response(..., extensions={"timers_off_spec": True})
    # or, when only headers can be set: httpx.Response(..., headers={"x-test-off-spec": "1"})
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Literal, cast, overload
from urllib.parse import urlsplit

import httpx
import yaml  # type: ignore[import-untyped]
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import InvalidData
from openapi_core.validation.schemas import oas30_read_schema_validators_factory
from werkzeug.datastructures import Headers, ImmutableMultiDict

__all__ = [
    "JOBS_SPEC_PATH",
    "OFF_SPEC_EXTENSION",
    "OFF_SPEC_HEADER",
    "SPEC_PATH",
    "AsyncValidatingTransport",
    "DualValidatingTransport",
    "Problem",
    "SpecViolation",
    "ValidatingTransport",
    "component_errors",
    "is_marked_off_spec",
    "mark_off_spec",
    "spec_app",
    "spec_document",
    "validate_exchange",
    "validating",
]

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "timers-runs.yaml"
JOBS_SPEC_PATH = SPEC_PATH.with_name("globus-timers.yaml")

OFF_SPEC_EXTENSION = "timers_off_spec"
"""``response.extensions[OFF_SPEC_EXTENSION] = True`` skips checking that response."""

OFF_SPEC_HEADER = "x-test-off-spec"
"""A response header ``x-test-off-spec: 1`` also skips checking that response."""

Side = Literal["request", "response"]


# --- the spec ---------------------------------------------------------------------------------


@functools.cache
def _load_document(spec_path: Path) -> dict[str, Any]:
    with spec_path.open(encoding="utf-8") as f:
        document = yaml.safe_load(f)
    assert isinstance(document, dict), f"{spec_path} is not an OpenAPI document"
    return document


def spec_document(spec_path: Path = SPEC_PATH) -> dict[str, Any]:
    """The parsed spec, as written (a fresh deep copy: callers may change it)."""
    return copy.deepcopy(_load_document(Path(spec_path)))


def _server_paths(document: Mapping[str, Any]) -> list[str]:
    paths = {urlsplit(s["url"]).path.rstrip("/") for s in document.get("servers") or []}
    return sorted(paths) or [""]


@functools.cache
def _app(spec_path: Path) -> OpenAPI:
    document = spec_document(spec_path)
    # openapi-core compares the request's host with absolute server URLs; a relative server
    # matches on the path alone, so the real service and a fake on 127.0.0.1 both pass.
    document["servers"] = [{"url": path or "/"} for path in _server_paths(document)]
    return OpenAPI.from_dict(document)


def spec_app(spec_path: Path = SPEC_PATH) -> OpenAPI:
    """The openapi-core app for the spec, servers relaxed to ``/api/v1`` on any host (cached)."""
    return _app(Path(spec_path))


def component_errors(name: str, value: Any, *, spec_path: Path = SPEC_PATH) -> list[str]:
    """Why ``value`` does not match ``components/schemas/<name>`` per openapi-core ([] if it does).

    Uses the validator openapi-core applies to response bodies (OpenAPI 3.0 read mode).
    """
    validator = _component_validator(name, Path(spec_path))
    return [_schema_error_text(e) for e in validator.iter_errors(value)]


@functools.cache
def _component_validator(name: str, spec_path: Path) -> Any:
    app = spec_app(spec_path)
    schema = app.spec / "components" / "schemas" / name
    return oas30_read_schema_validators_factory.create(app.spec, schema).validator


# --- operations, for messages and the checks openapi-core does not make ------------------------


@dataclass(frozen=True)
class _Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    query: Mapping[str, Mapping[str, Any]]  # name -> schema
    takes_body: bool

    @property
    def label(self) -> str:
        return f"{self.operation_id} ({self.method} {self.template})"


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@functools.cache
def _operations(spec_path: Path) -> tuple[tuple[str, ...], tuple[_Operation, ...]]:
    document = _load_document(spec_path)
    operations = []
    for template, item in document["paths"].items():
        regex = "".join(
            f"(?P<{part[1:-1]}>[^/]*)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template)
        )
        shared = [_resolve(document, p) for p in item.get("parameters", [])]
        for method, op in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            params = shared + [_resolve(document, p) for p in op.get("parameters", [])]
            operations.append(
                _Operation(
                    operation_id=op.get("operationId", f"{method} {template}"),
                    method=method.upper(),
                    template=template,
                    pattern=re.compile(regex),
                    query={
                        p["name"]: _resolve(document, p.get("schema", {}))
                        for p in params
                        if p["in"] == "query"
                    },
                    takes_body="requestBody" in op,
                )
            )
    return tuple(_server_paths(document)), tuple(operations)


def _find_operation(spec_path: Path, method: str, path: str) -> _Operation | None:
    prefixes, operations = _operations(spec_path)
    for prefix in prefixes:
        if not path.startswith(prefix):
            continue
        for op in operations:
            if op.method == method and op.pattern.fullmatch(path[len(prefix) :]):
                return op
    return None


# --- violations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One way an exchange departs from the spec."""

    side: Side
    message: str

    def __str__(self) -> str:
        return f"{self.side}: {self.message}"


class SpecViolation(AssertionError):
    """An HTTP exchange does not match the spec.

    ``operation`` is e.g. ``"list_timer_runs (GET /timers/{timer_id}/runs)"``; ``problems``
    lists each departure with its side; ``side`` is ``"request"``, ``"response"`` or
    ``"request and response"``.
    """

    def __init__(
        self,
        *,
        operation: str,
        problems: Sequence[Problem],
        method: str,
        url: str,
        status_code: int | None,
    ) -> None:
        self.operation = operation
        self.problems = tuple(problems)
        self.method = method
        self.url = url
        self.status_code = status_code
        sides = {p.side for p in self.problems}
        self.side = "request and response" if len(sides) > 1 else next(iter(sides))
        exchange = f"{method} {url}" + ("" if status_code is None else f" -> {status_code}")
        lines = [f"{operation}: the {self.side} does not match the spec", f"  {exchange}"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def mark_off_spec(response: httpx.Response) -> httpx.Response:
    """Mark ``response`` as deliberately off-spec (only its request is checked); returns it."""
    response.extensions[OFF_SPEC_EXTENSION] = True
    return response


def is_marked_off_spec(response: httpx.Response) -> bool:
    return bool(response.extensions.get(OFF_SPEC_EXTENSION)) or response.headers.get(
        OFF_SPEC_HEADER, ""
    ).strip().lower() in {"1", "true", "yes"}


# --- openapi-core adapters --------------------------------------------------------------------


class _OpenAPIRequest:
    """openapi-core's ``Request`` protocol over an ``httpx.Request`` whose body was read."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        cookies = SimpleCookie(request.headers.get("cookie", ""))
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict({k: v.value for k, v in cookies.items()}),
        )

    @property
    def host_url(self) -> str:
        url = self._request.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return str(self._request.headers.get("content-type", "")).lower()


class _OpenAPIResponse:
    """openapi-core's ``Response`` protocol over an ``httpx.Response`` whose body was read."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", "")).lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self._response.headers.multi_items()))

    @property
    def data(self) -> bytes | None:
        return self._response.content or None


# --- checking ---------------------------------------------------------------------------------


def _schema_error_text(error: Any) -> str:
    """A jsonschema error as ``runs[0].start_time: 'x' is not a 'date-time'``."""
    path = list(getattr(error, "absolute_path", []))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return f"{where}: {error.message}" if where else str(error.message)


def _describe(error: Exception) -> str:
    """openapi-core's error, with the schema errors behind it."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])
    if isinstance(error, ResponseNotFound):
        declared = ", ".join(error.availableresponses)
        return f"status {error.http_status} is not declared (declared: {declared})"
    if isinstance(error, SecurityValidationError):
        return f"no usable 'Authorization: Bearer <token>' header ({error})"
    headline = (
        "body does not match the schema"
        if isinstance(error, InvalidData | InvalidRequestBody)
        else str(error)
    )
    if schema_errors:
        return f"{headline}: " + "; ".join(_schema_error_text(e) for e in schema_errors)
    if cause is not None and str(cause) not in headline:
        return f"{headline} ({cause!r})"
    return headline


def _label(spec_path: Path, request: httpx.Request, op: _Operation | None = None) -> str:
    op = op or _find_operation(spec_path, request.method, request.url.path)
    return op.label if op else f"{request.method} {request.url.path} (no such operation)"


def _own_request_problems(op: _Operation | None, request: httpx.Request) -> list[str]:
    """What openapi-core lets through but the service would not expect."""
    problems = []
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and not token.strip():
        problems.append("the bearer token is empty")
    if op is None:
        return problems
    names = [name for name, _ in request.url.params.multi_items()]
    for name in dict.fromkeys(names):
        schema = op.query.get(name)
        if schema is None:
            declared = ", ".join(op.query) or "none"
            problems.append(f"query parameter {name!r} is not declared (declared: {declared})")
        elif names.count(name) > 1 and schema.get("type") != "array":
            problems.append(f"query parameter {name!r} is sent {names.count(name)} times")
    if request.content and not op.takes_body:
        problems.append(f"a body of {len(request.content)} bytes is sent; the spec declares none")
    return problems


def _request_problems(spec_path: Path, request: httpx.Request) -> tuple[str, list[Problem], bool]:
    """(operation label, problems, whether the operation was found)."""
    app = spec_app(spec_path)
    op = _find_operation(spec_path, request.method, request.url.path)
    label = _label(spec_path, request, op)
    problems = []
    found = True
    for error in app.iter_apicall_request_errors(_OpenAPIRequest(request)):
        if isinstance(error, PathError):
            found = False
            prefixes = " or ".join(_operations(spec_path)[0])
            error_text = f"{error} (the spec's operations live under {prefixes!r} on any host)"
            problems.append(Problem("request", error_text))
        else:
            problems.append(Problem("request", _describe(error)))
    problems += [Problem("request", text) for text in _own_request_problems(op, request)]
    return label, problems, found


def _response_problems(
    spec_path: Path, request: httpx.Request, response: httpx.Response
) -> list[Problem]:
    errors = spec_app(spec_path).iter_apicall_response_errors(
        _OpenAPIRequest(request), _OpenAPIResponse(response)
    )
    return [Problem("response", _describe(e)) for e in errors]


def _violation(
    label: str, problems: list[Problem], request: httpx.Request, status: int | None
) -> SpecViolation:
    return SpecViolation(
        operation=label,
        problems=problems,
        method=request.method,
        url=str(request.url),
        status_code=status,
    )


def validate_exchange(
    request: httpx.Request,
    response: httpx.Response,
    *,
    validate_request: bool = True,
    spec_path: Path = SPEC_PATH,
) -> None:
    """Raise ``SpecViolation`` unless ``request`` and ``response`` match the spec.

    A response marked off-spec (``mark_off_spec``) is not checked; its request still is. A
    body that has not been read yet is read here (sync streams only).
    """
    try:
        request.content  # noqa: B018 - raises until the body was read
    except httpx.RequestNotRead:
        request.read()
    label, problems, found = _request_problems(spec_path, request)
    if not validate_request:
        problems = []
    if found and not is_marked_off_spec(response):
        try:
            response.content  # noqa: B018
        except httpx.ResponseNotRead:
            response.read()
        problems += _response_problems(spec_path, request, response)
    if problems:
        raise _violation(label, problems, request, response.status_code)


# --- transports -------------------------------------------------------------------------------


class _ReplayStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The raw bytes already read from the inner response, served again to the client."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def __iter__(self) -> Iterator[bytes]:
        yield self._raw

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._raw


def _replayed(response: httpx.Response, raw: bytes) -> tuple[httpx.Response, httpx.Response]:
    """(unread copy for the client, decoded copy to validate) of a response read as ``raw``.

    The client gets an unread response so it reads, decodes and times it as usual.
    """
    probe = httpx.Response(
        response.status_code, headers=response.headers, content=raw, extensions=response.extensions
    )
    fresh = httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=_ReplayStream(raw),
        extensions=response.extensions,
    )
    return fresh, probe


class _Validator:
    """What the sync and async transports share: the checks and the record of violations."""

    def __init__(self, *, validate_requests: bool = True, spec_path: Path = SPEC_PATH) -> None:
        self.validate_requests = validate_requests
        self.spec_path = Path(spec_path)
        self.violations: list[SpecViolation] = []
        self.exchanges = 0

    def _check_request(self, request: httpx.Request) -> str:
        if not self.validate_requests:
            return _label(self.spec_path, request)
        label, problems, _ = _request_problems(self.spec_path, request)
        if problems:
            self._fail(_violation(label, problems, request, None))
        return label

    def _check_response(self, label: str, request: httpx.Request, response: httpx.Response) -> None:
        self.exchanges += 1
        problems = _response_problems(self.spec_path, request, response)
        if problems:
            self._fail(_violation(label, problems, request, response.status_code))

    def _fail(self, violation: SpecViolation) -> None:
        self.violations.append(violation)
        raise violation

    def assert_no_violations(self) -> None:
        """Fail if any exchange so far broke the spec (even if the client caught the error)."""
        if self.violations:
            details = "\n".join(str(v) for v in self.violations)
            raise AssertionError(f"{len(self.violations)} spec violation(s):\n{details}")


class ValidatingTransport(_Validator, httpx.BaseTransport):
    """Checks every exchange through a sync transport against the spec.

    A request that breaks the spec is not sent. Violations are raised as ``SpecViolation``
    and recorded in ``violations``; ``exchanges`` counts the responses checked.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport,
        *,
        validate_requests: bool = True,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        super().__init__(validate_requests=validate_requests, spec_path=spec_path)
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        label = self._check_request(request)
        response = self.transport.handle_request(request)
        if is_marked_off_spec(response):
            return response
        try:
            response.content  # noqa: B018 - already read (e.g. a MockTransport response)
            probe = response
        except httpx.ResponseNotRead:
            response, probe = _replayed(response, b"".join(response.iter_raw()))
        self._check_response(label, request, probe)
        return response

    def close(self) -> None:
        self.transport.close()


class AsyncValidatingTransport(_Validator, httpx.AsyncBaseTransport):
    """``ValidatingTransport`` for ``httpx.AsyncClient``."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        validate_requests: bool = True,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        super().__init__(validate_requests=validate_requests, spec_path=spec_path)
        self.async_transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        label = self._check_request(request)
        response = await self.async_transport.handle_async_request(request)
        if is_marked_off_spec(response):
            return response
        try:
            response.content  # noqa: B018
            probe = response
        except httpx.ResponseNotRead:
            raw = b"".join([part async for part in response.aiter_raw()])
            response, probe = _replayed(response, raw)
        self._check_response(label, request, probe)
        return response

    async def aclose(self) -> None:
        await self.async_transport.aclose()


class DualValidatingTransport(ValidatingTransport, AsyncValidatingTransport):
    """Both at once, for transports that serve sync and async clients (``MockTransport``)."""

    def __init__(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
        *,
        validate_requests: bool = True,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        _Validator.__init__(self, validate_requests=validate_requests, spec_path=spec_path)
        self.transport = cast(httpx.BaseTransport, transport)
        self.async_transport = cast(httpx.AsyncBaseTransport, transport)


@overload
def validating(
    transport: httpx.MockTransport, *, validate_requests: bool = ..., spec_path: Path = ...
) -> DualValidatingTransport: ...
@overload
def validating(
    transport: httpx.BaseTransport, *, validate_requests: bool = ..., spec_path: Path = ...
) -> ValidatingTransport: ...
@overload
def validating(
    transport: httpx.AsyncBaseTransport, *, validate_requests: bool = ..., spec_path: Path = ...
) -> AsyncValidatingTransport: ...
def validating(
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
    *,
    validate_requests: bool = True,
    spec_path: Path = SPEC_PATH,
) -> ValidatingTransport | AsyncValidatingTransport:
    """Wrap ``transport`` so that every exchange is checked against the spec at ``spec_path``
    (``spec/timers-runs.yaml`` by default; ``JOBS_SPEC_PATH`` for the ``jobs`` API).

    A transport that is both sync and async (``httpx.MockTransport``) gets a wrapper that is
    both too, so ``validating(httpx.MockTransport(handler))`` suits either client.
    """
    options: dict[str, Any] = {"validate_requests": validate_requests, "spec_path": spec_path}
    if isinstance(transport, httpx.BaseTransport):
        if isinstance(transport, httpx.AsyncBaseTransport):
            return DualValidatingTransport(transport, **options)
        return ValidatingTransport(transport, **options)
    if isinstance(transport, httpx.AsyncBaseTransport):
        return AsyncValidatingTransport(transport, **options)
    raise TypeError(f"not an httpx transport: {transport!r}")
