"""Keywords on the right of an inclusion that constrain one kind of value: type, enum, numbers, strings.

`base` is the entry: it checks `type` and `enum`/`const`, then hands each kind the left side may
take to its rules (arrays and objects have modules of their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import numbers, regular
from .base import NO_HINT, SAMPLES, Failure, ProverAPI, short
from .context import Node
from .facts import Facts, int_lower, int_upper, lower_of, upper_of
from .normalise import ASSERTABLE_ANNOTATIONS, enum_values, json_equal, kind_covered, type_kinds



@dataclass
class Proof:
    """The outcome of a question to the automata: proved, or a witness string, or why neither."""

    proved: bool | None
    witness: str | None = None
    reason: str = ""


def regular_proof(facts: Facts, target: Callable[[], regular.Nfa]) -> Proof:
    """Whether every string the left side accepts (its patterns and lengths) is in `target`."""
    try:
        left = facts.string_automata()
        witness = regular.counterexample(left, target())
    except regular.Unprovable as exc:
        return Proof(None, reason=str(exc))
    return Proof(True) if witness is None else Proof(False, witness)


class ScalarRules(ProverAPI):
    """Rules for `type`, `enum`/`const`, number and string keywords of the right-hand schema."""

    def base(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
             ipath: tuple[Any, ...] | None) -> list[Failure]:
        fails: list[Failure] = []
        a0, rp = left[0], right.path
        live = set(facts.kinds)
        allowed = type_kinds(kw)
        if allowed is not None:
            # Draft-04 alone calls 1.0 a number but not an integer: integer-valued floats from a
            # later draft's "integer" (or an integral multipleOf) are not proof of a draft-04 integer.
            strict_int = right.dialect == "draft4" and "number" not in allowed
            for k in sorted(facts.kinds):
                if strict_int and k == "integer" and any(n.dialect != "draft4" for n in left):
                    pass
                elif kind_covered(k, allowed) or (k == "number" and "integer" in allowed and facts.integral
                                                  and not strict_int):
                    continue
                live.discard(k)
                if k == "integer" and "integer" in allowed:
                    fails.append(Failure(("integer-required", "integer-relaxed"), a0.path, rp + "/type",
                                         "{A} accepts integer-valued numbers such as 1.0, {B} (draft-04) does not",
                                         ipath, 1.0))
                    continue
                if k == "null":
                    kinds = ("nullability-removed", "nullability-added")
                elif k in ("number", "integer") and "integer" in allowed:
                    kinds = ("integer-required", "integer-relaxed")
                else:
                    kinds = ("type-narrowed", "type-widened")
                fails.append(Failure(kinds, a0.path, rp + "/type",
                                     f"{{A}} accepts {k} values here, {{B}} accepts only {sorted(allowed)}",
                                     ipath, SAMPLES[k]))
        rvals = enum_values(kw)
        if rvals is not None and live:
            lvals = next((v for v in (enum_values(k) for k in facts.kws) if v is not None), None)
            if lvals is None or not all(any(json_equal(v, w) for w in rvals) for v in lvals):
                which = "enum" if "enum" in right.schema else "const"
                fails.append(Failure(("enum-narrowed", "enum-widened"), a0.path, f"{rp}/{which}",
                                     f"{{B}} accepts only {short(rvals)}, {{A}} accepts other values", ipath))
        if live & {"integer", "number"}:
            fails += self.numbers(facts, a0, rp, kw, ipath, "number" in live)
        if "string" in live:
            fails += self.strings(facts, a0, rp, kw, ipath, right.side.format_assertion)
        if "array" in live:
            fails += self.arrays(left, facts, right, kw, depth, ipath)
        if "object" in live:
            fails += self.objects(left, facts, right, kw, depth, ipath)
        return fails

    def numbers(self, facts: Facts, a0: Node, rp: str, kw: dict[str, Any], ipath: Any,
                fractional: bool) -> list[Failure]:
        fails = []
        integral = facts.integral or not fractional
        step = facts.step(integral)
        lo, hi = facts.lower, facts.upper
        blo, bhi = lower_of(kw), upper_of(kw)
        kinds = ("number-range-narrowed", "number-range-widened")
        if blo is not None:
            ok = lo is not None and (
                numbers.satisfies_lower(numbers.snap_lower(lo, step), blo) if step is not None
                else (lo[0] > blo[0] or (lo[0] == blo[0] and (lo[1] or not blo[1]))))
            if not ok:
                if step is not None:
                    hint = numbers.as_json(numbers.snap_upper((blo[0], not blo[1]), step))
                else:
                    hint = int_lower(blo) - 1 if integral else (blo[0] if blo[1] else blo[0] - 0.5)
                key = "exclusiveMinimum" if blo[1] else "minimum"
                fails.append(Failure(kinds, a0.path, f"{rp}/{key}",
                                     f"{{B}} requires {'>' if blo[1] else '>='} {blo[0]}, {{A}} allows lower",
                                     ipath, hint))
        if bhi is not None:
            ok = hi is not None and (
                numbers.satisfies_upper(numbers.snap_upper(hi, step), bhi) if step is not None
                else (hi[0] < bhi[0] or (hi[0] == bhi[0] and (hi[1] or not bhi[1]))))
            if not ok:
                key = "exclusiveMaximum" if bhi[1] else "maximum"
                if step is not None:
                    hint = numbers.as_json(numbers.snap_lower((bhi[0], not bhi[1]), step))
                else:
                    hint = int_upper(bhi) + 1 if integral else (bhi[0] if bhi[1] else bhi[0] + 0.5)
                fails.append(Failure(kinds, a0.path, f"{rp}/{key}",
                                     f"{{B}} requires {'<' if bhi[1] else '<='} {bhi[0]}, {{A}} allows higher",
                                     ipath, hint))
        m = kw.get("multipleOf")
        if isinstance(m, (int, float)) and not isinstance(m, bool) and m > 0:
            if not numbers.divides(m, step, facts.multiples):
                fails.append(Failure(("multiple-of-changed", "multiple-of-changed"), a0.path, f"{rp}/multipleOf",
                                     f"{{B}} requires multiples of {m}; {{A}} is not shown to", ipath))
        return fails

    def strings(self, facts: Facts, a0: Node, rp: str, kw: dict[str, Any], ipath: Any,
                format_assertion: bool) -> list[Failure]:
        fails = []
        kinds = ("string-length-narrowed", "string-length-widened")
        low = kw.get("minLength")
        if isinstance(low, int) and facts.min_length < low:
            proof = regular_proof(facts, lambda: regular.lengths(low, None))
            if proof.proved is not True:
                fails.append(Failure(kinds, a0.path, f"{rp}/minLength",
                                     f"{{B}} requires at least {low} characters, {{A}} allows fewer",
                                     ipath, proof.witness if proof.witness is not None
                                     else "" if low > 0 and facts.min_length == 0 else NO_HINT))
        high = kw.get("maxLength")
        if isinstance(high, int) and (facts.max_length is None or facts.max_length > high):
            proof = regular_proof(facts, lambda: regular.lengths(0, high))
            if proof.proved is not True:
                fails.append(Failure(kinds, a0.path, f"{rp}/maxLength",
                                     f"{{B}} allows at most {high} characters, {{A}} allows more",
                                     ipath, proof.witness if proof.witness is not None else "a" * (high + 1)))
        pattern = kw.get("pattern")
        if isinstance(pattern, str):
            mine = facts.values_of("pattern")
            proof = regular_proof(facts, lambda: regular.language(pattern)) if pattern not in mine else None
            if proof is not None and proof.proved is not True:
                kinds = ("pattern-changed", "pattern-changed") if mine else ("pattern-added", "pattern-removed")
                if proof.witness is not None:
                    why = f" ({short(proof.witness)} matches {{A}} but not {pattern!r})"
                else:
                    why = f" (cannot decide: {proof.reason})"
                fails.append(Failure(kinds, a0.path, f"{rp}/pattern",
                                     f"{{B}} requires pattern {pattern!r}; {{A}} is not shown to match it" + why,
                                     ipath, proof.witness if proof.witness is not None else NO_HINT))
        for key in ASSERTABLE_ANNOTATIONS:
            if key == "format" and not format_assertion:
                continue  # an annotation, as the validators treat it: it accepts every string
            if key in kw and kw[key] not in facts.values_of(key):
                mine = facts.values_of(key)
                kinds = (f"{key.lower()}-changed",) * 2 if mine else (f"{key.lower()}-added", f"{key.lower()}-removed")
                theirs = repr(mine[0]) if mine else "none"
                fails.append(Failure(kinds, a0.path, f"{rp}/{key}",
                                     f"{{B}} has {key} {kw[key]!r}, {{A}} {theirs}: "
                                     "a validator that asserts it rejects values the other accepts", ipath))
        return fails

