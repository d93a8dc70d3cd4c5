"""The few I/O primitives that differ between the two clients: sleeping, and binding a client
to its event loop. Everything else the clients do is the same code (see ``_async_client``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from timers._errors import UsageError

if TYPE_CHECKING:
    import asyncio

__all__ = ["LoopBinding", "async_sleep", "sync_sleep"]


def sync_sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up on each call, so patching time.sleep reaches it


async def async_sleep(seconds: float) -> None:
    import asyncio  # here, not at the top: `import timers` should not pay for asyncio

    await asyncio.sleep(seconds)


class LoopBinding:
    """Ties an async client to the event loop it is first used in (httpx's connections belong
    to the loop that opened them), and says so clearly when another loop uses it."""

    __slots__ = ("_loop",)

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def bound(self) -> bool:
        return self._loop is not None

    def check(self) -> None:
        """Bind to the running loop, or raise ``UsageError`` if bound to another one."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise UsageError(
                "this AsyncTimersClient is bound to another event loop (the one it was first "
                "used in); create one AsyncTimersClient per event loop, e.g. inside the "
                "coroutine you pass to asyncio.run()"
            )
