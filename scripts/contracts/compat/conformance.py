"""Scoring `diff` on the public labelled corpora in `../shared/compat-corpora` (see its README).

A case is two verdicts (backward, forward). A *missed breaking change* is a verdict the checker
calls compatible while the label says it is not; it must never happen, except where the label is
a known error (listed, with the reason, by the caller). A *false alarm* is the reverse: sound but
incomplete, and each one is checked for a validator-confirmed witness, which proves the label wrong.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import diff
from .context import SchemaError, Side, Undecidable

DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "shared" / "compat-corpora"
# The one commented list of label errors lives with the conformance test.
LABEL_ERRORS_FILE = Path(__file__).resolve().parents[3] / "tests" / "test_compat_corpora.py"
APICURIO_BITS = {"backward": (True, False), "forward": (False, True), "both": (True, True), "none": (False, False)}


@dataclass
class Case:
    """One labelled pair: `backward`/`forward` are the labels; `examples` are upstream witnesses."""

    id: str
    old: Any
    new: Any
    backward: bool
    forward: bool
    examples: dict[str, list[Any]] = field(default_factory=dict)


def load(corpus: str | Path, root: Path = DEFAULT_ROOT) -> list[Case]:
    """The cases of `apicurio` or `jsoncompat` (a name under `root`, or a path to the corpus folder)."""
    path = Path(corpus)
    if not path.exists():
        path = root / str(corpus)
    if (path / "compatibility-test-data.json").is_file():
        tests = json.loads((path / "compatibility-test-data.json").read_text())["tests"]
        return [Case(f"{i}:{t['id']}", t["original"], t["updated"], *APICURIO_BITS[t["compatibility"]])
                for i, t in enumerate(tests) if t.get("enabled", True)]
    cases_dir = path / "backcompat" if (path / "backcompat").is_dir() else path
    cases = []
    for case in sorted(p for p in cases_dir.iterdir() if (p / "expect.json").is_file()):
        expect = json.loads((case / "expect.json").read_text())
        examples_file = case / "examples.json"
        examples = json.loads(examples_file.read_text()) if examples_file.is_file() else {}
        cases.append(Case(case.name, json.loads((case / "old.json").read_text()),
                          json.loads((case / "new.json").read_text()),
                          bool(expect["deserializer"]), bool(expect["serializer"]), examples))
    return cases


def upstream_witnesses(case: Case) -> dict[str, list[Any]]:
    """Upstream example instances that the real validators confirm break a direction."""
    old, new = Side.build("old", case.old, None), Side.build("new", case.new, None)
    out: dict[str, list[Any]] = {"backward": [], "forward": []}
    for key, direction, accepting, rejecting in (("old_only", "backward", old, new), ("new_only", "forward", new, old)):
        for value in case.examples.get(key, []):
            try:
                if accepting.accepts_root(value) and not rejecting.accepts_root(value):
                    out[direction].append(value)
            except Undecidable:
                continue
    return out


def listed_label_errors(corpus: str) -> dict[str, str]:
    """The known label errors of one corpus ("case-id/direction" -> reason), from the test's list."""
    if not LABEL_ERRORS_FILE.is_file():
        return {}
    table = runpy.run_path(str(LABEL_ERRORS_FILE)).get("KNOWN_LABEL_ERRORS", {})
    prefix = f"{corpus}/"
    return {k[len(prefix):]: v for k, v in table.items() if k.startswith(prefix)}


def score(corpus: str | Path, known_label_errors: dict[str, str] | None = None,
          root: Path = DEFAULT_ROOT) -> dict[str, Any]:
    """Accuracy of `diff` on one corpus, per verdict, with every disagreement itemised.

    `known_label_errors` maps "case-id/direction" to why its label is wrong (default: the list in
    tests/test_compat_corpora.py); a missed break on such a verdict is a label error, not a miss.
    """
    known = known_label_errors if known_label_errors is not None else listed_label_errors(Path(corpus).name)
    verdicts = correct = 0
    missed: list[dict[str, Any]] = []
    label_errors: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    cases = load(corpus, root)
    for case in cases:
        try:
            report = diff(case.old, case.new)
            upstream = upstream_witnesses(case)
        except SchemaError as exc:
            errors.append({"case": case.id, "error": str(exc)})
            continue
        for direction in ("backward", "forward"):
            verdicts += 1
            said, label = getattr(report, direction), getattr(case, direction)
            ident = f"{case.id}/{direction}"
            witnesses = [c.witness for c in report.changes if c.has_witness and direction in c.breaks]
            witnesses += upstream[direction]
            entry = {"case": ident, "label": label, "checker": said, "witnesses": witnesses[:1]}
            if said and upstream[direction]:
                missed.append({**entry, "why": "an upstream example refutes the checker's proof"})
            elif said == label:
                correct += 1
            elif said:
                (label_errors if ident in known else missed).append({**entry, "why": known.get(ident, "")})
            else:
                false_alarms.append({**entry, "label_refuted": bool(witnesses)})
    return {
        "corpus": str(corpus),
        "cases": len(cases),
        "verdicts": verdicts,
        "correct": correct,
        "accuracy": correct / verdicts if verdicts else 0.0,
        # Against the labels once corrected: listed label errors and labels a witness refutes.
        "accuracy_corrected": (correct + len(label_errors) + sum(1 for f in false_alarms if f["label_refuted"]))
        / verdicts if verdicts else 0.0,
        "missed_breaking": missed,
        "known_label_errors": label_errors,
        "false_alarms": false_alarms,
        "errors": errors,
    }


def summary(result: dict[str, Any]) -> str:
    """One line per corpus for `make conformance`: accuracy and the count that must stay zero."""
    return (f"{result['corpus']}: {result['correct']}/{result['verdicts']} verdicts agree with the labels "
            f"({result['accuracy']:.1%}; {result['accuracy_corrected']:.1%} against corrected labels); "
            f"missed breaking changes: {len(result['missed_breaking'])}; "
            f"known label errors: {len(result['known_label_errors'])}; "
            f"incompatible where the label says compatible: {len(result['false_alarms'])}")


if __name__ == "__main__":
    for name in ("apicurio", "jsoncompat"):
        print(summary(score(name)))
