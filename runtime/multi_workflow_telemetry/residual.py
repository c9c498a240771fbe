"""What an event's msgspec struct cannot check, compiled to one Python expression over the struct.

`structs.py` maps a schema's structure onto msgspec types. Two things do not map: `pattern`
(msgspec's patterns are Python's `re`, whose `$` also matches before a final newline; JSON Schema
patterns are ECMA-262) and the root's conditionals (`allOf`, `if`/`then`/`else`,
`dependentSchemas`, `dependentRequired`). They form the *residual* schema, which may only read
top-level scalar fields (a string, integer, boolean or null, or absent). It is compiled here into
one boolean expression, `p.status is _U or ...`, evaluated on the struct in a few hundred
nanoseconds, where building a dict for jsonschema-rs would cost more than the checks.

The expression is exact: true if and only if the residual schema accepts the event's fields.
Anything outside the listed keywords raises Unsupported, and the event keeps the next tier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from .fast import ecma_search

# Keywords that only annotate.
_ANNOTATIONS = frozenset({"$comment", "title", "description", "examples", "default", "deprecated"})
# On the event: how fields relate. On a field: what its value must be.
_ON_EVENT = frozenset({"properties", "required", "allOf", "if", "then", "else", "dependentRequired",
                       "dependentSchemas", "type"})
_ON_FIELD = frozenset({"const", "enum", "type", "pattern", "minLength", "maxLength", "minimum", "maximum",
                       "exclusiveMinimum", "exclusiveMaximum"})
_TYPE_TEST = {
    "string": "type({x}) is str", "integer": "type({x}) is int", "boolean": "type({x}) is bool",
    "null": "{x} is None", "number": "type({x}) is int",  # the struct holds no floats (structs.py)
    "object": "False", "array": "False",  # a scalar field is neither
}


class Unsupported(Exception):
    """A schema (or a part of it) the struct tier cannot check exactly: it keeps the next tier."""


def _asserting(schema: dict[str, Any]) -> set[str]:
    return {k for k in schema if k not in _ANNOTATIONS and not k.startswith("x-")}


def fields_read(schema: Any) -> Iterator[str]:
    """The top-level fields the residual schema reads."""
    if isinstance(schema, bool):
        return
    yield from schema.get("properties", {})
    yield from schema.get("required", [])
    for name, needed in schema.get("dependentRequired", {}).items():
        yield name
        yield from needed
    for name, sub in schema.get("dependentSchemas", {}).items():
        yield name
        yield from fields_read(sub)
    for key in ("if", "then", "else"):
        if key in schema:
            yield from fields_read(schema[key])
    for sub in schema.get("allOf", []):
        yield from fields_read(sub)


class _Compiler:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"_U": msgspec.UNSET}

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def event(self, schema: Any, where: str) -> str:
        """An expression true exactly when the event `p` satisfies `schema`."""
        if isinstance(schema, bool):
            return str(schema)
        if not isinstance(schema, dict) or _asserting(schema) - _ON_EVENT:
            raise Unsupported(f"{where}: keyword(s) {sorted(_asserting(schema) - _ON_EVENT)} on the event")
        if schema.get("type", "object") != "object":
            raise Unsupported(f"{where}: a type other than object for the event")
        parts: list[str] = []
        for name, sub in schema.get("properties", {}).items():
            parts.append(f"(p.{_field(name)} is _U or {self.field(sub, f'p.{name}', f'{where}/properties/{name}')})")
        parts += [f"p.{_field(name)} is not _U" for name in schema.get("required", [])]
        for name, needed in schema.get("dependentRequired", {}).items():
            present = " and ".join(f"p.{_field(n)} is not _U" for n in needed) or "True"
            parts.append(f"(p.{_field(name)} is _U or ({present}))")
        for name, sub in schema.get("dependentSchemas", {}).items():
            parts.append(f"(p.{_field(name)} is _U or {self.event(sub, f'{where}/dependentSchemas/{name}')})")
        if "if" in schema:
            then = self.event(schema.get("then", True), f"{where}/then")
            otherwise = self.event(schema.get("else", True), f"{where}/else")
            parts.append(f"(({then}) if {self.event(schema['if'], f'{where}/if')} else ({otherwise}))")
        parts += [self.event(sub, f"{where}/allOf/{i}") for i, sub in enumerate(schema.get("allOf", []))]
        return "(" + " and ".join(parts) + ")" if parts else "True"

    def field(self, schema: Any, x: str, where: str) -> str:
        """An expression true exactly when the scalar value `x` satisfies `schema`."""
        if isinstance(schema, bool):
            return str(schema)
        if not isinstance(schema, dict) or _asserting(schema) - _ON_FIELD:
            raise Unsupported(f"{where}: keyword(s) {sorted(_asserting(schema) - _ON_FIELD)} on a field")
        parts: list[str] = []
        if "type" in schema:
            kinds = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if any(kind not in _TYPE_TEST for kind in kinds):
                raise Unsupported(f"{where}: type {schema['type']!r}")
            parts.append("(" + " or ".join(_TYPE_TEST[kind].format(x=x) for kind in kinds) + ")")
        if "const" in schema:
            parts.append(_equal(x, schema["const"], self))
        if "enum" in schema:
            parts.append("(" + (" or ".join(_equal(x, v, self) for v in schema["enum"]) or "False") + ")")
        if "pattern" in schema:
            try:
                search = self.constant(ecma_search(schema["pattern"]))  # ECMA-262, as the reference
            except ValueError as exc:
                raise Unsupported(f"{where}: {exc}") from None
            parts.append(f"(type({x}) is not str or {search}({x}))")
        for keyword, op in (("minLength", ">="), ("maxLength", "<=")):
            if keyword in schema:
                parts.append(f"(type({x}) is not str or len({x}) {op} {int(schema[keyword])})")
        for keyword, op in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
            if keyword in schema:
                parts.append(f"(type({x}) is not int or {x} {op} {self.constant(schema[keyword])})")
        return "(" + " and ".join(parts) + ")" if parts else "True"


def _field(name: str) -> str:
    if not name.isidentifier():
        raise Unsupported(f"field name {name!r}")
    return name


def _equal(x: str, value: Any, compiler: _Compiler) -> str:
    """Equality as JSON Schema defines it, of the scalar field `x` (a str, an int, a bool or None:
    the struct holds no floats) and the constant `value`: 1 == 1.0, but true != 1 and "1" != 1."""
    if isinstance(value, str):
        return f"({x} == {value!r})"  # only a string equals a string
    if value is None or isinstance(value, bool):
        return f"({x} is {value!r})"
    if type(value) in (int, float):
        return f"(type({x}) is int and {x} == {compiler.constant(value)})"
    return "False"  # an array or an object: no scalar equals one


def compile_residual(schema: dict[str, Any], name: str, then: Callable[[Any], bool] | None = None) -> Callable[[Any], bool]:
    """The residual schema as a function of the event's struct; with `then`, a function true when
    both the residual schema and `then` (the contract rules) hold: one call per line, not two."""
    compiler = _Compiler()
    expression = compiler.event(schema, "")
    if then is not None:
        expression = f"{expression} and _then(p)"
    source = f"def residual(p):\n    return {expression}\n"
    namespace = dict(compiler.namespace, _then=then)
    exec(compile(source, f"<residual of {name}>", "exec"), namespace)  # noqa: S102 - built from the schema above
    check: Callable[[Any], bool] = namespace["residual"]
    return check
