"""The compatibility checker (`contracts.compat`): focused cases, witnesses, and a soundness property."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from contracts.compat import Report, SchemaError, diff
from contracts.compat.context import Side
from contracts.compat.subschema import Prover
from contracts.compat.witness import Candidates

REPO = Path(__file__).resolve().parents[1]
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def _refuse(uri: str) -> Any:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def repo_registry() -> tuple[Registry[Any], dict[str, dict[str, Any]]]:
    """The repository's schemas by `$id`, offline, as the catalogue resolves them."""
    schemas = {p.parent.name: json.loads(p.read_text()) for p in sorted((REPO / "schemas").glob("*/1.0.0.json"))}
    resources = [(s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()]
    return Registry(retrieve=_refuse).with_resources(resources), schemas  # type: ignore[call-arg]


def validator(schema: Any, registry: Registry[Any] | None = None) -> Any:
    cls = validator_for(schema, default=Draft202012Validator)  # the dialect its `$schema` names
    return cls(schema, registry=registry or Registry(retrieve=_refuse))  # type: ignore[call-arg]


def assert_witnesses_hold(old: Any, new: Any, report: Report, registry: Registry[Any] | None = None) -> None:
    """Every reported witness is accepted by one schema and rejected by the other."""
    schemas = {"old": validator(old, registry), "new": validator(new, registry)}
    for change in report.changes:
        if change.has_witness:
            accepting = change.witness_accepted_by
            rejecting = "new" if accepting == "old" else "old"
            assert schemas[accepting].is_valid(change.witness), change
            assert not schemas[rejecting].is_valid(change.witness), change
            direction = "backward" if accepting == "old" else "forward"
            assert direction in change.breaks, change


def check(old: Any, new: Any, backward: bool, forward: bool, registry: Registry[Any] | None = None) -> Report:
    report = diff(old, new, registry=registry)
    assert (report.backward, report.forward) == (backward, forward), report.to_text()
    assert_witnesses_hold(old, new, report, registry)
    assert bool(report.changes) == (not (backward and forward)), report.to_text()
    return report


def kinds(report: Report) -> set[str]:
    return {c.kind for c in report.changes}


# -- no change ----------------------------------------------------------------------------------
ADDRESS: dict[str, Any] = {"type": "object", "properties": {"street": {"type": "string"}, "zip": {"type": "string", "maxLength": 10}},
           "required": ["street"], "additionalProperties": False}


def test_moving_a_shape_into_defs_and_back_is_no_change() -> None:
    inline = {"type": "object", "properties": {"home": ADDRESS, "work": ADDRESS}}
    refactored = {"$defs": {"Address": ADDRESS}, "type": "object",
                  "properties": {"home": {"$ref": "#/$defs/Address"}, "work": {"$ref": "#/$defs/Address"}}}
    check(inline, refactored, True, True)
    check(refactored, inline, True, True)


def test_draft07_definitions_and_2020_defs_are_the_same_shape() -> None:
    old = {"$schema": DRAFT7, "definitions": {"A": ADDRESS}, "$ref": "#/definitions/A"}
    new = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"A": ADDRESS}, "$ref": "#/$defs/A"}
    check(old, new, True, True)
    tuple7 = {"$schema": DRAFT7, "type": "array", "items": [{"type": "string"}], "additionalItems": False}
    tuple2020 = {"type": "array", "prefixItems": [{"type": "string"}], "items": False}
    check(tuple7, tuple2020, True, True)


def test_draft07_ref_hides_its_siblings() -> None:
    old = {"$schema": DRAFT7, "definitions": {"S": {"type": "string"}},
           "properties": {"a": {"$ref": "#/definitions/S", "maxLength": 1}}}
    new = {"$schema": DRAFT7, "definitions": {"S": {"type": "string"}}, "properties": {"a": {"type": "string"}}}
    check(old, new, True, True)


