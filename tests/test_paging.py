"""iter_runs and iter_run_pages: one lazy paging loop, sync and async."""

from __future__ import annotations

import gc
import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.bodies import numbered_runs
from support.dual import TIMER_ID, Dual

from timers import PaginationError, RunPage, TimerRun, TimersClient


class PagedService:
    """Serves fixed pages (ignoring ``limit``): page i answers marker ``m{i}``, page 0 none."""

    def __init__(self, sizes: list[int], *, markers: list[str | None] | None = None) -> None:
        self.pages: list[list[dict[str, Any]]] = []
        start = 0
        for size in sizes:
            self.pages.append(numbered_runs(size, start=start))
            start += size
        self.total = start
        default = [f"m{i + 1}" for i in range(len(sizes) - 1)] + [None]
        self.markers = markers if markers is not None else default
        self.requests: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url)
        marker = request.url.params.get("marker")
        index = 0 if marker is None else int(marker[1:])
        runs = self.pages[index]
        next_page = self.markers[index]
        return httpx.Response(
            200,
            json={
                "runs": runs,
                "total": self.total,
                "has_next_page": next_page is not None,
                "next_page": next_page,
            },
        )


def ids(runs: list[TimerRun]) -> list[str]:
    return [r.id for r in runs]


def test_a_single_page(dual: Dual) -> None:
    service = PagedService([3])
    runs = list(dual.client(handler=service).iter_runs(TIMER_ID))
    assert ids(runs) == [r["id"] for r in service.pages[0]]
    assert len(service.requests) == 1


def test_many_pages_yield_every_run_once_in_order(dual: Dual) -> None:
    service = PagedService([2, 2, 2, 1])
    runs = list(dual.client(handler=service).iter_runs(TIMER_ID, page_size=2))
    assert ids(runs) == [r["id"] for page in service.pages for r in page]
    assert [u.params.get("marker") for u in service.requests] == [None, "m1", "m2", "m3"]
    assert all(u.params["limit"] == "2" for u in service.requests)


def test_the_last_page_may_omit_next_page_entirely(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"runs": numbered_runs(1), "total": 1, "has_next_page": False}
        )

    assert len(list(dual.client(handler=handler).iter_runs(TIMER_ID))) == 1


def test_more_pages_said_to_follow_with_an_empty_marker_end_in_a_pagination_error(
    dual: Dual,
) -> None:
    # Ending quietly would drop the runs after the first page without a word.
    service = PagedService([2, 2], markers=["", "unused"])
    runs = dual.client(handler=service, validate=False).iter_runs(TIMER_ID)
    assert len([next(runs), next(runs)]) == 2  # the first page's runs come first
    with pytest.raises(PaginationError, match="said more runs follow but sent no next_page"):
        next(runs)
    assert len(service.requests) == 1


def test_empty_middle_pages_with_a_marker_are_followed(dual: Dual) -> None:
    service = PagedService([2, 0, 0, 3])
    runs = list(dual.client(handler=service).iter_runs(TIMER_ID))
    assert len(runs) == 5
    assert len(service.requests) == 4


def test_a_repeated_marker_raises_pagination_error_instead_of_looping(dual: Dual) -> None:
    service = PagedService([1, 1, 1], markers=["m1", "m1", None])
    iterator = dual.client(handler=service).iter_runs(TIMER_ID)
    with pytest.raises(PaginationError, match="'m1' a second time"):
        list(itertools.islice(iterator, 100))
    assert len(service.requests) == 2


def test_a_marker_equal_to_the_starting_marker_is_a_repeat(dual: Dual) -> None:
    service = PagedService([1, 1, 1], markers=["m1", "m1", None])
    with pytest.raises(PaginationError):
        list(dual.client(handler=service).iter_run_pages(TIMER_ID, marker="m1"))
    assert len(service.requests) == 1


@pytest.mark.parametrize(
    ("max_items", "requests", "limits"),
    [
        (3, 1, ["3"]),  # within the first page: asks for no more than needed
        (5, 2, ["5", "2"]),  # exactly at a page boundary: no extra page
        (6, 3, ["5", "3", "1"]),  # across a page boundary (the last page is trimmed)
        (0, 0, []),
    ],
)
def test_max_items_never_fetches_an_extra_page(
    dual: Dual, max_items: int, requests: int, limits: list[str]
) -> None:
    service = PagedService([3, 2, 3, 3])
    client = dual.client(handler=service)
    runs = list(client.iter_runs(TIMER_ID, page_size=5, max_items=max_items))
    assert len(runs) == max_items
    assert len(service.requests) == requests
    assert [u.params["limit"] for u in service.requests] == limits


def test_max_items_trims_a_page_longer_than_asked_for(dual: Dual) -> None:
    service = PagedService([4, 4])
    pages = list(dual.client(handler=service).iter_run_pages(TIMER_ID, max_items=2))
    assert [len(p) for p in pages] == [2]


def test_nothing_is_fetched_until_iteration_starts(dual: Dual) -> None:
    service = PagedService([2, 2])
    client = dual.client(handler=service)
    iterator = client.iter_runs(TIMER_ID)
    pages = client.iter_run_pages(TIMER_ID)
    assert service.requests == []
    next(iter(iterator))
    assert len(service.requests) == 1
    del pages


