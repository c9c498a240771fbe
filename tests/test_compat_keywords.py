"""The prover over every keyword it models, against oracles written apart from it.

Schemas are drawn from a grammar of the keywords the repository's schemas seldom use
(`propertyNames`, `contains` with `minContains`/`maxContains`, `dependentSchemas`,
`dependentRequired`, `not`, `if`/`then`/`else`, `uniqueItems`, `maxItems: 0`, enums, tuples,
`$ref` into `$defs` from inside other keywords). Two oracles:

- soundness: when the prover alone (no witness search behind it) says every instance of A is
  one of B, no instance of a fixed universe of small JSON values is valid under A and invalid
  under B, by jsonschema;
- completeness where it is known: A with more keywords beside its own is always inside A, and A
  inside `anyOf: [B, A]`, so the prover must prove both (the second when A has no `allOf` of its
  own: the prover matches union branches against the left's conjuncts after expanding `allOf`,
  so `allOf: [oneOf: [X, X]]`, which accepts nothing, is not matched; sound, incomplete).
"""

from __future__ import annotations

import inspect
import itertools
import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from contracts.compat.context import Side, Undecidable
from contracts.compat.subschema import Prover

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the universe: small values on every boundary the grammar draws (lengths 0..3, -1..3) -------
SCALARS: list[Any] = [None, True, False, -1, 0, 1, 2, 3, 0.5, 2.5, "", "a", "b", "ab", "abc", "x1"]
ITEMS: list[Any] = [None, 0, 1, "a", "ab", True]
ARRAYS: list[Any] = [[]] + [[v] for v in ITEMS] + [list(p) for p in itertools.product(ITEMS[:4], repeat=2)] + [
    [0, 0, 0], [0, 1, 2], ["a", "a", "a"], [1, "a", None], [[]], [[0]], [{}]]
VALUES: list[Any] = [None, 0, 1, 3, "a", "abc", [], [1], {}, {"a": 1}]
OBJECTS: list[Any] = [{}] + [{k: v} for k in ("a", "b", "x", "ab") for v in VALUES] + [
    {"a": v, "b": w} for v in (0, "a", None) for w in (0, "a", None)] + [
    {"a": 0, "b": 0, "x": 0}, {"a": 1, "x": "a"}, {"b": 1, "x": 1, "ab": 1}]
UNIVERSE = SCALARS + ARRAYS + OBJECTS

NAMES = st.sampled_from(["a", "b", "x"])
SMALL = st.integers(0, 3)


def leaf() -> st.SearchStrategy[dict[str, Any]]:
    """One keyword (or two that belong together) with small arguments."""
    return st.one_of(
        st.builds(lambda t: {"type": t}, st.sampled_from(
            ["null", "boolean", "integer", "number", "string", "array", "object", ["string", "integer"],
             ["array", "null"], ["object", "boolean"]])),
        st.builds(lambda vs: {"enum": vs}, st.lists(st.sampled_from([None, 0, 1, 2, "a", "ab", True, [], {}]),
                                                    max_size=3, unique_by=lambda v: (type(v).__name__, repr(v)))),
        st.builds(lambda v: {"const": v}, st.sampled_from([0, 1, "a", None, [], {"a": 1}])),
        st.builds(lambda k, n: {k: n}, st.sampled_from(
            ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
             "maxItems", "minProperties", "maxProperties"]), SMALL),
        st.builds(lambda n: {"multipleOf": n}, st.sampled_from([1, 2, 0.5])),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b$", "^[ab]*$", "x"])),
        st.just({"uniqueItems": True}),
        st.builds(lambda names: {"required": names}, st.lists(NAMES, min_size=1, max_size=2, unique=True)),
        st.builds(lambda n, deps: {"dependentRequired": {n: deps}}, NAMES, st.lists(NAMES, max_size=2, unique=True)),
        st.builds(lambda p: {"propertyNames": p}, st.sampled_from(
            [{"maxLength": 1}, {"enum": ["a", "b"]}, {"pattern": "^a"}, False])),
        st.builds(lambda v: {"additionalProperties": v}, st.sampled_from([False, {"type": "integer"}])),
    )