def test_cross_file_ref_inlined_is_no_change() -> None:
    registry, schemas = repo_registry()
    plan = schemas["multi_workflow.plan_created"]
    common = schemas["multi_workflow.common"]
    inlined = copy.deepcopy(plan)
    target = plan["properties"]["plan_id"]["$ref"].split("#")[1].split("/")[-1]
    inlined["properties"]["plan_id"] = copy.deepcopy(common["$defs"][target])
    check(plan, inlined, True, True, registry)


def test_reordered_enum_and_changed_annotations_are_no_change() -> None:
    old = {"type": "object", "title": "T", "description": "old words", "properties": {
        "colour": {"enum": ["red", "green", "blue"], "description": "a", "examples": ["red"], "default": "red"}},
        "x-owner": "team-a", "$comment": "c"}
    new = {"type": "object", "title": "T2", "description": "new words", "properties": {
        "colour": {"enum": ["blue", "red", "green"], "description": "b", "examples": ["blue"], "default": "blue"}},
        "x-owner": "team-b"}
    check(old, new, True, True)


def test_enum_of_one_is_const_and_type_order_does_not_matter() -> None:
    check({"enum": ["a"]}, {"const": "a"}, True, True)
    check({"type": ["string", "null"]}, {"type": ["null", "string"]}, True, True)
    check({"type": ["string", "null"]}, {"anyOf": [{"type": "null"}, {"type": "string"}]}, True, True)


@pytest.mark.parametrize("name", ["batch_metrics", "common", "execution_summary", "plan_created"])
def test_every_repository_schema_is_compatible_with_itself(name: str) -> None:
    registry, schemas = repo_registry()
    schema = schemas[f"multi_workflow.{name}"]
    check(schema, copy.deepcopy(schema), True, True, registry)


# -- objects ------------------------------------------------------------------------------------
def test_optional_field_added_to_a_closed_object_is_backward_not_forward() -> None:
    old: dict[str, Any] = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"],
                           "additionalProperties": False}
    new = copy.deepcopy(old)
    new["properties"]["run_id"] = {"type": "string"}
    report = check(old, new, True, False)
    assert kinds(report) == {"property-added-closed"}
    (change,) = report.changes
    assert change.path == "/properties/run_id" and change.breaks == ["forward"]
    assert change.has_witness and "run_id" in change.witness


def test_optional_field_added_to_an_open_object_is_forward_not_backward() -> None:
    old: dict[str, Any] = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    new = copy.deepcopy(old)
    new["properties"]["run_id"] = {"type": "string"}
    report = check(old, new, False, True)
    assert kinds(report) == {"property-added-open"}
    assert report.changes[0].has_witness


def test_repository_event_gains_an_optional_field() -> None:
    registry, schemas = repo_registry()
    plan = schemas["multi_workflow.plan_created"]
    new = copy.deepcopy(plan)
    new["properties"]["run_id"] = {"type": "string", "minLength": 1}
    report = check(plan, new, True, False, registry)
    assert kinds(report) == {"property-added-closed"}


def test_required_added_and_removed() -> None:
    old = {"type": "object", "properties": {"a": {"type": "integer"}}}
    new = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    assert kinds(check(old, new, False, True)) == {"required-added"}
    assert kinds(check(new, old, True, False)) == {"required-removed"}


def test_additional_properties_and_pattern_properties() -> None:
    old = {"type": "object", "additionalProperties": {"type": "string", "minLength": 10}}
    new = {"type": "object", "additionalProperties": {"type": "string", "minLength": 5}}
    check(old, new, True, False)
    closed = {"type": "object", "additionalProperties": False}
    patterned = {"type": "object", "patternProperties": {"^x_": {"type": "number"}}}
    check(closed, patterned, True, False)
    same = {"type": "object", "patternProperties": {"^x_": {"type": "number"}}, "additionalProperties": False}
    check(same, copy.deepcopy(same), True, True)


