"""The sans-IO core of the reference service: one request in, one ``Reply`` or ``Drop`` out.

``Answerer.answer(method, target, authorization, base_path=..., jobs_base_path=...)`` is what
every transport calls. It does the steps every API dialect shares, in this order (the first
that decides wins):

1. The request is recorded in ``service.requests`` and given a request id.
2. A queued fault (``_faults``) for the routed operation takes over: its injected ``Reply``,
   or a ``Drop`` (with ``after_processing=True``, after the request was carried out).
3. ``Authorization: Bearer <token>`` with a known token, else 401 ``AUTHENTICATION_ERROR``
   with ``WWW-Authenticate``.
4. A path no API knows gets 404 ``NOT_FOUND``.
5. A path an API knows, with a method it does not take, gets 405 ``METHOD_NOT_ALLOWED`` with
   an ``Allow`` header (the specs declare no 405; it is what RFC 9110 asks for).

Then the route validates the request and carries it out (for ``spec/timers-runs.yaml``, see
``_runs_api``; for ``spec/globus-timers.yaml``, ``_jobs_api``). The body of an answer to
``HEAD`` is emptied.

Routing is pluggable: an ``Answerer`` is given a list of ``Api`` objects (one per dialect,
each built on the same ``ServiceState``) and asks them in turn. A dialect is one module with
a class that has ``operations`` and ``match()``; adding one is adding it to that list.

Error bodies are the dialect's own: the ``Route`` or ``WrongMethod`` an API returns carries
its ``error_body`` (an ``ErrorBody``), used for the 401, 405 and injected faults of steps 2-5
(the runs ``Error`` unless the API says otherwise; also for a path no API knows).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from timers.testing._faults import FaultQueue
from timers.testing._replies import Drop, ErrorBody, Reply, error_body, shaped_error_reply
from timers.testing._state import ServiceState

__all__ = ["Answerer", "Api", "Prefixes", "Route", "WrongMethod"]

_BEARER = re.compile(r"[ \t]*bearer[ \t]+(?P<token>[^ \t]+)[ \t]*", re.I)


@dataclass(frozen=True, slots=True)
class Route:
    """A request an API takes: its ``operation`` (which faults match) and how to answer it.

    ``respond(query, request_id)`` validates the request (path ids, query string) and carries
    it out; it is called with the state's lock held, after authentication. ``error_body``
    spells the errors the shared steps answer for it (401, injected faults).
    """

    operation: str
    respond: Callable[[str, str], Reply]
    error_body: ErrorBody = error_body


@dataclass(frozen=True, slots=True)
class WrongMethod:
    """The path is an API's, but not for this method: ``allowed`` is what it takes.
    ``error_body`` spells the 401 or 405 answer."""

    allowed: str
    error_body: ErrorBody = error_body


@dataclass(frozen=True, slots=True)
class Prefixes:
    """Where each API answers, exactly: the runs API's paths under ``runs`` (e.g.
    ``"/api/v1"``), the jobs API's under ``jobs`` (``""``: at the root). Without them (``None``)
    an API takes its paths after any prefix."""

    runs: str
    jobs: str = ""


class Api(Protocol):
    """One API dialect: the routes of one spec over the shared ``ServiceState``."""

    @property
    def operations(self) -> tuple[str, ...]:
        """The operation names its routes have (what ``fail_next(operation=)`` accepts)."""
        ...

    def match(
        self, method: str, path: str, prefixes: Prefixes | None
    ) -> Route | WrongMethod | None:
        """The route for ``method`` and ``path`` (percent-encoded, no query), ``WrongMethod``
        if the path is this API's but the method is not, ``None`` if the path is not this
        API's. ``prefixes``: ``None`` for any prefix before the API's paths (``handle()``);
        else an API takes only its own prefix (served: the runs API ``"/api/v1"``, the jobs
        API the root; ``mock()``: the paths of its base URLs)."""
        ...


class Answerer:
    """Answers requests for one service: the layer every transport is built on.

    It never sleeps and never touches a socket: transports wait out ``latency`` and carry the
    ``Reply`` (or render the ``Drop``) themselves. Safe to call from many threads. Get a
    service's with ``service.answerer``.
    """

    def __init__(self, state: ServiceState, faults: FaultQueue, apis: Sequence[Api]) -> None:
        self._state = state
        self._faults = faults
        self._apis = tuple(apis)

    def answer(
        self,
        method: str,
        target: str,
        authorization: str | None,
        *,
        base_path: str | None = None,
        jobs_base_path: str = "",
    ) -> Reply | Drop:
        """The service's answer to one request, as the spec says.

        Args:
            method: the HTTP method, e.g. ``"GET"`` (any string; undeclared ones get 405).
            target: the path and query as sent, percent-encoded, e.g.
                ``"/api/v1/timers/<id>/runs?limit=5"``.
            authorization: the ``Authorization`` header, or ``None`` if there is none.
            base_path: routing as served (the server passes ``"/api/v1"``): the runs API
                only under this prefix, the jobs API only under ``jobs_base_path``, as in
                production; ``None`` routes any prefix, so any base URL works.
            jobs_base_path: where the jobs API answers when ``base_path`` is given: the root
                (``""``, as served) unless ``mock()`` was given a jobs base URL with a path.

        Returns:
            a ``Reply`` (``HEAD`` answers have an empty body), or a ``Drop`` when a queued
            ``drop_next`` takes the request. The request is recorded in ``service.requests``.

        Example::

            reply = service.answerer.answer("POST", f"/timers/{timer_id}/run", "Bearer test-token")
            assert reply.status == 201 and reply.json()["status"] == "pending"
        """
        for name, value in (("method", method), ("target", target)):
            if not isinstance(value, str):  # checked before anything is recorded or used up
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        if authorization is not None and not isinstance(authorization, str):
            raise TypeError(
                f"authorization must be a str or None, got {type(authorization).__name__}"
            )
        state = self._state
        with state.lock:
            state.requests.append((method, target))
            request_id = state.next_request_id()
            path, _, query = target.partition("?")
            prefixes = None if base_path is None else Prefixes(base_path, jobs_base_path)
            found = self._match(method, path, prefixes)
            fault = self._faults.take(found.operation if isinstance(found, Route) else None)
            if fault is not None and not fault.drop:
                return fault.reply(request_id, error_body if found is None else found.error_body)
            if fault is not None and not fault.after_processing:
                return Drop()
            reply = self._carry_out(method, found, query, authorization, request_id)
            if fault is not None:
                return Drop(after_processing=True)
            if method == "HEAD":
                reply = dataclasses.replace(reply, body=b"")
            return reply

    def _match(
        self, method: str, path: str, prefixes: Prefixes | None
    ) -> Route | WrongMethod | None:
        """The first API's route for the path; else the first ``WrongMethod``; else ``None``."""
        wrong: WrongMethod | None = None
        for api in self._apis:
            found = api.match(method, path, prefixes)
            if isinstance(found, Route):
                return found
            if wrong is None:
                wrong = found
        return wrong

    def _carry_out(
        self,
        method: str,
        found: Route | WrongMethod | None,
        query: str,
        authorization: str | None,
        request_id: str,
    ) -> Reply:
        shape = error_body if found is None else found.error_body
        bearer = _BEARER.fullmatch(authorization or "")
        if bearer is None or bearer["token"] not in self._state.tokens:
            challenge = 'Bearer error="invalid_token"' if bearer else "Bearer"
            return shaped_error_reply(
                shape,
                401,
                request_id,
                "Missing or invalid bearer token."
                if self._state.tokens
                else "Missing or invalid bearer token (this service accepts none: tokens=[]).",
                headers=(("WWW-Authenticate", challenge),),
            )
        if isinstance(found, WrongMethod):
            return shaped_error_reply(
                shape,
                405,
                request_id,
                f"{method} is not allowed here; use {found.allowed}.",
                headers=(("Allow", found.allowed),),
            )
        if found is None:
            return shaped_error_reply(shape, 404, request_id, "No such resource.")
        return found.respond(query, request_id)
