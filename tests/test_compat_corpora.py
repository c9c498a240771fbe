"""`contracts.compat.diff` scored on the public corpora in ../shared/compat-corpora (see its README).

Zero missed breaking changes on either corpus: the checker never says "compatible" where the label
says otherwise, except where the label is provably wrong (listed below with the reason). Every other
disagreement is listed too: labels a validator-checked witness refutes, and verdicts where the checker
is sound but not complete (it says "incompatible" because it cannot prove the inclusion).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from contracts.compat import diff
from contracts.compat.conformance import load, score
from contracts.compat.ecma import VALIDATORS

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "compat-corpora"
pytestmark = pytest.mark.skipif(not CORPORA.is_dir(),
                                reason=f"the public compatibility corpora are not beside the repository ({CORPORA})")

# Labels that say "incompatible" where the two schemas provably accept the same instances
# (so the checker's "compatible" is right). Key: corpus/case-id/direction.
KNOWN_LABEL_ERRORS: dict[str, str] = {
    # Both schemas are {"type": "string", "const": [<an array>]}: no string equals an array, so neither
    # schema accepts any instance, and two empty sets include each other.
    "apicurio/96:Const/backward": "both schemas accept nothing (type string, const is an array)",
    "apicurio/96:Const/forward": "both schemas accept nothing (type string, const is an array)",
    # anyOf [string, {maxLength: 5}] vs anyOf [string, {maxLength: 10}]: a string matches the first
    # branch, anything else the second (maxLength only constrains strings): both accept everything.
    "apicurio/108:Complex: anyOf 1/forward": "both schemas accept every instance",
    # The `if` changes from case in [lower] to case in [lower, lowerCase], but `properties` already
    # limits case to lower/upper, where both conditions agree (lower or absent: then; upper: else).
    "apicurio/124:Conditional: if/forward": "the two `if`s agree on every value `properties` allows",
    # `[a-z]*` matches the empty string, and a pattern is searched, not anchored: it finds a match
    # in every string, so it accepts what no pattern accepts (the automata prove it; so does "").
    "apicurio/10:String: pattern 1/forward": "pattern `[a-z]*` matches every string (searched, empty match)",
    "apicurio/11:String: pattern 2/backward": "`[a-z]*` and `[A-Z]*` both match every string",
    "apicurio/11:String: pattern 2/forward": "`[a-z]*` and `[A-Z]*` both match every string",
    "apicurio/124:Conditional: if/backward": "the then/else patterns `[a-z]*`, `[A-Z]*` match every string",
    "apicurio/125:Conditional: then/forward": "the then pattern `[a-z]*` matches every string",
    "apicurio/126:Conditional: else/forward": "the else pattern `[A-Z]*` matches every string",
    # The label reads `format` as asserted; the repository's validators (and so `contracts diff` by
    # default) read it as an annotation, under which both accept every string. With
    # --format-assertion the checker agrees with these labels (test_format_labels_hold_when_asserted).
    "apicurio/13:String: format 1/forward": "format is an annotation unless --format-assertion",
    "apicurio/14:String: format 2/backward": "format is an annotation unless --format-assertion",
    "apicurio/14:String: format 2/forward": "format is an annotation unless --format-assertion",
    # NEW allows only the key "\u0003" (ECMA-262's `\cC`), with integer values; OLD allows every key
    # but a non-string `x`: every NEW instance is an OLD instance. (The case's name says its source
    # checker does not support this pattern; the automata here read `\cC` as ECMA-262 does.)
    "jsoncompat/unsupported_subset_pattern_properties_additional_fallback/forward":
        "NEW's only key is U+0003 with integer values, which OLD allows",
}

# Labels that say "compatible" where a concrete instance, checked below with a real validator, is
# accepted by one schema and rejected by the other: the witness wins.
LABELS_REFUTED_BY_WITNESS: dict[str, Any] = {
    # additionalProperties: true accepts {"x": "x"}; patternProperties {"^x$": integer} rejects it.
    "jsoncompat/pattern_properties_fall_back_to_additional_properties/backward": {"x": "x"},
    # oneOf [string, {maxLength: 5}] accepts a 7-character string (only the first branch matches);
    # oneOf [string, {maxLength: 10}] rejects it (both branches match).
    "apicurio/117:Complex: oneOf 1/backward": "aaaaaaa",
    # oneOf [string] accepts ""; oneOf [string, {maxLength: 5}] rejects it (both branches match).
    "apicurio/119:Complex: oneOf 3/backward": "",
}

# Sound but incomplete: the checker says "incompatible" because it cannot prove inclusion, and no
# witness shows the label wrong. Each is a deliberate limit, not a miss.
CANNOT_PROVE: dict[str, str] = {
    # propertyNames {$ref: Name} where Name = allOf [{$ref: Name}, string]: a reference cycle that never
    # descends into the instance is not given a meaning.
    "jsoncompat/dependent_required_recursive_property_names/backward": "unguarded recursive $ref",
}


def _entries(table: dict[str, Any], corpus: str) -> dict[str, Any]:
    prefix = corpus + "/"
    return {k[len(prefix):]: v for k, v in table.items() if k.startswith(prefix)}


@pytest.fixture(scope="module", params=["apicurio", "jsoncompat"])
def scored(request: pytest.FixtureRequest) -> dict[str, Any]:
    corpus = request.param
    result = score(corpus, _entries(KNOWN_LABEL_ERRORS, corpus), root=CORPORA)
    result["name"] = corpus
    print(f"\n{corpus}: {result['correct']}/{result['verdicts']} verdicts agree with the labels "
          f"({result['accuracy']:.1%}); missed breaking changes: {len(result['missed_breaking'])}")
    return result


def test_no_missed_breaking_change(scored: dict[str, Any]) -> None:
    assert scored["errors"] == []
    assert scored["missed_breaking"] == [], "the checker said compatible where the label says not"


def test_every_listed_label_error_is_still_a_disagreement(scored: dict[str, Any]) -> None:
    listed = set(_entries(KNOWN_LABEL_ERRORS, scored["name"]))
    assert {e["case"] for e in scored["known_label_errors"]} == listed


def test_every_false_alarm_is_listed(scored: dict[str, Any]) -> None:
    """A checker improvement or regression shows up here: update the lists with the reason."""
    refuted = set(_entries(LABELS_REFUTED_BY_WITNESS, scored["name"]))
    incomplete = set(_entries(CANNOT_PROVE, scored["name"]))
    assert {e["case"] for e in scored["false_alarms"]} == refuted | incomplete


def _case(key: str) -> tuple[Any, str]:
    corpus, rest = key.split("/", 1)
    case_id, direction = rest.rsplit("/", 1)
    (case,) = [c for c in load(corpus, CORPORA) if c.id == case_id]
    return case, direction


def _validator(schema: Any) -> Any:
    # jsonschema, with patterns matched as ECMA-262 says (by jsonschema-rs's engine or the automata)
    draft7 = isinstance(schema, dict) and "draft-07" in str(schema.get("$schema", ""))
    return VALIDATORS["draft7" if draft7 else "2020-12"](schema)


@pytest.mark.parametrize("key", sorted(LABELS_REFUTED_BY_WITNESS))
def test_refuting_witnesses_hold(key: str) -> None:
    case, direction = _case(key)
    witness = LABELS_REFUTED_BY_WITNESS[key]
    accepting, rejecting = (case.old, case.new) if direction == "backward" else (case.new, case.old)
    assert getattr(case, direction) is True, "the label says compatible"
    assert _validator(accepting).is_valid(witness)
    assert not _validator(rejecting).is_valid(witness)


@pytest.mark.parametrize("key", sorted(KNOWN_LABEL_ERRORS))
def test_known_label_errors_have_no_witness(key: str) -> None:
    """No instance tells the two schemas apart (the reason above says why; this samples it)."""
    case, direction = _case(key)
    samples = [None, True, False, 0, 1, -1, 0.5, "", "a", "a" * 7, "a" * 12, "3.141592653589793238462643383279",
               [], ["3.141592653589793238462643383279"], {}, {"a": 1}, {"case": "lower", "data": "ABC"},
               {"case": "lowerCase", "data": "ABC"}, {"case": "upper", "data": "abc"}, {"data": "A1"},
               {"\u0003": 1}, {"\u0003": "x"}, "2024-01-01", "2024-01-01T00:00:00Z", "ABC", "abc1"]
    old, new = _validator(case.old), _validator(case.new)
    accepting, rejecting = (old, new) if direction == "backward" else (new, old)
    for instance in samples:
        assert not accepting.is_valid(instance) or rejecting.is_valid(instance), instance


@pytest.mark.parametrize("key", sorted(k for k, why in KNOWN_LABEL_ERRORS.items() if "--format-assertion" in why))
def test_format_labels_hold_when_asserted(key: str) -> None:
    """With `format` asserted, as these labels read it, the checker agrees with them."""
    case, direction = _case(key)
    report = diff(case.old, case.new, format_assertion=True)
    assert getattr(report, direction) is getattr(case, direction) is False