def test_closed_object_capacity_counts_only_its_declared_properties() -> None:
    old = {"type": "object", "properties": {"x": True}, "maxProperties": 1, "additionalProperties": False}
    new = {"type": "object", "properties": {"x": True}, "maxProperties": 3, "additionalProperties": False}
    check(old, new, True, True)


def test_dependent_required_and_schemas() -> None:
    old = {"type": "object", "properties": {"card": {"type": "number"}}}
    new = {"type": "object", "properties": {"card": {"type": "number"}, "address": {"type": "string"}},
           "dependentRequired": {"card": ["address"]}}
    check(old, new, False, True)
    dep = {"type": "object", "dependentSchemas": {"card": {"required": ["address"]}}}
    check(dep, {"type": "object"}, True, False)
    draft7 = {"$schema": DRAFT7, "type": "object", "dependencies": {"card": ["address"]}}
    check(draft7, {"type": "object", "dependentRequired": {"card": ["address"]}}, True, True)


# -- scalars ------------------------------------------------------------------------------------
def test_removing_an_enum_value_breaks_backward() -> None:
    report = check({"enum": ["a", "b", "c"]}, {"enum": ["a", "c"]}, False, True)
    assert kinds(report) == {"enum-value-removed"}
    assert report.changes[0].witness == "b"


def test_widening_a_type_breaks_forward() -> None:
    report = check({"type": "string"}, {"type": ["string", "number"]}, True, False)
    assert kinds(report) == {"type-widened"}
    assert check({"type": "integer"}, {"type": "number"}, True, False).changes[0].kind == "integer-relaxed"
    assert kinds(check({"type": "string"}, {"type": ["string", "null"]}, True, False)) == {"nullability-added"}


def test_changing_a_type_breaks_both() -> None:
    report = check({"type": "string"}, {"type": "number"}, False, False)
    assert kinds(report) == {"type-changed"}
    assert report.changes[0].breaks == ["backward", "forward"]


@pytest.mark.parametrize(("old", "new", "backward", "forward"), [
    ({"type": "number", "minimum": 0, "maximum": 10}, {"type": "number", "exclusiveMinimum": 0,
                                                        "exclusiveMaximum": 10}, False, True),
    ({"type": "integer", "exclusiveMinimum": 0}, {"type": "integer", "minimum": 1}, True, True),
    ({"type": "number", "multipleOf": 10}, {"type": "number", "multipleOf": 5}, True, False),
    ({"type": "number", "multipleOf": 7}, {"type": "number", "multipleOf": 13}, False, False),
    ({"type": "integer", "minimum": 4, "maximum": 4}, {"type": "number", "minimum": 4, "maximum": 4}, True, True),
    ({"type": "string", "minLength": 1}, {"type": "string", "minLength": 5}, False, True),
    ({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 10}, True, False),
    ({"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "minimum": 10,
      "exclusiveMinimum": True}, {"type": "number", "exclusiveMinimum": 10}, True, True),
])
def test_bounds(old: Any, new: Any, backward: bool, forward: bool) -> None:
    check(old, new, backward, forward)


