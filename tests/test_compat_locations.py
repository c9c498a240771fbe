"""Where `diff` says a change is: the JSON pointer of the keyword that rejects, through every
keyword a subschema can sit under, with its kind, direction and witness.

A reviewer reads the pointer to find the change; a pointer one segment off (`/items` for
`/additionalItems`, `/allOf/1` for `/allOf/0`, `a/b` unescaped) sends them to the wrong place.
The pinned corpus reports (`test_compat_reports.py`) rarely nest a change inside `contains`,
`not`, `dependentSchemas`, `propertyNames` or a tuple, so each is pinned here on a small pair.
Witnesses are pinned where the search finds one (and `check` confirms them with jsonschema).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_compat import check

from contracts.compat import SchemaError, diff
from contracts.compat.base import short
from contracts.compat.context import Side
from contracts.compat.subschema import Prover

D6 = "http://json-schema.org/draft-06/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D4 = "http://json-schema.org/draft-04/schema#"
S3 = {"type": "string", "maxLength": 3}
S2 = {"type": "string", "maxLength": 2}
NARROWED = "string-length-narrowed"
NO_WITNESS = object()  # the search finds none: not pinned (a better search may find one)

# (old, new, [(schema, path, kind, breaks, witness)]): every change of the report, in order.
CASES: dict[str, tuple[Any, Any, list[tuple[str, str, str, list[str], Any]]]] = {
    "allOf, escaped name": (
        {"allOf": [{"type": "object"}, {"properties": {"a/b": S3}}]},
        {"allOf": [{"type": "object"}, {"properties": {"a/b": S2}}]},
        [("new", "/allOf/1/properties/a~1b/maxLength", NARROWED, ["backward"], {"a/b": "aaa"})]),
    "prefixItems": (
        {"type": "array", "prefixItems": [True, S3]}, {"type": "array", "prefixItems": [True, S2]},
        [("new", "/prefixItems/1/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "draft-07 tuple": (
        {"$schema": D7, "type": "array", "items": [True, S3]}, {"$schema": D7, "type": "array", "items": [True, S2]},
        [("new", "/items/1/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "draft-06 tuple": (
        {"$schema": D6, "type": "array", "items": [True, S3]}, {"$schema": D6, "type": "array", "items": [True, S2]},
        [("new", "/items/1/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "draft-07 additionalItems": (
        {"$schema": D7, "type": "array", "items": [True], "additionalItems": S3},
        {"$schema": D7, "type": "array", "items": [True], "additionalItems": S2},
        [("new", "/additionalItems/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "2019-09 additionalItems": (
        {"$schema": D2019, "type": "array", "items": [True], "additionalItems": S3},
        {"$schema": D2019, "type": "array", "items": [True], "additionalItems": S2},
        [("new", "/additionalItems/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "items after prefixItems": (
        {"type": "array", "prefixItems": [True], "items": S3}, {"type": "array", "prefixItems": [True], "items": S2},
        [("new", "/items/maxLength", NARROWED, ["backward"], ["aaa", "aaa"])]),
    "items closed": (
        {"type": "array", "prefixItems": [True]}, {"type": "array", "prefixItems": [True], "items": False},
        [("new", "/items", "array-length-narrowed", ["backward"], [[], True])]),
    "draft-07 additionalItems closed": (
        {"$schema": D7, "type": "array", "items": [True]},
        {"$schema": D7, "type": "array", "items": [True], "additionalItems": False},
        [("new", "/additionalItems", "array-length-narrowed", ["backward"], [[], True])]),
    "additionalProperties": (
        {"type": "object", "additionalProperties": S3}, {"type": "object", "additionalProperties": S2},
        [("new", "/additionalProperties", "additional-properties-narrowed", ["backward"], {"extra": "abc"})]),
    "patternProperties": (
        {"type": "object", "patternProperties": {"^x": S3}}, {"type": "object", "patternProperties": {"^x": S2}},
        [("new", "/patternProperties/^x", "pattern-properties-narrowed", ["backward"], {"x": "abc"})]),
    "dependentSchemas": (
        {"type": "object", "dependentSchemas": {"a": {"properties": {"b": S3}}}},
        {"type": "object", "dependentSchemas": {"a": {"properties": {"b": S2}}}},
        [("new", "/dependentSchemas/a", "dependent-schema-narrowed", ["backward"], NO_WITNESS)]),
    "dependentSchemas added": (
        {"type": "object"}, {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}},
        [("new", "/dependentSchemas/a", "dependent-schema-narrowed", ["backward"], {"a": None})]),
    "dependentRequired added": (
        {"type": "object"}, {"type": "object", "dependentRequired": {"a": ["b"]}},
        [("new", "/dependentRequired/a", "dependent-required-added", ["backward"], {"a": None})]),
    "propertyNames": (
        {"type": "object", "propertyNames": S3}, {"type": "object", "propertyNames": S2},
        [("new", "/propertyNames", "property-names-narrowed", ["backward"],
          {f"p{i}": 1 for i in range(11)})]),
    "not": (
        {"not": S2}, {"not": S3},
        [("new", "/not", "not-changed", ["backward"], "abc")]),
    "not under properties": (
        {"properties": {"a": {"type": "integer"}}}, {"properties": {"a": {"type": "integer", "not": {"const": 3}}}},
        [("new", "/properties/a/not", "not-changed", ["backward"], NO_WITNESS)]),
    "contains": (
        {"type": "array", "contains": S2}, {"type": "array", "contains": {**S2, "minLength": 1}},
        [("new", "/contains", "contains-narrowed", ["backward"], [""])]),
    "contains under items": (
        {"type": "array", "items": {"type": "array"}},
        {"type": "array", "items": {"type": "array", "contains": {"type": "integer"}}},
        [("new", "/items/contains", "contains-narrowed", ["backward"], [[]])]),
    "maxContains": (
        {"type": "array", "contains": S2, "maxContains": 2}, {"type": "array", "contains": S2, "maxContains": 1},
        [("new", "/maxContains", "max-contains-narrowed", ["backward"], ["", ""])]),
    "then": (
        {"if": {"type": "string"}, "then": S3}, {"if": {"type": "string"}, "then": S2},
        [("new", "/if", "conditional-narrowed", ["backward"], "abc")]),
    "else": (
        {"if": {"type": "string"}, "else": {"type": "integer", "maximum": 3}},
        {"if": {"type": "string"}, "else": {"type": "integer", "maximum": 2}},
        [("new", "/if", "conditional-narrowed", ["backward"], 3)]),
    "anyOf under items": (
        {"type": "array", "items": {"anyOf": [S3, {"type": "integer"}]}},
        {"type": "array", "items": {"anyOf": [S2, {"type": "integer"}]}},
        [("new", "/items/anyOf", "union-narrowed", ["backward"], ["abc"])]),
    "oneOf under items": (
        {"type": "array", "items": {"oneOf": [S3, {"type": "integer"}]}},
        {"type": "array", "items": {"oneOf": [S2, {"type": "integer"}]}},
        [("new", "/items/oneOf", "union-narrowed", ["backward"], ["abc"])]),
    "$ref: where it is used": (
        {"$defs": {"s": S3}, "properties": {"p": {"$ref": "#/$defs/s"}}},
        {"$defs": {"s": S2}, "properties": {"p": {"$ref": "#/$defs/s"}}},
        [("new", "/properties/p/maxLength", NARROWED, ["backward"], {"p": "aaa"})]),
    "$ref with a sibling on the right": (
        {"properties": {"p": S3}}, {"$defs": {"s": S2}, "properties": {"p": {"$ref": "#/$defs/s", "minLength": 0}}},
        [("new", "/properties/p/maxLength", NARROWED, ["backward"], {"p": "aaa"})]),
    "uniqueItems": (
        {"type": "array"}, {"type": "array", "uniqueItems": True},
        [("new", "/uniqueItems", "unique-items-added", ["backward"], [None, None])]),
    "additionalProperties over a declared property": (
        {"type": "object", "properties": {"a": S3}}, {"type": "object", "additionalProperties": S2},
        [("new", "/additionalProperties/maxLength", NARROWED, ["backward"], {"a": "aaa"}),
         ("new", "/additionalProperties", "additional-properties-narrowed", ["backward"], {"a": "abc"})]),
    "items of objects": (
        {"type": "array", "items": {"type": "object", "required": ["b"], "properties": {"a": S3}}},
        {"type": "array", "items": {"type": "object", "required": ["b"], "properties": {"a": S2}}},
        [("new", "/items/properties/a/maxLength", NARROWED, ["backward"], [{"b": "x", "a": "aaa"}])]),
    "not, nested": (
        {"properties": {"a": {"type": "integer", "maximum": 9}}},
        {"properties": {"a": {"type": "integer", "maximum": 9, "not": {"minimum": 3}}}},
        [("new", "/properties/a/not", "not-changed", ["backward"], {"a": 9})]),
    "minLength, nested": (
        {"properties": {"a": {"type": "string"}}}, {"properties": {"a": {"type": "string", "minLength": 2}}},
        [("new", "/properties/a/minLength", NARROWED, ["backward"], {"a": ""})]),
    "minProperties, nested": (
        {"properties": {"o": {"type": "object"}}}, {"properties": {"o": {"type": "object", "minProperties": 1}}},
        [("new", "/properties/o/minProperties", "property-count-narrowed", ["backward"], {"o": {}})]),
    "required": (
        {"type": "object"}, {"type": "object", "required": ["a"]},
        [("new", "/required", "required-added", ["backward"], {})]),
    "exclusiveMaximum": (
        {"type": "number"}, {"type": "number", "exclusiveMaximum": 2.5},
        [("new", "/exclusiveMaximum", "number-range-narrowed", ["backward"], 2.5)]),
    "minimum": (
        {"type": "number"}, {"type": "number", "minimum": 0.5},
        [("new", "/minimum", "number-range-narrowed", ["backward"], 0.0)]),
    "minimum on a lattice": (  # the witness is the multiple of 3 just below the bound
        {"type": "integer", "multipleOf": 3}, {"type": "integer", "multipleOf": 3, "minimum": 5},
        [("new", "/minimum", "number-range-narrowed", ["backward"], 3)]),
    "draft-04 integer": (
        {"type": "integer"}, {"$schema": D4, "type": "integer"},
        [("new", "/type", "integer-required", ["backward"], 1.0)]),
    "pattern changed": (
        {"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^ab"},
        [("new", "/pattern", "pattern-changed", ["backward"], "a")]),
    "pattern added": (
        {"type": "string"}, {"type": "string", "pattern": "^a"},
        [("new", "/pattern", "pattern-added", ["backward"], "")]),
    "maxLength over a backreference": (  # no automaton for the pattern: the witness is the bound plus one
        {"type": "string", "pattern": "^(a)\\1$"}, {"type": "string", "maxLength": 1},
        [("new", "/maxLength", NARROWED, ["backward"], "aa"), ("old", "/pattern", "pattern-removed", ["forward"], "")]),
    "a single anyOf branch": (
        {"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"anyOf": [{"type": "string"}]},
        [("new", "/anyOf/0/type", "type-narrowed", ["backward"], 0)]),
    "false": (
        {"type": "string"}, False,
        [("new", "", "schema-narrowed", ["backward"], "")]),
    "enum value removed": (
        {"enum": [1, 2]}, {"enum": [1]},
        [("new", "/enum", "enum-value-removed", ["backward"], 2)]),
    "const changed": (
        {"const": 1}, {"const": 2},
        [("new", "/const", "const-changed", ["backward", "forward"], 1)]),
    "closed objects trading names": (
        {"type": "object", "properties": {"a": True}, "additionalProperties": False},
        {"type": "object", "properties": {"b": True}, "additionalProperties": False},
        [("old", "/properties/a", "property-removed-closed", ["backward"], {"a": []}),
         ("new", "/properties/b", "property-added-closed", ["forward"], {"b": []})]),
    # Two changes: neither witness comes from a search of the whole pair (that fallback is for a
    # pair's only change), so the first is found only by candidates placed at its instance path.
    "uniqueItems beside another change": (
        {"properties": {"a": {"type": "array"}, "s": S3}},
        {"properties": {"a": {"type": "array", "uniqueItems": True}, "s": S2}},
        [("new", "/properties/a/uniqueItems", "unique-items-added", ["backward"], {"a": [None, None]}),
         ("new", "/properties/s/maxLength", NARROWED, ["backward"], {"s": "aaa"})]),
    "maxProperties": (  # the smallest of the wide objects the search offers (3, 6, 11 properties)
        {"type": "object"}, {"type": "object", "maxProperties": 2},
        [("new", "/maxProperties", "property-count-narrowed", ["backward"], {"p0": 1, "p1": 1, "p2": 1})]),
    "maxProperties of a schema nested in its own additionalProperties": (  # the search ends at MAX_DEPTH
        {"type": "object", "additionalProperties": {"$ref": "#"}},
        {"type": "object", "additionalProperties": {"$ref": "#"}, "maxProperties": 2},
        [("new", "/maxProperties", "property-count-narrowed", ["backward"], {"p0": {}, "p1": {}, "p2": {}}),
         ("new", "/additionalProperties", "additional-properties-narrowed", ["backward"],
          {"p0": {}, "p1": {}, "p2": {}})]),
    "open object gains a constraint": (
        {"type": "object"}, {"type": "object", "properties": {"a": {"type": "integer"}}},
        [("new", "/properties/a", "property-added-open", ["backward"], {"a": []})]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_change_is_reported_at_its_keyword(name: str) -> None:
    old, new, expected = CASES[name]
    backward = not any("backward" in e[3] for e in expected)
    forward = not any("forward" in e[3] for e in expected)
    report = check(old, new, backward, forward)
    assert [(c.schema, c.path, c.kind, c.breaks) for c in report.changes] == [e[:4] for e in expected]
    for change, (*_, witness) in zip(report.changes, expected):
        if witness is not NO_WITNESS:
            assert change.has_witness and change.witness == witness, change


MIRRORED = {"narrowed": "widened", "widened": "narrowed", "added": "removed", "removed": "added",
            "required": "relaxed", "relaxed": "required"}


def mirrored(kind: str) -> str:
    """The kind read the other way: its last word that has an opposite (`required-added` is
    `required-removed`, `integer-required` is `integer-relaxed`)."""
    words = kind.split("-")
    last = max((i for i, w in enumerate(words) if w in MIRRORED), default=None)
    if last is not None:
        words[last] = MIRRORED[words[last]]
    return "-".join(words)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_change_read_the_other_way_is_its_mirror(name: str) -> None:
    """Swapped, the pair reports each change at the same pointer, with the other direction's kind
    (narrowed / widened, added / removed) in the other direction, in the schema now named the other
    way (a change that breaks both ways stays in the schema its first reading named)."""
    old, new, expected = CASES[name]
    swap = {"old": "new", "new": "old", "backward": "forward", "forward": "backward"}
    report = check(new, old, not any("forward" in e[3] for e in expected), not any("backward" in e[3] for e in expected))
    assert sorted((c.schema, c.path, c.kind, sorted(c.breaks)) for c in report.changes) == sorted(
        (swap[schema] if len(breaks) == 1 else schema, path, mirrored(kind), sorted(swap[b] for b in breaks)) for schema, path, kind, breaks, _ in expected)


def test_an_unresolvable_reference_at_the_root_is_named_at_the_root() -> None:
    with pytest.raises(SchemaError, match=r"^old #: cannot resolve \$ref '#/\$defs/missing'"):
        diff({"$ref": "#/$defs/missing"}, {})


def test_a_schema_invalid_in_the_default_dialect_is_named_at_its_keyword() -> None:
    """Without `$schema`, the default dialect's metaschema judges it: `additionalItems` must be a
    schema in draft-07 (2020-12 no longer defines it, so its metaschema would let 5 pass)."""
    with pytest.raises(SchemaError, match=r"^old #/additionalItems: not a valid draft7 schema: 5 is not of type"):
        diff({"additionalItems": 5}, {}, default_dialect="draft7")


@pytest.mark.parametrize(("value", "text"), [
    ("é", '"é"'),  # as written, not escaped
    ("a" * 58, '"' + "a" * 58 + '"'),  # 60 characters: whole
    ("a" * 59, '"' + "a" * 56 + "..."),  # 61: cut to 60 with the ellipsis
])
def test_values_in_messages_are_cut_at_sixty_characters(value: Any, text: str) -> None:
    assert short(value) == text


def test_a_pattern_the_validators_cannot_read_is_refused_at_its_place() -> None:
    # Not a schema (the metaschema's `"format": "regex"`), so nothing to compare: refused, located.
    with pytest.raises(SchemaError, match=r"^new #/patternProperties: not a valid 2020-12 schema: "
                                          r"'\[' is not an ECMA-262 regular expression \(format 'regex'\)$"):
        diff({"type": "object", "properties": {"a": {}}},
             {"type": "object", "patternProperties": {"[": {"type": "integer"}}})


def test_draft04_integers_are_explained_with_the_value_that_differs() -> None:
    [change] = diff({"type": "integer"}, {"$schema": D4, "type": "integer"}).changes
    assert change.message == "old accepts integer-valued numbers such as 1.0, new (draft-04) does not"


def test_a_value_the_validator_rejects_though_every_keyword_rule_accepts_it_is_named() -> None:
    """The safety net under the keyword rules: when the left side is a short list and the real
    validator rejects one of its values, that value is the change. Draft-04 alone does not call
    1.0 an integer, and the type rule reads the enum's 1.0 as one, so only the net catches it."""
    report = check({"$schema": D4, "enum": [1.0, 2]}, {"$schema": D4, "type": "integer"}, False, False)
    rejected = [c for c in report.changes if c.kind == "value-rejected"]
    assert [(c.schema, c.path, c.breaks, c.message, c.witness) for c in rejected] == [
        ("new", "", ["backward"], "new rejects 1.0, which old accepts", 1.0)]


