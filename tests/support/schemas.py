"""Hypothesis strategies for the spec's component schemas (hypothesis-jsonschema 0.23.1).

hypothesis-jsonschema reads JSON Schema, not OpenAPI 3.0, so each component is converted:
``$ref``s are inlined, ``nullable: true`` becomes ``type: [T, "null"]`` (or ``anyOf`` with
``{"type": "null"}`` when there is no ``type``), the boolean ``exclusiveMinimum/Maximum`` of
3.0 become numbers, and OpenAPI-only keywords (``example``, ``nullable``, ``x-*``, ...) are
dropped. ``format: uuid`` and ``format: date-time`` get strategies of their own: UUIDs, and
RFC 3339 instants that always carry ``Z`` or an offset (JSON Schema's ``date-time`` requires
one) with 0-9 fraction digits.

- ``json_schema_for(name)``: the converted schema of ``components/schemas/<name>``.
- ``json_schema_validator(name)``: a ``jsonschema`` validator for it that checks formats.
- ``strategy_for(name)``: values valid for that component, e.g. ``strategy_for("TimerRun")``.
- ``values_for(schema)``: values valid for any JSON Schema (what ``strategy_for`` uses).
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning
from hypothesis_jsonschema import from_schema

from support.openapi import SPEC_PATH, spec_document

__all__ = [
    "FORMATS",
    "component_names",
    "json_schema_for",
    "json_schema_validator",
    "openapi_to_json_schema",
    "rfc3339_date_times",
    "strategy_for",
    "values_for",
]

# Keywords of OpenAPI 3.0 schemas that JSON Schema does not have (or means differently).
_OPENAPI_ONLY = frozenset(
    {"example", "nullable", "discriminator", "xml", "externalDocs", "deprecated"}
)
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMAS = frozenset({"items", "additionalProperties", "not", "additionalItems"})


def rfc3339_date_times() -> st.SearchStrategy[str]:
    """RFC 3339 instants in 1970-2099 with ``Z`` or a ``±HH:MM`` offset, 0-9 fraction digits."""
    moments = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2099, 12, 31))
    fractions = st.just("") | st.from_regex(r"\.[0-9]{1,9}", fullmatch=True)
    offsets = st.just("Z") | st.builds(
        "{}{:02d}:{:02d}".format,
        st.sampled_from("+-"),
        st.integers(0, 14),
        st.sampled_from([0, 30, 45]),
    )
    return st.builds(
        lambda moment, fraction, offset: moment.isoformat(timespec="seconds") + fraction + offset,
        moments,
        fractions,
        offsets,
    )


FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "date-time": rfc3339_date_times(),
}
"""The string formats the spec uses, as strategies (handed to hypothesis-jsonschema)."""


def _resolve(document: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs can be inlined, not {ref!r}")
    target: Any = document
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def openapi_to_json_schema(
    schema: Any, document: Mapping[str, Any], _seen: tuple[str, ...] = ()
) -> Any:
    """The JSON Schema equivalent of an OpenAPI 3.0 ``schema`` whose ``$ref``s point into
    ``document``. Raises ``ValueError`` on a recursive ``$ref`` (it cannot be inlined)."""
    if isinstance(schema, bool) or not isinstance(schema, Mapping):
        return schema
    if "$ref" in schema:  # in 3.0 a $ref's siblings are ignored
        ref = schema["$ref"]
        if ref in _seen:
            raise ValueError(f"recursive $ref {ref!r} cannot be inlined")
        return openapi_to_json_schema(_resolve(document, ref), document, (*_seen, ref))
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key in _SCHEMA_MAPS:
            out[key] = {k: openapi_to_json_schema(v, document, _seen) for k, v in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [openapi_to_json_schema(v, document, _seen) for v in value]
        elif key in _SCHEMAS:
            out[key] = openapi_to_json_schema(value, document, _seen)
        else:  # type, format, enum, required, minimum, description, default, ...: data
            out[key] = copy.deepcopy(value)
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if out.pop(exclusive, False) is True and bound in out:
            out[exclusive] = out.pop(bound)
    if schema.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def component_names(spec_path: Path = SPEC_PATH) -> list[str]:
    """The names under ``components/schemas`` in the spec."""
    return list(spec_document(spec_path)["components"]["schemas"])


@functools.cache
def _converted(name: str, spec_path: Path) -> dict[str, Any]:
    document = spec_document(spec_path)
    schemas = document["components"]["schemas"]
    if name not in schemas:
        raise KeyError(f"no component schema {name!r}; the spec has {', '.join(schemas)}")
    converted = openapi_to_json_schema(schemas[name], document)
    assert isinstance(converted, dict)
    return converted


def json_schema_for(name: str, *, spec_path: Path = SPEC_PATH) -> dict[str, Any]:
    """The JSON Schema of ``components/schemas/<name>`` (a fresh copy: callers may change it).

    Plain JSON Schema without ``$schema``: read the same under draft 7 and 2020-12.
    """
    return copy.deepcopy(_converted(name, Path(spec_path)))


def json_schema_validator(name: str, *, spec_path: Path = SPEC_PATH) -> jsonschema.Validator:
    """A ``jsonschema`` validator for ``json_schema_for(name)`` that also checks formats."""
    return _validator(name, Path(spec_path))


@functools.cache
def _validator(name: str, spec_path: Path) -> jsonschema.Validator:
    cls = jsonschema.Draft202012Validator
    return cls(json_schema_for(name, spec_path=spec_path), format_checker=cls.FORMAT_CHECKER)


@functools.cache
def _strategy(name: str, spec_path: Path) -> st.SearchStrategy[Any]:
    return values_for(_converted(name, spec_path))


def _from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """hypothesis-jsonschema's strategy for ``schema``, with ``FORMATS``."""
    with warnings.catch_warnings():
        # Replacing hypothesis-jsonschema's own date-time strategy is deliberate.
        warnings.filterwarnings("ignore", "Overriding standard format", HypothesisWarning)
        strategy = from_schema(schema, custom_formats=FORMATS)
        strategy.validate()  # now, not at the first draw (where it would warn)
    return strategy