def test_pattern_inclusion_is_decided_with_a_witness_the_other_way() -> None:
    report = check({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[a-z0-9]+$"},
                   True, False)
    assert kinds(report) == {"pattern-changed"} and report.changes[0].witness == "0"
    check({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string"}, True, False)


def test_patterns_no_automaton_expresses_cannot_be_proved() -> None:
    report = check({"type": "string", "pattern": "^(a)\\1$"}, {"type": "string", "pattern": "^(a)\\1b?$"},
                   False, False)
    assert "backreference" in report.changes[0].message


def test_format_is_an_annotation_as_in_the_validators() -> None:
    check({"type": "string", "format": "date"}, {"type": "string"}, True, True)


# -- arrays -------------------------------------------------------------------------------------
def test_arrays() -> None:
    check({"type": "array", "items": {"type": "integer"}}, {"type": "array", "items": {"type": "integer"},
                                                            "uniqueItems": True}, False, True)
    check({"type": "array", "prefixItems": [{"type": "string"}], "minItems": 1},
          {"type": "array", "prefixItems": [{"type": "integer"}], "minItems": 1}, False, False)
    check({"type": "array", "minItems": 10}, {"type": "array", "minItems": 5}, True, False)
    check({"type": "array", "contains": {"type": "number", "minimum": 10}},
          {"type": "array", "contains": {"type": "number", "minimum": 5}}, True, False)


# -- applicators --------------------------------------------------------------------------------
def test_any_of_one_of_not_and_conditionals() -> None:
    check({"type": "string"}, {"anyOf": [{"type": "string"}, {"type": "number"}]}, True, False)
    check({"oneOf": [{"type": "string"}, {"type": "integer"}]},
          {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}, True, False)
    check({"not": {"type": "string", "maxLength": 10}}, {"not": {"type": "string", "maxLength": 5}}, True, False)
    check({"type": "string"}, {"not": {"type": "number"}}, True, False)
    check({"allOf": [{"type": "string"}, {"maxLength": 5}]}, {"allOf": [{"maxLength": 5}, {"type": "string"}]},
          True, True)
    conditional = {"type": "object", "if": {"properties": {"k": {"const": 1}}, "required": ["k"]},
                   "then": {"required": ["v"]}}
    check(conditional, copy.deepcopy(conditional), True, True)
    check(conditional, {"type": "object"}, True, False)
    stricter = copy.deepcopy(conditional)
    stricter["then"]["required"].append("w")  # same condition, more required when it holds
    assert kinds(check(conditional, stricter, False, True)) == {"conditional-narrowed"}


def test_one_of_needs_exclusive_branches() -> None:
    # "ab" is a string of length <= 5: it matches both branches, so the new oneOf rejects it.
    check({"type": "string"}, {"oneOf": [{"type": "string"}, {"maxLength": 5}]}, False, False)
    check({"type": "string"}, {"oneOf": [{"type": "string"}, {"type": "number"}]}, True, False)


# -- recursion ----------------------------------------------------------------------------------
TREE: dict[str, Any] = {"$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"},
                                                            "children": {"type": "array",
                                                                         "items": {"$ref": "#/$defs/node"}}},
                           "required": ["value"], "additionalProperties": False}},
        "$ref": "#/$defs/node"}


def test_recursive_schemas() -> None:
    check(TREE, copy.deepcopy(TREE), True, True)
    grown = copy.deepcopy(TREE)
    grown["$defs"]["node"]["properties"]["label"] = {"type": "string"}
    report = check(TREE, grown, True, False)
    assert kinds(report) == {"property-added-closed"}
    narrowed = copy.deepcopy(TREE)
    narrowed["$defs"]["node"]["properties"]["value"]["minimum"] = 0
    report = check(TREE, narrowed, False, True)
    assert report.changes[0].has_witness


def test_unguarded_recursion_is_not_proved() -> None:
    loop = {"$defs": {"v": {"anyOf": [{"$ref": "#/$defs/v"}, {"type": "string"}]}}, "$ref": "#/$defs/v"}
    assert diff({"type": "string"}, loop).backward  # the string branch suffices
    report = diff(loop, {"type": "string"})  # the cycle itself: never assumed, and it must not hang
    assert not report.backward
    assert kinds(report) == {"cannot-prove"}


# -- what the checker refuses or cannot do -------------------------------------------------------
def test_unevaluated_properties_beside_an_applicator_is_decided() -> None:
    report = check({"type": "object"}, {"type": "object", "allOf": [{"properties": {"a": True}}],
                                        "unevaluatedProperties": False}, False, True)
    assert kinds(report) == {"additional-properties-narrowed"}
    assert report.changes[0].has_witness and "a" not in report.changes[0].witness


