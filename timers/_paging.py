"""The one paging loop's state, shared by the sync and async page and item iterators.

``Pager`` decides what to ask for next and checks each page; the clients only do the I/O::

    pager = Pager(...)
    while not pager.finished:
        page = pager.accept(fetch(limit=pager.limit, marker=pager.marker))
        yield page

Paging stops when a page says ``has_next_page`` is false, or when ``max_items`` runs have been
produced. A page that says more follow but has no ``next_page`` raises ``PaginationError``
(stopping would drop the rest unsaid). An empty page that still has a marker is followed, but
``MAX_EMPTY_PAGES`` of them in a row (as the service sent them, before any filter the client
applies) raise ``PaginationError``, as do a marker seen twice, one longer than
``MAX_MARKER_LENGTH`` or not valid text, more runs than twice the smallest ``total`` a page
said plus ``MAX_LIMIT`` (room for runs added while paging; a ``total`` that grows as pages come
cannot move the bound), and more than ``MAX_PAGES`` pages (a ``total`` can be any number):
paging never loops forever. So does a marker holding the client's credential (a server echoing
it), which would go into a URL (and logs). The page that brings such a marker is still handed
out whole; asking for the next one (``marker``) raises.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from timers import _args
from timers._errors import InvalidArgumentError, PaginationError
from timers._models import RunPage, TimerRun
from timers._redact import quote, redact

__all__ = ["MAX_EMPTY_PAGES", "MAX_PAGES", "Pager"]

MAX_EMPTY_PAGES = 20
# 100 million runs at the largest page size. The production service keeps 90 days of results:
# a timer running every minute has about 130,000.
MAX_PAGES = 100_000


class Pager:
    """Marker bookkeeping and the ``max_items`` budget of one paging run."""

    __slots__ = (
        "_empty",
        "_failure",
        "_marker",
        "_page_size",
        "_pages",
        "_remaining",
        "_seen",
        "_served",
        "_total",
        "filtered_here",
        "finished",
    )

    def __init__(self, *, marker: str | None, page_size: int | None, max_items: int | None) -> None:
        self._marker = marker
        self._failure: PaginationError | None = None
        self._page_size = page_size
        self._remaining = max_items
        self._seen: set[bytes] = set() if marker is None else {_digest(marker)}
        self.finished = max_items == 0  # True once no further page should be fetched
        self._pages = 0
        self._served = 0  # runs the service sent, before any filter the client applies
        self._empty = 0  # pages in a row with no run
        self._total: int | None = None  # the smallest total a page said
        # True when the client filters each page (the service cannot) and hands out no page
        # marker (iter_runs): a page's size then says nothing about how many runs it will
        # keep, so max_items does not shrink it (a trimmed page's next_page would skip runs).
        self.filtered_here = False

    @classmethod
    def checked(cls, page_size: Any, max_items: Any, marker: Any) -> Pager:
        """A pager for user arguments, checked (``InvalidArgumentError``)."""
        if max_items is not None and (type(max_items) is not int or max_items < 0):
            raise InvalidArgumentError(f"max_items must be an int >= 0, got {quote(max_items)}")
        return cls(
            marker=_args.check_marker(marker),
            page_size=_args.check_limit("page_size", page_size),
            max_items=max_items,
        )

    @property
    def marker(self) -> str | None:
        """The marker of the next page to fetch; ``PaginationError`` when the last page's
        marker cannot be followed (see the module's docstring)."""
        if self._failure is not None:
            raise self._failure
        return self._marker

    @property
    def limit(self) -> int | None:
        """The ``limit`` for the next request (``None``: the service's default); with
        ``max_items``, never more runs than are still wanted (unless ``filtered_here``)."""
        if self._remaining is None or self.filtered_here:
            return self._page_size
        return min(self._page_size or _args.MAX_LIMIT, self._remaining)

    def accept(self, page: RunPage, keep: Callable[[TimerRun], bool] | None = None) -> RunPage:
        """Record a fetched page; return it with only the runs ``keep`` accepts (all when it
        is None), trimmed to the ``max_items`` budget."""
        self._pages += 1
        self._served += len(page.runs)
        self._empty = 0 if page.runs else self._empty + 1
        self._total = page.total if self._total is None else min(self._total, page.total)
        if keep is not None:
            page = dataclasses.replace(page, runs=tuple(run for run in page.runs if keep(run)))
        if self._remaining is not None:
            if len(page.runs) > self._remaining:
                page = dataclasses.replace(page, runs=page.runs[: self._remaining])
            self._remaining -= len(page.runs)
            if self._remaining <= 0:
                self.finished = True
        following = page.next_page
        if not page.has_next_page:
            self.finished = True
        elif not self.finished and following:
            seen = _digest(following)
            self._failure = self._check(following, seen, self._total)
            self._seen.add(seen)
            self._marker = following
        elif not self.finished:  # more follow, but no way to them: they would go unsaid
            self._failure = PaginationError(
                "the service said more runs follow but sent no next_page (after "
                f"{_pages(self._pages)}); the runs after this page cannot be fetched"
            )
        return page

    def _check(self, following: str, seen: bytes, total: int) -> PaginationError | None:
        problem = None
        if seen in self._seen:
            problem = f"returned the page marker {quote(following)} a second time"
        elif self._empty >= MAX_EMPTY_PAGES:
            problem = f"sent {self._empty} empty pages in a row, each with a new marker"
        elif len(following) > _args.MAX_MARKER_LENGTH:
            problem = (
                f"returned a page marker of {len(following)} characters (at most "
                f"{_args.MAX_MARKER_LENGTH} can be sent back)"
            )
        elif self._served > 2 * total + _args.MAX_LIMIT:  # room for runs added meanwhile
            problem = f"sent {self._served} runs, over twice the {total} it says there are"
        elif self._pages >= MAX_PAGES:
            problem = (
                f"sent {MAX_PAGES:,} pages, the most one paging follows (a larger page_size "
                "takes fewer)"
            )
        elif not following.isascii() and not _args.encodable(following):
            problem = f"returned a page marker that is not valid text: {quote(following)}"
        elif redact(following) != following:
            return PaginationError(
                "the service returned a page marker that holds the client's credential (after "
                f"{_pages(self._pages)}); it is not sent back in a URL, where logs would show it"
            )
        if problem is None:
            return None
        return PaginationError(
            f"the service {problem} (after {_pages(self._pages)}); stopping instead of "
            "looping forever"
        )


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _digest(marker: str) -> bytes:
    """What is kept of a marker to recognise it: 16 bytes, however long the marker (a
    service handing out a long new marker with each of countless pages costs no more)."""
    return hashlib.blake2b(marker.encode("utf-8", "surrogatepass"), digest_size=16).digest()
