"""spec/globus-timers.yaml says exactly what the table of published facts says.

tests/data/globus_timers_facts.yaml lists each fact about the production Globus Timers API that
the spec relies on (operations, parameters, responses, schemas, fields: type, format,
required-ness, nullability) with its source: S1 is the service's own OpenAPI document as
globus-sdk-javascript publishes it, S2 is globus-sdk 4.10. The checks here run both ways: every
fact must hold in the spec, and the spec may declare nothing the table does not list. So the
spec cannot drift from the published API, nor the table from the spec, unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
SPEC_PATH = ROOT / "spec" / "globus-timers.yaml"
FACTS_PATH = ROOT / "tests" / "data" / "globus_timers_facts.yaml"

Schema = dict[str, Any]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


FACTS: dict[str, Any] = _load(FACTS_PATH)
SCHEMA_FACTS: dict[str, Any] = FACTS["schemas"]
ENUM_SCHEMAS = {name for name, fact in SCHEMA_FACTS.items() if fact["kind"] == "enum"}
FREE_FORM_SCHEMAS = {
    name for name, fact in SCHEMA_FACTS.items() if fact["kind"] == "free-form object"
}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _load(SPEC_PATH)


# --- the table, as rows ---------------------------------------------------------------------


def _table_fields(schema_name: str) -> dict[str, Any]:
    """A schema's fields in the table, with those of the schema it includes (allOf)."""
    fact = SCHEMA_FACTS[schema_name]
    fields = dict(_table_fields(fact["includes"])) if "includes" in fact else {}
    fields.update(fact.get("fields", {}))
    return fields


def _operation_rows() -> list[Any]:
    return [pytest.param(op_id, fact, id=op_id) for op_id, fact in FACTS["operations"].items()]


def _parameter_rows() -> list[Any]:
    return [
        pytest.param(op_id, name, fact, id=f"{op_id}.{name}")
        for op_id, op in FACTS["operations"].items()
        for name, fact in op["parameters"].items()
    ]


def _response_rows() -> list[Any]:
    return [
        pytest.param(op_id, status, fact, id=f"{op_id}.{status}")
        for op_id, op in FACTS["operations"].items()
        for status, fact in op["responses"].items()
    ]


def _schema_rows() -> list[Any]:
    return [pytest.param(name, fact, id=name) for name, fact in SCHEMA_FACTS.items()]


def _field_rows() -> list[Any]:
    return [
        pytest.param(schema_name, field, fact, id=f"{schema_name}.{field}")
        for schema_name in SCHEMA_FACTS
        for field, fact in _table_fields(schema_name).items()
    ]


def _typed_rows() -> list[Any]:
    """Every parameter and field row that S1 types, to compare our type with S1's."""
    rows = [
        pytest.param(fact, id=f"{op_id}.{name}")
        for op_id, op in FACTS["operations"].items()
        for name, fact in op["parameters"].items()
    ]
    rows += [
        pytest.param(fact, id=f"{schema_name}.{field}")
        for schema_name, schema_fact in SCHEMA_FACTS.items()
        for field, fact in schema_fact.get("fields", {}).items()
    ]
    return [row for row in rows if row.values[0]["s1"] is not None]


# --- reading the spec -----------------------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _component(spec: dict[str, Any], name: str) -> Schema:
    schemas: dict[str, Schema] = spec["components"]["schemas"]
    assert name in schemas, f"the spec has no schema {name}"
    return schemas[name]


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (of any component kind) to what it names."""
    while "$ref" in node:
        _, _, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def _describe(schema: Schema) -> str:
    """The schema as the table's `type` column writes it."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        return " | ".join(_describe(part) for part in schema["anyOf"])
    if "oneOf" in schema or "allOf" in schema:
        return "oneOf/allOf (not used for fields here)"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array[{_describe(schema['items'])}]"
    return f"{kind}({schema['format']})" if "format" in schema else kind


def _nullable(spec: dict[str, Any], schema: Schema) -> bool:
    """Whether null is accepted: the schema's own flag, its component's, or any anyOf part's."""
    if schema.get("nullable") is True:
        return True
    if "$ref" in schema:
        return _nullable(spec, _deref(spec, schema))
    return any(_nullable(spec, part) for part in schema.get("anyOf", []))


def _merged(spec: dict[str, Any], schema: Schema) -> tuple[dict[str, Schema], set[str]]:
    """A schema's properties and required names, with those of its allOf parts."""
    schema = _deref(spec, schema)
    properties: dict[str, Schema] = {}
    required: set[str] = set()
    for part in schema.get("allOf", []):
        part_properties, part_required = _merged(spec, part)
        properties.update(part_properties)
        required |= part_required
    properties.update(schema.get("properties", {}))
    required |= set(schema.get("required", []))
    return properties, required


