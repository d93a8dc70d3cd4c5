"""The page markers of the reference service (``timers.testing._wire``), as the runs API reads them.

A marker is read as base64url: ``-`` and ``_`` are its digits 62 and 63, while the standard
alphabet's ``+`` and ``/`` are not digits at all. No marker the service writes holds ``-`` or
``_``, so they can only appear in the last character, whose spare bits base64 leaves unused;
the marker is then read as the one it stands for. The rest of ``_wire`` (ids, JSON, date-times,
the markers' encoding) is pinned down in tests/test_pinned_testing_server.py.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from timers.testing import FakeTimersService

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"
NEWER = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
OLDER = "04673b75-5349-4cb4-9f22-e65166fec086"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# NEWER's start, 1 ms before START (the service keeps milliseconds): 16 digits, so the raw
# marker is 55 bytes and its last byte, "0", is written alone in two characters, "MA", the
# second with four spare bits.
JUST_BEFORE_START = 1795867199999000
CANONICAL = base64.urlsafe_b64encode(f"m:{NEWER}:{JUST_BEFORE_START}".encode()).decode()


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START, seed=5)
    service.add_timer(TIMER)
    service.add_run(TIMER, run_id=NEWER, start_time=START - timedelta(milliseconds=1))
    service.add_run(TIMER, run_id=OLDER, start_time=START - timedelta(minutes=1))
    return service


def list_after(service: FakeTimersService, marker: str) -> httpx.Response:
    return service.handle(
        httpx.Request(
            "GET",
            f"https://example.org/api/v1/timers/{TIMER}/runs",
            params={"marker": marker},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    )


def run_ids(response: httpx.Response) -> list[Any]:
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["has_next_page"], body["next_page"]) == (2, False, None)
    return [run["id"] for run in body["runs"]]


@pytest.mark.parametrize("last", ["A", "B", "P"])
def test_a_marker_is_read_as_base64url_down_to_the_spare_bits_of_its_last_character(
    service: FakeTimersService, last: str
) -> None:
    assert CANONICAL.endswith("MA==")
    marker = CANONICAL.rstrip("=")[:-1] + last
    assert run_ids(list_after(service, marker)) == [OLDER]


@pytest.mark.parametrize(
    ("run_id", "micros"),
    [
        (NEWER, JUST_BEFORE_START + 1000),  # the run, at another time
        (OLDER, JUST_BEFORE_START),  # another run, at this one's time
        ("00000000-0000-0000-0000-000000000000", JUST_BEFORE_START),  # no such run
    ],
)
def test_a_well_formed_marker_the_service_did_not_issue_is_refused(
    service: FakeTimersService, run_id: str, micros: int
) -> None:
    forged = base64.urlsafe_b64encode(f"m:{run_id}:{micros}".encode()).decode()
    response = list_after(service, forged)
    assert response.status_code == 400
    assert response.json()["errors"][0]["location"] == "query.marker"


def test_a_marker_in_the_standard_base64_alphabet_is_refused(service: FakeTimersService) -> None:
    # "/" is 63 in standard base64, as "_" is in base64url ("+" is covered in the server tests).
    response = list_after(service, CANONICAL.rstrip("=")[:-1] + "/")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "INVALID_PARAMETER",
            "message": "marker is not a next_page value of this service.",
            "location": "query.marker",
        }
    ]
