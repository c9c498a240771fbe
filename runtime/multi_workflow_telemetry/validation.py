"""Validate a payload against an event's schema, then against the contract rules.

Schema errors are turned into `Violation`s whose pointer names the field itself: a missing or
unexpected property is pointed at by its own name, not at the object that holds it. Contract
rules run only on payloads the schema accepts, because they read fields the schema guarantees.

`validate` answers "valid" from the fast path (`fast.py`: jsonschema-rs and the contract rules
fused into one pass), and "invalid" from jsonschema-rs's errors worded in the contract's words
(`explain.py`), Python values JSON cannot hold included. `reference` is the same answer from
`jsonschema` (the reference implementation of draft 2020-12, the optional `[reference]` extra)
and `rules.py`; the differential tests (tests/test_fast_path.py) hold the two to the same
verdicts, pointers and rules, and to the same messages where a keyword has a contract wording.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import orjson

if TYPE_CHECKING:
    from jsonschema import ValidationError

from . import explain
from ._violation import ContractViolation, Violation, pointer_of
from .catalogue import Catalogue, CatalogueError, SchemaFile
from .fast import FAST_ERRORS, compile_problem, compile_schema, ecma_search, rs_str, exact_json, exact_json_ints, fused_check, judged_as_read, loads_exact, same_bytes
from .rules import rules_for
from .wording import condition, describe

# What a fused check can raise on a payload jsonschema-rs wrongly accepted: then the reference decides.
_FUSED_ERRORS = QUICK_ERRORS = (*FAST_ERRORS, KeyError, IndexError, AttributeError)


_MISSING = object()


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # JSON Schema patterns are ECMA-262 regular expressions, which jsonschema's `re` is not (see
    # `fast.ecma_search`); the tests hold `ecma_search` to regress, a second ECMA-262 engine.
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not ecma_search(pattern)(rs_str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=None)
def _contract_validator(dialect: str = "https://json-schema.org/draft/2020-12/schema") -> Any:
    """The reference of the schema's dialect (draft 2020-12 unless `$schema` says draft-07), with
    `pattern` evaluated as ECMA-262 requires. Built on first use: events the fast path calls valid
    never need it, and importing jsonschema costs start-up time."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend, validator_for

    base = validator_for({"$schema": dialect}, default=Draft202012Validator)
    return extend(base, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


class EventValidator:
    """Validates payloads of one event version: schema first, then contract rules."""

    def __init__(self, catalogue: Catalogue, schema_file: SchemaFile, *, fast: bool = True) -> None:
        self.schema_file = schema_file
        self.event = schema_file.name
        self._catalogue = catalogue
        self._keyword_values: dict[str, Any] = {}
        self._compiled = compile_schema(catalogue, schema_file) if fast else None
        self._is_valid = self._compiled.is_valid if self._compiled is not None else None
        # The rules of this version, not of the event: a released version keeps the rule set it
        # was released with (rules.py `since`/`until`).
        self._rules = rules_for(self.event, schema_file.version)
        has_rules = bool(self._rules)
        self._fused = fused_check(schema_file) or (self._generic_fused if has_rules else exact_json_ints)

    @cached_property
    def _schema(self) -> Any:
        """The reference validator (jsonschema), built when the first event needs it."""
        dialect = str(self.schema_file.schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"))
        return _contract_validator(dialect)(self.schema_file.schema, registry=self._catalogue.registry)

    def _keyword_value(self, location: str) -> Any:
        """The value of the keyword at an absolute location (`<$id>#/json/pointer`) in the catalogue."""
        value = self._keyword_values.get(location, _MISSING)
        if value is _MISSING:
            uri, _, pointer = location.partition("#")
            value = self._keyword_values[location] = self._catalogue.lookup(uri, unquote(pointer))  # RFC 6901 §6
        return value

    @property
    def evaluator(self) -> Callable[[Any], Any] | None:
        """jsonschema-rs's `evaluate` for this version (its annotations say which values an
        `x-sensitive` covers: `redaction.py`), or None where jsonschema-rs cannot compile it."""
        return self._compiled.evaluate if self._compiled is not None else None

    def _generic_fused(self, payload: Any) -> bool:
        return exact_json_ints(payload) and not self._check_rules(payload)

    def _check_rules(self, payload: Any) -> list[Violation]:
        return [v for r in self._rules for v in r.violations(payload)]

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
        if is_valid is None:
            return self.reference(payload)  # jsonschema-rs cannot compile the schema: the reference says why
        try:
            schema_ok = is_valid(payload)
            if schema_ok and self._fused(payload):
                return []
            if schema_ok and exact_json(payload):
                return self._check_rules(payload)  # only rules broke (jsonschema-rs agrees with the reference on exact JSON)
        except _FUSED_ERRORS:
            pass
        return self._python_values(payload)

    def _python_values(self, payload: Any) -> list[Violation]:
        """`validate` for invalid payloads, and for payloads with values JSON cannot hold or that
        jsonschema-rs reads otherwise than the reference (subclasses, non-str keys, tuples,
        Decimals): jsonschema-rs's errors on an exact copy, worded by explain.py."""
        compiled, root, keyword_value = self._compiled, self.schema_file.schema, self._keyword_value
        copy = explain.Copy(payload)
        errors = list(compiled.iter_errors(copy.value))  # type: ignore[union-attr]
        types: list[tuple[Any, Any]] = []
        if copy.foreign:
            errors, types = explain.foreign_errors(errors, copy)
            for probe in explain.probes(payload):
                types += explain.foreign_errors(list(compiled.iter_errors(probe.value)), probe)[1]  # type: ignore[union-attr]
        found = explain.violations(iter(errors), payload, root, keyword_value, copy)
        found |= explain.type_violations(types, copy, root, keyword_value)
        return sorted(found) if found else self._check_rules(payload)

    def validate_read(self, payload: Any, as_read: bool, schema_valid: bool | None = None) -> list[Violation]:
        """`validate` for a payload as a JSON reader returned it (exact types only, so
        `exact_json` holds without a walk). `as_read` (`fast.judged_as_read` of its text) says
        jsonschema-rs may judge it as it stands: then an invalid payload's errors come without
        the exact copy `validate` makes of any Python value, the cost of most invalid lines.
        `schema_valid`, when the caller has it, is this validator's `quick_checks` verdict on
        this very payload: False, the schema refused it; True, the schema accepted it and the
        fused rule check was not sure. Neither is asked again."""
        compiled = self._compiled
        if compiled is None or not as_read:
            return self.validate(payload)
        try:
            if schema_valid is None:
                schema_valid = bool(compiled.is_valid(payload))
                if schema_valid and self._fused(payload):
                    return []
            if schema_valid:  # only rules can be broken
                return self._check_rules(payload)
            errors = compiled.iter_errors(payload)
            found = explain.violations(errors, payload, self.schema_file.schema, self._keyword_value)
            return sorted(found) if found else self._check_rules(payload)
        except _FUSED_ERRORS:  # too deep, an integer too long to word, ...: `validate` says how
            return self.validate(payload)

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
        return exact, self.validate_read(exact, judged_as_read(data, by_orjson=False))

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
        """The reference answer: `jsonschema`, then the contract rules of rules.py. Needs the
        `[reference]` extra (jsonschema, referencing); CatalogueError says so when it is missing."""
        try:
            from referencing.exceptions import Unresolvable
        except ImportError:
            if self._compiled is None:  # say why jsonschema-rs cannot compile it: the reference is not here to
                raise CatalogueError(f"{self.schema_file.path}: {compile_problem(self._catalogue, self.schema_file)}") from None
            raise CatalogueError(f"{self.schema_file.path}: the reference validator is not installed "
                                 "(pip install 'multi-workflow-telemetry[reference]')") from None

        try:
            errors = list(self._schema.iter_errors(payload))
        except Unresolvable as exc:
            raise CatalogueError(f"{self.schema_file.path}: $ref {exc.ref!r} does not resolve in the catalogue") from None
        if errors:
            return sorted({v for error in errors for v in _violations(error, self.schema_file.schema)})
        return self._check_rules(payload)


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
    """The validator of `NAME`, `NAME@MAJOR` or `NAME@VERSION` (as `validate` reads them), built
    once per catalogue."""
    cat = catalogue or _packaged()
    return EventValidator(cat, cat.event(ref))


def validate(event: str, payload: Any) -> list[Violation]:
    """Every way `payload` breaks the contract of `event`; empty when valid.

    `event` is `NAME@VERSION`, `NAME@MAJOR` (the newest version of that major) or `NAME`: the
    newest version of the default major, `DEFAULT_MAJOR` (1 for every 1.x release of this
    package), so a new major of the event never changes what this call accepts. Pin a major with
    `multi_workflow_telemetry.v1.validate`.

    >>> validate("multi_workflow.batch_metrics", {"batch_id": "b1", "multi_workflow_count": 2,
    ...     "partial_success_count": 0, "conflict_count": 1})
    []
    """
    validator = _DEFAULT.get(event)
    if validator is None:
        validator = _DEFAULT[event] = validator_for(event)
    return validator.validate(payload)


_DEFAULT: dict[str, EventValidator] = {}  # validate()'s own lookup: cheaper than the lru_cache key


def _violations(error: ValidationError, root: dict[str, Any]) -> Iterator[Violation]:
    """The violations one jsonschema error stands for."""
    keyword = str(error.validator)
    instance = error.instance
    value: Any = error.validator_value
    names: list[Any] = []
    if error.validator is None:
        keyword = "false"  # a `false` schema
    elif keyword == "required" and isinstance(instance, dict):
        names = [p for p in value if p not in instance and repr(p) in error.message]
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        names = explain.unexpected(instance, error.schema)
    return describe(keyword, list(error.absolute_path), instance, value, names,
                    condition(error.absolute_schema_path, root), error.message)


