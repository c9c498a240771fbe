"""The compatibility prover at the boundaries of its bounds: minimum equal to maximum, off by one,
empty ranges, empty enums, exclusive and inclusive bounds meeting.

For schemas that only bound one number (a string's length, an integer, an array's or an object's
size), inclusion is arithmetic on intervals: that is the oracle here, apart from the prover. Both
the prover itself (no witness search to mask a wrong proof) and `diff` must answer it exactly, and
every witness `diff` reports must separate the schemas under jsonschema. The last tests plant
off-by-ones in a copy of the prover and show that the property catches each.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from contracts.compat import diff, scalars
from contracts.compat.context import Side
from contracts.compat.subschema import Prover
from planting import planted, property_fails

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INF = 10**9  # no upper bound

# kind -> (type, lower keyword, upper keyword): each bounds one non-negative integer of the instance.
SIZES = {
    "string": ("string", "minLength", "maxLength"),
    "array": ("array", "minItems", "maxItems"),
    "object": ("object", "minProperties", "maxProperties"),
}


@st.composite
def bounded(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], tuple[int, int]]:
    """A schema bounding one integer near 0..3, and the interval [lo, hi] it allows (lo > hi: none)."""
    if kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
        lo, hi = -INF, INF
        if draw(st.booleans()):
            bound = draw(st.integers(-1, 3))
            exclusive = draw(st.booleans())
            schema["exclusiveMinimum" if exclusive else "minimum"] = bound
            lo = bound + 1 if exclusive else bound
        if draw(st.booleans()):
            bound = draw(st.integers(-1, 3))
            exclusive = draw(st.booleans())
            schema["exclusiveMaximum" if exclusive else "maximum"] = bound
            hi = bound - 1 if exclusive else bound
        return schema, (lo, hi)
    type_, low_kw, high_kw = SIZES[kind]
    schema = {"type": type_}
    lo, hi = 0, INF
    if draw(st.booleans()):
        lo = schema[low_kw] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        hi = schema[high_kw] = draw(st.integers(max(0, lo - 1), lo + 2) if lo else st.integers(0, 3))
    return schema, (lo, hi)


def included(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Is every integer of interval a in interval b? (An empty a is in everything.)"""
    return a[0] > a[1] or (b[0] <= a[0] and a[1] <= b[1])


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], bool, bool]:
    kind = draw(st.sampled_from(["string", "array", "object", "integer"]))
    (old, a), (new, b) = draw(bounded(kind)), draw(bounded(kind))
    # Both empty, or one type with nothing in it against another: inclusion still holds both ways.
    return old, new, included(a, b), included(b, a)


@st.composite
def enum_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], bool, bool]:
    """enum lists, empty included, with values that differ only by type or by one."""
    values = st.lists(st.sampled_from([0, 1, 2, "0", "1", None, True]), max_size=3, unique_by=lambda v: (type(v), v))
    old, new = draw(values), draw(values)

    def key(v: Any) -> tuple[str, Any]:
        return type(v).__name__, v

    a, b = {key(v) for v in old}, {key(v) for v in new}
    return {"enum": old}, {"enum": new}, a <= b, b <= a


def proves(old: Any, new: Any) -> tuple[bool, bool]:
    """The prover alone: (old ⊆ new, new ⊆ old), with no witness search behind it."""
    left, right = Side.build("old", old, None), Side.build("new", new, None)
    return (not Prover().includes([left.root_node()], right.root_node()),
            not Prover().includes([right.root_node()], left.root_node()))


def answers_the_oracle(old: Any, new: Any, backward: bool, forward: bool) -> None:
    assert proves(old, new) == (backward, forward), "the prover"
    report = diff(old, new)
    assert (report.backward, report.forward) == (backward, forward), "diff"
    for change in report.changes:
        if change.has_witness:
            accepting, rejecting = (old, new) if change.witness_accepted_by == "old" else (new, old)
            assert Draft202012Validator(accepting).is_valid(change.witness), change
            assert not Draft202012Validator(rejecting).is_valid(change.witness), change


