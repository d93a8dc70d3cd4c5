"""The client's own bounds are the spec's: were the spec to change a bound or add a status,
the client would refuse what the spec allows (or allow what it refuses) without these."""

from __future__ import annotations

from typing import Any

import pytest
from support.openapi import SPEC_PATH, spec_document

from timers import InvalidArgumentError, RunStatus
from timers._args import MAX_LIMIT, check_limit


def _list_parameter(name: str) -> dict[str, Any]:
    operation = spec_document(SPEC_PATH)["paths"]["/timers/{timer_id}/runs"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p.get("name") == name]
    schema = parameter["schema"]
    assert isinstance(schema, dict)
    return schema


def test_the_page_size_bounds_are_the_spec_s() -> None:
    schema = _list_parameter("limit")
    assert (schema["minimum"], schema["maximum"]) == (1, MAX_LIMIT)
    assert check_limit("limit", schema["minimum"]) == 1
    assert check_limit("limit", schema["maximum"]) == MAX_LIMIT
    for outside in (schema["minimum"] - 1, schema["maximum"] + 1):
        with pytest.raises(InvalidArgumentError):
            check_limit("limit", outside)


def test_the_known_statuses_are_the_spec_s_enum() -> None:
    enum = spec_document(SPEC_PATH)["components"]["schemas"]["RunStatus"]["enum"]
    assert [status.value for status in RunStatus.known()] == enum
    assert _list_parameter("status")["$ref"] == "#/components/schemas/RunStatus"


def test_the_list_filters_are_the_spec_s_query_parameters_and_every_listing_takes_them() -> None:
    import inspect

    from timers import AsyncTimersClient, TimersClient
    from timers._args import ListFilters

    operation = spec_document(SPEC_PATH)["paths"]["/timers/{timer_id}/runs"]["get"]
    query = {p["name"] for p in operation["parameters"] if p.get("in") == "query"}
    filters = set(ListFilters._fields) - {"timer_id"}
    assert query == filters | {"limit", "marker"}
    for cls in (TimersClient, AsyncTimersClient):
        for method in (cls.list_runs, cls.iter_runs, cls.iter_run_pages):
            keywords = {
                name
                for name, p in inspect.signature(method).parameters.items()
                if p.kind is p.KEYWORD_ONLY
            }
            assert filters <= keywords, f"{cls.__name__}.{method.__name__}"


def test_the_run_fields_the_models_read_are_the_spec_s() -> None:
    from timers._models import _RUN_FIELDS

    schema = spec_document(SPEC_PATH)["components"]["schemas"]["TimerRun"]
    # Anything else a run carries is kept in TimerRun.extra: a field added to the spec but not
    # to the models would land there silently.
    assert set(schema["properties"]) == _RUN_FIELDS
