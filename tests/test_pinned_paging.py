"""The paging loop's guards (timers._paging): exact messages and boundaries."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from support.bodies import job_json, numbered_results, numbered_runs, page_json
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import InvalidArgumentError, PaginationError, TimerRun
from timers._args import MAX_LIMIT, MAX_MARKER_LENGTH
from timers._models import RunPage
from timers._paging import MAX_PAGES, Pager, _digest


def empty_page(next_page: str) -> RunPage:
    return RunPage(runs=(), total=0, has_next_page=True, next_page=next_page)


def refused(pager: Pager, page: RunPage, keep: Callable[[TimerRun], bool] | None = None) -> str:
    """The ``PaginationError`` of the marker ``page`` brings: the page itself is handed out
    whole, and only asking for the next one raises."""
    assert pager.accept(page, keep) == (page if keep is None else pager_kept(page, keep))
    assert not pager.finished
    with pytest.raises(PaginationError) as caught:
        pager.marker  # noqa: B018 - the property raises
    return str(caught.value)


def pager_kept(page: RunPage, keep: Callable[[TimerRun], bool]) -> RunPage:
    return RunPage(
        runs=tuple(filter(keep, page.runs)),
        total=page.total,
        has_next_page=page.has_next_page,
        next_page=page.next_page,
    )


def test_a_repeated_marker_is_reported_with_the_number_of_pages_fetched() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("a"))
    pager.accept(empty_page("b"))
    caught = refused(pager, empty_page("a"))
    assert caught == (
        "the service returned the page marker 'a' a second time (after 3 pages); "
        "stopping instead of looping forever"
    )


def test_a_marker_of_exactly_the_maximum_length_is_followed() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    longest = "m" * MAX_MARKER_LENGTH
    pager.accept(empty_page(longest))
    assert pager.marker == longest and not pager.finished


def test_a_marker_one_character_too_long_is_a_pagination_error() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("first"))
    caught = refused(pager, empty_page("m" * (MAX_MARKER_LENGTH + 1)))
    assert caught == (
        f"the service returned a page marker of {MAX_MARKER_LENGTH + 1} characters (at most "
        f"{MAX_MARKER_LENGTH} can be sent back) (after 2 pages); stopping instead of looping "
        "forever"
    )


def test_a_page_size_of_the_wrong_type_is_refused_by_name() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        Pager.checked("10", None, None)
    assert str(caught.value) == "page_size must be an int from 1 to 1000, got '10'"


def test_the_page_count_in_the_error_counts_every_page_fetched(dual: Dual) -> None:
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.params.get("marker"))
        assert len(sent) <= 3, "paging went on after a repeated marker"
        following = "again" if len(sent) > 1 else "first"
        return httpx.Response(200, json=page_json([], total=0, next_page=following))

    client = dual.client(handler=handler)
    with pytest.raises(PaginationError) as caught:
        list(client.iter_run_pages(TIMER_ID))
    assert "(after 3 pages)" in str(caught.value)
    assert sent == [None, "first", "again"]


def test_the_runs_of_a_page_whose_marker_cannot_be_followed_are_still_handed_out(
    dual: Dual,
) -> None:
    runs = numbered_runs(5)
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.params.get("marker"))
        page = runs[:3] if len(sent) == 1 else runs[3:]
        return httpx.Response(200, json=page_json(page, total=5, next_page="same"))

    client = dual.client(handler=handler)
    seen: list[str] = []
    with pytest.raises(PaginationError, match="returned the page marker 'same' a second time"):
        seen.extend(run.id for run in client.iter_runs(TIMER_ID))
    assert seen == [run["id"] for run in runs]  # the second page's runs too
    assert sent == [None, "same"]  # and nothing asked for after it


@pytest.mark.parametrize(("value", "shown"), [(-1, "-1"), (True, "True"), (2.0, "2.0")])
def test_max_items_that_is_not_an_int_from_0_is_refused_quoting_it(
    value: object, shown: str
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        Pager.checked(None, value, None)
    assert str(caught.value) == f"max_items must be an int >= 0, got {shown}"


def test_max_items_of_0_is_accepted_and_finishes_at_once() -> None:
    assert Pager.checked(None, 0, None).finished


def test_a_last_page_finishes_paging() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("a"))
    assert not pager.finished
    pager.accept(RunPage(runs=(), total=0, has_next_page=False, next_page="ignored"))
    assert pager.finished and pager.marker == "a"


@pytest.mark.parametrize("marker", [None, ""])
def test_more_pages_said_to_follow_without_a_marker_are_a_pagination_error(
    marker: str | None,
) -> None:
    # Stopping there would drop the runs after this page without a word.
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("a"))
    pager.accept(empty_page("b"))
    page = RunPage(runs=(), total=0, has_next_page=True, next_page=marker)
    assert refused(pager, page) == (
        "the service said more runs follow but sent no next_page (after 3 pages); the runs "
        "after this page cannot be fetched"
    )


def test_more_pages_without_a_marker_are_no_error_once_max_items_is_reached() -> None:
    pager = Pager(marker=None, page_size=None, max_items=2)
    runs = RunPage.from_dict(page_json(numbered_runs(2), total=5)).runs
    pager.accept(RunPage(runs=runs, total=5, has_next_page=True, next_page=None))
    assert pager.finished and pager.marker is None


def test_twenty_empty_pages_in_a_row_end_paging_with_their_count() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    for i in range(19):
        pager.accept(empty_page(f"m{i}"))
    caught = refused(pager, empty_page("m19"))
    assert caught == (
        "the service sent 20 empty pages in a row, each with a new marker (after 20 pages); "
        "stopping instead of looping forever"
    )


def one_run_page(n: int, *, total: int, next_page: str) -> RunPage:
    run = TimerRun.from_dict(numbered_runs(1, start=n)[0])
    return RunPage(runs=(run,), total=total, has_next_page=True, next_page=next_page)


def test_more_runs_than_twice_the_total_and_a_page_end_paging() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    for i in range(2 * 1 + MAX_LIMIT):  # total 1: runs may be added meanwhile
        pager.accept(one_run_page(i, total=1, next_page=f"m{i}"))
    caught = refused(pager, one_run_page(0, total=1, next_page="one-more"))
    assert caught == (
        "the service sent 1003 runs, over twice the 1 it says there are (after 1003 pages); "
        "stopping instead of looping forever"
    )


def test_the_room_over_the_total_grows_with_the_total() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    runs = tuple(TimerRun.from_dict(r) for r in numbered_runs(MAX_LIMIT))
    for i in range(3):  # 3000 runs against a total of 1000: within 2 * 1000 + 1000
        pager.accept(RunPage(runs=runs, total=1000, has_next_page=True, next_page=f"m{i}"))
    more = one_run_page(0, total=1000, next_page="one-more")
    assert "sent 3001 runs, over twice the 1000" in refused(pager, more)


def test_a_total_that_grows_as_pages_come_does_not_move_the_bound() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(one_run_page(0, total=1, next_page="m0"))
    for i in range(1, 2 + MAX_LIMIT):  # each later page says there are ever more
        pager.accept(one_run_page(i, total=10**18 + i, next_page=f"m{i}"))
    more = one_run_page(0, total=10**18, next_page="one-more")
    assert "sent 1003 runs, over twice the 1 it says" in refused(pager, more)


def test_a_smaller_total_on_a_later_page_lowers_the_bound() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(one_run_page(0, total=10**18, next_page="m0"))
    for i in range(1, 2 + MAX_LIMIT):
        pager.accept(one_run_page(i, total=1, next_page=f"m{i}"))
    more = one_run_page(0, total=1, next_page="one-more")
    assert "sent 1003 runs, over twice the 1 it says" in refused(pager, more)


def test_pages_end_at_max_pages_whatever_total_they_claim() -> None:
    assert MAX_PAGES == 100_000
    pager = Pager(marker=None, page_size=None, max_items=None)
    run = TimerRun.from_dict(numbered_runs(1)[0])
    for i in range(MAX_PAGES - 1):
        pager.accept(RunPage(runs=(run,), total=10**18, has_next_page=True, next_page=f"m{i}"))
        assert not pager.finished and pager.marker == f"m{i}"
    last = RunPage(runs=(run,), total=10**18, has_next_page=True, next_page="one-more")
    assert refused(pager, last) == (
        "the service sent 100,000 pages, the most one paging follows (a larger page_size "
        "takes fewer) (after 100000 pages); stopping instead of looping forever"
    )


def test_runs_the_client_filters_out_still_count_against_the_total() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    for i in range(2 + MAX_LIMIT):
        pager.accept(one_run_page(i, total=1, next_page=f"m{i}"), keep=lambda run: False)
    more = one_run_page(0, total=1, next_page="one-more")
    assert "sent 1003 runs, over twice the 1 it says" in refused(pager, more, lambda run: False)


def test_a_last_page_over_the_total_is_still_accepted() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    runs = tuple(TimerRun.from_dict(r) for r in numbered_runs(MAX_LIMIT + 5))
    last = RunPage(runs=runs, total=1, has_next_page=False, next_page=None)
    assert len(pager.accept(last)) == MAX_LIMIT + 5 and pager.finished


@pytest.mark.parametrize("marker", ["\ud800", "ok\udfffok"])
def test_a_marker_that_is_not_valid_text_is_a_pagination_error(marker: str) -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    caught = refused(pager, empty_page(marker))
    assert caught == (
        f"the service returned a page marker that is not valid text: {marker!r} "
        "(after 1 page); stopping instead of looping forever"
    )


def test_a_marker_holding_the_clients_credential_is_never_sent_back(dual: Dual) -> None:
    # A server echoing the token into its marker: following it would put the token in a URL
    # (httpx logs URLs at INFO), so paging stops after handing out that page.
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        echoed = "m-" + request.headers["authorization"].removeprefix("Bearer ")
        return httpx.Response(200, json=page_json(numbered_runs(2), total=9, next_page=echoed))

    pages = dual.client(handler=handler).iter_run_pages(TIMER_ID)
    assert len(next(pages)) == 2
    with pytest.raises(PaginationError) as caught:
        next(pages)
    assert str(caught.value) == (
        "the service returned a page marker that holds the client's credential (after 1 page); "
        "it is not sent back in a URL, where logs would show it"
    )
    assert len(urls) == 1 and "SECRET" not in repr(caught.value)


def test_a_marker_without_any_credential_is_followed(dual: Dual) -> None:
    answers = iter(["m-tok-SECRE", None])  # close to the token, not it

    def handler(request: httpx.Request) -> httpx.Response:
        marker = next(answers)
        return httpx.Response(200, json=page_json(numbered_runs(1), total=2, next_page=marker))

    assert len(list(dual.client(handler=handler).iter_runs(TIMER_ID))) == 2


def test_markers_seen_cost_the_same_small_memory_however_long_they_are() -> None:
    # A service claiming a huge total can hand out a new long marker with each of countless
    # pages: what is kept to recognise a repeat must not grow with the marker's length.
    import tracemalloc

    pager = Pager(marker=None, page_size=None, max_items=None)
    pad = "m" * (MAX_MARKER_LENGTH - 8)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2000):
            pager.accept(one_run_page(n, total=10**9, next_page=f"{n:08d}{pad}"))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 600_000  # about 150 bytes a page; keeping the markers was over 8 MB


def test_what_is_kept_of_a_marker_is_16_bytes_however_long_it_is() -> None:
    assert {len(_digest(marker)) for marker in ("", "m", "m" * MAX_MARKER_LENGTH, "\ud800")} == {16}
    assert _digest("a") != _digest("b") and _digest("é") == _digest("é")


@pytest.mark.parametrize("start", [None, "resumed-here"])
def test_a_long_marker_seen_before_is_recognised_when_it_comes_again(start: str | None) -> None:
    long = "x" * (MAX_MARKER_LENGTH - 1)
    first = start or long
    pager = Pager(marker=start, page_size=None, max_items=None)
    if start is None:
        pager.accept(empty_page(long))
    pager.accept(empty_page("other"))
    again = empty_page("".join(list(first)))  # equal, not the same object
    assert "a second time" in refused(pager, again)


def test_a_marker_with_any_valid_unicode_is_followed() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("é€😀"))
    assert pager.marker == "é€😀"


def test_endless_jobs_pages_of_one_result_end_in_a_pagination_error(jobs_dual: Dual) -> None:
    sent = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        assert sent <= MAX_LIMIT + 3, "paging went on past the total"
        result = numbered_results(1, start=sent)
        return httpx.Response(200, json=job_json(result, page_next=f"p{sent}", n_runs=1))

    client = jobs_dual.client(handler=handler, validate=False)  # a thousand pages: fast
    with pytest.raises(PaginationError, match="sent 1003 runs, over twice the 1 it says"):
        client.get_run(TIMER_ID, RUN_ID)
    assert sent == MAX_LIMIT + 3


def test_a_pager_whose_pages_are_filtered_here_never_shrinks_them_to_the_budget() -> None:
    pager = Pager(marker=None, page_size=50, max_items=3)
    assert pager.limit == 3
    pager.filtered_here = True
    assert pager.limit == 50
    pager.accept(one_run_page(0, total=9, next_page="m1"))
    assert pager.limit == 50 and not pager.finished
    unsized = Pager(marker=None, page_size=None, max_items=3)
    unsized.filtered_here = True
    assert unsized.limit is None  # the service's default