# -- the instance path of each rule's failure ------------------------------------------------------
# Where the prover says an instance breaks, as a path into the instance: when a pair has more than
# one change, the witness search places its candidates for a change there, inside an instance the
# whole schema accepts (`_set_at`). A rule that loses the path leaves its change without a witness
# or with one found by chance. Each pair here differs in one keyword of the items of array `o`.
OBJ, ARR, STR, NUM = {"type": "object"}, {"type": "array"}, {"type": "string"}, {"type": "number"}
AT_ITEM = ("o", 0)
NESTED: dict[str, tuple[Any, Any, str, tuple[Any, ...]]] = {
    "required": (OBJ, {**OBJ, "required": ["k"]}, "required-added", AT_ITEM),
    "minProperties": (OBJ, {**OBJ, "minProperties": 1}, "property-count-narrowed", AT_ITEM),
    "maxProperties": (OBJ, {**OBJ, "maxProperties": 1}, "property-count-narrowed", AT_ITEM),
    "dependentRequired": (OBJ, {**OBJ, "dependentRequired": {"k": ["j"]}}, "dependent-required-added", AT_ITEM),
    "dependentSchemas": (OBJ, {**OBJ, "dependentSchemas": {"k": {"required": ["j"]}}}, "dependent-schema-narrowed",
                         AT_ITEM),
    "additionalProperties": (OBJ, {**OBJ, "additionalProperties": STR}, "additional-properties-narrowed", AT_ITEM),
    "patternProperties": (OBJ, {**OBJ, "patternProperties": {"^k": STR}}, "pattern-properties-narrowed", AT_ITEM),
    "propertyNames": (OBJ, {**OBJ, "propertyNames": {"maxLength": 1}}, "property-names-narrowed", AT_ITEM),
    "a property": (OBJ, {**OBJ, "properties": {"k": STR}}, "property-added-open", (*AT_ITEM, "k")),
    "minItems": (ARR, {**ARR, "minItems": 1}, "array-length-narrowed", AT_ITEM),
    "maxItems": (ARR, {**ARR, "maxItems": 1}, "array-length-narrowed", AT_ITEM),
    "uniqueItems": (ARR, {**ARR, "uniqueItems": True}, "unique-items-added", AT_ITEM),
    "contains": (ARR, {**ARR, "contains": STR}, "contains-narrowed", AT_ITEM),
    "maxContains": ({**ARR, "contains": STR}, {**ARR, "contains": STR, "maxContains": 1}, "max-contains-narrowed",
                    AT_ITEM),
    "minLength": (STR, {**STR, "minLength": 1}, "string-length-narrowed", AT_ITEM),
    "maxLength": (STR, {**STR, "maxLength": 1}, "string-length-narrowed", AT_ITEM),
    "pattern": (STR, {**STR, "pattern": "^a"}, "pattern-added", AT_ITEM),
    "contentEncoding": (STR, {**STR, "contentEncoding": "base64"}, "contentencoding-added", AT_ITEM),
    "minimum": (NUM, {**NUM, "minimum": 1}, "number-range-narrowed", AT_ITEM),
    "maximum": (NUM, {**NUM, "maximum": 1}, "number-range-narrowed", AT_ITEM),
    "multipleOf": (NUM, {**NUM, "multipleOf": 2}, "multiple-of-changed", AT_ITEM),
    "type": (NUM, {"type": "integer"}, "integer-required", AT_ITEM),
    "type without null": ({"type": ["string", "null"]}, STR, "nullability-removed", AT_ITEM),
    "enum": (STR, {"enum": ["a"]}, "enum-narrowed", AT_ITEM),
    "const": ({"enum": [1, 2]}, {"const": 1}, "const-changed", AT_ITEM),
    "false": (STR, {"allOf": [False]}, "schema-narrowed", AT_ITEM),
    "not": (STR, {**STR, "not": {"const": "a"}}, "not-changed", AT_ITEM),
    "anyOf": (STR, {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "union-narrowed", AT_ITEM),
    "oneOf": (STR, {"oneOf": [{"type": "integer"}, {"type": "null"}]}, "union-narrowed", AT_ITEM),
    "if": (STR, {"if": {"const": "a"}, "then": False}, "conditional-narrowed", AT_ITEM),
    "items false": (ARR, {**ARR, "items": False}, "array-length-narrowed", AT_ITEM),  # that array is too long
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_each_rule_gives_the_instance_path_of_its_failure(name: str) -> None:
    old, new, kind, ipath = NESTED[name]
    sides = [Side.build(n, {"type": "object", "properties": {"o": {"type": "array", "items": s}}}, None)
             for n, s in (("old", old), ("new", new))]
    failures = Prover().includes([sides[0].root_node()], sides[1].root_node())
    assert [(f.kinds[0], f.ipath) for f in failures] == [(kind, ipath)]


def test_a_keyword_the_prover_does_not_model_is_named_in_the_change() -> None:
    report = diff({"type": "string"}, {"type": "string", "contentSchema": {"type": "object"}})
    assert [(c.schema, c.path, c.kind, c.breaks, c.message) for c in report.changes] == [
        ("new", "", "cannot-prove", ["backward"],
         "could not prove new accepts every old instance: new uses `contentSchema`, which this checker does not model")]


def test_a_reference_cycle_is_reported_at_the_instance_path_it_is_met() -> None:
    """`loop` is only itself (an allOf of itself): no proof can descend into the instance, so the
    property that uses it cannot be proved, and the witness search is pointed at that property."""
    old = Side.build("old", {"properties": {"o": {"type": "string"}}}, None)
    new = Side.build("new", {"$defs": {"loop": {"allOf": [{"$ref": "#/$defs/loop"}]}},
                             "properties": {"o": {"$ref": "#/$defs/loop"}}}, None)
    [failure] = Prover().includes([old.root_node()], new.root_node())
    assert (failure.kinds[0], failure.ipath) == ("cannot-prove", ("o",))
    assert failure.message.endswith("a reference cycle that never descends into the instance")


# Both items of a tuple break the right's `items` the same way: two reasons, one per left
# subschema and instance path (the witness search may place its candidates at either), not one.
TWICE = {
    "maximum": ({"type": "integer"}, {"type": "integer", "maximum": 5}, "number-range-narrowed", "/items/maximum"),
    "type": (NUM, {"type": "integer"}, "integer-required", "/items/type"),
    "contains": (ARR, {**ARR, "contains": STR}, "contains-narrowed", "/items/contains"),
    "maxLength": (STR, {**STR, "maxLength": 1}, "string-length-narrowed", "/items/maxLength"),
    "required": (OBJ, {**OBJ, "required": ["a"]}, "required-added", "/items/required"),
}


@pytest.mark.parametrize("name", sorted(TWICE))
def test_a_rule_two_items_of_a_tuple_break_is_reported_for_each(name: str) -> None:
    item, theirs, kind, path = TWICE[name]
    old = Side.build("old", {"type": "array", "prefixItems": [item, item], "items": False}, None)
    new = Side.build("new", {"type": "array", "items": theirs}, None)
    failures = Prover().includes([old.root_node()], new.root_node())
    assert [(f.kinds[0], f.a_path, f.b_path, f.ipath) for f in failures] == [
        (kind, "/prefixItems/0", path, (0,)), (kind, "/prefixItems/1", path, (1,))]


def test_an_invalid_schema_deep_inside_is_named_by_its_whole_pointer() -> None:
    """The metaschema's best error may come from inside a branch (`items` is a schema or an array
    of schemas in draft-07): it is named from the root, not from the branch it was found in."""
    draft7 = "http://json-schema.org/draft-07/schema#"
    with pytest.raises(SchemaError, match=r"^old #/properties/a/items/0: not a valid draft7 schema"):
        diff({"$schema": draft7, "properties": {"a": {"items": [5]}}}, {"$schema": draft7})