def test_breaking_out_early_fetches_nothing_more(dual: Dual) -> None:
    service = PagedService([2, 2, 2])
    for i, _run in enumerate(dual.client(handler=service).iter_runs(TIMER_ID)):
        if i == 2:  # the first run of the second page
            break
    assert len(service.requests) == 2


def test_resuming_from_a_saved_marker(dual: Dual) -> None:
    service = PagedService([2, 2, 2])
    client = dual.client(handler=service)
    first = next(iter(client.iter_run_pages(TIMER_ID)))
    saved = first.next_page
    assert saved == "m1"
    rest = list(client.iter_runs(TIMER_ID, marker=saved))
    assert ids(rest) == [r["id"] for page in service.pages[1:] for r in page]
    page = client.list_runs(TIMER_ID, marker=saved)
    assert page.next_page == "m2"


def test_filters_are_sent_on_every_page(dual: Dual) -> None:
    service = PagedService([1, 1, 1])
    after = datetime(2026, 11, 21, tzinfo=UTC)
    list(
        dual.client(handler=service).iter_runs(
            TIMER_ID,
            status="failure",
            start_after=after,
            start_before=after + timedelta(days=7),
            page_size=1,
        )
    )
    assert len(service.requests) == 3
    for url in service.requests:
        assert url.params["status"] == "failure"
        assert url.params["start_after"] == "2026-11-21T00:00:00Z"
        assert url.params["start_before"] == "2026-11-28T00:00:00Z"
        assert url.params["limit"] == "1"


def test_pages_are_run_pages_with_their_markers(dual: Dual) -> None:
    service = PagedService([2, 1])
    pages = list(dual.client(handler=service).iter_run_pages(TIMER_ID))
    assert all(isinstance(p, RunPage) for p in pages)
    assert [p.next_page for p in pages] == ["m1", None]
    assert [p.total for p in pages] == [3, 3]


async def _collect(aiter: Any) -> list[Any]:
    return [item async for item in aiter]


@pytest.mark.anyio
async def test_async_iterators_work_with_async_for_directly() -> None:
    from timers import AsyncTimersClient

    service = PagedService([2, 2, 1])
    async with AsyncTimersClient(
        "t", http_client=httpx.AsyncClient(transport=httpx.MockTransport(service))
    ) as client:
        runs = [run async for run in client.iter_runs(TIMER_ID, page_size=2)]
        pages = [page async for page in client.iter_run_pages(TIMER_ID, page_size=2)]
    assert len(runs) == 5 and [len(p) for p in pages] == [2, 2, 1]


class LargeService:
    """Generates pages of runs on demand (nothing kept), for memory tests."""

    def __init__(self, total: int, page_size: int) -> None:
        self.total = total
        self.page_size = page_size
        self.requests = 0
        self._template = numbered_runs(1)[0]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        marker = request.url.params.get("marker")
        offset = 0 if marker is None else int(marker)
        count = min(self.page_size, self.total - offset)
        runs = []
        for i in range(offset, offset + count):
            run = dict(self._template)
            run["id"] = f"00000000-0000-4000-8000-{i:012d}"
            runs.append(run)
        following = offset + count
        more = following < self.total
        body = {
            "runs": runs,
            "total": self.total,
            "has_next_page": more,
            "next_page": str(following) if more else None,
        }
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )


def _live_runs() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is TimerRun)


@pytest.mark.slow
def test_iterating_30000_runs_holds_at_most_one_page_of_runs(dual: Dual) -> None:
    page_size = 1000
    service = LargeService(30_000, page_size)
    client = dual.client(handler=service, validate=False)
    gc.collect()
    baseline = _live_runs()
    peak = 0
    count = 0
    for count, run in enumerate(client.iter_runs(TIMER_ID, page_size=page_size), start=1):
        if count % 5000 == 0:
            gc.collect()
            peak = max(peak, _live_runs() - baseline)
        del run
    assert count == 30_000
    assert service.requests == 30
    assert 0 < peak <= page_size, f"{peak} runs alive at once; one page is {page_size}"


def _peak_growth(total: int) -> int:
    import tracemalloc

    service = LargeService(total, 1000)
    client = TimersClient("t", http_client=httpx.Client(transport=httpx.MockTransport(service)))
    list(client.iter_runs(TIMER_ID, max_items=1))  # first-use imports are not paging's cost
    gc.collect()
    # With the cycle collector off, anything paging leaves for it would pile up here: the
    # result then depends on what the code keeps, not on when a collection happens to run.
    gc.disable()
    logging.disable(logging.CRITICAL)  # log records kept by a capturing handler are not paging's
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        assert sum(1 for _ in client.iter_runs(TIMER_ID, page_size=1000)) == total
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        logging.disable(logging.NOTSET)
        gc.enable()
    return peak - base


@pytest.mark.slow
def test_paging_memory_does_not_grow_with_the_number_of_runs() -> None:
    # Not a timing: traced allocations. 10x the runs must not need more memory: 45 more
    # pages, so keeping 30 runs of each would show (tried: 1.8 MiB -> 2.6 MiB).
    small, large = _peak_growth(5_000), _peak_growth(50_000)
    assert large <= small + 512 * 1024, f"{small / 2**20:.1f} MiB -> {large / 2**20:.1f} MiB"
