"""The struct tier and its residual check on schemas the catalogue does not have (yet): bounds,
patterns, const and enum on fields; required, if/then/else, dependentSchemas and allOf at the root.

The tier is compiled from each generated schema as from a real one, and must answer exactly what
jsonschema answers on every generated line: the catalogue's own schemas use few of these
keywords, so without this a wrong bound in the code the tier writes would go unseen (mutation
testing showed it did) until a new schema version used it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
import regress
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend

from msgspec import UNSET

from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.residual import compile_residual, fields_read
from multi_workflow_telemetry.structs import StructTier, Unsupported

NAMES = ("a", "b", "c")
SMALL = st.integers(-1, 2)


@st.composite
def fields(draw: st.DrawFn, scalar: bool = False) -> dict[str, Any]:
    kinds = ["string", "integer", "boolean", "nullable"] + ([] if scalar else ["array", "object"])
    kind = draw(st.sampled_from(kinds))
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
        for key in draw(st.sets(st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]))):
            schema[key] = draw(SMALL)
        return schema
    if kind == "array":
        schema = {"type": "array"}
        for key in draw(st.sets(st.sampled_from(["items", "minItems", "maxItems"]))):
            schema[key] = {"items": {"type": "integer"}, "minItems": draw(st.integers(0, 2)),
                           "maxItems": draw(st.integers(0, 2))}[key]
        return schema
    if kind == "object":  # open content, or closed with one field
        return draw(st.sampled_from([{"type": "object"}, {"type": "object", "additionalProperties": True},
                                     {"type": "object", "properties": {"k": {"type": "integer"}}, "required": ["k"],
                                      "additionalProperties": False}]))
    schema = {"type": "string"} if kind == "string" else {"type": ["string", "null"]}
    for key in draw(st.sets(st.sampled_from(["minLength", "maxLength", "pattern", "enum", "const"]), max_size=3)):
        schema[key] = {"minLength": draw(st.integers(0, 2)), "maxLength": draw(st.integers(1, 3)),
                       "pattern": draw(st.sampled_from(["^[a-z]+$", "^x", "y$"])),
                       "enum": draw(st.lists(st.sampled_from(["", "x", "y", "xy", "xyz"]), min_size=1, max_size=3,
                                             unique=True)),
                       "const": draw(st.sampled_from(["x", "y", "xy"]))}[key]
    return schema


def near(field: dict[str, Any]) -> list[Any]:
    """Values on and beside each bound the field's schema sets (one below, on it, one above), its
    enum and const values, and a value of every JSON type: where an off-by-one or a lost keyword
    shows."""
    values: list[Any] = [None, True, 1, "x", "", [], {}]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in field:
            values += [field[key] - 1, field[key], field[key] + 1]
    for key in ("minLength", "maxLength", "minItems", "maxItems"):
        if key in field:
            unit = [1] if "Items" in key else ["x", "y"]
            values += [u * n if isinstance(u, str) else [u] * n for u in unit
                       for n in range(max(0, field[key] - 1), field[key] + 2)]
    values += list(field.get("enum", [])) + ([field["const"]] if "const" in field else [])
    values += ["y", "xy", "X", "x\n", "y\n", "xyz", ["x"], [1, 2, 3], {"k": 1}, {"k": "x"}, {"z": 1}]
    return values


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    props = {name: draw(fields()) for name in draw(st.sets(st.sampled_from(NAMES), min_size=1))}
    names = sorted(props)
    some = st.lists(st.sampled_from(names), max_size=2, unique=True)
    schema: dict[str, Any] = {"properties": props}
    if draw(st.booleans()):
        schema["required"] = draw(some)
    if draw(st.booleans()):
        first = names[0]
        schema["if"] = {"properties": {first: draw(fields(scalar=True))}, "required": [first]}
        schema["then"] = {"required": draw(some)}
        if draw(st.booleans()):
            schema["else"] = {"required": draw(some)}
    if draw(st.booleans()):
        schema["dependentSchemas"] = {names[-1]: {"required": draw(some)}}
    if draw(st.booleans()):
        schema["allOf"] = [{"required": draw(some)}]
    return schema


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and regress.Regex(pattern).find(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# jsonschema, with `pattern` as ECMA-262 means it (regress, an engine apart from the code's
# jsonschema-rs): Python's `re` would accept "x\n" for "^[a-z]+$".
Reference = extend(Draft202012Validator, {"pattern": _ecma_pattern})
VALUES = st.sampled_from([None, True, False, -2, -1, 0, 1, 2, 3, "", "x", "y", "xy", "xyz", "X", "ab"])


def compiled(schema: dict[str, Any]) -> tuple[StructTier, Any] | None:
    """The struct tier of a one-event catalogue holding `schema`, and jsonschema's validator."""
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.invalid/x.event/1.0.0.json",
        "x-event": {"name": "x.event"}, "type": "object", "additionalProperties": False, **schema,
        "properties": {"event_type": {"const": "x.event"}, **schema["properties"]},
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "schemas" / "x.event"
        folder.mkdir(parents=True)
        (folder / "1.0.0.json").write_text(json.dumps(root))
        catalogue = Catalogue(Path(tmp) / "schemas")
        try:
            tier = StructTier(catalogue, [catalogue.get("x.event")])
        except Unsupported:
            return None
    if tier.skipped:
        return None
    return tier, Reference(root)


