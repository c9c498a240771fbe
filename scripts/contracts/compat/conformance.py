"""Scoring `diff` on the public labelled corpora kept in `tests/data/compat-corpora` (see its README).

A case is two verdicts (backward, forward). A *missed breaking change* is a verdict the checker
calls compatible while the (corrected) label says it is not: it must never happen. Labels the
project believes wrong are data beside the corpora (`known-label-errors.json`), each with a witness
instance or a proof; accuracy is reported against the labels as published and against the labels
once those corrections are applied. A *false alarm* is the checker saying incompatible where the
label says compatible: sound but incomplete, and each one must be listed as a known limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import diff
from .context import SchemaError, Side, Undecidable

DEFAULT_ROOT = Path(__file__).resolve().parents[3] / "tests" / "data" / "compat-corpora"
KNOWN_ERRORS = "known-label-errors.json"
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


def known_lists(root: Path = DEFAULT_ROOT) -> dict[str, dict[str, Any]]:
    """`known-label-errors.json` beside the corpora: `label_errors` and `cannot_prove`, keyed
    "corpus/case-id/direction"."""
    path = root / KNOWN_ERRORS
    data = json.loads(path.read_text()) if path.is_file() else {}
    return {"label_errors": data.get("label_errors", {}), "cannot_prove": data.get("cannot_prove", {})}


def of_corpus(table: dict[str, Any], corpus: str) -> dict[str, Any]:
    """The entries of one corpus, keyed "case-id/direction"."""
    prefix = f"{corpus}/"
    return {k[len(prefix):]: v for k, v in table.items() if k.startswith(prefix)}


def score(corpus: str | Path, known_label_errors: dict[str, dict[str, Any]] | None = None,
          root: Path = DEFAULT_ROOT) -> dict[str, Any]:
    """Accuracy of `diff` on one corpus, per verdict, with every disagreement itemised.

    `known_label_errors` maps "case-id/direction" to an entry of `known-label-errors.json` (default:
    that file's entries for this corpus); its `corrected` label replaces the published one in the
    corrected accuracy and in the count of missed breaking changes.
    """
    name = Path(corpus).name
    known = known_label_errors if known_label_errors is not None else of_corpus(known_lists(root)["label_errors"], name)
    verdicts = correct = correct_corrected = 0
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
            corrected = bool(known[ident]["corrected"]) if ident in known else label
            correct += said == label
            correct_corrected += said == corrected
            witnesses = [c.witness for c in report.changes if c.has_witness and direction in c.breaks]
            witnesses += upstream[direction]
            entry = {"case": ident, "label": label, "corrected": corrected, "checker": said, "witnesses": witnesses[:1]}
            if said and (upstream[direction] or not corrected):
                why = "an upstream example refutes the checker's proof" if upstream[direction] else ""
                missed.append({**entry, "why": why})
            elif said != label and ident in known:
                label_errors.append(entry)
            elif said != label:
                false_alarms.append({**entry, "label_refuted": bool(witnesses)})
    return {
        "corpus": str(corpus),
        "cases": len(cases),
        "verdicts": verdicts,
        "correct": correct,
        "accuracy": correct / verdicts if verdicts else 0.0,
        # Only the listed corrections count: a witness the checker finds for an unlisted label is
        # a false alarm until someone checks it and lists it.
        "correct_corrected": correct_corrected,
        "accuracy_corrected": correct_corrected / verdicts if verdicts else 0.0,
        "missed_breaking": missed,
        "known_label_errors": label_errors,
        "false_alarms": false_alarms,
        "errors": errors,
    }


def summary(result: dict[str, Any]) -> str:
    """One line per corpus for `make conformance`: accuracy and the count that must stay zero."""
    return (f"{Path(result['corpus']).name}: {result['correct']}/{result['verdicts']} verdicts agree with the labels "
            f"as published ({result['accuracy']:.1%}), {result['correct_corrected']}/{result['verdicts']} with the "
            f"corrected labels ({result['accuracy_corrected']:.1%}); "
            f"missed breaking changes: {len(result['missed_breaking'])}; "
            f"known label errors: {len(result['known_label_errors'])}; "
            f"not proven where the label says compatible (known limits): {len(result['false_alarms'])}")


if __name__ == "__main__":
    print(f"corpora: {DEFAULT_ROOT}")
    for name in ("apicurio", "jsoncompat"):
        print(summary(score(name)))
