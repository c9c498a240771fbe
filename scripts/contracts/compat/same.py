"""Two schemas that assert the same, keyword for keyword: equivalent without a proof search.

A PATCH version changes annotations only (descriptions, examples, `x-sensitive`), and so does a
PATCH of the shared file its references move to. Such a pair is equivalent by construction: the
same assertions at every place, references followed on both sides in step. Seeing that costs a
walk of the two schemas, where the prover and the validators' cross-check cost a search of each
direction; `contracts check` compares every PATCH with its predecessor, through every user.
Anything this walk is not sure of (a dynamic reference, a different dialect) is left to the prover.
"""

from __future__ import annotations

from .context import Node
from .normalise import keywords
from .values import json_equal

# Keywords whose value is one subschema, a list of them, or an object of them.
_ONE = frozenset({"not", "items", "additionalItems", "additionalProperties", "contains", "propertyNames", "if",
                  "then", "else", "unevaluatedItems", "unevaluatedProperties"})
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_OBJECT = frozenset({"properties", "patternProperties", "dependentSchemas"})
_UNSURE = frozenset({"$dynamicRef", "$recursiveRef", "contentSchema"})


def same_assertions(a: Node, b: Node) -> bool:
    """True only if `a` and `b` accept exactly the same instances because they assert the same."""
    return _same(a, b, set())


def _same(a: Node, b: Node, seen: set[tuple[int, int]]) -> bool:
    if not isinstance(a.schema, dict) or not isinstance(b.schema, dict):
        return type(a.schema) is type(b.schema) and a.schema == b.schema
    if a.dialect != b.dialect:
        return False
    pair = (id(a.schema), id(b.schema))
    if pair in seen:
        return True  # a reference back to a pair being compared: equal unless shown otherwise
    seen.add(pair)
    ka, kb = keywords(a), keywords(b)
    if ka.keys() != kb.keys() or ka.keys() & _UNSURE:
        return False
    for key, va in ka.items():
        vb = kb[key]
        if key == "$ref":
            if not (isinstance(va, str) and isinstance(vb, str) and _same(a.deref(va), b.deref(vb), seen)):
                return False
        elif key in _ONE:
            if not _same(a.child(va, key), b.child(vb, key), seen):
                return False
        elif key in _LIST:
            if not (isinstance(va, list) and isinstance(vb, list) and len(va) == len(vb)
                    and all(_same(a.child(x, key, i), b.child(y, key, i), seen) for i, (x, y) in enumerate(zip(va, vb)))):
                return False
        elif key in _OBJECT:
            if not (isinstance(va, dict) and isinstance(vb, dict) and va.keys() == vb.keys()
                    and all(_same(a.child(va[k], key, k), b.child(vb[k], key, k), seen) for k in va)):
                return False
        elif not json_equal(va, vb):  # as JSON Schema compares values: 1 is 1.0, never true
            return False
    return True