# Both bounds on one side: msgspec refused the pair (ge and gt), and the tier crashed instead of compiling.
@example({"properties": {"a": {"type": "integer", "minimum": 0, "exclusiveMinimum": 0, "maximum": 2,
                               "exclusiveMaximum": 2}}}, [{"a": 0}, {"a": 1}, {"a": 2}, {}])
# An enum whose values break the length bounds or the pattern: only the others may pass.
@example({"properties": {"a": {"type": "string", "enum": ["", "x", "xy", "xyz"], "minLength": 1, "maxLength": 2}}},
         [{}])
@example({"properties": {"a": {"type": "string", "enum": ["x", "y", "xy"], "pattern": "^x"}}}, [{}])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(schemas(), st.lists(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=3), min_size=1, max_size=4))
def test_the_tier_answers_as_jsonschema_on_generated_schemas(schema: dict[str, Any], instances: list[dict[str, Any]]) -> None:
    """Each drawn instance, and each with one field set to each value beside its schema's bounds."""
    built = compiled(schema)
    assume(built is not None)
    assert built is not None
    tier, reference = built
    for base in instances:
        for name, field in [("", {}), *schema["properties"].items()]:
            for value in near(field) if name else [None]:
                fields_ = {**base, name: value} if name else base
                line = orjson.dumps({"event_type": "x.event", **fields_})
                assert (tier.check(line) is not None) == reference.is_valid(orjson.loads(line)), (schema, fields_)


# -- the residual check alone -----------------------------------------------------------------
# The struct tier refuses a field's keywords inside `if`, `then`, `else` and `dependentSchemas`
# (they are not the root's), so the tier above never hands them to `compile_residual`: these
# tests call it directly, on the struct it reads (fields as attributes, UNSET when absent), and
# hold it to jsonschema on the same fields.

SCALARS = st.sampled_from([None, True, False, -1, 0, 1, 2, "", "a", "ab", "abc", "b"])


KINDS = ["string", "integer", "boolean", "null", "number", "object", "array"]
FIELD_KEYWORDS = {
    "type": st.sampled_from(KINDS) | st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True),
    "const": SCALARS | st.sampled_from([1.0, [1]]),
    "enum": st.lists(SCALARS | st.sampled_from([2.0, {"a": 1}]), max_size=3),
    "pattern": st.sampled_from(["^a", "b$", "^a.$", "[0-9]"]),
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3),
    "minimum": SMALL, "maximum": SMALL, "exclusiveMinimum": SMALL, "exclusiveMaximum": SMALL,
    "title": st.just("an annotation only"),
}
# One or two keywords a field: with more, most fields accept nothing, and no bound is seen.
_field_shapes = st.sets(st.sampled_from(sorted(FIELD_KEYWORDS)), min_size=1, max_size=2).flatmap(
    lambda keys: st.fixed_dictionaries({key: FIELD_KEYWORDS[key] for key in keys}))
residual_fields = st.one_of(_field_shapes, _field_shapes, _field_shapes, st.booleans())


def _residual_event(inner: st.SearchStrategy[Any] | None) -> st.SearchStrategy[Any]:
    some = st.lists(st.sampled_from(NAMES), max_size=2, unique=True)
    keywords: dict[str, st.SearchStrategy[Any]] = {
        "type": st.just("object"),
        "properties": st.dictionaries(st.sampled_from(NAMES), residual_fields, max_size=2),
        "required": some,
        "dependentRequired": st.dictionaries(st.sampled_from(NAMES), some, max_size=2),
    }
    if inner is not None:  # `then` and `else` are drawn without `if` too: then they are ignored
        keywords.update({"dependentSchemas": st.dictionaries(st.sampled_from(NAMES), inner, max_size=2),
                         "if": inner, "then": inner, "else": inner, "allOf": st.lists(inner, min_size=1, max_size=2)})
    # A few keywords a level: with all of them, some branch refuses every event, and hides the rest.
    shaped = st.sets(st.sampled_from(sorted(keywords)), min_size=1, max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({key: keywords[key] for key in keys}))
    return st.one_of(shaped, shaped, shaped, st.booleans())  # a boolean schema, now and then


