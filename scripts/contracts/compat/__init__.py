"""Compatibility of two JSON Schemas, proved or refuted, never guessed.

`diff(old, new)` answers two questions. Backward: is every instance valid under OLD valid under
NEW (readers on the new schema accept old data)? Forward: is every instance valid under NEW valid
under OLD (readers still on the old schema accept new data)? "Compatible" is only answered with a
proof; anything the checker cannot prove (two different regular expressions, a keyword it does not
model) is reported as a `cannot-prove` change, so a breaking change is never missed.

Modules: `context` (documents, dialects, offline `$ref` resolution), `normalise` (what a schema
asserts), `facts` (a conjunction's merged constraints), `finite` (listing small instance sets),
`subschema` (the prover) with its rules in `scalars`, `arrays`, `objects` and `disjoint` (sharing
`base`), `witness` (validator-confirmed counterexamples), `report` (output), `conformance`
(scoring on the public corpora).
"""

from __future__ import annotations

import json
import math
from typing import Any

from referencing import Registry

from . import regular
from .context import SchemaError, Side
from .report import Change, Report, merge
from .same import same_assertions
from .subschema import Failure, Prover
from .witness import WitnessFinder

__all__ = ["Change", "Report", "SchemaError", "diff", "equivalent"]

# Time per direction (backward, forward), so a pair of schemas up to 1 MB is judged within 10 s:
# a proof not done by then is "cannot prove" with that reason, and a witness not found is not shown.
# Only for a large pair: a clock makes the answer depend on the machine's load, and the answers
# on the repository's schemas are written into generated docs that must come out the same each
# time. Below LARGE_BYTES the step budgets alone bound the work.
PROOF_SECONDS = 1.75
WITNESS_SECONDS = 0.5
LARGE_BYTES = 200_000


def diff(old: Any, new: Any, *, registry: Registry[Any] | None = None,
         new_registry: Registry[Any] | None = None, default_dialect: str = "2020-12",
         format_assertion: bool = False) -> Report:
    """Compare two schemas (dicts or booleans) and report every change that breaks compatibility.

    `registry` holds the schemas that `$ref`s may point to (e.g. the repository's catalogue);
    anything else is refused, never fetched. `new_registry`, when given, is used for NEW instead
    (e.g. OLD's references resolved at a git ref, NEW's in the working tree). Raises `SchemaError`
    for input that cannot be compared (invalid schema, unknown dialect, unresolvable reference).
    `default_dialect` ("2020-12" or "draft7") is the dialect of a schema without `$schema`.
    `format_assertion` makes `format` an assertion for the prover and the witness validators alike
    (by default it is an annotation, as in the repository's validators).
    """
    old_side = Side.build("old", old, registry, default_dialect, format_assertion)
    new_side = Side.build("new", new, new_registry if new_registry is not None else registry, default_dialect,
                          format_assertion)
    if same_assertions(old_side.root_node(), new_side.root_node()):
        return Report(backward=True, forward=True)  # annotations changed, or nothing: no search needed
    # One budget for every pattern question of this diff (both directions, proofs and witnesses):
    # the prover's step budget counts subschema pairs, not the work each pattern question does.
    with regular.budget():
        return _compare(old, new, old_side, new_side)


def _compare(old: Any, new: Any, old_side: Side, new_side: Side) -> Report:
    """Both directions of a pair that does not assert the same: proofs, then witnesses."""
    changes: list[Change] = []
    verdicts = {}
    large = _size(old) + _size(new) > LARGE_BYTES
    proof_seconds, witness_seconds = (PROOF_SECONDS, WITNESS_SECONDS) if large else (math.inf, math.inf)
    for direction, left, right in (("backward", old_side, new_side), ("forward", new_side, old_side)):
        failures = Prover(seconds=proof_seconds).includes([left.root_node()], right.root_node())
        finder = WitnessFinder(left, right, seconds=witness_seconds)
        if not failures:
            # Belt and braces: a proof the validators refute is a checker bug, never a pass.
            refuted, _ = finder.search_root()
            if refuted:
                failures = [Failure(("checker-inconsistency", "checker-inconsistency"), "", "",
                                    "the prover found no break but the validators disagree", ())]
        verdicts[direction] = not failures
        reported = [_change(failure, direction, left, right, finder, len(failures) == 1) for failure in failures]
        if reported and not any(c.has_witness for c in reported):
            # No change has a witness of its own: one for the whole pair still shows the break.
            ok, witness = finder.search_root()
            if ok:
                first = reported[0]
                first.witness, first.has_witness, first.witness_accepted_by = witness, True, left.name
        changes += reported
    return Report(backward=verdicts["backward"], forward=verdicts["forward"], changes=merge(changes))


def equivalent(old: Any, new: Any, *, registry: Registry[Any] | None = None, default_dialect: str = "2020-12") -> bool:
    """True only if `old` and `new` assert the same at every place (so accept the same instances);
    False may still be two equivalent schemas written differently."""
    try:
        return same_assertions(Side.build("old", old, registry, default_dialect, False).root_node(),
                               Side.build("new", new, registry, default_dialect, False).root_node())
    except SchemaError:
        return False


def _size(schema: Any) -> int:
    try:
        return len(json.dumps(schema))
    except (RecursionError, TypeError, ValueError):
        return LARGE_BYTES + 1  # too deep to write out: large enough to need the clock


def _change(failure: Failure, direction: str, left: Side, right: Side, finder: WitnessFinder,
            only: bool) -> Change:
    kind = failure.kinds[0] if direction == "backward" else failure.kinds[1]
    message = failure.message.replace("{A}", left.name).replace("{B}", right.name)
    found, witness = finder.for_failure(failure, root_fallback=only)
    return Change(
        path=failure.path if failure.path is not None else failure.b_path,
        kind=kind,
        breaks=[direction],
        message=message,
        witness=witness if found else None,
        has_witness=found,
        witness_accepted_by=left.name if found else None,
        # A property added lives in NEW, a property removed in OLD, whichever side rejected it.
        schema="new" if kind.startswith("property-added") else "old" if kind.startswith("property-removed")
        else right.name,
    )
