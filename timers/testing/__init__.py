"""A reference Timers service for testing code that uses ``timers`` (and for the demo).

- ``FakeTimersService``: an in-memory implementation of the three run operations, exactly as
  the spec describes them, with realistic runs, an injectable clock and fault injection.
  ``service.transport()`` plugs it into an ``httpx.Client``/``AsyncClient``;
  ``service.mock()`` is a respx router for it.
- ``serve(service)``: the same over real HTTP on 127.0.0.1.
- ``timers.testing.pytest_plugin``: the ``timers_service`` and ``timers_base_url`` fixtures.

>>> import httpx
>>> from timers import TimersClient
>>> from timers.testing import FakeTimersService
>>> service = FakeTimersService(tokens=["test-token"])
>>> timer_id = service.add_timer()
>>> service.seed_history(timer_id, 10)
>>> client = TimersClient("test-token", http_client=httpx.Client(transport=service.transport()))
>>> client.list_runs(timer_id).total
10
"""

from timers.testing._fake import FakeTimersService
from timers.testing._http import serve

__all__ = ["FakeTimersService", "serve"]
