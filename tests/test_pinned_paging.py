"""The paging loop's guards (timers._paging): exact messages and boundaries."""

from __future__ import annotations

import httpx
import pytest
from support.bodies import page_json
from support.dual import TIMER_ID, Dual

from timers import InvalidArgumentError, PaginationError
from timers._args import MAX_MARKER_LENGTH
from timers._models import RunPage
from timers._paging import Pager


def empty_page(next_page: str) -> RunPage:
    return RunPage(runs=(), total=0, has_next_page=True, next_page=next_page)


def test_a_repeated_marker_is_reported_with_the_number_of_pages_fetched() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("a"))
    pager.accept(empty_page("b"))
    with pytest.raises(PaginationError) as caught:
        pager.accept(empty_page("a"))
    assert str(caught.value) == (
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
    with pytest.raises(PaginationError) as caught:
        pager.accept(empty_page("m" * (MAX_MARKER_LENGTH + 1)))
    assert str(caught.value) == (
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


def test_a_last_page_finishes_paging() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    pager.accept(empty_page("a"))
    assert not pager.finished
    pager.accept(RunPage(runs=(), total=0, has_next_page=False, next_page="ignored"))
    assert pager.finished and pager.marker == "a"
    other = Pager(marker=None, page_size=None, max_items=None)
    other.accept(RunPage(runs=(), total=0, has_next_page=True, next_page=None))
    assert other.finished


def test_twenty_empty_pages_in_a_row_end_paging_with_their_count() -> None:
    pager = Pager(marker=None, page_size=None, max_items=None)
    for i in range(19):
        pager.accept(empty_page(f"m{i}"))
    with pytest.raises(PaginationError) as caught:
        pager.accept(empty_page("m19"))
    assert str(caught.value) == (
        "the service sent 20 empty pages in a row, each with a new marker (after 20 pages); "
        "stopping instead of looping forever"
    )
