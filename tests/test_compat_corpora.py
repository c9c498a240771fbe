"""`contracts.compat.diff` scored on the public corpora kept in tests/data/compat-corpora (see its
README): part of every `make test`, which prints both accuracies in its summary.

Zero missed breaking changes on either corpus: the checker never says "compatible" where the label,
once corrected, says otherwise. The corrections and the checker's known limits are data beside the
corpora (known-label-errors.json); these tests hold that list to the truth: every witness really
separates the two schemas under jsonschema, every proof survives sampling, every entry is still
needed, and every other disagreement is a listed limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from contracts.compat import diff
from contracts.compat.ecma import VALIDATORS

from contracts.compat.conformance import DEFAULT_ROOT, Case, known_lists, load, of_corpus, score, summary

pytestmark = pytest.mark.xdist_group("corpora")  # one worker scores the corpora once (module fixture)

CORPORA = Path(__file__).resolve().parent / "data" / "compat-corpora"
KNOWN = known_lists(CORPORA)


def test_make_conformance_reads_the_copy_in_the_repository() -> None:
    assert DEFAULT_ROOT == CORPORA
    for corpus in ("apicurio", "jsoncompat"):
        assert (CORPORA / corpus / "LICENSE").is_file() and (CORPORA / corpus / "PROVENANCE.md").is_file()


@pytest.fixture(scope="module", params=["apicurio", "jsoncompat"])
def scored(request: pytest.FixtureRequest) -> dict[str, Any]:
    result = score(request.param, root=CORPORA)
    result["name"] = request.param
    return result


def test_no_missed_breaking_change(scored: dict[str, Any], record_property: Any) -> None:
    # conftest.py prints this line in make test's summary, from every worker.
    record_property("conformance", summary(scored))
    assert scored["cases"] > 60 and scored["errors"] == []
    assert scored["missed_breaking"] == [], "the checker said compatible where the corrected label says not"


def test_every_listed_label_error_is_still_a_disagreement(scored: dict[str, Any]) -> None:
    """An entry the checker now agrees with the published label on is stale: remove it."""
    listed = set(of_corpus(KNOWN["label_errors"], scored["name"]))
    assert {e["case"] for e in scored["known_label_errors"]} == listed


def test_every_false_alarm_is_a_listed_limit(scored: dict[str, Any]) -> None:
    """A checker improvement or regression shows up here: update known-label-errors.json, with the reason."""
    assert {e["case"] for e in scored["false_alarms"]} == set(of_corpus(KNOWN["cannot_prove"], scored["name"]))
    # A limit is not a label error in disguise: had the checker found a witness, the label is wrong.
    assert [e["case"] for e in scored["false_alarms"] if e["label_refuted"]] == []


def _case(key: str) -> tuple[Case, str]:
    corpus, rest = key.split("/", 1)
    case_id, direction = rest.rsplit("/", 1)
    (case,) = [c for c in load(corpus, CORPORA) if c.id == case_id]
    return case, direction


def _validator(schema: Any) -> Any:
    """jsonschema, with patterns matched as ECMA-262 says (as contracts diff's own validators do)."""
    dialect = str(schema.get("$schema", "")) if isinstance(schema, dict) else ""
    if "draft-04" in dialect:
        return Draft4Validator(schema)
    return VALIDATORS["draft7" if "draft-07" in dialect else "2020-12"](schema)


@pytest.mark.parametrize("key", sorted(KNOWN["label_errors"]))
def test_each_label_error_is_shown(key: str) -> None:
    """Every entry holds the label as published, and a witness jsonschema confirms or a proof."""
    entry = KNOWN["label_errors"][key]
    case, direction = _case(key)
    assert getattr(case, direction) is entry["published"] and entry["corrected"] is not entry["published"]
    if "witness" in entry:
        # backward breaks when old accepts what new rejects; forward, the reverse.
        assert entry["corrected"] is False, "a witness can only show a break"
        accepting, rejecting = (case.old, case.new) if direction == "backward" else (case.new, case.old)
        assert _validator(accepting).is_valid(entry["witness"])
        assert not _validator(rejecting).is_valid(entry["witness"])
    else:
        assert entry["proof"] and entry["corrected"] is True
        samples = [None, True, False, 0, 1, -1, 0.5, "", "a", "a" * 7, "a" * 12, "3.141592653589793238462643383279",
                   [], ["3.141592653589793238462643383279"], {}, {"a": 1}, {"case": "lower", "data": "ABC"},
                   {"case": "lowerCase", "data": "ABC"}, {"case": "upper", "data": "abc"}, {"data": "A1"}]
        samples += [{"\u0003": 1}, {"\u0003": "x"}, "2024-01-01", "2024-01-01T00:00:00Z", "ABC", "abc1", "not an email"]
        old, new = _validator(case.old), _validator(case.new)
        accepting, including = (old, new) if direction == "backward" else (new, old)
        for instance in samples:  # the direction the label denies: whatever one accepts, the other does
            assert not accepting.is_valid(instance) or including.is_valid(instance), instance


@pytest.mark.parametrize("key", sorted(k for k, e in KNOWN["label_errors"].items() if "--format-assertion" in e.get("proof", "")))
def test_format_labels_hold_when_asserted(key: str) -> None:
    """With `format` asserted, as these labels read it, the checker agrees with them."""
    case, direction = _case(key)
    report = diff(case.old, case.new, format_assertion=True)
    assert getattr(report, direction) is getattr(case, direction) is False
