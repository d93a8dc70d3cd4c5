"""support.schemas turns the spec's components into JSON Schema and hypothesis strategies."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from support.bodies import failed_run_json, page_json, run_json
from support.budget import examples
from support.openapi import JOBS_SPEC_PATH, SPEC_PATH, component_errors, spec_document
from support.schemas import (
    FORMATS,
    component_names,
    json_schema_for,
    json_schema_validator,
    openapi_to_json_schema,
    strategy_for,
    values_for,
)

EXAMPLES = settings(
    max_examples=examples(30),
    derandomize=True,
    deadline=None,
    database=None,
    # hypothesis-jsonschema filters out many of its draws: a health check that fails
    # depending on what ran before in the process (seen once, for RunList), not on the code.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# `find` stops at the first value it looks for: a bound, not a budget.
FIND = settings(EXAMPLES, max_examples=200, phases=[Phase.generate])
COMPONENTS = component_names()
# What the jobs dialect reads (the spec's other components are not parsed by the client).
JOBS_COMPONENTS = ["JobRead", "FlowTimerRead", "JobResultPage", "JobResult", "GlobusError"]
OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def json_schema_errors(name: str, value: Any) -> list[str]:
    return [e.message for e in json_schema_validator(name).iter_errors(value)]


def test_every_component_of_the_spec_is_covered() -> None:
    assert {"TimerRun", "RunList", "RunResult", "RunError", "Error"} <= set(COMPONENTS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec_path", "name"),
    [pytest.param(SPEC_PATH, name, id=name) for name in COMPONENTS]
    + [pytest.param(JOBS_SPEC_PATH, name, id=f"jobs-{name}") for name in JOBS_COMPONENTS],
)
@EXAMPLES
@given(data=st.data())
def test_generated_values_match_the_json_schema_and_the_original_component(
    spec_path: Path, name: str, data: st.DataObject
) -> None:
    value = data.draw(strategy_for(name, spec_path=spec_path), label=name)
    assert list(json_schema_validator(name, spec_path=spec_path).iter_errors(value)) == []
    assert component_errors(name, value, spec_path=spec_path) == []


# Shapes support.schemas builds itself (the rest goes to hypothesis-jsonschema), each with a
# value it must produce: the generator neither breaks a schema nor leaves a case out.
OBJECT = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}
BUILT_HERE: list[tuple[str, dict[str, Any], Callable[[Any], bool]]] = [
    ("optional property left out", OBJECT, lambda v: v == {}),
    ("every optional property", OBJECT, lambda v: {"a", "b"} <= set(v)),
    ("a property not named", OBJECT, lambda v: bool(set(v) - {"a", "b"})),
    (
        "no property not named when none is allowed",
        {**OBJECT, "additionalProperties": False, "required": ["a"]},
        lambda v: set(v) == {"a", "b"},
    ),
    (
        "other properties of their own schema",
        {**OBJECT, "additionalProperties": {"type": "boolean"}},
        lambda v: any(value is True for value in v.values()),
    ),
    (
        "a required name that is not a named property",
        {**OBJECT, "required": ["c"]},
        lambda v: "c" in v and {"a", "b"} <= set(v),
    ),
    ("a nullable object as null", {**OBJECT, "type": ["object", "null"]}, lambda v: v is None),
    (
        "an allOf of objects merged",
        {"allOf": [OBJECT, {"type": "object", "required": ["z"], "properties": {"z": {}}}]},
        lambda v: "z" in v and "a" in v,
    ),
    (
        "an allOf naming one property twice (left to hypothesis-jsonschema)",
        {"allOf": [OBJECT, {"type": "object", "properties": {"a": {"minimum": 5}}}]},
        lambda v: "a" in v,
    ),
    (
        "an array within its bounds",
        {"type": ["array", "null"], "items": OBJECT, "minItems": 1, "maxItems": 2},
        lambda v: v is not None and len(v) == 2,
    ),
    ("an anyOf's second branch", {"anyOf": [{"type": "integer"}, OBJECT]}, lambda v: v == {}),
]


@pytest.mark.parametrize(
    ("schema", "wanted"), [c[1:] for c in BUILT_HERE], ids=[c[0] for c in BUILT_HERE]
)
def test_values_for_a_schema_are_valid_and_include_each_case(
    schema: dict[str, Any], wanted: Callable[[Any], bool]
) -> None:
    valid = json_schema_validator_for(schema).is_valid
    find(values_for(schema), lambda v: valid(v) and wanted(v), settings=FIND)

    @EXAMPLES
    @given(values_for(schema))
    def every_value_is_valid(value: Any) -> None:
        assert valid(value), value

    every_value_is_valid()


def json_schema_validator_for(schema: dict[str, Any]) -> Any:
    import jsonschema  # type: ignore[import-untyped]

    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.slow
@EXAMPLES
@given(page=strategy_for("RunList"))
def test_every_run_in_a_generated_page_is_a_timer_run(page: dict[str, Any]) -> None:
    for run in page["runs"]:
        assert json_schema_errors("TimerRun", run) == []
        assert component_errors("TimerRun", run) == []


@EXAMPLES
@given(value=FORMATS["date-time"])
def test_generated_date_times_are_rfc_3339_with_an_offset_python_can_parse(value: str) -> None:
    assert OFFSET.search(value), value
    assert datetime.fromisoformat(value).tzinfo is not None
    assert json_schema_validator("TimerRun").is_valid(run_json(start_time=value))
    assert component_errors("TimerRun", run_json(start_time=value)) == []


@EXAMPLES
@given(value=FORMATS["uuid"])
def test_generated_uuids_are_accepted_by_both_validators(value: str) -> None:
    assert json_schema_validator("TimerRun").is_valid(run_json(id=value))
    assert component_errors("TimerRun", run_json(id=value)) == []


NULLABLE: list[tuple[str, Callable[[Any], bool]]] = [
    ("TimerRun", lambda r: "end_time" in r and r["end_time"] is None),
    ("TimerRun", lambda r: "result" in r and r["result"] is None),
    ("RunResult", lambda r: r is None),
    ("RunResult", lambda r: r is not None and "status_code" in r and r["status_code"] is None),
    ("RunResult", lambda r: r is not None and "run_id" in r and r["run_id"] is None),
    ("RunResult", lambda r: r is not None and "error" in r and r["error"] is None),
    ("RunError", lambda r: r is not None and "detail" in r and r["detail"] is None),
    ("RunList", lambda r: "next_page" in r and r["next_page"] is None),
]


@pytest.mark.parametrize(
    ("name", "is_null"),
    NULLABLE,
    ids=[
        "TimerRun.end_time",
        "TimerRun.result",
        "RunResult",
        "RunResult.status_code",
        "RunResult.run_id",
        "RunResult.error",
        "RunError.detail",
        "RunList.next_page",
    ],
)
def test_nullable_fields_are_sometimes_generated_as_null(
    name: str, is_null: Callable[[Any], bool]
) -> None:
    # The first null found is enough: skip shrinking it, which is slow for nested objects.
    find(strategy_for(name), is_null, settings=FIND)


def test_generated_pages_sometimes_hold_several_runs() -> None:
    find(
        strategy_for("RunList"),
        lambda page: len(page["runs"]) >= 2,
        settings=FIND,
    )


def test_conversion_inlines_refs_and_turns_nullable_into_a_null_type() -> None:
    schema = json_schema_for("TimerRun")
    text = repr(schema)
    for keyword in ("$ref", "nullable", "example"):
        assert f"'{keyword}'" not in text
    assert schema["properties"]["end_time"]["type"] == ["string", "null"]
    assert schema["properties"]["result"]["type"] == ["object", "null"]
    assert schema["properties"]["result"]["properties"]["error"]["type"] == ["object", "null"]
    assert schema["properties"]["status"]["anyOf"][1] == {"type": "string"}


def test_conversion_handles_keywords_openapi_30_spells_differently() -> None:
    document = {"components": {"schemas": {"Colour": {"type": "string", "enum": ["red"]}}}}
    schema = {
        "type": "object",
        "x-internal": True,
        "example": {"example": 1},
        "properties": {
            "example": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            "colour": {"allOf": [{"$ref": "#/components/schemas/Colour"}], "nullable": True},
            "shade": {"type": "string", "enum": ["dark"], "nullable": True},
        },
    }
    assert openapi_to_json_schema(schema, document) == {
        "type": "object",
        "properties": {
            "example": {"type": "integer", "exclusiveMinimum": 0},
            "colour": {
                "anyOf": [{"allOf": [{"type": "string", "enum": ["red"]}]}, {"type": "null"}]
            },
            "shade": {"type": ["string", "null"], "enum": ["dark", None]},
        },
    }


def test_a_recursive_ref_is_refused() -> None:
    document = {"components": {"schemas": {"Node": {"$ref": "#/components/schemas/Node"}}}}
    with pytest.raises(ValueError, match="recursive"):
        openapi_to_json_schema({"$ref": "#/components/schemas/Node"}, document)


def test_an_unknown_component_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="TimerRun"):
        json_schema_for("Timer")


@pytest.mark.parametrize("name", COMPONENTS)
def test_the_spec_example_of_each_component_matches_its_json_schema(name: str) -> None:
    example = spec_document()["components"]["schemas"][name]["example"]
    assert json_schema_errors(name, example) == []
    assert component_errors(name, example) == []


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


AGREEMENT = [
    ("TimerRun", run_json(), True),
    ("TimerRun", run_json(status="paused", extra={"x": 1}), True),
    ("TimerRun", failed_run_json(), True),
    ("TimerRun", run_json(end_time=None, result=None), True),
    ("TimerRun", without(run_json(), "id"), False),
    ("TimerRun", run_json(status=None), False),
    ("TimerRun", run_json(id="run-1"), False),
    ("TimerRun", run_json(start_time="2026-11-28T12:00:00"), False),
    ("TimerRun", run_json(result={"status_code": 200}), False),
    ("TimerRun", run_json(result={"status": "x", "status_code": "200"}), False),
    ("RunList", page_json([run_json()], next_page="abc"), True),
    ("RunList", page_json([run_json()]) | {"total": -1}, False),
    ("RunList", page_json([without(run_json(), "timer_id")]), False),
    ("RunStatus", "paused", False),
    ("RunErrorDetail", None, True),
    ("RunErrorDetail", [], False),
    ("Error", {"code": "X", "message": "m", "errors": [{"code": "Y"}]}, False),
]


@pytest.mark.parametrize(("name", "value", "valid"), AGREEMENT)
def test_the_json_schema_accepts_and_rejects_what_openapi_core_does(
    name: str, value: Any, valid: bool
) -> None:
    assert (json_schema_errors(name, value) == []) is valid
    assert (component_errors(name, value) == []) is valid