def test_unevaluated_properties_alone_is_additional_properties() -> None:
    closed = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    check(closed, {**{k: v for k, v in closed.items() if k != "additionalProperties"},
                   "unevaluatedProperties": False}, True, True)
    # beside an applicator it also sees the applicator's properties: not modelled, never guessed
    split = {"type": "object", "allOf": [{"properties": {"a": {"type": "string"}}}], "unevaluatedProperties": False}
    report = check(split, {"type": "object", "maxProperties": 0}, False, True)
    assert report.changes[0].has_witness


def test_remote_refs_are_refused() -> None:
    with pytest.raises(SchemaError):
        diff({"$ref": "https://example.com/elsewhere.json"}, {"type": "string"})


def test_dangling_refs_are_refused_up_front() -> None:
    with pytest.raises(SchemaError, match="/anyOf/1"):
        diff({"anyOf": [{"type": "string"}, {"$ref": "#/$defs/missing"}]}, {"type": "string"})


def test_each_side_can_resolve_in_its_own_registry() -> None:
    registry, schemas = repo_registry()
    common = copy.deepcopy(schemas["multi_workflow.common"])
    plan = schemas["multi_workflow.plan_created"]
    target = plan["properties"]["plan_id"]["$ref"].split("/")[-1]
    common["$defs"][target]["maxLength"] = 30  # the shared shape narrows under the same $id
    narrowed = registry.with_resource(common["$id"], Resource.from_contents(common, default_specification=DRAFT202012))
    report = diff(plan, plan, registry=registry, new_registry=narrowed)
    assert (report.backward, report.forward) == (False, True)
    assert report.changes[0].path.endswith("/maxLength")


def test_invalid_schemas_are_refused() -> None:
    with pytest.raises(SchemaError):
        diff({"type": "strin"}, {"type": "string"})


# -- output -------------------------------------------------------------------------------------
def test_renderings() -> None:
    report = diff({"enum": ["a", "b"]}, {"enum": ["a"]})
    data = json.loads(report.to_json())
    assert data["backward"] is False and data["forward"] is True
    (change,) = data["changes"]
    assert set(change) >= {"path", "kind", "breaks", "message", "witness"}
    assert change["witness"] == "b" and change["breaks"] == ["backward"]
    markdown = report.to_markdown()
    assert "| Path | Change | Breaks | Explanation | Witness |" in markdown
    assert "enum-value-removed" in markdown
    assert "enum-value-removed" in report.to_text()
    assert "No breaking changes" in diff({"type": "string"}, {"type": "string"}).to_markdown()


# -- soundness, property-based ------------------------------------------------------------------
SCALARS = st.sampled_from([
    {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "null"}, {"type": "boolean"},
    {"type": ["string", "null"]}, {"type": "integer", "minimum": 0}, {"type": "integer", "maximum": 3},
    {"type": "number", "exclusiveMinimum": 0}, {"type": "number", "multipleOf": 2}, {"type": "string", "maxLength": 2},
    {"type": "string", "minLength": 1}, {"type": "string", "pattern": "^a"}, {"enum": ["a", "b", 1]}, {"const": 1},
    {"const": "a"}, {"enum": [None, 0]}, True, False, {},
    {"type": "string", "pattern": "^a+$"}, {"type": "string", "pattern": "b"}, {"type": "number", "multipleOf": 0.5},
    {"type": "integer", "multipleOf": 3, "exclusiveMinimum": 0},
])


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    props = st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=2)
    obj = st.builds(
        lambda p, req, extra, names: {
            "type": "object", "properties": p, "required": sorted(req & set(p)),
            **({"additionalProperties": extra} if extra is not None else {}),
            **({"propertyNames": {"enum": ["a", "b", "x"]}} if names else {})},
        props, st.sets(st.sampled_from(["a", "b", "c"])), st.one_of(st.none(), st.just(False), children),
        st.booleans())
    arr = st.builds(lambda i, lo, hi, u: {"type": "array", "items": i, **lo, **hi, **u},
                    children, st.sampled_from([{}, {"minItems": 1}]), st.sampled_from([{}, {"maxItems": 2}]),
                    st.sampled_from([{}, {"uniqueItems": True}]))
    tup = st.builds(lambda p, rest: {"type": "array", "prefixItems": p, "items": rest},
                    st.lists(children, min_size=1, max_size=2), st.one_of(st.just(False), children))
    return st.one_of(
        obj, arr, tup,
        st.builds(lambda xs: {"anyOf": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"oneOf": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"allOf": xs}, st.lists(children, min_size=1, max_size=2)),
        st.builds(lambda x: {"not": x}, children),
        st.builds(lambda xs, p: {"type": "object", "anyOf": xs, "properties": p, "unevaluatedProperties": False},
                  st.lists(children, min_size=1, max_size=2), props),
        st.builds(lambda i, t: {"if": i, "then": t, "unevaluatedProperties": False}, obj, obj),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, children, children, children),
    )