@SETTINGS
@given(pairs())
def test_bounds_are_judged_as_intervals(pair: tuple[dict[str, Any], dict[str, Any], bool, bool]) -> None:
    answers_the_oracle(*pair)


@SETTINGS
@given(enum_pairs())
def test_enums_are_judged_as_sets(pair: tuple[dict[str, Any], dict[str, Any], bool, bool]) -> None:
    answers_the_oracle(*pair)


@pytest.mark.parametrize("kind", sorted(SIZES))
def test_equal_bounds_and_off_by_one_by_hand(kind: str) -> None:
    type_, low, high = SIZES[kind]
    exact = {"type": type_, low: 2, high: 2}
    answers_the_oracle(exact, {"type": type_, low: 2}, True, False)
    answers_the_oracle(exact, {"type": type_, low: 3}, False, False)
    answers_the_oracle(exact, {"type": type_, high: 1}, False, False)
    answers_the_oracle({"type": type_, low: 3, high: 2}, {"type": type_, low: 5, high: 4}, True, True)


# -- planted bugs: the property must catch each -------------------------------------------------


def catches() -> bool:
    return property_fails(pairs(), lambda pair: answers_the_oracle(*pair), examples=200)


@pytest.mark.parametrize("old, new", [
    ("facts.min_length < low", "facts.min_length + 1 < low"),  # issue 14's planted bug
    # (`<=` here is equivalent since the regular-language proof: at equal lengths it proves inclusion.)
    ("facts.max_length > high", "facts.max_length > high + 1"),
])
def test_the_property_catches_a_length_off_by_one(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    monkeypatch.setattr(scalars.ScalarRules, "strings", planted(scalars, scalars.ScalarRules, "strings", old, new))
    assert catches()


def test_the_property_passes_on_the_prover_as_it_is() -> None:
    assert not catches()


# -- disjoint branches: oneOf is anyOf exactly when no instance matches two branches -------------


@st.composite
def ranges(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], tuple[Fraction, bool, Fraction, bool]]:
    """A numeric range meeting its neighbours at -1..2, each end open or closed (or absent)."""
    schema: dict[str, Any] = {"type": kind}
    lo, lo_open, hi, hi_open = Fraction(-INF), False, Fraction(INF), False
    if draw(st.booleans()):
        lo, lo_open = Fraction(draw(st.integers(-1, 2))), draw(st.booleans())
        schema["exclusiveMinimum" if lo_open else "minimum"] = int(lo)
    if draw(st.booleans()):
        hi, hi_open = Fraction(draw(st.integers(-1, 2))), draw(st.booleans())
        schema["exclusiveMaximum" if hi_open else "maximum"] = int(hi)
    return schema, (lo, lo_open, hi, hi_open)


def meet(kind: str, a: tuple[Fraction, bool, Fraction, bool], b: tuple[Fraction, bool, Fraction, bool]) -> bool:
    """Is some number (an integer, for kind integer) inside both ranges?"""
    lo = max((a[0], a[1]), (b[0], b[1]))  # the higher lower bound; open beats closed at the same value
    hi = min((a[2], not a[3]), (b[2], not b[3]))  # the lower upper bound; open beats closed
    (low, low_open), (high, high_closed) = lo, hi
    if kind == "integer":
        first = low + 1 if low_open else low  # bounds are integers here
        last = high if high_closed else high - 1
        return first <= last
    return low < high or (low == high and not low_open and high_closed)


@SETTINGS
@given(st.sampled_from(["integer", "number"]).flatmap(lambda k: st.tuples(st.just(k), ranges(k), ranges(k))))
def test_one_of_equals_any_of_exactly_when_the_branches_are_disjoint(drawn: Any) -> None:
    kind, (a, bounds_a), (b, bounds_b) = drawn
    one, any_ = {"oneOf": [a, b]}, {"anyOf": [a, b]}
    answers_the_oracle(one, any_, True, not meet(kind, bounds_a, bounds_b))
