"""Schema violations from jsonschema-rs, in the contract's words, for any Python payload.

The fast path answers "valid" alone; this module answers "invalid, and why", without the
reference (`jsonschema`, an optional extra). Every jsonschema-rs error becomes a `Violation` with
the pointer and rule the reference gives (`wording.py` writes the message; keywords without a
contract wording keep jsonschema-rs's own message, where the reference's differs).

Python values that JSON cannot hold are judged as `jsonschema` judges them (the reference the
differential tests hold us to), because jsonschema-rs judges some of them differently:

- values of exact JSON types, and their subclasses (an IntEnum, a str enum, an OrderedDict), are
  copied as the exact type: jsonschema-rs refuses some subclasses, non-str keys and lone
  surrogates (which become U+FFFF);
- a non-str key is a property no schema names: it becomes a key no schema can name (so does
  an empty key, which jsonschema-rs leaves out of an error's path);
- a tuple, set, bytes or any other object has no JSON type; a Decimal and a float NaN or infinity
  are numbers but never integers. Each stands in jsonschema-rs's run as a stand-in (a string no
  schema names; for numbers, the nearest finite float), the errors the stand-in caused at its own
  place are dropped, and the `type` keywords that apply there are judged on the real value.
  (An `anyOf`, `oneOf` or `not` at that very place is judged on the stand-in, which has a type;
  no contract schema has one, and tests/test_explain.py names the two known differences.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ._violation import Violation
from .fast import ecma_search, rs_str
from .wording import condition, describe

KeywordValue = Callable[[str], Any]

# Where a `false` schema sits decides the reference's rule and pointer: the keyword that holds it
# (`items: false` is reported at the array, `additionalProperties: false` at the object).
_FALSE_AT = {"items": 1, "additionalItems": 1, "unevaluatedItems": 1, "additionalProperties": 0,
             "unevaluatedProperties": 0}
# Keywords that only look at strings: a stand-in string's errors under them are not the value's.
_STRING_ONLY = frozenset({"pattern", "minLength", "maxLength", "format", "contentEncoding", "contentMediaType",
                          "contentSchema"})
_STAND_IN = "\x00not-json\x00"  # a stand-in no enum, const or pattern of a contract names
_KEY = "\x00key-{}\x00"  # a key no `properties` names


def keyword_of(error: Any) -> str:
    """The reference's rule for a jsonschema-rs error: the keyword at the end of its schema path
    (jsonschema-rs reports `dependentRequired` as `required`, `propertyNames` by the inner keyword)."""
    last = error.schema_path[-1] if error.schema_path else ""
    if error.kind.name == "falseSchema":
        return str(last) if last in _FALSE_AT else "false"
    return last if isinstance(last, str) and last else str(error.kind.name)


def violations(errors: Iterator[Any], payload: Any, root: dict[str, Any], keyword_value: KeywordValue,
               copy: Copy | None = None) -> set[Violation]:
    """The violations the jsonschema-rs `errors` of `payload` (or of its `copy`) stand for. `keyword_value` reads a
    keyword's value from the catalogue at the error's absolute location, so it is the schema's own
    (a `type` list keeps its order, a bound its spelling)."""
    found: set[Violation] = set()
    keys, seen = (copy.keys, copy.value) if copy is not None else (None, payload)
    for error in errors:
        found.update(_one(error, _path(error, keys, seen), payload, root, keyword_value, keys))
    return found


def _path(error: Any, keys: dict[str, Any] | None, seen: Any) -> list[Any]:
    """The error's path in the payload: `seen` is what jsonschema-rs validated (it writes a key
    like "0" as the number 0), `keys` maps its stand-in keys back to the payload's own."""
    path: list[Any] = []
    for part in error.instance_path:
        if isinstance(seen, dict):
            part = str(part)
            seen = seen.get(part)
            path.append(keys.get(part, part) if keys else part)
        else:
            seen = seen[part] if isinstance(seen, list) and isinstance(part, int) and part < len(seen) else None
            path.append(part)
    return path


def _at(payload: Any, path: list[Any]) -> Any:
    for part in path:  # the payload's own value (integers exact, keys as given), not jsonschema-rs's copy
        payload = payload[part]
    return payload


def _one(error: Any, path: list[Any], payload: Any, root: dict[str, Any], keyword_value: KeywordValue,
         keys: dict[str, Any] | None) -> Iterator[Violation]:
    keyword = keyword_of(error)
    kind = error.kind
    location = error.absolute_keyword_location
    head, found, _ = location.rpartition(f"/{keyword}/")
    if found:  # `dependentRequired` is located at its entry (`.../dependentRequired/0`): the keyword's own value
        location = f"{head}/{keyword}"
    if kind.name == "falseSchema" and keyword in _FALSE_AT:
        path = path[: len(path) - _FALSE_AT[keyword]]  # reported at the array or object that holds the item
    instance = _at(payload, path)
    if kind.name == "propertyNames":  # the reference reports the inner keyword, on the name, at the object
        location = f"{location}/{keyword}"
        instance = keys.get(kind.error.instance, kind.error.instance) if keys else kind.error.instance
    names: list[Any] = []
    if keyword == "required" and kind.name == "required":
        names = [kind.property]
    elif keyword == "additionalProperties":
        names = unexpected(instance, keyword_value(location.rpartition("/")[0]))
    value = keyword_value(location) if keyword != "false" else False
    yield from describe(keyword, path, instance, value, names, condition(error.schema_path, root), error.message)


