"""`unevaluatedProperties` and `unevaluatedItems`, rewritten into keywords the prover compares.

`unevaluatedProperties: U` applies U to every property no *successful* applicator of the same
schema object evaluated: its own `properties`/`patternProperties`/`additionalProperties`, and
those reached in place through `allOf`, `$ref`, the passing `anyOf`/`oneOf` branches, `if`+`then`
or `else`, and the `dependentSchemas` whose property is present (a nested `unevaluated*` evaluates
everything it sees). `unevaluatedItems` is the same over item positions: `prefixItems`, `items`,
and, in 2020-12 only, the items `contains` matched (2019-09 does not count them).

What was evaluated depends on the instance, so the rewrite is a bound. On the right of an inclusion
a *smaller* evaluated set gives a stronger schema (sound to prove against); on the left a *larger*
one gives a weaker schema (sound to assume). The one applicator whose branches differ most often,
at the top of the schema, is split into cases first, so each case's bound is exact: `if`/`then`/
`else`, `anyOf` (over the subsets of branches that pass), `oneOf`, and `dependentSchemas` (as
"if the property is present then ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .context import Node, SchemaError
from .normalise import keywords

MAX_DEPTH = 8
_MADE: dict[tuple[Any, ...], dict[str, Any]] = {}


@dataclass
class Evaluated:
    """What a schema object evaluates: property names, patterns, item prefix, `contains`, or all."""

    names: frozenset[str] = frozenset()
    patterns: frozenset[str] = frozenset()
    all_properties: bool = False
    prefix: int = 0
    contains: tuple[Any, ...] = ()
    all_items: bool = False
    contains_nodes: list[Node] = field(default_factory=list)

    def join(self, other: Evaluated) -> Evaluated:
        return Evaluated(self.names | other.names, self.patterns | other.patterns,
                         self.all_properties or other.all_properties, max(self.prefix, other.prefix),
                         self.contains + other.contains, self.all_items or other.all_items,
                         self.contains_nodes + other.contains_nodes)

    def meet(self, other: Evaluated) -> Evaluated:
        if self.all_properties and self.all_items:
            return other
        if other.all_properties and other.all_items:
            return self
        names = (other.names if self.all_properties else self.names if other.all_properties
                 else self.names & other.names)
        patterns = (other.patterns if self.all_properties else self.patterns if other.all_properties
                    else self.patterns & other.patterns)
        return Evaluated(names, patterns, self.all_properties and other.all_properties,
                         min(self.prefix, other.prefix), (), self.all_items and other.all_items, [])


EVERYTHING = Evaluated(all_properties=True, all_items=True)


def evaluated(node: Node, lower: bool, depth: int = 0) -> Evaluated:
    """A bound on what `node` evaluates when it passes (`lower`: at least; else at most)."""
    if node.schema is True or node.schema is False or not isinstance(node.schema, dict):
        return Evaluated()
    if depth > MAX_DEPTH:
        return Evaluated() if lower else EVERYTHING
    kw = keywords(node)
    ev = Evaluated(names=frozenset(kw.get("properties", {})), patterns=frozenset(kw.get("patternProperties", {})),
                   all_properties="additionalProperties" in kw or "unevaluatedProperties" in kw,
                   prefix=len(kw.get("prefixItems", [])), all_items="items" in kw or "unevaluatedItems" in kw)
    if "contains" in kw and node.dialect == "2020-12":
        ev.contains_nodes = [node.child(kw["contains"], "contains")]
        ev.contains = (id(kw["contains"]),)
    if isinstance(kw.get("$ref"), str):
        try:
            ev = ev.join(evaluated(node.deref(kw["$ref"]), lower, depth + 1))
        except SchemaError:
            ev = ev if lower else EVERYTHING
    for j, s in enumerate(kw.get("allOf", [])):
        ev = ev.join(evaluated(node.child(s, "allOf", j), lower, depth + 1))
    alternatives: list[list[Evaluated]] = []
    for key in ("anyOf", "oneOf"):
        if isinstance(kw.get(key), list):
            alternatives.append([evaluated(node.child(s, key, j), lower, depth + 1) for j, s in enumerate(kw[key])])
    if "if" in kw:
        cond = evaluated(node.child(kw["if"], "if"), lower, depth + 1)
        then = evaluated(node.child(kw.get("then", True), "then"), lower, depth + 1)
        other = evaluated(node.child(kw.get("else", True), "else"), lower, depth + 1)
        alternatives.append([cond.join(then), other])
    for name, dep in kw.get("dependentSchemas", {}).items():
        alternatives.append([evaluated(node.child(dep, "dependentSchemas", name), lower, depth + 1), Evaluated()])
    for options in alternatives:
        if lower:
            bound = options[0]
            for o in options[1:]:
                bound = bound.meet(o)
        else:
            bound = Evaluated()
            for o in options:
                bound = bound.join(o)
        ev = ev.join(bound)
    return ev


def _made(key: tuple[Any, ...], value: dict[str, Any]) -> dict[str, Any]:
    # One dict per rewrite, so the prover's node keys (by identity) stay stable across calls.
    if key not in _MADE:
        _MADE[key] = value
    return _MADE[key]


def _closing(node: Node, ev: Evaluated, kw: dict[str, Any], tag: Any) -> dict[str, Any] | None:
    """The keywords that say "what `ev` did not evaluate satisfies U" (None: nothing is left)."""
    out: dict[str, Any] = {}
    if "unevaluatedProperties" in kw and not ev.all_properties:
        out["properties"] = {n: True for n in sorted(ev.names)}
        out["patternProperties"] = {p: True for p in sorted(ev.patterns)}
        out["additionalProperties"] = kw["unevaluatedProperties"]
    if "unevaluatedItems" in kw and not ev.all_items:
        rest = kw["unevaluatedItems"]
        if ev.contains_nodes:
            rest = {"anyOf": [n.schema for n in ev.contains_nodes] + [rest]}
        out["prefixItems"] = [True] * ev.prefix
        out["items"] = rest
    return _made((id(node.side), node.origin, node.dropped, "closing", tag), out) if out else None


def rewrite(node: Node, lower: bool) -> Node | None:
    """`node` without `unevaluated*`, as a schema the prover reads (None: it has none).

    `lower=True` for the right side (a schema at least as strict), False for the left (at least as
    loose). One disjunctive applicator at the top is first split into exact cases.
    """
    kw = keywords(node)
    if "unevaluatedProperties" not in kw and "unevaluatedItems" not in kw:
        return None
    key = (id(node.side), node.origin, node.dropped, lower)
    if key in _MADE:
        return Node(_MADE[key], node.resolver, node.dialect, node.path, node.side)
    base = node.without("unevaluatedProperties", "unevaluatedItems")
    parts: list[Any] = [base.schema]
    split = _split(node, kw, lower)
    if split is None:
        closing = _closing(node, evaluated(base, lower), kw, "whole")
        if closing is not None:
            parts.append(closing)
    else:
        rest, cases, condition = split
        options = [{"allOf": schemas + ([c] if (c := _closing(node, evaluated(rest, lower).join(ev), kw, (i,))) else [])}
                   for i, (schemas, ev) in enumerate(cases)]
        # Two cases told apart by a condition stay a conditional, which the prover splits exactly.
        parts = [rest.schema, {"if": condition, "then": options[0], "else": options[1]} if condition is not None
                 else {"anyOf": options}]
    made = _made(key, {"allOf": parts})
    return Node(made, node.resolver, node.dialect, node.path, node.side)


def _split(node: Node, kw: dict[str, Any],
           lower: bool) -> tuple[Node, list[tuple[list[Any], Evaluated]], Any] | None:
    """The first disjunctive applicator as cases: (the rest of the node, [(case schemas, evaluated)]).

    The cases are exact (their union is the node, each case within it), so they serve both sides.
    """
    def ev(schema: Any, *where: Any) -> Evaluated:
        return evaluated(node.child(schema, *where), lower, 1)

    if "if" in kw:
        rest = node.without("unevaluatedProperties", "unevaluatedItems", "if", "then", "else")
        then, other = kw.get("then", True), kw.get("else", True)
        return rest, [([then], ev(kw["if"], "if").join(ev(then, "then"))), ([other], ev(other, "else"))], kw["if"]
    if isinstance(kw.get("anyOf"), list) and len(kw["anyOf"]) <= 4:
        rest = node.without("unevaluatedProperties", "unevaluatedItems", "anyOf")
        branches = [(s, ev(s, "anyOf", j)) for j, s in enumerate(kw["anyOf"])]
        cases = []
        for size in range(len(branches), 0, -1):  # the passing branches: every subset, largest first
            for subset in combinations(branches, size):
                joined = Evaluated()
                for _, e in subset:
                    joined = joined.join(e)
                cases.append(([s for s, _ in subset], joined))
        return rest, cases, None
    if isinstance(kw.get("oneOf"), list):
        rest = node.without("unevaluatedProperties", "unevaluatedItems")  # keeps oneOf: exactly one passes
        return rest, [([s], ev(s, "oneOf", j)) for j, s in enumerate(kw["oneOf"])], None
    deps = kw.get("dependentSchemas")
    if isinstance(deps, dict) and len(deps) == 1:
        (name, dep), = deps.items()
        rest = node.without("unevaluatedProperties", "unevaluatedItems", "dependentSchemas")
        return rest, [([dep], ev(dep, "dependentSchemas", name)), ([], Evaluated())], {"required": [name]}
    return None