def _is_object(spec: dict[str, Any], schema: Schema) -> bool:
    schema = _deref(spec, schema)
    if "allOf" in schema:
        return all(_is_object(spec, part) for part in schema["allOf"])
    return schema.get("type") == "object"


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation)."""
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                operation = item[method]
                found[operation.get("operationId", f"<no operationId: {method} {path}>")] = (
                    path,
                    method,
                    operation,
                )
    return found


def _operation(spec: dict[str, Any], op_id: str) -> dict[str, Any]:
    operations = _operations(spec)
    assert op_id in operations, f"the spec has no operation {op_id}"
    return operations[op_id][2]


def _parameters(spec: dict[str, Any], op_id: str) -> dict[str, dict[str, Any]]:
    path, _, operation = _operations(spec)[op_id]
    listed = spec["paths"][path].get("parameters", []) + operation.get("parameters", [])
    return {parameter["name"]: parameter for parameter in (_deref(spec, p) for p in listed)}


def _json_body(spec: dict[str, Any], response: dict[str, Any]) -> Schema:
    return _deref(spec, response)["content"]["application/json"]["schema"]


# --- comparing a type with S1's TypeScript --------------------------------------------------

_S1_PRIMITIVES = {"string": {"string"}, "number": {"integer", "number"}, "boolean": {"boolean"}}


def _split_union(text: str) -> list[str]:
    """Split `A | B` at the top level (not inside brackets or parentheses)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif text.startswith(" | ", index) and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 3
    parts.append(text[start:].strip())
    return parts


def _base_and_format(text: str) -> tuple[str, str | None]:
    if text.endswith(")") and "(" in text and not text.startswith("("):
        base, _, fmt = text[:-1].partition("(")
        return base, fmt
    return text, None


def _part_compatible(ours: str, s1: str) -> bool:
    s1_base, s1_format = _base_and_format(s1)
    if s1_base in _S1_PRIMITIVES:
        base, fmt = _base_and_format(ours)
        return base in _S1_PRIMITIVES[s1_base] and (s1_format is None or fmt == s1_format)
    if s1 == "Record<string, unknown>":
        return ours == "object" or ours in FREE_FORM_SCHEMAS
    return ours == s1


def _compatible(ours: str, enum: list[str] | None, s1: str) -> bool:
    """Whether our declared type is one S1's TypeScript type allows (S1's `null` aside)."""
    s1_parts = [part for part in _split_union(s1) if part != "null"]
    if all(part.startswith('"') for part in s1_parts):
        return ours == "string" and enum == [part.strip('"') for part in s1_parts]
    if len(s1_parts) == 1 and s1_parts[0].endswith("[]"):
        inner = s1_parts[0][:-2].removeprefix("(").removesuffix(")")
        return (
            ours.startswith("array[")
            and ours.endswith("]")
            and _compatible(ours[len("array[") : -1], None, inner)
        )
    ours_parts = _split_union(ours)
    if len(s1_parts) == 1 and s1_parts[0] in ENUM_SCHEMAS and ours_parts == [s1_parts[0], "string"]:
        return True  # an enum widened to keep values the service adds later
    return len(ours_parts) == len(s1_parts) and all(
        _part_compatible(o, s) for o, s in zip(ours_parts, s1_parts, strict=True)
    )


# --- the API as a whole ---------------------------------------------------------------------


