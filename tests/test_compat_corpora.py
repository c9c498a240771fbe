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
from jsonschema import Draft7Validator, Draft202012Validator

from contracts.compat.conformance import load, score

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
    # `format` is treated as possibly asserted (some consumers enable format assertion).
    "jsoncompat/format_annotation_changed/backward": "format changed (email -> uuid)",
    "jsoncompat/format_annotation_changed/forward": "format changed (email -> uuid)",
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
    draft7 = isinstance(schema, dict) and "draft-07" in str(schema.get("$schema", ""))
    return (Draft7Validator if draft7 else Draft202012Validator)(schema)


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
    case, _ = _case(key)
    samples = [None, True, False, 0, 1, -1, 0.5, "", "a", "a" * 7, "a" * 12, "3.141592653589793238462643383279",
               [], ["3.141592653589793238462643383279"], {}, {"a": 1}, {"case": "lower", "data": "ABC"},
               {"case": "lowerCase", "data": "ABC"}, {"case": "upper", "data": "abc"}, {"data": "A1"}]
    old, new = _validator(case.old), _validator(case.new)
    for instance in samples:
        assert old.is_valid(instance) == new.is_valid(instance), instance
