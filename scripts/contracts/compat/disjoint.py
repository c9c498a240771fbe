"""Disjointness: proving no instance satisfies two schemas (for `not`, `oneOf` and `if`)."""

from __future__ import annotations

from typing import Any

from . import regular
from .base import ProverAPI
from .context import Node, Undecidable
from .facts import Facts, RegexUnsupported, int_lower, int_upper
from .finite import finite_values
from .normalise import intersect_kinds

MAX_DISJOINT_DEPTH = 12


class Disjointness(ProverAPI):
    """Proofs that two conjunctions share no instance (sound, incomplete: False when unsure)."""

    disjoint_depth = 0

    def disjoint(self, left: list[Node], right: list[Node], depth: int) -> bool:
        """True only when no instance satisfies both conjunctions."""
        self.tick()
        if self.disjoint_depth > MAX_DISJOINT_DEPTH:
            return False
        self.disjoint_depth += 1
        try:
            return self._disjoint(left, right, depth)
        except RegexUnsupported:
            return False
        finally:
            self.disjoint_depth -= 1

    def _disjoint(self, left: list[Node], right: list[Node], depth: int) -> bool:
        a, b = self.flatten(left), self.flatten(right)
        if a is None or b is None:
            return True
        for x, y in ((a, b), (b, a)):
            cases = self.distribute(x)
            if cases is not None:
                return all(self.disjoint(case, y, depth) for case in cases)
        fa, fb = Facts(a), Facts(b)
        common = intersect_kinds(fa.kinds, fb.kinds)
        if not common:
            return True
        for x, fx, y in ((a, fa, b), (b, fb, a)):
            values = finite_values(fx)
            if values is not None:
                try:
                    if not any(all(n.accepts(v) for n in x) and all(n.accepts(v) for n in y) for v in values):
                        return True
                except Undecidable:
                    pass
            for node, kw in zip(x, fx.kws):
                if "not" in kw and self.proved(y, node.child(kw["not"], "not"), depth):
                    return True
        return all(self.disjoint_kind(k, fa, fb, depth) for k in common)

    def disjoint_kind(self, kind: str, fa: Facts, fb: Facts, depth: int) -> bool:
        if kind in ("integer", "number"):
            def below(hi: Any, lo: Any) -> bool:
                if hi is None or lo is None:
                    return False
                if kind == "integer":
                    return int_upper(hi) < int_lower(lo)
                return bool(hi[0] < lo[0] or (hi[0] == lo[0] and (hi[1] or lo[1])))
            return below(fa.upper, fb.lower) or below(fb.upper, fa.lower)
        if kind == "string":
            if (fa.max_length is not None and fa.max_length < fb.min_length) or (
                    fb.max_length is not None and fb.max_length < fa.min_length):
                return True
            if not (fa.values_of("pattern") or fb.values_of("pattern")):
                return False
            try:  # no string matches both sides' patterns within both sides' lengths
                return regular.counterexample(fa.string_automata() + fb.string_automata(), None) is None
            except regular.Unprovable:
                return False
        if kind == "array":
            if (fa.max_items is not None and fa.max_items < fb.min_items) or (
                    fb.max_items is not None and fb.max_items < fa.min_items):
                return True
            for i in range(min(max(fa.min_items, fb.min_items), 8)):
                if self.disjoint(fa.item_nodes(i) or [self.true_like(fa.nodes[0])],
                                 fb.item_nodes(i) or [self.true_like(fb.nodes[0])], depth + 1):
                    return True
            return False
        if kind == "object":
            if (fa.max_properties is not None and fa.max_properties < fb.min_properties) or (
                    fb.max_properties is not None and fb.max_properties < fa.min_properties):
                return True
            for name in sorted(fa.required | fb.required):
                if not fa.possible(name) or not fb.possible(name):
                    return True
                pa, pb = fa.property_nodes(name), fb.property_nodes(name)
                if pa and pb and self.disjoint(pa, pb, depth + 1):
                    return True
            return False
        return False

