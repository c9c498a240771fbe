"""Constraints a conjunction implies without saying them, made explicit before comparing.

A schema often says a thing in two steps: `a` requires `b` and `b` requires `c`, so `a` requires
`c`; `dependencies: {a: ["b"]}` (draft-07 array form) and `dependencies: {a: {required: ["b"]}}`
(schema form) are one constraint; unique items drawn from two values are at most two items. The
prover compares what the left side *implies* with what the right side asks, so each such
implication is drawn here once, soundly (only what every instance must satisfy).
"""

from __future__ import annotations

from typing import Any

from .context import Node
from .normalise import canonical, keywords

_REQUIRING: dict[str, dict[str, Any]] = {}


def required_closure(kws: list[dict[str, Any]], start: set[str]) -> set[str]:
    """`start` and every name `dependentRequired` makes required from it, to a fixpoint."""
    have = set(start)
    todo = list(have)
    while todo:
        name = todo.pop()
        for kw in kws:
            deps = kw.get("dependentRequired", {})
            if isinstance(deps, dict) and isinstance(deps.get(name), list):
                for d in deps[name]:
                    if isinstance(d, str) and d not in have:
                        have.add(d)
                        todo.append(d)
    return have


def requiring(node: Node, name: str) -> Node:
    """A node for the objects that have `name`, in `node`'s scope (one dict per name: a stable key).
    `type` is part of it: `required` alone binds objects only (see `triggered_dependents`)."""
    if name not in _REQUIRING:
        _REQUIRING[name] = {"type": "object", "required": [name]}
    return Node(_REQUIRING[name], node.resolver, "2020-12", node.path, node.side)


def triggered_dependents(nodes: list[Node]) -> list[Node]:
    """The `dependentSchemas` whose property every instance has: they apply unconditionally.

    Only when the conjunction admits objects alone: `required` binds objects and says nothing of
    other instances, to which `dependentSchemas` does not apply either (`{"required": ["a"],
    "dependentSchemas": {"a": {"type": "null"}}}` accepts every string)."""
    kws = [keywords(n) for n in nodes]
    if not any(kw.get("type") in ("object", ["object"]) for kw in kws):
        return []
    required = required_closure(kws, {r for kw in kws for r in kw.get("required", []) if isinstance(r, str)})
    out = []
    for node, kw in zip(nodes, kws):
        deps = kw.get("dependentSchemas", {})
        if isinstance(deps, dict):
            out += [node.child(deps[name], "dependentSchemas", name) for name in sorted(required & set(deps))]
    return out


def distinct_values(values: list[Any]) -> int:
    """How many different JSON values `values` holds (1 and 1.0 are one, as uniqueItems says)."""
    return len({canonical(v) + ("b" if isinstance(v, bool) else "") for v in values})


def unique_cap(prefix_len: int, rest: list[Node], finite: Any) -> int | None:
    """With unique items, the most items there can be when every item past the prefix is one of a
    few values (`finite(nodes)` lists a superset of them, or None)."""
    if not rest:
        return None
    values = finite(rest)
    if values is None:
        return None
    return prefix_len + distinct_values(values)


__all__ = ["distinct_values", "required_closure", "requiring", "triggered_dependents", "unique_cap"]