def test_spec_is_openapi_3_0_3_for_the_production_server(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == FACTS["api"]["openapi"]
    assert [server["url"] for server in spec["servers"]] == [FACTS["api"]["server"]["value"]]


def test_every_operation_needs_a_bearer_token_for_the_timers_scope(spec: dict[str, Any]) -> None:
    scope = FACTS["api"]["scope"]["value"]
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert scope in scheme["description"]
    assert scope in spec["info"]["description"]
    assert spec["security"] == [{"bearerAuth": []}]
    for op_id, (_, _, operation) in _operations(spec).items():
        assert operation.get("security", spec["security"]) == [{"bearerAuth": []}], op_id


def test_spec_declares_exactly_the_operations_in_the_table(spec: dict[str, Any]) -> None:
    assert set(_operations(spec)) == set(FACTS["operations"])


def test_spec_declares_exactly_the_schemas_in_the_table(spec: dict[str, Any]) -> None:
    assert set(spec["components"]["schemas"]) == set(SCHEMA_FACTS)


def test_no_schema_forbids_extra_fields(spec: dict[str, Any]) -> None:
    """The service adds fields: nothing in the spec may reject a field it does not list."""
    forbidding: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("additionalProperties") is False:
                forbidding.append(where)
            if "unevaluatedProperties" in node:
                forbidding.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(spec["paths"], "#/paths")
    walk(spec["components"]["schemas"], "#/components/schemas")
    assert forbidding == []


def test_every_fact_names_its_source() -> None:
    labels = [*FACTS["sources"], "ours"]
    rows = [(f"api.{key}", fact) for key, fact in FACTS["api"].items() if isinstance(fact, dict)]
    rows += [(f"operation {op_id}", fact) for op_id, fact in FACTS["operations"].items()]
    rows += [(f"{p.id}", p.values[2]) for p in _parameter_rows()]
    rows += [(f"response {p.id}", p.values[2]) for p in _response_rows()]
    rows += [(f"schema {name}", fact) for name, fact in SCHEMA_FACTS.items()]
    rows += [(p.id, p.values[2]) for p in _field_rows()]
    unsourced = [
        name
        for name, fact in rows
        if not any(label in str(fact.get("source", "")) for label in labels)
    ]
    assert unsourced == []


# --- operations, parameters, responses ------------------------------------------------------


@pytest.mark.parametrize(("op_id", "fact"), _operation_rows())
def test_operation_is_at_its_published_path_and_method(
    spec: dict[str, Any], op_id: str, fact: dict[str, Any]
) -> None:
    operations = _operations(spec)
    assert op_id in operations, f"the spec has no operation {op_id}"
    path, method, operation = operations[op_id]
    assert (path, method) == (fact["path"], fact["method"])
    assert FACTS["api"]["tag"]["value"] in operation["tags"]
    # Our operation ids are shorter than the service's; the description records S1's.
    assert fact["s1_operation_id"] in operation["description"]


@pytest.mark.parametrize(("op_id", "fact"), _operation_rows())
def test_operation_declares_exactly_the_parameters_in_the_table(
    spec: dict[str, Any], op_id: str, fact: dict[str, Any]
) -> None:
    _operation(spec, op_id)
    assert set(_parameters(spec, op_id)) == set(fact["parameters"])


@pytest.mark.parametrize(("op_id", "name", "fact"), _parameter_rows())
def test_parameter_matches_published_fact(
    spec: dict[str, Any], op_id: str, name: str, fact: dict[str, Any]
) -> None:
    _operation(spec, op_id)
    parameters = _parameters(spec, op_id)
    assert name in parameters, f"{op_id} has no parameter {name}"
    parameter = parameters[name]
    assert parameter["in"] == fact["in"]
    assert parameter.get("required", False) is fact["required"]
    assert _describe(parameter["schema"]) == fact["type"]
    assert _nullable(spec, parameter["schema"]) is fact["nullable"]
    assert parameter.get("deprecated", False) is fact.get("deprecated", False)


@pytest.mark.parametrize(("op_id", "fact"), _operation_rows())
def test_operation_declares_exactly_the_responses_in_the_table(
    spec: dict[str, Any], op_id: str, fact: dict[str, Any]
) -> None:
    responses = _operation(spec, op_id)["responses"]
    assert set(responses) == {str(status) for status in fact["responses"]}
    assert "default" not in responses


@pytest.mark.parametrize(("op_id", "status", "fact"), _response_rows())
def test_response_has_the_published_body(
    spec: dict[str, Any], op_id: str, status: str, fact: dict[str, Any]
) -> None:
    responses = _operation(spec, op_id)["responses"]
    assert str(status) in responses, f"{op_id} declares no {status} response"
    response = _deref(spec, responses[str(status)])
    assert _describe(_json_body(spec, response)) == fact["body"]
    assert sorted(response.get("headers", {})) == sorted(fact.get("headers", []))


# --- schemas and fields ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fact"), _schema_rows())
def test_schema_has_its_published_kind_and_nullability(
    spec: dict[str, Any], name: str, fact: dict[str, Any]
) -> None:
    schema = _component(spec, name)
    assert schema.get("nullable", False) is fact["nullable"]
    if fact["kind"] == "enum":
        assert schema["type"] == fact["type"]
        assert schema["enum"] == fact["enum"]
    elif fact["kind"] == "free-form object":
        assert schema["type"] == "object"
        assert "properties" not in schema
        assert "allOf" not in schema
    else:
        assert _is_object(spec, schema)


@pytest.mark.parametrize(("name", "fact"), _schema_rows())
def test_schema_declares_exactly_the_fields_and_required_fields_in_the_table(
    spec: dict[str, Any], name: str, fact: dict[str, Any]
) -> None:
    properties, required = _merged(spec, _component(spec, name))
    fields = _table_fields(name)
    assert set(properties) == set(fields)
    assert required == {field for field, field_fact in fields.items() if field_fact["required"]}


@pytest.mark.parametrize(("schema_name", "field", "fact"), _field_rows())
def test_field_matches_published_fact(
    spec: dict[str, Any], schema_name: str, field: str, fact: dict[str, Any]
) -> None:
    properties, required = _merged(spec, _component(spec, schema_name))
    assert field in properties, f"{schema_name} has no field {field}"
    prop = properties[field]
    assert _describe(prop) == fact["type"]
    assert prop.get("enum") == fact.get("enum")
    assert (field in required) is fact["required"]
    assert _nullable(spec, prop) is fact["nullable"]


@pytest.mark.parametrize("fact", _typed_rows())
def test_declared_type_is_one_s1_allows(fact: dict[str, Any]) -> None:
    """The table's type refines S1's: TypeScript `number` is integer or number, and so on."""
    assert _compatible(fact["type"], fact.get("enum"), fact["s1"]), (fact["type"], fact["s1"])
    if "null" in _split_union(fact["s1"]):
        assert fact["nullable"] is True
