"""Exact arithmetic on numeric keywords: `multipleOf` lattices and bounds as rationals.

Every number a conjunction accepts may lie on a lattice: the multiples of its `multipleOf`s and,
for integers, of 1. Lattices meet exactly: the multiples of 4 and of 6 are the multiples of 12
(their least common multiple), a multiple of 0.5 is a multiple of 0.25, and `minimum: 1` on the
multiples of 5 means at least 5. Fractions make this exact where floats would round.

The validators, however, divide floats (jsonschema: `instance / multipleOf` for a float
`multipleOf`), so a step is only read as a rational where that division is exact: integer steps
(validated with an exact remainder) and powers of two. On the left of an inclusion only steps
whose validator accepts nothing but true multiples count (integers, and powers of two up to 1:
a large integer divided by 4.0 is rounded first); on the right, any step whose validator accepts
every true multiple (integers and all powers of two). Any other step (0.1, 2.5) is compared only
with an identical step, as the validator would judge both the same way. An integer-valued float
step (10.0) is read as the integer, as this checker always has: the validators' division is exact
for every multiple below 2**53.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

Bound = tuple[Any, bool]  # (value, exclusive)


def _number(m: Any) -> bool:
    return isinstance(m, (int, float)) and not isinstance(m, bool) and math.isfinite(m) and m > 0


def _power_of_two(m: float) -> bool:
    mantissa, _ = math.frexp(m)
    return mantissa == 0.5


def left_step(m: Any) -> Fraction | None:
    """`m` as a rational when every number its validator accepts is a true multiple of it."""
    if not _number(m):
        return None
    if isinstance(m, int) or m.is_integer():
        return Fraction(int(m))
    return Fraction(m) if _power_of_two(m) and m <= 1 else None


def right_step(m: Any) -> Fraction | None:
    """`m` as a rational when its validator accepts every true multiple of it."""
    if not _number(m):
        return None
    if isinstance(m, int) or m.is_integer():
        return Fraction(int(m))
    return Fraction(m) if _power_of_two(m) else None


def lcm(a: Fraction, b: Fraction) -> Fraction:
    """The least positive rational that both `a` and `b` divide."""
    return Fraction(math.lcm(a.numerator, b.numerator), math.gcd(a.denominator, b.denominator))


def lattice(multiples: list[Any], integral: bool) -> Fraction | None:
    """The step every accepted number is a multiple of (None: no lattice is known)."""
    step: Fraction | None = Fraction(1) if integral else None
    for m in multiples:
        s = left_step(m)
        if s is not None:
            step = s if step is None else lcm(step, s)
    return step


def divides(m: Any, step: Fraction | None, multiples: list[Any]) -> bool:
    """Every number on the left (on `step`, with `multiples` declared) is a multiple of `m`."""
    exact = right_step(m)
    if exact is not None and step is not None and (step / exact).denominator == 1:
        return True
    # A step the validator divides inexactly: only the very same step is known to agree.
    return any(x == m and type(x) is type(m) for x in multiples)


def snap_lower(bound: Bound, step: Fraction) -> Fraction:
    """The least multiple of `step` the lower bound allows."""
    value, exclusive = Fraction(bound[0]), bound[1]
    q = math.ceil(value / step)
    if exclusive and q * step == value:
        q += 1
    return q * step


def snap_upper(bound: Bound, step: Fraction) -> Fraction:
    """The greatest multiple of `step` the upper bound allows."""
    value, exclusive = Fraction(bound[0]), bound[1]
    q = math.floor(value / step)
    if exclusive and q * step == value:
        q -= 1
    return q * step


def satisfies_lower(point: Fraction, bound: Bound) -> bool:
    value = Fraction(bound[0])
    return point > value or (point == value and not bound[1])


def satisfies_upper(point: Fraction, bound: Bound) -> bool:
    value = Fraction(bound[0])
    return point < value or (point == value and not bound[1])


def as_json(x: Fraction) -> int | float:
    """A lattice point as the JSON number a witness carries (exact: steps are dyadic)."""
    return int(x) if x.denominator == 1 else float(x)


def points(lo: Bound, hi: Bound, step: Fraction, limit: int) -> list[int | float] | None:
    """Every multiple of `step` within the bounds, or None when there are more than `limit`."""
    first, last = snap_lower(lo, step), snap_upper(hi, step)
    count = (last - first) / step + 1
    if count > limit:
        return None
    return [as_json(first + i * step) for i in range(max(int(count), 0))]
