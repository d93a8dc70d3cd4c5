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
