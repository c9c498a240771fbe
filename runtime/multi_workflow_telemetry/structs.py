"""Event schemas as msgspec types: one pass that parses a line and checks its structure.

The stream validator's fastest tier. orjson followed by jsonschema-rs reads every value twice
(once to parse, once to convert for the validator); msgspec parses JSON straight into typed
structs and checks types, required and unknown fields, enums and bounds as it goes, in C. The
types are built here from the catalogue's schemas, so the schemas stay the only source.

Only a subset of JSON Schema maps onto msgspec types exactly. Anything outside it (see `_STRING`,
`_INTEGER`, ...: a keyword not listed there) and the schema is not compiled: `StructTier` leaves
that event to the next tier (orjson, jsonschema-rs and the fused rules in `fast.py`). The
mapping errs only towards strictness: msgspec refuses `2.0` for an integer, which JSON Schema
accepts; such a line simply takes the next tier. What msgspec types cannot say at all is kept as
a *residual* schema, compiled by `residual.py` into one expression over the few top-level fields
it reads: a `pattern` Python's `re` cannot say exactly (see `python_pattern`) and the root's
conditionals (`allOf`, `if`/`then`/`else`, `dependentSchemas`, `dependentRequired`).

Duplicate keys: msgspec, like orjson, keeps the last of a repeated key silently. The struct is
encoded again and its length compared with the line's, insignificant whitespace set aside
(`fast.same_length`, so a `json.dumps` line or one with tabs is proven as cheaply): every value msgspec re-encodes is at most
as long as it was written (escapes only shrink: `\\u0041` becomes `A`, `\\/` becomes `/`; integers
keep their digits; `-0` becomes `0`), so equal lengths prove that nothing was dropped. Floats could
grow (`1e2` is re-encoded `100.0`), so a float in open content (`dict[str, Any]`) is refused while
parsing (`float_hook`); typed `number` fields are not compiled at all.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urldefrag, urljoin

import msgspec

from .catalogue import Catalogue, SchemaFile
from .fast import fused_check, same_length
from .residual import Unsupported, compile_residual, fields_read
from .rules import rules_for

# Annotations never change whether an instance is valid (`format` asserts nothing in draft
# 2020-12 unless a validator opts in, and neither the reference nor jsonschema-rs does).
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "deprecated",
    "readOnly", "writeOnly", "format",
})
# The assertions each JSON type maps exactly onto msgspec.
_STRING = frozenset({"minLength", "maxLength", "enum", "const", "pattern"})
_INTEGER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_ARRAY = frozenset({"items", "minItems", "maxItems"})
_OBJECT = frozenset({"properties", "required", "additionalProperties"})
# The root's keywords kept for the residual check (residual.py).
_RESIDUAL_ROOT = frozenset({"allOf", "if", "then", "else", "dependentSchemas", "dependentRequired"})
MAX_NAME = 64


# Patterns whose ECMA-262 meaning Python's `re` shares exactly: ASCII literals, non-negated ASCII
# classes and greedy quantifiers, anchored by `^` and `$` at their ends only. (`.`, escapes,
# negated classes and alternation differ between the two, in line terminators, Unicode classes
# and UTF-16 code units.) `$` becomes `\Z`: Python's `$` also matches before a final newline.
_SAFE_PATTERN = re.compile(r"\^?(?:(?:[A-Za-z0-9_:/@=,;-]|\[[A-Za-z0-9_-]+\])(?:[?*+]|\{\d+(?:,\d*)?\})?)+\$?")


def python_pattern(pattern: str) -> str | None:
    """The Python regular expression (searched, as msgspec does) that accepts exactly the strings
    the ECMA-262 `pattern` accepts, or None when this module cannot vouch for one."""
    if not _SAFE_PATTERN.fullmatch(pattern):
        return None
    translated = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    try:
        re.compile(translated)
    except re.error:  # e.g. a class range written backwards: the reference reports the schema
        return None
    return translated


def _refuse_float(text: str) -> Any:
    # A float in open content may re-encode longer than written, which would defeat the
    # duplicate-key proof (see the module's docstring): such a line takes the next tier.
    raise ValueError("a float in open content: checked by the next tier")


@dataclass(frozen=True)
class EventType:
    """One event version as a msgspec struct, with what the struct cannot check itself."""

    event: str
    struct: type
    # True when what the struct cannot check holds: the root's conditions and the patterns Python
    # cannot say (residual.py), then the contract rules (`then`).
    check: Callable[[Any], bool]


class _Builder:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.structs: dict[tuple[str, str], Any] = {}
        self.names: set[str] = set()

    def resolve(self, base: str, ref: str) -> tuple[str, str, Any]:
        uri, fragment = urldefrag(urljoin(base, ref))
        if fragment and not fragment.startswith("/"):
            raise Unsupported(f"$ref {ref!r}: only JSON pointers into the catalogue's documents")
        try:
            return uri, fragment, self.catalogue.lookup(uri, fragment)
        except KeyError:
            raise Unsupported(f"$ref {ref!r} does not resolve in the catalogue") from None

    def type_of(self, schema: Any, base: str, where: str) -> Any:
        """The msgspec type accepting exactly (or fewer than) the instances `schema` accepts."""
        if not isinstance(schema, dict):
            raise Unsupported(f"{where}: boolean schemas are not compiled")
        asserting = {k for k in schema if k not in _ANNOTATIONS and not k.startswith("x-")}
        if "$ref" in schema:
            if asserting != {"$ref"}:
                raise Unsupported(f"{where}: $ref beside other keywords")
            uri, fragment, target = self.resolve(base, schema["$ref"])
            if isinstance(target, dict) and "$id" in target and fragment:
                raise Unsupported(f"{where}: $ref into a resource with its own $id")
            return self.type_of_target(target, uri, fragment, where)
        types = schema.get("type")
        if types is None and asserting and asserting <= {"const", "enum"}:
            types = "string"  # `const: "x"` accepts the string "x" only: a string schema says the same
            if not all(type(v) is str for v in ([schema["const"]] if "const" in schema else schema["enum"])):
                raise Unsupported(f"{where}: enum or const of other than strings")
            schema = {**schema, "type": "string"}
        if types is None:
            raise Unsupported(f"{where}: no type")
        names = [types] if isinstance(types, str) else list(types)
        if not names or len(set(names)) != len(names):
            raise Unsupported(f"{where}: type {types!r}")
        rest = asserting - {"type"}
        members = [self.one_type(name, schema, rest, base, where) for name in names]
        return members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007 - built at run time

    def type_of_target(self, target: Any, uri: str, fragment: str, where: str) -> Any:
        key = (uri, fragment)
        if key not in self.structs:
            self.structs[key] = None  # a reference back to a shape being built: recursive, refused
            self.structs[key] = self.type_of(target, uri, f"{uri}#{fragment}")
        elif self.structs[key] is None:
            raise Unsupported(f"{where}: recursive $ref")
        return self.structs[key]

    def one_type(self, name: str, schema: dict[str, Any], rest: set[str], base: str, where: str) -> Any:
        # A type's own keywords hold vacuously for values of other types, so each is checked on the
        # member of its type. `enum` and `const` constrain every type: only strings take them here.
        if rest & {"enum", "const"} and schema.get("type") != "string":
            raise Unsupported(f"{where}: enum or const on a type other than string")
        others = rest - _STRING - _INTEGER - _ARRAY - _OBJECT
        if others:
            raise Unsupported(f"{where}: keyword(s) {sorted(others)}")
        own = {"string": _STRING, "integer": _INTEGER, "array": _ARRAY, "object": _OBJECT}.get(name, frozenset())
        mine = rest & own
        if name == "string":
            return self.string(schema, mine, where)
        if name == "integer":
            bounds = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
            meta = {arg: schema[key] for arg, key in bounds.items() if key in mine}
            if any(type(v) is not int for v in meta.values()):
                raise Unsupported(f"{where}: non-integer bound")
            return Annotated[int, msgspec.Meta(**meta)] if meta else int
        if name == "boolean":
            return bool
        if name == "null":
            return None
        if name == "array":
            item = self.type_of(schema["items"], base, f"{where}/items") if "items" in mine else Any
            meta = {arg: schema[key] for arg, key in (("min_length", "minItems"), ("max_length", "maxItems")) if key in mine}
            return Annotated[list[item], msgspec.Meta(**meta)] if meta else list[item]  # type: ignore[valid-type]
        if name == "object":
            return self.object(schema, base, where)
        raise Unsupported(f"{where}: type {name!r}")  # number: floats may re-encode longer

    def string(self, schema: dict[str, Any], mine: set[str], where: str) -> Any:
        pattern = python_pattern(schema["pattern"]) if "pattern" in mine else None
        if "pattern" in mine and pattern is None:
            raise Unsupported(f"{where}: pattern {schema['pattern']!r} may mean something else in Python's re")
        if "enum" in mine or "const" in mine:
            values = list(schema["enum"]) if "enum" in mine else [schema["const"]]
            if "enum" in mine and "const" in mine:
                values = [v for v in values if v == schema["const"]]
            if not values or any(type(v) is not str for v in values):
                raise Unsupported(f"{where}: enum or const of other than strings")
            values = [v for v in values if _length_ok(v, schema) and (pattern is None or re.search(pattern, v))]
            if not values:
                raise Unsupported(f"{where}: no value satisfies both enum and length")
            return Literal[tuple(values)]
        meta: dict[str, Any] = {arg: schema[key] for arg, key in (("min_length", "minLength"), ("max_length", "maxLength"))
                                if key in mine}
        if pattern is not None:
            meta["pattern"] = pattern
        return Annotated[str, msgspec.Meta(**meta)] if meta else str

    def object(self, schema: dict[str, Any], base: str, where: str, *, root: SchemaFile | None = None,
               skip: frozenset[str] = frozenset()) -> Any:
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if not props and extra is True and "required" not in schema:
            return dict[str, Any]  # open content: any object
        if extra is not False:
            raise Unsupported(f"{where}: an object with properties must be closed (additionalProperties: false)")
        required = set(schema.get("required", []))
        if not required <= set(props):
            raise Unsupported(f"{where}: a required field that is not a property")
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for prop, sub in props.items():
            if prop in skip:
                continue
            if not prop.isidentifier() or keyword.iskeyword(prop) or prop.startswith("_"):
                raise Unsupported(f"{where}: field name {prop!r}")
            kind = self.type_of(sub, base, f"{where}/properties/{prop}")
            fields.append((prop, kind) if prop in required else (prop, Union[kind, msgspec.UnsetType], msgspec.UNSET))
        title = _struct_name(where, self.names)
        options: dict[str, Any] = {}
        if root is not None and "event_type" in skip:
            options = {"tag_field": "event_type", "tag": root.name}
        # gc=False: decoded events hold no reference cycles, and untracked structs are cheaper to make
        return msgspec.defstruct(title, fields, kw_only=True, forbid_unknown_fields=True, gc=False, **options)


def _length_ok(value: str, schema: dict[str, Any]) -> bool:
    return bool(schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)))


def _struct_name(where: str, taken: set[str]) -> str:
    words = [w for w in where.replace("#", "/").replace(".", "/").split("/") if w.isidentifier()][-3:]
    name = "".join(w.title().replace("_", "") for w in words)[:MAX_NAME] or "Shape"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    taken.add(candidate)
    return candidate


_SCALARS = (str, int, bool, type(None))


def _is_scalar(kind: Any) -> bool:
    """Whether a field of this msgspec type always holds a str, int, bool or None (so the value
    the residual check reads is the JSON value itself, not a struct)."""
    if kind in _SCALARS or kind is None or kind is msgspec.UnsetType:
        return True
    origin = get_origin(kind)
    if origin is Annotated:
        return _is_scalar(get_args(kind)[0])
    if origin is Literal:
        return True
    if origin is Union:
        return all(_is_scalar(arg) for arg in get_args(kind))
    return False


def _no_rules(value: Any) -> bool:
    return True


def compile_event(catalogue: Catalogue, schema_file: SchemaFile, *, tagged: bool = True,
                  then: Callable[[Any], bool] | None = None) -> EventType:
    """The msgspec type of one event version. Raises Unsupported when the schema (or a shape it
    references) is outside what msgspec types express exactly.

    Tagged, `event_type` is the struct's tag, so one decoder reads every event of a stream (a line
    must then name its event). Untagged, `event_type` is an ordinary optional field, for a stream
    of one known event (`--event`) whose lines may leave it out."""
    schema = schema_file.schema
    if not schema_file.id:
        raise Unsupported("an event schema without $id: its references cannot be resolved here")
    base = schema_file.id
    builder = _Builder(catalogue)
    if schema.get("type") != "object":
        raise Unsupported("an event is an object")
    root_keys = {k for k in schema if k not in _ANNOTATIONS and not k.startswith("x-")}
    residual_keys = root_keys - {"type"} - _OBJECT
    if residual_keys - _RESIDUAL_ROOT:
        raise Unsupported(f"root keyword(s) {sorted(residual_keys - _RESIDUAL_ROOT)}")
    props: dict[str, Any] = schema.get("properties", {})
    tag = props.get("event_type")
    if not (isinstance(tag, dict) and tag.get("const") == schema_file.name
            and not {k for k in tag if k not in _ANNOTATIONS and not k.startswith("x-")} - {"const"}):
        raise Unsupported("event_type must be a property whose const is the event's name (it tags the struct)")
    # Patterns of top-level strings that Python's `re` cannot say exactly move to the residual
    # check (ECMA-262, by jsonschema-rs: `fast.ecma_search`); the others stay in the struct, checked while parsing.
    residual: dict[str, Any] = {k: schema[k] for k in residual_keys}
    patterns: dict[str, Any] = {}
    stripped: dict[str, Any] = {}
    for name, sub in props.items():
        target = sub
        if isinstance(sub, dict) and "$ref" in sub:
            target = builder.resolve(base, sub["$ref"])[2]
        if isinstance(target, dict) and "pattern" in target and python_pattern(target["pattern"]) is None:
            patterns[name] = {"pattern": target["pattern"]}
            stripped[name] = {k: v for k, v in target.items() if k != "pattern"}
    if patterns:
        residual["properties"] = patterns
    closed = dict(schema, properties={**props, **stripped})
    skip = frozenset({"event_type"}) if tagged else frozenset()
    struct = builder.object(closed, base, f"{schema_file.name}", root=schema_file if tagged else None, skip=skip)
    kinds = {f.name: f.type for f in msgspec.structs.fields(struct)}
    for name in fields_read(residual):
        if name not in kinds or not _is_scalar(kinds[name]):
            raise Unsupported(f"the conditions read {name!r}, which is not a scalar field of the event")
    if residual:
        check = compile_residual(residual, schema_file.ref, then=then)
    else:
        check = then or _no_rules
    return EventType(schema_file.name, struct, check)


# What a struct tier's checks may raise on a line they cannot judge: the next tier decides.
TIER_ERRORS = (msgspec.DecodeError, ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


class StructTier:
    """Lines of the given event versions, parsed and checked at once; `check(raw)` returns the
    struct and its event when the line is certainly valid, else None (ask the next tier).

    The events share one decoder, a union tagged by `event_type`, so a line is read once whatever
    its event; untagged (one event version, known beforehand) a line may leave `event_type` out.
    Event versions whose schema, or whose contract rules, have no struct form here are left out,
    and their lines go to the next tier. (`Checker._lines` in the tooling runs the same steps as
    `check`, inlined in its loop over lines.)
    """

    def __init__(self, catalogue: Catalogue, schema_files: list[SchemaFile], *, tagged: bool = True) -> None:
        if not tagged and len(schema_files) != 1:
            raise ValueError("an untagged tier reads one event version")
        # struct type -> (the residual schema and the contract rules in one function, event)
        self.checks: dict[type, tuple[Callable[[Any], bool], str]] = {}
        self.skipped: dict[str, str] = {}  # event -> why it has no struct tier
        for schema_file in schema_files:
            fused = fused_check(schema_file, structs=True)
            if fused is None and rules_for(schema_file.name, schema_file.version):
                self.skipped[schema_file.ref] = "no struct form of its contract rules"
                continue
            try:
                event_type = compile_event(catalogue, schema_file, tagged=tagged, then=fused)
            except Unsupported as exc:
                self.skipped[schema_file.ref] = str(exc)
                continue
            self.checks[event_type.struct] = (event_type.check, event_type.event)
        types = list(self.checks)
        self.decoder = (msgspec.json.Decoder(types[0] if len(types) == 1 else Union[tuple(types)],  # noqa: UP007
                                             float_hook=_refuse_float) if types else None)
        encoder = msgspec.json.Encoder()
        self.encode, self.encode_into = encoder.encode, encoder.encode_into

    def check(self, raw: bytes) -> tuple[Any, str] | None:
        """(struct, event) when `raw` is certainly a valid event, else None."""
        if self.decoder is None:
            return None
        try:
            value = self.decoder.decode(raw)
            # Equal lengths (whitespace set aside): no key was repeated and nothing was written in a
            # longer form than msgspec writes (see the module's docstring): the struct is the line.
            if not same_length(self.encode(value), raw):
                return None
            check, event = self.checks[type(value)]
            if check(value):
                return value, event
        except TIER_ERRORS:
            pass
        return None