# The root's conditions, two levels deep (an `if` inside a `dependentSchemas` entry, ...).
residual_events = _residual_event(_residual_event(_residual_event(None)))


class Fields:
    """What the residual check reads of an event's struct: its fields, UNSET when absent."""

    def __init__(self, values: dict[str, Any]) -> None:
        for name in NAMES:
            setattr(self, name, values.get(name, UNSET))


def names_in(schema: Any) -> set[str]:
    """Every field name the schema mentions, under whatever keyword (a walk of the whole schema,
    written apart from `fields_read`); const and enum values are values, not names."""
    if isinstance(schema, dict):
        return set().union(*(({k} & set(NAMES)) | (set() if k in ("const", "enum") else names_in(v))
                             for k, v in schema.items()))
    if isinstance(schema, list):
        return set().union(*(names_in(v) for v in schema))
    return {schema} & set(NAMES) if isinstance(schema, str) else set()


def field_schemas(schema: Any) -> list[tuple[str, Any]]:
    """(name, schema) of every field the residual schema constrains, at any depth."""
    if isinstance(schema, list):
        return [found for sub in schema for found in field_schemas(sub)]
    if not isinstance(schema, dict):
        return []
    found = [(name, sub) for name, sub in schema.get("properties", {}).items() if isinstance(sub, dict)]
    found += field_schemas(list(schema.get("dependentSchemas", {}).values()))
    found += field_schemas([schema[key] for key in ("if", "then", "else") if key in schema])
    return found + field_schemas(schema.get("allOf", []))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(residual_events, st.lists(st.dictionaries(st.sampled_from(NAMES), SCALARS, max_size=3), min_size=1, max_size=3),
       st.booleans())
def test_the_residual_check_answers_as_jsonschema(schema: Any, instances: list[dict[str, Any]], rules_hold: bool) -> None:
    """Each drawn instance, and each with one field set to each value beside the bounds of any
    schema that constrains that field."""
    check = compile_residual(schema, "x.event@1.0.0")
    with_rules = compile_residual(schema, "x.event@1.0.0", then=lambda p: rules_hold)
    reference = Reference(schema)
    probes = [(name, value) for name, field in field_schemas(schema) for value in near(field)
              + ["a", "ab", "b", "a\n", "1", 1.0] if not isinstance(value, (list, dict, float))]
    for base in instances:
        for values in [base, *({**base, name: value} for name, value in probes)]:
            valid = reference.is_valid(values)
            assert bool(check(Fields(values))) == valid, (schema, values)
            assert bool(with_rules(Fields(values))) == (valid and rules_hold), (schema, values)


@settings(max_examples=300, deadline=None)
@given(residual_events)
def test_the_residual_check_reads_every_field_the_schema_names(schema: Any) -> None:
    # The struct tier compiles an event only when every field read is a scalar of the struct:
    # a name missed here would let the check read a list or a struct as if it were a scalar.
    assert set(fields_read(schema)) == names_in(schema)


@pytest.mark.parametrize(("schema", "why"), [
    ({"allOf": [{"not": {"required": ["a"]}}]}, "/allOf/0: keyword(s) ['not'] on the event"),
    ({"type": "array"}, ": a type other than object for the event"),
    ({"if": {"properties": {"a": {"format": "date"}}}}, "/if/properties/a: keyword(s) ['format'] on a field"),
    ({"dependentSchemas": {"a": {"properties": {"b": {"type": "decimal"}}}}},
     "/dependentSchemas/a/properties/b: type 'decimal'"),
    ({"properties": {"a": {"pattern": "("}}}, "/properties/a: '(' is not an ECMA-262 regular expression"),
    ({"required": ["not-a-name"]}, "field name 'not-a-name'"),
])
def test_what_the_residual_check_cannot_say_is_refused_with_where(schema: dict[str, Any], why: str) -> None:
    with pytest.raises(Unsupported) as raised:
        compile_residual(schema, "x.event@1.0.0")
    assert str(raised.value) == why
