"""What a conjunction of subschemas says about each kind of value, merged into one view.

The prover compares these views: `Facts(nodes)` of the schema on the left of an inclusion
against the keywords of one schema on the right. Merging is an intersection, so a fact here is
always implied by the conjunction; keywords not read here are simply not used (which only makes
the left side larger, the sound direction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from . import ecma, implied, numbers, regular
from .context import Node
from .normalise import ALL_KINDS, enum_values, intersect_kinds, keywords, kind_of, type_kinds

Bound = tuple[float, bool]  # (value, exclusive)


class RegexUnsupported(Exception):
    """A pattern the validator's regex engine rejects: nothing can be concluded from it."""


def search(pattern: str, name: str) -> bool:
    # ECMA-262 matching, as the validators that confirm witnesses do (never a backtracking `re`).
    try:
        return ecma.search(pattern, name)
    except ecma.BadPattern as exc:
        raise RegexUnsupported(f"pattern {pattern!r}: {exc}") from None


def tighter_lower(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] or b[1])


def tighter_upper(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] or b[1])


def lower_of(kw: dict[str, Any]) -> Bound | None:
    lo: Bound | None = None
    if isinstance(kw.get("minimum"), (int, float)) and not isinstance(kw.get("minimum"), bool):
        lo = (kw["minimum"], False)
    if isinstance(kw.get("exclusiveMinimum"), (int, float)) and not isinstance(kw.get("exclusiveMinimum"), bool):
        lo = tighter_lower(lo, (kw["exclusiveMinimum"], True))
    return lo


def upper_of(kw: dict[str, Any]) -> Bound | None:
    hi: Bound | None = None
    if isinstance(kw.get("maximum"), (int, float)) and not isinstance(kw.get("maximum"), bool):
        hi = (kw["maximum"], False)
    if isinstance(kw.get("exclusiveMaximum"), (int, float)) and not isinstance(kw.get("exclusiveMaximum"), bool):
        hi = tighter_upper(hi, (kw["exclusiveMaximum"], True))
    return hi


def int_lower(lo: Bound) -> int:
    v, excl = lo
    return math.floor(v) + 1 if excl else math.ceil(v)


def int_upper(hi: Bound) -> int:
    v, excl = hi
    return math.ceil(v) - 1 if excl else math.floor(v)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass
class Facts:
    """The merged view of a conjunction of (reference- and allOf-free) nodes."""

    nodes: list[Node]

    @cached_property
    def kws(self) -> list[dict[str, Any]]:
        return [keywords(n) for n in self.nodes]

    # -- kinds -------------------------------------------------------------------------------
    @cached_property
    def kinds(self) -> frozenset[str]:
        """The kinds of value the conjunction can accept (empty: it accepts nothing)."""
        kinds = ALL_KINDS
        for kw in self.kws:
            t = type_kinds(kw)
            if t is not None:
                kinds = intersect_kinds(kinds, t)
            values = enum_values(kw)
            if values is not None:
                from_values = frozenset(kind_of(v) for v in values)
                kinds = intersect_kinds(kinds, from_values | ({"number"} if "number" in from_values else set()))
        return frozenset(k for k in kinds if not self._contradictory(k))

    def _contradictory(self, kind: str) -> bool:
        if kind in ("number", "integer"):
            lo, hi = self.lower, self.upper
            if lo and hi:
                step = self.step(kind == "integer")
                if step is not None:
                    return numbers.snap_lower(lo, step) > numbers.snap_upper(hi, step)
                return lo[0] > hi[0] or (lo[0] == hi[0] and (lo[1] or hi[1]))
        if kind == "string":
            return (self.max_length is not None and self.min_length > self.max_length) or self.strings_empty
        if kind == "array":
            return self.max_items is not None and self.min_items > self.max_items
        if kind == "object":
            return self.max_properties_declared is not None and self.min_properties > self.max_properties_declared
        return False

    # -- numbers -----------------------------------------------------------------------------
    @cached_property
    def lower(self) -> Bound | None:
        lo: Bound | None = None
        for kw in self.kws:
            lo = tighter_lower(lo, lower_of(kw))
        return lo

    @cached_property
    def upper(self) -> Bound | None:
        hi: Bound | None = None
        for kw in self.kws:
            hi = tighter_upper(hi, upper_of(kw))
        return hi

    @cached_property
    def multiples(self) -> list[float]:
        return [kw["multipleOf"] for kw in self.kws if _num(kw.get("multipleOf")) and kw["multipleOf"] > 0]

    @cached_property
    def integral(self) -> bool:
        """Every number accepted is an integer (declared so, or a multiple of an integer)."""
        if "integer" in self.kinds:
            return True
        step = numbers.lattice(self.multiples, False)
        return step is not None and step.denominator == 1

    def step(self, integral: bool) -> Fraction | None:
        """The lattice every accepted number lies on (`integral`: only integers are live)."""
        return numbers.lattice(self.multiples, integral)

    # -- strings -----------------------------------------------------------------------------
    @cached_property
    def min_length(self) -> int:
        return max([kw["minLength"] for kw in self.kws if _num(kw.get("minLength"))], default=0)

    @cached_property
    def max_length(self) -> int | None:
        return min([kw["maxLength"] for kw in self.kws if _num(kw.get("maxLength"))], default=None)

    def values_of(self, keyword: str) -> list[Any]:
        return [kw[keyword] for kw in self.kws if keyword in kw]

    def string_automata(self) -> list[regular.Nfa]:
        """Automata whose intersection holds every string accepted here (regular.Unprovable if none).

        Lengths beyond what an automaton holds cheaply are widened, which only adds strings.
        """
        patterns = [p for p in self.values_of("pattern") if isinstance(p, str)]
        low = min(self.min_length, regular.MAX_REPEAT)
        high = self.max_length if self.max_length is not None and self.max_length <= regular.MAX_REPEAT else None
        return [regular.language(p) for p in patterns] + [regular.lengths(low, high)]

    @cached_property
    def strings_empty(self) -> bool:
        """The patterns and lengths here admit no string at all (False when undecided)."""
        if not self.values_of("pattern"):
            return False
        try:
            return regular.counterexample(self.string_automata(), None) is None
        except regular.Unprovable:
            return False

    # -- arrays ------------------------------------------------------------------------------
    @cached_property
    def min_items(self) -> int:
        floors = [kw["minItems"] for kw in self.kws if _num(kw.get("minItems"))]
        # `contains` needs its matches to be items: minContains (default 1) of them at least.
        floors += [kw.get("minContains", 1) for kw in self.kws if "contains" in kw and _num(kw.get("minContains", 1))]
        return max(floors, default=0)

    @cached_property
    def max_items(self) -> int | None:
        caps = [kw["maxItems"] for kw in self.kws if _num(kw.get("maxItems"))]
        for kw in self.kws:
            if kw.get("items") is False:
                caps.append(len(kw.get("prefixItems", [])))
        if self.unique:
            from .finite import finite_values  # finite reads Facts: imported late

            def listed(nodes: list[Node]) -> list[Any] | None:
                return finite_values(Facts(nodes))
            cap = implied.unique_cap(self.prefix_len, self.item_nodes(self.prefix_len), listed)
            if cap is not None:
                caps.append(cap)
        return min(caps, default=None)

    @cached_property
    def unique(self) -> bool:
        return any(kw.get("uniqueItems") is True for kw in self.kws)

    @cached_property
    def prefix_len(self) -> int:
        return max([len(kw.get("prefixItems", [])) for kw in self.kws], default=0)

    def item_nodes(self, index: int) -> list[Node]:
        """The subschemas every item at `index` must satisfy."""
        out = []
        for node, kw in zip(self.nodes, self.kws):
            prefix = kw.get("prefixItems", [])
            if index < len(prefix):
                out.append(node.child(prefix[index], "prefixItems", index))
            elif "items" in kw:
                out.append(node.child(kw["items"], "items"))
        return out

    # -- objects -----------------------------------------------------------------------------
    @cached_property
    def required(self) -> set[str]:
        """Every property each instance has: `required`, closed under `dependentRequired`."""
        return implied.required_closure(self.kws, {r for kw in self.kws for r in kw.get("required", [])
                                                   if isinstance(r, str)})

    @cached_property
    def min_properties(self) -> int:
        declared = [int(kw["minProperties"]) for kw in self.kws if _num(kw.get("minProperties"))]
        return max(declared + [len(self.required)])

    @cached_property
    def max_properties(self) -> int | None:
        caps = [kw["maxProperties"] for kw in self.kws if _num(kw.get("maxProperties"))]
        names = self.finite_names
        if names is not None:
            caps.append(len(names))
        return min(caps, default=None)

    def names_mentioned(self) -> set[str]:
        out = set(self.required)
        for kw in self.kws:
            out |= set(kw.get("properties", {}))
            out |= set(kw.get("dependentRequired", {}))
            out |= set(kw.get("dependentSchemas", {}))
        return out

    def property_nodes(self, name: str) -> list[Node]:
        """The subschemas a property called `name` must satisfy, over every node."""
        out: list[Node] = []
        for node, kw in zip(self.nodes, self.kws):
            out.extend(property_nodes(node, kw, name))
        return out

    def possible(self, name: str) -> bool:
        """False when the conjunction provably never has a property called `name`."""
        if any(n.schema is False for n in self.property_nodes(name)):
            return False
        for node, kw in zip(self.nodes, self.kws):
            if "propertyNames" in kw:
                try:
                    if not node.child(kw["propertyNames"], "propertyNames").accepts(name):
                        return False
                except Exception:  # noqa: BLE001 - undecidable: the name stays possible
                    pass
        return self.max_properties_declared != 0

    @cached_property
    def max_properties_declared(self) -> int | None:
        return min([kw["maxProperties"] for kw in self.kws if _num(kw.get("maxProperties"))], default=None)

    @cached_property
    def finite_names(self) -> set[str] | None:
        """Every property name the conjunction can have, when that set is finite."""
        candidates: set[str] | None = None
        for kw in self.kws:
            if kw.get("additionalProperties") is False and not kw.get("patternProperties"):
                names = set(kw.get("properties", {}))
                candidates = names if candidates is None else candidates & names
            pn = kw.get("propertyNames")
            if isinstance(pn, dict):
                values = enum_values(keywords(Node(pn, None, "2020-12", "", None)))  # type: ignore[arg-type]
                if values is not None:
                    names = {v for v in values if isinstance(v, str)}
                    candidates = names if candidates is None else candidates & names
            if pn is False or kw.get("maxProperties") == 0:
                candidates = set()
        if candidates is None:
            return None
        return {n for n in candidates if self.possible(n)}


def property_nodes(node: Node, kw: dict[str, Any], name: str) -> list[Node]:
    """The subschemas one node applies to a property called `name`."""
    out = []
    props = kw.get("properties", {})
    if name in props:
        out.append(node.child(props[name], "properties", name))
    matched = False
    for pattern, sub in kw.get("patternProperties", {}).items():
        if search(pattern, name):
            matched = True
            out.append(node.child(sub, "patternProperties", pattern))
    if name not in props and not matched and "additionalProperties" in kw:
        out.append(node.child(kw["additionalProperties"], "additionalProperties"))
    return out