def unexpected(instance: Any, schema: Any) -> list[Any]:
    """The properties of `instance` that `additionalProperties` applies to (named by neither
    `properties` nor a `patternProperties` pattern)."""
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    known = schema.get("properties", {})
    patterns = [ecma_search(p) for p in schema.get("patternProperties", {})]
    return [p for p in instance if p not in known and not (isinstance(p, str) and any(s(rs_str(p)) for s in patterns))]


class Copy:
    """A payload as exact JSON values for jsonschema-rs: `value`, with `keys` (stand-in key -> the
    payload's own key) and `foreign` (path -> a value JSON cannot hold, replaced by a stand-in)."""

    def __init__(self, payload: Any, stand_in: Callable[[Any], Any] | None = None) -> None:
        self.keys: dict[str, Any] = {}
        self._stand_in_keys: dict[tuple[type, Any], str] = {}
        self.foreign: dict[tuple[Any, ...], Any] = {}
        self._stand_in = stand_in or _stand_in
        self.value = self._copy(payload, ())

    def _copy(self, value: Any, path: tuple[Any, ...]) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return rs_str(value)
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float) and math.isfinite(value):
            return float.__float__(value)
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                key_json = rs_str(key) if isinstance(key, str) else ""
                if key_json != key or not key_json:  # (jsonschema-rs leaves an empty key out of an error's path)
                    if not key_json:
                        # One stand-in per distinct key, wherever it appears: objects equal in the
                        # payload stay equal in the copy (`uniqueItems`, `const`, `enum` compare them).
                        key_json = self._stand_in_keys.setdefault((type(key), key), _KEY.format(len(self._stand_in_keys)))
                    self.keys[key_json] = key
                out[key_json] = self._copy(item, path + (key,))
            return out
        if isinstance(value, list):
            return [self._copy(item, path + (i,)) for i, item in enumerate(value)]
        self.foreign[path] = value
        return self._stand_in(value)


def is_number(value: Any) -> bool:
    """A number that is no integer to `jsonschema`: a Decimal, or a float NaN or infinity."""
    return isinstance(value, (Decimal, float))


def _stand_in(value: Any) -> Any:
    """What jsonschema-rs sees in place of a value JSON cannot hold: for a number, the nearest
    finite float (bounds compare alike); for anything else, a string no schema names."""
    if is_number(value):
        try:
            number = float(value)
        except (ValueError, ArithmeticError):
            return _STAND_IN
        if math.isnan(number):
            return _STAND_IN  # NaN meets every bound, as no string breaks one
        return max(min(number, 1.7976931348623157e308), -1.7976931348623157e308)
    return _STAND_IN


def probes(payload: Any) -> Iterator[Copy]:
    """Copies with other stand-ins (an object, null): a `type` keyword at a stand-in's place that
    allows a string (or a float) is found by one of them. (One allowing a string, an object and
    null together is not; no contract schema has one.)"""
    yield Copy(payload, lambda value: {})
    yield Copy(payload, lambda value: None)


def foreign_errors(errors: list[Any], copy: Copy) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """jsonschema-rs's `errors` of a copy with stand-ins, split: the errors that are the payload's
    (elsewhere, or at a stand-in's place and not caused by its type), and the `type` errors found
    at a stand-in's place, (error, the real value), to judge on the real value."""
    kept: list[Any] = []
    types: list[tuple[Any, Any]] = []
    for error in errors:
        path = tuple(_path(error, copy.keys, copy.value))
        owner = next((p for p in copy.foreign if path[: len(p)] == p), None)
        if owner is None:
            kept.append(error)
        elif path == owner:
            keyword = keyword_of(error)
            real = copy.foreign[owner]
            if keyword == "type":
                types.append((error, real))
            elif keyword not in _STRING_ONLY:  # a number's stand-in is a float: no string keyword applies
                kept.append(error)
    return kept, types


def type_violations(found: list[tuple[Any, Any]], copy: Copy, root: dict[str, Any],
                    keyword_value: KeywordValue) -> set[Violation]:
    """`type` judged on the real values JSON cannot hold: a number (Decimal, NaN, infinity) is a
    `number` and never an `integer`; anything else (tuple, set, bytes, ...) is of no JSON type."""
    out: set[Violation] = set()
    for error, real in found:
        wanted = keyword_value(error.absolute_keyword_location)
        kinds = [wanted] if isinstance(wanted, str) else list(wanted)
        if is_number(real) and "number" in kinds:
            continue
        path = _path(error, copy.keys, copy.value)
        out.update(describe("type", path, real, wanted, [], condition(error.schema_path, root), error.message))
    return out
