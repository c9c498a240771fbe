"""JSON values compared as JSON Schema compares them, by one canonical text each.

`enum` checked by the validators is a scan with `equal()` per value: checking every value of a
10,000-value enum against it is 10^8 comparisons. A set of canonical texts answers the same
question in one lookup (`enum_keyword`), so listing an enum's values and validating each stays
linear.
"""

from __future__ import annotations

import json
import math
from typing import Any

from jsonschema.exceptions import ValidationError


def canonical(value: Any) -> str:
    """A JSON text equal for equal JSON values: sorted keys, 1 == 1.0 as JSON Schema says."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, float) and v.is_integer() and math.isfinite(v):
            return int(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True, separators=(",", ":"))


def json_equal(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)


# id(enum list) -> (the list, its canonical texts). The list is held so its id is never reused
# while the entry lives; the cache is emptied when it grows, not per diff.
_SETS: dict[int, tuple[list[Any], frozenset[str]]] = {}


def members(enum: list[Any]) -> frozenset[str]:
    hit = _SETS.get(id(enum))
    if hit is not None and hit[0] is enum:
        return hit[1]
    if len(_SETS) > 1024:
        _SETS.clear()
    texts = frozenset(canonical(v) for v in enum)
    _SETS[id(enum)] = (enum, texts)
    return texts


def enum_keyword(validator: Any, enums: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's `enum`, by set membership (a non-list `enum` is left to the metaschema)."""
    if isinstance(enums, list) and canonical(instance) not in members(enums):
        yield ValidationError(f"{instance!r} is not one of the {len(enums)} enum values")
