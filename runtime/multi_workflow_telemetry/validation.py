"""Validate a payload against an event's schema, then against the contract rules.

Schema errors come from `jsonschema` (the reference implementation of draft 2020-12) and are
turned into `Violation`s whose pointer names the field itself: a missing or unexpected property
is pointed at by its own name, not at the object that holds it. Contract rules run only on
payloads the schema accepts, because they read fields the schema guarantees.

`validate` answers "valid" from the fast path (`fast.py`: jsonschema-rs and the contract rules
fused into one pass) and asks the reference, `jsonschema` and `rules.py`, for everything else:
invalid events are rare, and the reference writes every message, so the answers and messages are
the reference's. The differential test (tests/test_fast_path.py) keeps the two in agreement.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import regress
    from jsonschema import ValidationError

from ._violation import ContractViolation, Violation, json_type, pointer_of
from .catalogue import Catalogue, CatalogueError, SchemaFile
from .fast import FAST_ERRORS, compile_schema, exact_json, exact_json_ints, fused_check, loads_exact, same_bytes
from .rules import check_rules, rules_for

# What a fused check can raise on a payload jsonschema-rs wrongly accepted: then the reference decides.
_FUSED_ERRORS = QUICK_ERRORS = (*FAST_ERRORS, KeyError, IndexError, AttributeError)


_MISSING = object()


@lru_cache(maxsize=None)
def _regex(pattern: str) -> regress.Regex:
    import regress

    return regress.Regex(pattern)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # JSON Schema patterns are ECMA-262 regular expressions. Python's `re` differs where it
    # matters here: its `$` also matches before a trailing newline, so `re` would accept
    # "multiwf-<32 hex>\n". regress implements ECMA-262 semantics.
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and _regex(pattern).find(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=None)
def _contract_validator() -> Any:
    """Draft 2020-12, with `pattern` evaluated as ECMA-262 requires. Built on first use: events the
    fast path calls valid never need it, and importing jsonschema costs start-up time."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    return extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


