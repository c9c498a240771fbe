"""The witness search: the regex sampler, the candidates it draws from a schema, and the hints
the prover gives it.

A sample that does not match its pattern costs a witness (the validators reject it, so no verdict
changes), which is why nothing caught `[^\\w]` giving "0" until these tests. The same holds of a
candidate the search no longer offers: the witnesses of the pinned pairs often come from others.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.compat.context import Side
from contracts.compat.subschema import NO_HINT, Prover
from contracts.compat.witness import MAX_DEPTH, MAX_PER_NODE, SEARCH_WORK, Candidates, sample_regex

PINNED = {
    "^abc$": "abc", "[^a]": "b", "[^b]": "a", "[^ab]": "0", "[^a0_ x-]": None, "[a-z]": "a", "[0-9]": "0",
    r"\d": "0", r"\w": "a", r"\s": " ", r"[^\d]": "a", r"[^\w]": " ", r"[^\s\w]": "-", "[^!-~]": " ",
    r"[^\D]": "0", "[^a-z0-9]": "_", "a{3}": "aaa", "(ab)+": "ab", "x|y": "x", ".": "a",
    "^[A-Z]{2}-[0-9]+$": "AA-0", "(?:q)*z": "z",
}


@pytest.mark.parametrize("pattern", sorted(PINNED))
def test_samples_are_the_shortest_simple_strings(pattern: str) -> None:
    assert sample_regex(pattern) == PINNED[pattern]


ATOMS = st.sampled_from(["a", "b", "0", "-", "_", " ", ".", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S"])
CLASS_ITEMS = st.sampled_from(["a", "b", "z", "0", "9", "_", " ", "-", "a-z", "0-9", "A-Z", "!-~", r"\d", r"\w", r"\s"])
CLASSES = st.builds(lambda neg, items: "[" + ("^" if neg else "") + "".join(items) + "]",
                    st.booleans(), st.lists(CLASS_ITEMS, min_size=1, max_size=3))
PIECES = st.tuples(ATOMS | CLASSES, st.sampled_from(["", "*", "+", "?", "{2}", "{0,3}"])).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=4).map("".join), st.booleans())
def test_every_sample_matches_its_pattern(body: str, anchored: bool) -> None:
    pattern = f"^{body}$" if anchored else body
    sample = sample_regex(pattern)
    assert sample is None or re.search(pattern, sample), (pattern, sample)


@pytest.mark.parametrize(("old_min", "hint"), [(0, ""), (1, NO_HINT)])
def test_a_min_length_no_automaton_decides_offers_the_empty_string_only_where_the_left_allows_it(
        old_min: int, hint: object) -> None:
    """With a lookahead on the left there is no automaton to read a short string off, so the
    prover's hint for the search is "" when the left's lengths allow it, and none otherwise (""
    could then only be rejected by both sides)."""
    lookahead = {"type": "string", "pattern": "^(?!b)"}
    old = Side.build("old", {**lookahead, "minLength": old_min}, None)
    new = Side.build("new", {**lookahead, "minLength": 2}, None)
    [failure] = Prover().includes([old.root_node()], new.root_node())
    assert failure.b_path == "/minLength"
    assert failure.hint is NO_HINT if hint is NO_HINT else failure.hint == hint


def candidates(schema: Any) -> list[Any]:
    return Candidates().of([Side.build("old", schema, None).root_node()])


ID = {"type": "string", "pattern": "^id-[0-9]{4}$"}
LARGE = {"type": "integer", "minimum": 1000}


@pytest.mark.parametrize("schema", [{"anyOf": [ID, LARGE]}, {"oneOf": [ID, LARGE]},
                                    {"if": {"type": "string"}, "then": ID, "else": LARGE}],
                         ids=["anyOf", "oneOf", "then-else"])
def test_the_candidates_of_a_union_include_values_of_each_branch(schema: dict[str, Any]) -> None:
    """Beside a union the schema says nothing of its own, so generic values are all the kinds give:
    a string matching the pattern of one branch and the bound of the other come from the branches."""
    found = candidates(schema)
    assert "id-0000" in found and 1000 in found


def test_the_candidates_follow_unions_three_deep_and_no_deeper() -> None:
    """Branches are followed three unions deep at one level of the instance: the bound that ends
    a union that refers to itself (it does not descend into the instance, so depth never grows)."""
    nested: Any = LARGE
    for depth in range(1, 5):
        nested = {"anyOf": [nested]}
        assert (1000 in candidates(nested)) is (depth <= 3), depth


def test_the_candidates_of_one_schema_are_a_bounded_few() -> None:
    """Each candidate costs a validation of the whole schema: an enum of 100 values gives at most
    MAX_PER_NODE of them, in order."""
    assert candidates({"enum": list(range(100))}) == list(range(MAX_PER_NODE))


def test_a_valid_base_is_looked_for_among_the_first_twelve_candidates_only() -> None:
    """Arrays and objects are built from a value the schema accepts, found by validating the
    candidates in order; each validation is counted against the search's work, so only the first
    twelve are tried (two valid ones are enough). 100 is moved first; 101, thirteenth, is not."""
    node = Side.build("old", {"type": "integer", "minimum": 100}, None).root_node()
    invalid = [f"s{i}" for i in range(11)]
    values = invalid[:3] + [100] + invalid[3:] + [101]
    gen = Candidates()
    assert gen.valid_first([node], values) == [100, *invalid, 101]
    assert SEARCH_WORK - gen.work == 12


@pytest.mark.parametrize(("schema", "near"), [({"type": "integer", "exclusiveMinimum": 5}, {5, 6, 7}),
                                              ({"type": "integer", "exclusiveMaximum": 10}, {8, 9, 10})],
                         ids=["lower", "upper"])
def test_the_candidates_of_a_bounded_integer_are_the_bound_and_both_its_neighbours(
        schema: dict[str, Any], near: set[int]) -> None:
    """The first integer inside an exclusive bound, the one outside it and the next inside: where a
    bound moved by one, one of the three tells the schemas apart."""
    assert near <= set(candidates(schema))


def test_the_candidates_of_a_string_include_a_sample_of_its_format_and_the_lengths_at_its_bounds() -> None:
    found = candidates({"type": "string", "format": "email", "minLength": 2, "maxLength": 4})
    assert "a@example.com" in found
    assert {1, 2, 4, 5} <= {len(s) for s in found if isinstance(s, str)}


def test_the_candidates_of_an_array_include_long_arrays_of_a_valid_item() -> None:
    """Against a maxItems: 1, 2, 3, 6 and 11 items, each one the items schema accepts."""
    found = candidates({"type": "array", "items": {"type": "integer", "minimum": 5}})
    lengths = {len(c) for c in found if c and all(isinstance(v, int) and v >= 5 for v in c)}
    assert {1, 2, 3, 6, 11} <= lengths


def test_the_candidates_of_an_object_include_it_without_each_of_its_properties() -> None:
    """Against a `required` or `dependentRequired` added: every property but one."""
    found = candidates({"type": "object", "properties": {"a": {"const": 1}, "b": {"const": 2}, "c": {"const": 3}}})
    assert all(o in found for o in ({"b": 2, "c": 3}, {"a": 1, "c": 3}, {"a": 1, "b": 2}))


@pytest.mark.parametrize("schema", [{"type": "object", "additionalProperties": {"$ref": "#"}},
                                    {"type": "object", "properties": {"a": {"$ref": "#"}}},
                                    {"type": "array", "items": {"$ref": "#"}}],
                         ids=["additionalProperties", "properties", "items"])
def test_a_schema_nested_in_itself_gets_one_candidate_set_per_level_down_to_the_depth_bound(
        schema: dict[str, Any]) -> None:
    """A property, an item, an additional property: each is a level further into the instance, and
    the search ends below MAX_DEPTH. The schema is the same at every level, so levels 0 to
    MAX_DEPTH + 1 are one candidate set each (a search that did not count levels down would recurse
    until the interpreter's limit, or spend the pair's whole work on one schema)."""
    gen = Candidates()
    assert gen.of([Side.build("old", schema, None).root_node()])
    assert sorted(depth for _, depth, _ in gen.memo) == list(range(MAX_DEPTH + 2))
