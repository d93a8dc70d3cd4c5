"""The in-process transports: an ``Answerer``'s ``Reply``/``Drop`` as httpx and respx see them.

``service.handle()`` (and so ``service.transport()``, an ``httpx.MockTransport``) and
``service.mock()`` (a respx router) are built on ``respond``; the loopback server
(``_server``) is the other transport, over real sockets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from timers._errors import MissingExtraError
from timers.testing._answering import Answerer
from timers.testing._replies import DROP_MESSAGE, Drop

if TYPE_CHECKING:
    import respx

__all__ = ["respond", "respx_router"]


def respond(
    answerer: Answerer, request: httpx.Request, *, latency: float, sleep: Callable[[float], None]
) -> httpx.Response:
    """The ``httpx.Response`` to ``request``, after ``sleep(latency)`` if ``latency > 0``;
    ``httpx.RemoteProtocolError`` for a ``Drop``."""
    request.read()
    outcome = answerer.answer(
        request.method,
        request.url.raw_path.decode("ascii"),
        request.headers.get("authorization"),
    )
    if latency > 0:
        sleep(latency)
    if isinstance(outcome, Drop):
        raise httpx.RemoteProtocolError(DROP_MESSAGE, request=request)
    return httpx.Response(
        outcome.status, headers=list(outcome.headers), content=outcome.body, request=request
    )


def respx_router(
    base_urls: Sequence[str], handle: Callable[[httpx.Request], httpx.Response]
) -> respx.MockRouter:
    """A respx router sending every request under any of ``base_urls`` (same scheme, host
    and port; the base URL's path itself or a path under it) to ``handle``."""
    try:
        import respx  # an optional dependency: only service.mock() needs it
    except ModuleNotFoundError:
        raise MissingExtraError("service.mock()", extra="testing", module="respx") from None

    router = respx.mock(assert_all_called=False)
    for base_url in base_urls:
        url = httpx.URL(base_url)
        lookups: dict[str, Any] = {"scheme": url.scheme, "host": url.host}
        if url.port is not None:
            lookups["port"] = url.port
        if prefix := url.path.rstrip("/"):
            # A regex, not path__startswith: respx reads a prefix like "//api" as a URL.
            lookups["path__regex"] = f"^{re.escape(prefix)}(?:/|$)"
        router.route(**lookups).mock(side_effect=handle)
    return router
