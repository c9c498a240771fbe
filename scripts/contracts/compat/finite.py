"""Listing every instance of a schema when there are few: an enum, a bounded integer, `[]`, ...

When the left side of an inclusion is finite, the inclusion is decided exactly by running the real
validator on each value instead of by comparing keywords.
"""

from __future__ import annotations

from typing import Any

from .facts import Facts
from .numbers import points
from .normalise import enum_values

LIMIT = 256


def finite_values(facts: Facts) -> list[Any] | None:
    """Values that include every instance of the conjunction, or None if there is no short list.

    The list may hold values the conjunction rejects: callers filter with the validator.
    """
    for kw in facts.kws:
        values = enum_values(kw)
        if values is not None:
            return values
    out: list[Any] = []
    for kind in sorted(facts.kinds):
        if kind == "null":
            out.append(None)
        elif kind == "boolean":
            out += [True, False]
        elif kind in ("integer", "number"):
            lo, hi = facts.lower, facts.upper
            if lo is None or hi is None:
                return None
            step = facts.step(kind == "integer" or facts.integral)
            if step is not None:
                on_lattice = points(lo, hi, step, LIMIT)
                if on_lattice is None:
                    return None
                out += on_lattice
            elif lo[0] == hi[0] and not lo[1] and not hi[1]:
                out.append(lo[0])
            else:
                return None
        elif kind == "string" and facts.max_length == 0:
            out.append("")
        elif kind == "array" and facts.max_items == 0:
            out.append([])
        elif kind == "object" and (facts.max_properties == 0 or facts.finite_names == set()):
            out.append({})
        else:
            return None
        if len(out) > LIMIT:
            return None
    return out
