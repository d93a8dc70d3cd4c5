"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.dual import Dual


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's real token or base URL must never reach a test.
    monkeypatch.delenv("TIMERS_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("TIMERS_BASE_URL", raising=False)


@pytest.fixture(params=["sync", "async"])
def dual(request: pytest.FixtureRequest) -> Iterator[Dual]:
    """The same test through TimersClient and AsyncTimersClient."""
    d = Dual(request.param)
    yield d
    d.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