# Keywords that say nothing about which values are valid.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples"})
_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
_ARRAY_KEYWORDS = frozenset({"type", "items", "minItems", "maxItems"})
EXTRA_PROPERTIES = 3
"""The most properties an object gets beyond those its schema names (when it allows any)."""


def values_for(schema: Any) -> st.SearchStrategy[Any]:
    """Values valid for the JSON Schema ``schema``.

    Objects with named properties (also nullable, also an ``allOf`` of such objects), arrays
    and ``anyOf`` are built here; everything else by hypothesis-jsonschema. Its objects pick
    each further key from the names not yet drawn and give up the whole example when none is
    left: three of four examples of a ``JobRead`` were thrown away (1.5 s per kept one). Here
    each named optional property is present or not, and at most ``EXTRA_PROPERTIES`` others,
    of any JSON value, are added where the schema allows them.
    """
    if not isinstance(schema, dict):
        return _from_schema(schema)
    keywords = set(schema) - _ANNOTATIONS
    if keywords == {"anyOf"}:
        return st.one_of([values_for(branch) for branch in schema["anyOf"]])
    if keywords == {"allOf"}:
        merged = _merged_objects(schema["allOf"])
        if merged is not None:
            return _objects(merged)
    kind = schema.get("type")
    if "properties" in schema and keywords <= _OBJECT_KEYWORDS:
        if kind == "object":
            return _objects(schema)
        if kind == ["object", "null"]:
            return st.none() | _objects(schema)
    if "items" in schema and keywords <= _ARRAY_KEYWORDS and not isinstance(schema["items"], list):
        lists = st.lists(
            values_for(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems"),
        )
        if kind == "array":
            return lists
        if kind == ["array", "null"]:
            return st.none() | lists
    return _from_schema(schema)


def _merged_objects(schemas: list[Any]) -> dict[str, Any] | None:
    """One object schema for an ``allOf`` of object schemas whose named properties differ and
    that allow any other property (else None: hypothesis-jsonschema merges it)."""
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for schema in schemas:
        if not isinstance(schema, dict) or schema.get("type") != "object":
            return None
        if set(schema) - _ANNOTATIONS - _OBJECT_KEYWORDS or "additionalProperties" in schema:
            return None
        properties = schema.get("properties", {})
        if set(properties) & set(merged["properties"]):
            return None
        merged["properties"].update(properties)
        merged["required"] += [n for n in schema.get("required", []) if n not in merged["required"]]
    return merged


def _objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = schema["properties"]
    required: list[str] = schema.get("required", [])
    other = schema.get("additionalProperties", True)
    other_values = values_for({} if other is True else other)
    named = st.fixed_dictionaries(
        {
            name: values_for(properties[name]) if name in properties else other_values
            for name in required
        },
        optional={
            name: values_for(sub) for name, sub in properties.items() if name not in required
        },
    )
    if other is False:
        return named
    known = set(properties) | set(required)
    extra = st.dictionaries(
        st.text().filter(lambda name: name not in known), other_values, max_size=EXTRA_PROPERTIES
    )
    return st.builds(lambda named, extra: {**extra, **named}, named, extra)


def strategy_for(name: str, *, spec_path: Path = SPEC_PATH) -> st.SearchStrategy[Any]:
    """Values valid for ``components/schemas/<name>`` (JSON-compatible: dicts, lists, ...)."""
    return _strategy(name, Path(spec_path))