class EventValidator:
    """Validates payloads of one event version: schema first, then contract rules."""

    def __init__(self, catalogue: Catalogue, schema_file: SchemaFile, *, fast: bool = True) -> None:
        self.schema_file = schema_file
        self.event = schema_file.name
        self._catalogue = catalogue
        self._keyword_values: dict[str, Any] = {}
        self._compiled = compile_schema(catalogue, schema_file) if fast else None
        self._is_valid = self._compiled.is_valid if self._compiled is not None else None
        has_rules = bool(rules_for(self.event))
        self._fused = fused_check(schema_file) or (self._generic_fused if has_rules else exact_json_ints)

    @cached_property
    def _schema(self) -> Any:
        """The reference validator (jsonschema), built when the first event needs it."""
        return _contract_validator()(self.schema_file.schema, registry=self._catalogue.registry)

    def _keyword_value(self, location: str) -> Any:
        """The value of the keyword at an absolute location (`<$id>#/json/pointer`) in the catalogue."""
        value = self._keyword_values.get(location, _MISSING)
        if value is _MISSING:
            uri, _, pointer = location.partition("#")
            value = self._keyword_values[location] = self._catalogue.lookup(uri, pointer)
        return value

    def _generic_fused(self, payload: Any) -> bool:
        return exact_json_ints(payload) and not check_rules(self.event, payload)

    def validate(self, payload: Any) -> list[Violation]:
        """Every violation of the schema and the contract rules; empty when `payload` is valid.

        Raises ContractViolation (rule `json`) for a payload that cannot be validated at all:
        nested too deeply for Python's recursion limit, or holding an integer too long to write
        in a message (more than sys.get_int_max_str_digits() digits)."""
        try:
            return self._validate(payload)
        except RecursionError:
            raise ContractViolation(self.event, [Violation("", "json", "nested too deeply to validate")]) from None
        except ValueError as exc:
            if "integer string conversion" not in str(exc):
                raise
            limit = sys.get_int_max_str_digits()
            message = f"an integer of more than {limit} digits is more than can be validated"
            raise ContractViolation(self.event, [Violation(_huge_integer(payload), "json", message)]) from None

    def _validate(self, payload: Any) -> list[Violation]:
        is_valid = self._is_valid
        if is_valid is not None:
            try:
                schema_ok = is_valid(payload)
                if schema_ok and self._fused(payload):
                    return []
                if exact_json(payload):
                    # jsonschema-rs agrees with the reference on exact JSON types
                    if schema_ok:
                        return check_rules(self.event, payload)  # only rules broke
                    explained = _explain(self._compiled, payload, self.schema_file.schema, self._keyword_value)
                    if explained is not None:
                        return explained
            except _FUSED_ERRORS:
                pass
        return self.reference(payload)

    def validate_json(self, data: str | bytes | bytearray) -> tuple[Any, list[Violation]]:
        """JSON text parsed and validated: (payload, violations), read with orjson when the fast
        path can call it valid, else exactly by the standard library (integers of any size).

        Raises ValueError (`json.JSONDecodeError`, `UnicodeDecodeError`, `fast.NotJSON`) when
        `data` is not JSON; NaN, Infinity and numbers out of a float's range are not JSON.
        """
        quick = self.quick_json(data)
        if quick is not None:
            return quick[0], []
        exact = loads_exact(data)
        return exact, self.validate(exact)

    def quick_json(self, data: str | bytes | bytearray) -> tuple[Any] | None:
        """(payload,) when orjson's reading of `data` is certainly exact (`same_bytes`) and the
        fast path calls it valid; None means "read it exactly and ask `validate`"."""
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        return (payload,) if self.quick(payload) and same_bytes(payload, data) else None

    def quick(self, payload: Any) -> bool:
        """True when `payload` is certainly valid; False means "ask `validate`" (it may still be
        valid: a float count, an integer beyond 64 bits, a type only the reference judges)."""
        is_valid = self._is_valid
        if is_valid is None:
            return False
        try:
            return bool(is_valid(payload)) and self._fused(payload)
        except _FUSED_ERRORS:
            return False

    def quick_checks(self) -> tuple[Callable[[Any], bool], Callable[[Any], bool]] | None:
        """`quick` in two parts, (schema check, fused rule check), for loops that call them
        directly; both must be true, and either may raise one of `QUICK_ERRORS` (then: not sure)."""
        if self._is_valid is None:
            return None
        return self._is_valid, self._fused

    def reference(self, payload: Any) -> list[Violation]:
        """The reference answer: `jsonschema`, then the contract rules of rules.py."""
        from referencing.exceptions import Unresolvable

        try:
            errors = list(self._schema.iter_errors(payload))
        except Unresolvable as exc:
            raise CatalogueError(f"{self.schema_file.path}: $ref {exc.ref!r} does not resolve in the catalogue") from None
        if errors:
            return sorted({v for error in errors for v in _violations(error, self.schema_file.schema)})
        return check_rules(self.event, payload)