def schema(depth: int = 2, refs: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """A conjunction of one to three keywords; below the top, subschemas nest `depth` deep."""
    if depth == 0:
        return leaf()
    sub = schema(depth - 1, refs)
    nested = st.one_of(
        st.builds(lambda s: {"not": s}, sub),
        st.builds(lambda xs: {"anyOf": xs}, st.lists(sub, min_size=1, max_size=2)),
        st.builds(lambda xs: {"oneOf": xs}, st.lists(sub, min_size=1, max_size=2)),
        st.builds(lambda xs: {"allOf": xs}, st.lists(sub, min_size=1, max_size=2)),
        st.builds(lambda i, t, e: {"if": i, **t, **e}, sub, st.sampled_from([{}]) | sub.map(lambda s: {"then": s}),
                  st.sampled_from([{}]) | sub.map(lambda s: {"else": s})),
        st.builds(lambda t: {"then": t}, sub),  # then/else without if: no assertion
        st.builds(lambda e: {"else": e}, sub),
        st.builds(lambda c, lo, hi: {"contains": c, **lo, **hi}, sub,
                  st.sampled_from([{}, {"minContains": 0}, {"minContains": 2}]),
                  st.sampled_from([{}, {"maxContains": 1}])),
        st.builds(lambda ps, rest: {"prefixItems": ps, **rest}, st.lists(sub, min_size=1, max_size=2),
                  st.sampled_from([{}, {"items": False}]) | sub.map(lambda s: {"items": s})),
        st.builds(lambda s: {"items": s}, sub),
        st.builds(lambda ps: {"properties": ps}, st.dictionaries(NAMES, sub, min_size=1, max_size=2)),
        st.builds(lambda p, s: {"patternProperties": {p: s}}, st.sampled_from(["^a", "b"]), sub),
        st.builds(lambda n, s: {"dependentSchemas": {n: s}}, NAMES, sub),
        st.builds(lambda s: {"additionalProperties": s}, sub),
        # A reference from inside other keywords (to a leaf, so no reference cycle).
        st.builds(lambda s: {"$ref": "#/$defs/shared", "$defs": {"shared": s}}, leaf()) if refs else st.nothing(),
    )
    return st.lists(st.one_of(leaf(), nested), min_size=1, max_size=3).map(conjunction)


def conjunction(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts as one schema: merged where their keywords differ, else under `allOf`."""
    out: dict[str, Any] = {}
    rest = []
    for part in parts:
        if out.keys() & part.keys():
            rest.append(part)
        else:
            out.update(part)
    return {**out, "allOf": rest} if rest else out


def hoist(schema: Any) -> Any:
    """`$defs` moved to the root, where `#/$defs/shared` looks: the first found (the outermost, then
    in document order) is the one every reference means."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$defs" in node:
            found.setdefault("shared", node["$defs"]["shared"])
        return {k: walk(v) for k, v in node.items() if k != "$defs"}

    body = walk(schema)
    return {**body, "$defs": found} if found and isinstance(body, dict) else body


def proves(a: Any, b: Any) -> bool:
    """The prover alone: is every instance of a one of b?"""
    left, right = Side.build("old", a, None), Side.build("new", b, None)
    return not Prover().includes([left.root_node()], right.root_node())


def separated(a: Any, b: Any) -> list[Any]:
    va, vb = (validator_for(s, default=Draft202012Validator)(s) for s in (a, b))
    return [v for v in UNIVERSE if va.is_valid(v) and not vb.is_valid(v)]


@SETTINGS
@given(schema().map(hoist), schema().map(hoist))
def test_a_proof_is_never_refuted_by_the_universe(a: dict[str, Any], b: dict[str, Any]) -> None:
    for x, y in ((a, b), (b, a)):
        if proves(x, y):
            assert not separated(x, y), (x, y, separated(x, y)[:3])


@SETTINGS
@given(schema().map(hoist), schema().map(hoist))
def test_one_of_with_a_second_branch_is_proved_only_when_the_branches_are_disjoint(
        a: dict[str, Any], b: dict[str, Any]) -> None:
    """A is inside `oneOf: [A, B]` exactly when no instance of A is one of B: a disjointness test."""
    one_of = hoist({"oneOf": [a, b]})
    if proves(a, one_of):
        assert not separated(a, one_of), (a, b, separated(a, one_of)[:3])
    if proves(a, hoist({"not": b})):
        assert not separated(a, hoist({"not": b})), (a, b)


@SETTINGS
@given(schema(refs=False), schema(1, refs=False))
def test_one_more_keyword_is_always_proved_inside(a: dict[str, Any], extra: dict[str, Any]) -> None:
    """A with more keywords beside its own accepts less: the prover must show it, keyword by
    keyword of A (without references, every subschema has a shape the prover can match)."""
    assume(not a.keys() & extra.keys())
    # These change what other keywords of A apply to (additionalProperties reads properties and
    # patternProperties, items reads prefixItems): beside A they are not a conjunct.
    assume(not extra.keys() & {"additionalProperties", "properties", "patternProperties", "prefixItems"})
    assert proves({**a, **extra}, a), ({**a, **extra}, a)
    if "allOf" not in a:  # (a union branch is matched against the left's conjuncts once `allOf` is expanded)
        assert proves(a, {"anyOf": [extra, a]}), a


# -- pairs at the edges of single rules: (a, b, a inside b, b inside a); None where it holds but
# the prover is not expected to show it (a `not` on the left is not read: sound, incomplete) ------
D4 = "http://json-schema.org/draft-04/schema#"
D6 = "http://json-schema.org/draft-06/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
INT, NUM = {"type": "integer"}, {"type": "number"}
S1, S2 = {"type": "string", "maxLength": 1}, {"type": "string", "maxLength": 2}
IF_THEN_ELSE = {"if": {"minimum": 3}, "then": {"minimum": 4}, "else": {"maximum": 0}}


def tree(value: Any) -> dict[str, Any]:
    """Objects nested under names starting with `c`, each with a `v`: recursion through patternProperties."""
    node = {"type": "object", "properties": {"v": value}, "patternProperties": {"^c": {"$ref": "#/$defs/n"}}}
    return {"$defs": {"n": node}, "$ref": "#/$defs/n"}


EDGES: list[tuple[Any, Any, bool | None, bool | None]] = [
    # uniqueItems holds of every array of at most one item
    ({"type": "array", "maxItems": 1}, {"type": "array", "maxItems": 1, "uniqueItems": True}, True, True),
    # contains, counted: by the items every position must match, by minContains, maxContains
    ({"type": "array", "minItems": 1, "items": INT}, {"type": "array", "contains": INT}, True, False),
    ({"type": "array", "minItems": 2, "items": INT}, {"type": "array", "contains": NUM, "minContains": 2}, True, False),
    ({"type": "array", "contains": INT, "minContains": 2}, {"type": "array", "contains": NUM, "minContains": 2}, True,
     False),
    ({"type": "array", "contains": S2}, {"type": "array", "contains": S2, "maxContains": 1}, False, True),
    ({"type": "array", "contains": INT}, {"type": "array", "contains": INT, "minContains": 2}, False, True),
    ({"type": "array", "contains": INT, "maxContains": 1}, {"type": "array", "contains": NUM, "maxContains": 1}, False,
     False),
    ({"type": "array", "maxItems": 1}, {"type": "array", "contains": INT, "maxContains": 1}, False, False),
    # a listed value is checked against a subschema in its own document: its $ref resolves from the root
    ({"properties": {"p": {"enum": [{"a": 1}, {"a": 2}]}}},
     {"$defs": {"x": INT}, "properties": {"p": {"properties": {"a": {"$ref": "#/$defs/x"}}}}}, True, False),
    # draft-06 has no if/then/else: there they are annotations
    ({"$schema": D6, "if": {"type": "string"}, "then": False}, {}, True, True),
    ({}, {"$schema": D7, "if": {"type": "string"}, "then": False}, False, True),
    # a number range closed on one point is that one value (listed and checked by the validator)
    ({"type": "number", "minimum": 2.5, "maximum": 2.5}, {"const": 2.5}, True, True),
    # at most one item: at most one match, whatever the items are
    ({"type": "array", "maxItems": 1}, {"type": "array", "contains": INT, "minContains": 0, "maxContains": 1}, True,
     False),
    # disjointness: a required name another side forbids, overlapping oneOf branches of each kind
    ({"type": "object", "required": ["a"]}, {"not": {"properties": {"a": False}}}, True, None),
    ({"type": ["boolean", "string"]}, {"oneOf": [{"type": ["boolean", "string"]}, {"type": "boolean"}]}, False, True),
    ({"type": ["string", "integer"]}, {"oneOf": [{"type": ["string", "integer"]}, {"type": "string"}]}, False, True),
    ({"type": ["null", "string"]}, {"oneOf": [{"type": ["null", "string"]}, {"type": "null"}]}, False, True),
    # recursion that descends through patternProperties
    (tree(INT), tree(NUM), True, False),
    # references: a draft-07 tuple behind $ref, a relative $ref inside an embedded $id, $ref beside a keyword
    ({"$schema": D7, "definitions": {"t": {"type": "array", "items": [S2]}}, "$ref": "#/definitions/t"},
     {"$schema": D7, "definitions": {"t": {"type": "array", "items": [S1]}}, "$ref": "#/definitions/t"}, False, True),
    ({"properties": {"p": {"$id": "https://example.com/p", "$defs": {"t": S2}, "$ref": "#/$defs/t"}}},
     {"properties": {"p": {"$id": "https://example.com/p", "$defs": {"t": S1}, "$ref": "#/$defs/t"}}}, False, True),
    ({"$defs": {"i": INT}, "properties": {"a": INT}},
     {"$defs": {"i": INT}, "properties": {"a": {"$ref": "#/$defs/i", "minimum": 0}}}, False, True),
    ({"$schema": D7, "definitions": {"i": INT}, "properties": {"a": INT}},  # draft-07: $ref hides `minimum`
     {"$schema": D7, "definitions": {"i": INT}, "properties": {"a": {"$ref": "#/definitions/i", "minimum": 0}}},
     True, True),
    # then/else without if assert nothing; if/then/else on the right, met by either branch
    ({"type": "string"}, {"then": INT}, True, False),
    ({"type": "string"}, {"else": INT}, True, False),
    ({"type": "integer", "minimum": 5}, IF_THEN_ELSE, True, False),
    ({"type": "integer", "maximum": -1}, IF_THEN_ELSE, True, False),
    ({"type": "integer"}, {"if": {"minimum": 3}, "then": {"minimum": 3}}, True, False),
    ({"if": {"type": "string"}, "then": {"maxLength": 2}, "else": INT}, {"anyOf": [S2, INT]}, True, True),
    # additionalItems: a keyword beside a tuple in draft-07, beside a schema `items` nothing, gone in 2020-12
    ({"$schema": D7, "type": "array", "items": INT, "additionalItems": False}, {"$schema": D7, "type": "array", "items": INT},
     True, True),
    ({"type": "array", "items": INT, "additionalItems": False}, {"type": "array", "items": INT}, True, True),
    ({"type": "array", "prefixItems": [INT], "additionalItems": False}, {"type": "array", "prefixItems": [INT], "items": False},
     False, True),
    # maxItems 0: only the empty array, however it is said
    ({"type": "array", "maxItems": 0}, {"type": "array", "items": False}, True, True),
    ({"type": "array", "maxItems": 0}, {"enum": [[]]}, True, True),
    # propertyNames: names that cannot occur, and a finite set of names bounding the count
    ({"type": "object", "propertyNames": {"enum": ["a"]}}, {"type": "object", "properties": {"b": False}}, True, False),
    ({"type": "object", "propertyNames": {"maxLength": 1}}, {"type": "object", "properties": {"ab": False}}, True, False),
    ({"type": "object", "propertyNames": {"maxLength": 1}}, {"type": "object", "properties": {"b": False}}, False, False),
    ({"type": "object", "propertyNames": {"enum": ["a", "b"]}}, {"type": "object", "maxProperties": 2}, True, False),
    ({"type": "object", "propertyNames": {"enum": ["a", "b"]}, "properties": {"b": False}},
     {"type": "object", "maxProperties": 1}, True, False),
    # boolean schemas
    (True, {"type": "string"}, False, True),
    # integer ranges meeting at one integer, an exclusive bound on one side: oneOf is not anyOf
    ({"anyOf": [{"type": "integer", "exclusiveMaximum": 2}, {"type": "integer", "minimum": 1}]},
     {"oneOf": [{"type": "integer", "exclusiveMaximum": 2}, {"type": "integer", "minimum": 1}]}, False, True),
    ({"anyOf": [{"type": "integer", "maximum": 1}, {"type": "integer", "exclusiveMinimum": 0}]},
     {"oneOf": [{"type": "integer", "maximum": 1}, {"type": "integer", "exclusiveMinimum": 0}]}, False, True),
    # of two lower bounds the tighter holds, whichever comes first
    ({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 0, "exclusiveMinimum": 3}, False, True),
    # disjoint by the first item; not shown disjoint when a pattern has no automaton (a backreference)
    ({"type": "array", "minItems": 1, "items": {"type": "string"}},
     {"oneOf": [{"type": "array", "minItems": 1, "items": {"type": "string"}}, {"type": "array", "items": INT}]},
     True, False),
    ({"type": "string", "pattern": "(a)\\1"},
     {"oneOf": [{"type": "string", "pattern": "(a)\\1"}, {"type": "string", "minLength": 1}]}, False, False),
    # disjoint by length or size exactly when the bounds leave a gap
    ({"type": "string", "minLength": 2}, {"oneOf": [{"type": "string", "minLength": 2}, S1]}, True, False),
    ({"type": "string", "minLength": 1}, {"oneOf": [{"type": "string", "minLength": 1}, S1]}, False, False),
    ({"type": "array", "minItems": 2}, {"oneOf": [{"type": "array", "minItems": 2}, {"type": "array", "maxItems": 1}]},
     True, False),
    ({"type": "array", "minItems": 1}, {"oneOf": [{"type": "array", "minItems": 1}, {"type": "array", "maxItems": 1}]},
     False, False),
    # few instances: decided by listing them (integers, one number, the empty object)
    ({"type": "integer", "minimum": 1, "maximum": 2}, {"enum": [1, 2, "x"]}, True, False),
    ({"type": "number", "minimum": 2, "maximum": 2}, {"const": 2}, True, True),
    ({"type": "object", "maxProperties": 0}, {"const": {}}, True, True),
    # the same reference text in two documents means two things
    ({"$defs": {"s": {"$dynamicAnchor": "s", "type": "string"}}, "properties": {"p": {"$dynamicRef": "#s"}}},
     {"$defs": {"s": {"$dynamicAnchor": "s", "type": "integer"}}, "properties": {"p": {"$dynamicRef": "#s"}}},
     False, False),
    ({"$defs": {"s": S1}, "anyOf": [{"$ref": "#/$defs/s"}]}, {"$defs": {"s": S2}, "anyOf": [{"$ref": "#/$defs/s"}]},
     True, False),
    # additionalProperties is not asked about names a pattern of the right already covers
    ({"type": "object", "patternProperties": {"^x": {"type": "string"}}, "additionalProperties": INT},
     {"type": "object", "patternProperties": {"^x": {"type": "string"}}, "additionalProperties": NUM}, True, False),
    # lengths read off a pattern; integral numbers; a conditional met exactly; cases of a union on the left
    ({"type": "string", "pattern": "^abc$"}, {"type": "string", "minLength": 3, "maxLength": 3}, True, False),
    ({"type": "number", "multipleOf": 1}, INT, True, True),
    ({"type": ["string", "integer"], "maxLength": 2},
     {"if": {"type": "string"}, "then": {"maxLength": 2}, "else": {"not": {"type": "string"}}}, True, False),
    ({"allOf": [{"anyOf": [{"minimum": 0}, {"maximum": 9}]}, INT]}, NUM, True, False),
    ({"if": {"type": "string"}, "else": INT}, {"type": ["string", "integer"]}, True, False),
    ({"if": {"type": "string"}, "then": {"maxLength": 1}}, {"if": {"type": "string"}, "then": {"maxLength": 2}}, True,
     False),
    # a required name's dependentSchemas applies outright, split into cases once (it was expanded again
    # in each case and ended as a false reference cycle, found by the property above)
    ({"type": "object", "dependentSchemas": {"a": {"anyOf": [INT]}}, "required": ["a"]},
     {"type": "object", "dependentSchemas": {"a": {"anyOf": [INT]}}}, True, False),
    # draft-04 alone does not call 1.0 an integer; its exclusive bounds are booleans
    ({"$schema": D4, "type": "integer", "minimum": 0, "exclusiveMinimum": True}, {"type": "integer", "minimum": 1}, True,
     False),
    ({"$schema": D4, "type": "integer", "maximum": 0, "exclusiveMaximum": True}, {"type": "integer", "maximum": -1}, True,
     False),
    ({"$schema": D4, "type": "integer"}, INT, True, False),
    ({"type": "number", "multipleOf": 1}, {"$schema": D4, "type": "integer"}, False, True),
]


@pytest.mark.parametrize(("a", "b", "forward", "backward"), EDGES)
def test_edges_of_each_rule(a: Any, b: Any, forward: bool | None, backward: bool | None) -> None:
    for x, y, expected in ((a, b, forward), (b, a, backward)):
        proved = proves(x, y)
        if expected is not None:
            assert proved is expected, (x, y)
        if proved:  # and the universe agrees with every proof
            assert not separated(x, y), (x, y)


# -- what bounds the work: the step budget, the stack, a validator that keeps failing -----------------
def test_a_budget_of_exactly_the_steps_a_proof_takes_is_enough() -> None:
    old = Side.build("old", {"type": "array", "items": {"anyOf": [INT, S2]}}, None)
    new = Side.build("new", {"type": "array", "items": {"anyOf": [NUM, {"type": "string"}]}}, None)
    measured = Prover()
    assert measured.includes([old.root_node()], new.root_node()) == []
    assert Prover(budget=measured.steps).includes([old.root_node()], new.root_node()) == []
    [failure] = Prover(budget=measured.steps - 1).includes([old.root_node()], new.root_node())
    assert failure.kinds == ("cannot-prove", "cannot-prove") and "too large or too recursive" in failure.message


def test_a_pair_nested_deeper_than_the_stack_cannot_be_proved() -> None:
    def deep(leaf: Any) -> Any:
        for _ in range(100):
            leaf = {"type": "object", "properties": {"a": leaf}}
        return leaf
    old, new = Side.build("old", deep(S2), None), Side.build("new", deep(S1), None)
    limit = sys.getrecursionlimit()
    # A stack of 150 frames more than here: the proof of 100 levels takes several frames a level.
    sys.setrecursionlimit(len(inspect.stack(0)) + 150)
    try:
        [failure] = Prover().includes([old.root_node()], new.root_node())
    finally:
        sys.setrecursionlimit(limit)
    assert failure.kinds == ("cannot-prove", "cannot-prove") and "nested too deeply" in failure.message


def test_a_side_stops_asking_a_validator_that_failed_five_times() -> None:
    side = Side.build("old", {"type": "string"}, None)
    root = side.root_node()
    asked = []

    class Failing:
        def is_valid(self, instance: Any) -> bool:
            asked.append(instance)
            raise ValueError("cannot validate")

    side.validators[(root.key, root.dialect)] = Failing()
    for attempt in range(7):
        with pytest.raises(Undecidable):
            side.accepts_root(attempt)
    assert asked == [0, 1, 2, 3, 4]


def test_required_binds_objects_only_so_its_dependent_schema_does_not_bind_the_rest() -> None:
    """`required` says nothing of strings, so a `dependentSchemas` it triggers does not apply to
    them: the prover once read this schema as `null` alone, and proved it inside schemas that
    refuse every string it accepts (found by the soundness property above)."""
    a = {"required": ["a"], "dependentSchemas": {"a": {"type": "null"}}}
    assert separated(a, {"type": "null"}) and not proves(a, {"type": "null"})
    one_of = {"oneOf": [a, {"type": "boolean"}]}
    assert separated(a, one_of) and not proves(a, one_of)
    # For objects the dependent schema does apply: no object passes, so only non-objects remain.
    objects = {**a, "type": "object"}
    assert proves(objects, {"type": "null"}) and proves(objects, False)


def test_an_enum_is_compared_by_its_values_when_the_validator_cannot_list_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A left side with an enum is normally decided by running the validator on each value; when
    the validator gives no answer (it fails on the schema), the rule for `enum` must still see that
    every value the left allows is one the right allows. (A pattern the validator cannot read made
    it fail once; such a schema is now refused as unusable input, so the failure is simulated.)"""
    def fails(self: Side, node: Any, instance: Any) -> bool:
        raise Undecidable("validator failed")

    monkeypatch.setattr(Side, "accepts", fails)
    old = {"type": "string", "enum": ["a", "b"], "pattern": "^[ab]$"}
    assert proves(old, {"type": "string", "enum": ["a", "b", "c"]})
    assert not proves(old, {"type": "string", "enum": ["a", "c"]})


def test_each_reason_is_given_once_though_several_cases_of_the_left_meet_it() -> None:
    """Both cases of the left's anyOf fail the right's minLength for the same reason: the prover
    reports it once (`diff` searches a witness per failure, and reads a lone failure as the pair's
    only change)."""
    old = Side.build("old", {"type": "string", "anyOf": [{"maxLength": 5}, {"maxLength": 6}]}, None)
    new = Side.build("new", {"type": "string", "minLength": 1}, None)
    failures = Prover().includes([old.root_node()], new.root_node())
    assert [(f.kinds[0], f.b_path) for f in failures] == [("string-length-narrowed", "/minLength")]


# `contentSchema` is a keyword the prover does not model: a right side that has it is proved only
# by the shape shortcut, when the left asserts the same. What asserts nothing must not change a shape.
CONTENT = {"contentMediaType": "application/json", "contentSchema": {"type": "object"}}
D2019 = "https://json-schema.org/draft/2019-09/schema"
IDLE = {
    "uniqueItems false": ({**CONTENT, "uniqueItems": False}, CONTENT),
    "additionalItems beside a schema items (2019-09)": (
        {"$schema": D2019, **CONTENT, "items": S2, "additionalItems": False}, {"$schema": D2019, **CONTENT, "items": S2}),
    "then without if": ({**CONTENT, "then": S2}, CONTENT),
    "else without if": ({**CONTENT, "else": S2}, CONTENT),
    "annotations": ({**CONTENT, "title": "t", "examples": [1], "$comment": "c"}, CONTENT),
}


@pytest.mark.parametrize("name", sorted(IDLE))
def test_what_asserts_nothing_leaves_a_schema_the_prover_cannot_read_proved_by_its_shape(name: str) -> None:
    a, b = IDLE[name]
    assert proves(a, b) and proves(b, a)


def test_additional_items_beside_a_tuple_is_an_assertion_so_not_the_same_shape() -> None:
    tuple_ = {"$schema": D2019, **CONTENT, "items": [S2]}
    closed = {**tuple_, "additionalItems": False}
    assert not proves(tuple_, closed) and not proves(closed, tuple_)  # cannot prove: contentSchema


def _referring(key: str, target: str) -> dict[str, Any]:
    other = {"maxLength": 9} if key == "allOf" else {"type": "null"}
    return {"$defs": {"x": {"type": target}}, key: [{"$ref": "#/$defs/x"}, other]}


@pytest.mark.parametrize("key", ["anyOf", "oneOf", "allOf"])
def test_a_reference_inside_a_union_is_not_matched_by_its_text(key: str) -> None:
    """`#/$defs/x` is the same text in both schemas but names a string in one, an integer in the
    other: no shape key may hold it, wherever it sits."""
    string, integer = _referring(key, "string"), _referring(key, "integer")
    assert not proves(string, integer) and not proves(integer, string)


def test_a_dynamic_reference_is_not_matched_by_its_text() -> None:
    def tree(leaf: str) -> dict[str, Any]:
        return {"$id": "urn:tree", "$dynamicAnchor": "node",
                "$defs": {"n": {"$dynamicAnchor": "node", "type": leaf}}, "properties": {"p": {"$dynamicRef": "#node"}}}
    assert not proves(tree("string"), tree("integer"))
