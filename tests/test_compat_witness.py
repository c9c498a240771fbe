"""The witness finder's regex sampler: the short string it offers for a `pattern` must match it.

A sample that does not match costs a witness (the validators reject it, so no verdict changes),
which is why nothing caught `[^\\w]` giving "0" until these tests.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.compat.context import Side
from contracts.compat.subschema import NO_HINT, Prover
from contracts.compat.witness import sample_regex

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
