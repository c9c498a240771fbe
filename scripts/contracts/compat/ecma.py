"""Validators that match `pattern` as ECMA-262 says, and never by backtracking.

The checker confirms every witness with a real validator (jsonschema). jsonschema matches
patterns with Python's `re`, which backtracks: `"pattern": "^(a+)+b$"` against thirty `a`s and a
`c` would run for hours, and Python's `$` also matches before a final newline, where ECMA-262's
does not. Here `pattern`, `patternProperties` and `additionalProperties` (which looks at the
pattern properties) match with the automata of `regular` (one step per character), or, for the
patterns those do not model, with jsonschema-rs's ECMA-262 engine, as the runtime validators do.
`enum` is looked up in a set (`values`), so validating each value of a large enum stays linear.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from jsonschema import Draft4Validator, Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from multi_workflow_telemetry.fast import ecma_search

from . import regular
from .values import enum_keyword


class BadPattern(Exception):
    """A pattern neither the automata nor jsonschema-rs accept as ECMA-262."""


@lru_cache(maxsize=4096)
def matcher(pattern: str) -> Callable[[str], bool]:
    """`text -> bool`: whether `pattern` finds a match in `text` (BadPattern if it is not a regex)."""
    try:
        return regular.language(pattern).accepts
    except regular.Unprovable:
        pass
    try:
        return ecma_search(pattern)
    except ValueError as exc:
        raise BadPattern(str(exc)) from None


@lru_cache(maxsize=4096)
def is_pattern(pattern: str) -> bool:
    """Whether `pattern` is a regular expression the repository's validators (jsonschema-rs, ECMA-262)
    compile: the meaning of `"format": "regex"` in the metaschemas, where a schema's validity is at stake.
    The automata of `regular` are not asked: they read patterns with Python's parser, which takes
    some that ECMA-262 refuses."""
    try:
        ecma_search(pattern)
    except ValueError:
        return False
    return True


def search(pattern: str, text: str) -> bool:
    return matcher(pattern)(text)


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for k, v in instance.items():
            if search(pattern, k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(validator: Any, ap: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in declared and not any(search(p, k) for p in patterns)]
    if validator.is_type(ap, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], ap, path=extra)
    elif not ap and extras:
        yield ValidationError(f"additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")


_ECMA = {"pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional_properties,
         "enum": enum_keyword}
VALIDATORS: dict[str, Any] = {
    name: extend(cls, _ECMA)
    for name, cls in (("draft4", Draft4Validator), ("draft6", Draft6Validator), ("draft7", Draft7Validator),
                      ("2019-09", Draft201909Validator), ("2020-12", Draft202012Validator))
}