SCHEMAS = st.recursive(SCALARS, _extend, max_leaves=6)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.sampled_from([0.5, 1.5, -0.5])
    | st.sampled_from(["", "a", "b", "ab", "x", "aaa"]),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "x"]), c, max_size=3),
    max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=SCHEMAS, new=SCHEMAS, extra=st.lists(JSON_VALUES, max_size=25))
def test_every_compatible_verdict_survives_generated_instances(old: Any, new: Any, extra: list[Any]) -> None:
    """Instances generated from both schemas (and arbitrary ones) never refute a 'compatible'."""
    sides = {"old": Side.build("old", old, None), "new": Side.build("new", new, None)}
    verdicts = {  # the prover alone, without diff's validator cross-check, so a prover bug shows
        "backward": not Prover().includes([sides["old"].root_node()], sides["new"].root_node()),
        "forward": not Prover().includes([sides["new"].root_node()], sides["old"].root_node()),
    }
    gen = Candidates()
    instances = gen.of([sides["old"].root_node()]) + gen.of([sides["new"].root_node()]) + extra
    v_old, v_new = validator(old), validator(new)
    for instance in instances:
        in_old, in_new = v_old.is_valid(instance), v_new.is_valid(instance)
        if verdicts["backward"]:
            assert not (in_old and not in_new), (old, new, instance)
        if verdicts["forward"]:
            assert not (in_new and not in_old), (old, new, instance)
    assert_witnesses_hold(old, new, diff(old, new))


def _recursive(shape: Any, closed: bool) -> dict[str, Any]:
    """`shape` as the `v` of a tree node, so the comparison must go through a recursive `$ref`."""
    node: dict[str, Any] = {"type": "object", "properties": {
        "v": shape, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}
    if closed:
        node["additionalProperties"] = False
    return {"$defs": {"node": node}, "$ref": "#/$defs/node"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=SCHEMAS, new=SCHEMAS, closed=st.booleans(), values=st.lists(JSON_VALUES, min_size=1, max_size=10))
def test_compatible_verdicts_survive_recursion(old: Any, new: Any, closed: bool, values: list[Any]) -> None:
    """The same property through a recursive `$ref`: coinduction must not assume a false inclusion."""
    old_tree, new_tree = _recursive(old, closed), _recursive(new, closed)
    sides = {"old": Side.build("old", old_tree, None), "new": Side.build("new", new_tree, None)}
    backward = not Prover().includes([sides["old"].root_node()], sides["new"].root_node())
    forward = not Prover().includes([sides["new"].root_node()], sides["old"].root_node())
    v_old, v_new = validator(old_tree), validator(new_tree)
    for value in values:
        for instance in ({"v": value}, {"kids": [{"v": value}]}, {"kids": [{}, {"kids": [{"v": value}]}]}):
            in_old, in_new = v_old.is_valid(instance), v_new.is_valid(instance)
            assert not (backward and in_old and not in_new), (old_tree, new_tree, instance)
            assert not (forward and in_new and not in_old), (old_tree, new_tree, instance)
