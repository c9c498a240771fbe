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
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.structs import StructTier, Unsupported

NAMES = ("a", "b", "c")
SMALL = st.integers(-1, 2)


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "boolean", "nullable"]))
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
        for key in draw(st.sets(st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]))):
            schema[key] = draw(SMALL)
        return schema
    schema = {"type": "string"} if kind == "string" else {"type": ["string", "null"]}
    for key in draw(st.sets(st.sampled_from(["minLength", "maxLength", "pattern", "enum", "const"]), max_size=2)):
        schema[key] = {"minLength": draw(st.integers(0, 2)), "maxLength": draw(st.integers(1, 3)),
                       "pattern": draw(st.sampled_from(["^[a-z]+$", "^x", "y$"])),
                       "enum": draw(st.lists(st.sampled_from(["x", "y", "xy"]), min_size=1, max_size=2, unique=True)),
                       "const": draw(st.sampled_from(["x", "y"]))}[key]
    return schema


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
        schema["if"] = {"properties": {first: draw(fields())}, "required": [first]}
        schema["then"] = {"required": draw(some)}
        if draw(st.booleans()):
            schema["else"] = {"required": draw(some)}
    if draw(st.booleans()):
        schema["dependentSchemas"] = {names[-1]: {"required": draw(some)}}
    if draw(st.booleans()):
        schema["allOf"] = [{"required": draw(some)}]
    return schema


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
    return tier, Draft202012Validator(root)


# Both bounds on one side: msgspec refused the pair (ge and gt), and the tier crashed instead of compiling.
@example({"properties": {"a": {"type": "integer", "minimum": 0, "exclusiveMinimum": 0, "maximum": 2,
                               "exclusiveMaximum": 2}}}, [{"a": 0}, {"a": 1}, {"a": 2}, {}])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(schemas(), st.lists(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=3), min_size=1, max_size=8))
def test_the_tier_answers_as_jsonschema_on_generated_schemas(schema: dict[str, Any], instances: list[dict[str, Any]]) -> None:
    built = compiled(schema)
    assume(built is not None)
    assert built is not None
    tier, reference = built
    for fields_ in instances:
        line = orjson.dumps({"event_type": "x.event", **fields_})
        assert (tier.check(line) is not None) == reference.is_valid(orjson.loads(line)), (schema, fields_)