def _huge_integer(payload: Any) -> str:
    """The pointer of the first integer too long to convert to text ("" if none is found),
    found without recursion: the payload may be deep too."""
    limit = sys.get_int_max_str_digits()
    stack: list[tuple[list[Any], Any]] = [([], payload)]
    while stack:
        path, value = stack.pop()
        if type(value) is int and limit and value.bit_length() > limit * 3.32:  # log2(10) bits a digit
            return pointer_of(path)
        if isinstance(value, dict):
            stack.extend((path + [key], item) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((path + [index], item) for index, item in reversed(list(enumerate(value))))
    return ""


@lru_cache(maxsize=None)
def _packaged() -> Catalogue:
    return Catalogue.packaged()


@lru_cache(maxsize=256)
def validator_for(ref: str, catalogue: Catalogue | None = None) -> EventValidator:
    """The validator of `NAME[@VERSION]`, built once per catalogue."""
    cat = catalogue or _packaged()
    return EventValidator(cat, cat.event(ref))


def validate(event: str, payload: Any) -> list[Violation]:
    """Every way `payload` breaks the contract of `event` (`NAME` or `NAME@VERSION`); empty when valid.

    >>> validate("multi_workflow.batch_metrics", {"batch_id": "b1", "multi_workflow_count": 2,
    ...     "partial_success_count": 0, "conflict_count": 1})
    []
    """
    validator = _DEFAULT.get(event)
    if validator is None:
        validator = _DEFAULT[event] = validator_for(event)
    return validator.validate(payload)


_DEFAULT: dict[str, EventValidator] = {}  # validate()'s own lookup: cheaper than the lru_cache key


def _name(path: list[Any]) -> str:
    """The field a path ends at, in the draft's notation (`stages[0].run_mode`)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "event"


def _condition(schema_path: Iterable[Any], root: dict[str, Any]) -> str:
    """The description of the conditional branch (an `allOf` item or a `dependentSchemas` entry)
    that failed, so a message can say why the rule applies (`preview_only` is true, ...)."""
    node: Any = root
    parent_keyword = None
    found = ""
    for token in schema_path:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            break  # the path went through a $ref into another document; any branch was before it
        if parent_keyword in ("allOf", "dependentSchemas") and isinstance(node, dict) and "description" in node:
            found = str(node["description"])
        parent_keyword = token if isinstance(token, str) else None
    return found


def _violations(error: ValidationError, root: dict[str, Any]) -> Iterator[Violation]:
    """The violations one jsonschema error stands for."""
    keyword = str(error.validator)
    instance = error.instance
    value: Any = error.validator_value
    names: list[str] = []
    if keyword == "required" and isinstance(instance, dict):
        names = [p for p in value if p not in instance and repr(p) in error.message]
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        names = [p for p in instance if p not in known]
    return _describe(keyword, list(error.absolute_path), instance, value, names,
                     _condition(error.absolute_schema_path, root), error.message)


# The keywords whose jsonschema-rs errors `_explain` words as the reference does. Any other and the
# reference words the whole event.
_RS_WORDED = frozenset({
    "required", "additionalProperties", "enum", "const", "type", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength",
})


def _explain(compiled: Any, payload: Any, root: dict[str, Any], keyword_value: Callable[[str], Any]) -> list[Violation] | None:
    """The schema violations of `payload` (exact JSON values) found by jsonschema-rs, in the same
    words as the reference; None when an error is of a keyword not worded here. An invalid event
    then costs microseconds, not the milliseconds the reference takes (the differential tests hold
    the two to the same violations and messages). `keyword_value` reads a keyword's value from the
    catalogue at the error's absolute location, so it is the schema's own (a `type` list keeps its
    order, a bound its spelling)."""
    found: set[Violation] = set()
    for error in compiled.iter_errors(payload):
        kind = error.kind
        keyword = kind.name
        if keyword not in _RS_WORDED:
            return None
        path = list(error.instance_path)
        instance = payload
        for part in path:  # the payload's own value (integers exact), not jsonschema-rs's copy
            instance = instance[part]
        value = keyword_value(error.absolute_keyword_location)
        names = [kind.property] if keyword == "required" else list(kind.unexpected) if keyword == "additionalProperties" else []
        found.update(_describe(keyword, path, instance, value, names, _condition(error.schema_path, root), ""))
    return sorted(found) or None


def _describe(keyword: str, path: list[Any], instance: Any, value: Any, names: list[str], because: str,
              fallback: str) -> Iterator[Violation]:
    """Violations in the contract's words: `names` are the missing (`required`) or unexpected
    (`additionalProperties`) fields; `fallback` is the validator's own message for other keywords."""
    suffix = f" ({because})" if because else ""
    if keyword == "required":
        for prop in names:
            yield Violation(pointer_of(path + [prop]), keyword, f"{_name(path + [prop])} is required{suffix}")
        return
    if keyword == "additionalProperties":
        for prop in names:
            yield Violation(pointer_of(path + [prop]), keyword, f"{_name(path + [prop])} is not a field of this event")
        return
    name = _name(path)
    got = _short(instance)
    if keyword == "enum":
        message = f"{name} must be one of {', '.join(map(_short, value))} (got {got})"
    elif keyword == "const":
        message = f"{name} must be {_short(value)} (got {got})"
    elif keyword == "type":
        wanted = " or ".join(value) if isinstance(value, list) else value
        message = f"{name} must be {_article(wanted)} (got {json_type(instance)} {got})"
    elif keyword == "pattern":
        message = f"{name} {got} does not match {value}"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{name} is {got}, below the minimum {value}" if "inimum" in keyword else f"{name} is {got}, above the maximum {value}"
    elif keyword in ("minItems", "minLength"):
        message = f"{name} must have at least {value} {'item' if keyword == 'minItems' else 'character'}{'s' if value != 1 else ''}"
    elif keyword in ("maxItems", "maxLength"):
        message = f"{name} must have at most {value} {'items' if keyword == 'maxItems' else 'characters'}"
    else:
        message = f"{name}: {fallback}"
    yield Violation(pointer_of(path), keyword, message + suffix)


def _short(value: Any, limit: int = 60) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=repr)  # repr: a Python value JSON cannot hold
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
