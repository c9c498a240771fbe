"""Where a schema lives: its document, dialect and resolver, and how to validate against it.

Each side of a diff (old, new) gets a registry of its own, so two versions sharing one `$id`
never shadow each other. Remote references are refused, never fetched.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema_rs
import referencing.jsonschema
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

from .ecma import VALIDATORS, is_pattern

SPECS = {
    "draft4": referencing.jsonschema.DRAFT4,
    "draft6": referencing.jsonschema.DRAFT6,
    "draft7": referencing.jsonschema.DRAFT7,
    "2019-09": referencing.jsonschema.DRAFT201909,
    "2020-12": referencing.jsonschema.DRAFT202012,
}
DIALECTS = {"draft-07": "draft7", "2020-12": "2020-12"}  # what --default-dialect may name


# Keywords whose values are instances, not schemas: a "$ref" key inside them is data.
DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default", "required", "dependentRequired", "type"})


class SchemaError(Exception):
    """The input cannot be compared: unresolvable reference, unknown dialect, not a schema.

    `side` ("old" or "new") and `pointer` (a JSON pointer into that side, "" for its root) say
    where, when known, so a caller holding the file can name it and the line; `reason` is the rest.
    """

    def __init__(self, message: str, side: str | None = None, pointer: str | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.side, self.pointer, self.reason = side, pointer, reason if reason is not None else message

    @classmethod
    def at(cls, side: str, pointer: str, reason: str) -> SchemaError:
        """An error at `pointer` of one side, worded `old #/pointer: reason`."""
        return cls(f"{side} #{pointer}: {reason}", side, pointer, reason)


class Undecidable(Exception):
    """A real validator could not answer (bad regex, runaway recursion): prove nothing from it."""


def dialect_of(schema: Any, default: str = "2020-12") -> str:
    """The dialect a schema declares with `$schema`, or `default`."""
    uri = schema.get("$schema", "") if isinstance(schema, dict) else ""
    if not isinstance(uri, str) or not uri:
        return default
    for marker, name in (("draft-04", "draft4"), ("draft-06", "draft6"), ("draft-07", "draft7"),
                         ("2019-09", "2019-09"), ("2020-12", "2020-12")):
        if marker in uri:
            return name
    raise SchemaError(f"unknown $schema {uri!r}: expected draft-04, -06, -07, 2019-09 or 2020-12")


META_URIS = {"draft4": "http://json-schema.org/draft-04/schema#", "draft6": "http://json-schema.org/draft-06/schema#",
             "draft7": "http://json-schema.org/draft-07/schema#",
             "2019-09": "https://json-schema.org/draft/2019-09/schema",
             "2020-12": "https://json-schema.org/draft/2020-12/schema"}


# The metaschemas mark regex-valued keywords `"format": "regex"` (`pattern`; the names of
# `patternProperties` from draft-06 on). A schema whose pattern no validator can compile is not a
# schema: it is refused as unusable input, never compared. So `regex` is asserted, and only it
# (`uri`, `uri-reference` stay annotations, as before), and it means ECMA-262 as the repository's
# validators compile it, not Python's `re`: `\p{L}` is a regex, `[\d-z]` is not.
REGEX_ONLY = FormatChecker(formats=())
REGEX_ONLY.checks("regex", raises=ValueError)(lambda value: not isinstance(value, str) or _regex(value))


def _regex(pattern: str) -> bool:
    if not is_pattern(pattern):
        raise ValueError(f"{pattern!r} is not an ECMA-262 regular expression")
    return True


def _metaschema(dialect: str) -> tuple[Any, dict[str, Any]]:
    """The validator class and metaschema a schema of `dialect` is checked against.

    Draft-04's metaschema never says `patternProperties` names are regexes (draft-06 added that,
    with `propertyNames`, which draft-04 validators ignore): it is checked here with the rule added,
    as a draft-06 schema. Draft-06 reads every keyword of that metaschema as draft-04 does but one,
    `multipleOf`'s boolean `exclusiveMinimum`, written here in draft-06's words (above 0).
    """
    if dialect != "draft4":
        return VALIDATORS[dialect], VALIDATORS[dialect].META_SCHEMA
    meta = dict(VALIDATORS["draft4"].META_SCHEMA, **{"$schema": META_URIS["draft6"]})
    meta["properties"] = dict(
        meta["properties"], multipleOf={"type": "number", "exclusiveMinimum": 0},
        patternProperties={**meta["properties"]["patternProperties"], "propertyNames": {"format": "regex"}})
    return VALIDATORS["draft6"], meta


@lru_cache(maxsize=None)
def _fast_meta(dialect: str) -> Any:
    # jsonschema-rs answers in milliseconds where jsonschema takes seconds on a 1 MB schema; the
    # Python callbacks assert `regex` alone, as REGEX_ONLY does for jsonschema's wording below.
    _, meta = _metaschema(dialect)
    return jsonschema_rs.validator_for(meta, validate_formats=True, formats={
        "regex": lambda value: is_pattern(value), "uri": lambda value: True, "uri-reference": lambda value: True})


def _meta_valid(schema: Any, dialect: str) -> bool:
    try:
        return bool(_fast_meta(dialect).is_valid(schema))
    except Exception:  # noqa: BLE001 - a shape it does not know: ask jsonschema
        return False


def meta_error(schema: Any, dialect: str) -> ValidationError | None:
    """Why `schema` is not a schema of `dialect` (patterns included), or None when it is one."""
    if _meta_valid(schema, dialect):
        return None
    cls, meta = _metaschema(dialect)
    error: ValidationError | None = best_match(cls(meta, format_checker=REGEX_ONLY).iter_errors(schema))
    return error


def _wording(error: ValidationError) -> str:
    # jsonschema words a format error "'([' is not a 'regex'": the cause says which regex dialect.
    if error.validator == "format" and error.cause is not None:
        return f"{error.cause} (format {error.validator_value!r})"
    return error.message


def _pointer(segments: Any) -> str:
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segments)


def non_finite(value: Any) -> tuple[str, float] | None:
    """The pointer and value of the first number in `value` that is not finite (None: there is none).

    Python reads `1e400` as infinity (and `NaN` if asked to): no validator compares such a bound
    as the schema's author meant, and a witness holding one is not JSON. Iterative: a schema may
    nest deeper than Python's recursion.
    """
    try:
        json.dumps(value, allow_nan=False)  # in C: a 1 MB schema in milliseconds, the common case
        return None
    except (ValueError, TypeError, RecursionError):
        pass  # a number to find (or a value json does not write): walk to it
    todo: list[tuple[str, Any]] = [("", value)]
    seen: set[int] = set()  # a dict that holds itself (no JSON text makes one) is walked once
    while todo:
        path, item = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return path, item
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, dict):
            todo.extend((path + _pointer([k]), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            todo.extend((path + _pointer([i]), v) for i, v in reversed(list(enumerate(item))))
    return None


def check_usable(name: str, root: Any, dialect: str) -> None:
    """Raise SchemaError unless `root` is a valid `dialect` schema with finite numbers only."""
    found = non_finite(root)
    if found is not None:
        pointer, number = found
        why = ("NaN is not a JSON number" if math.isnan(number) else
               f"{'-' if number < 0 else ''}Infinity is not a JSON number (a number beyond the float range reads as one)")
        raise SchemaError.at(name, pointer, f"not a usable schema: {why}; write a finite number")
    error = meta_error(root, dialect)
    if error is not None:
        raise SchemaError.at(name, _pointer(error.absolute_path),
                             f"not a valid {dialect} schema: {_wording(error)}")


def _refuse(uri: str) -> Resource[Any]:
    # Anything not already in the registry is refused: a diff never touches the network.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@dataclass(eq=False)
class Side:
    """One schema of the pair (`old` or `new`) with the registry its references resolve in.

    `format_assertion`: whether `format` is an assertion, for this checker and for the validators
    that confirm its witnesses alike. Off by default, as the repository's validators (jsonschema-rs
    and jsonschema, as the runtime uses them) treat `format` as an annotation.
    """

    name: str
    root: Any
    dialect: str
    registry: Registry[Any] = field(repr=False)
    uri: str
    undecided: int = 0
    format_assertion: bool = False
    validators: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, name: str, root: Any, registry: Registry[Any] | None, default_dialect: str = "2020-12",
              format_assertion: bool = False) -> Side:
        """Check `root` against its metaschema and index it in a registry of its own (SchemaError if unusable).

        `default_dialect` is the dialect of a schema that names no `$schema` ("2020-12" or "draft7").
        """
        if not isinstance(root, (dict, bool)):
            raise SchemaError(f"{name}: a schema must be a JSON object or a boolean")
        try:
            dialect = dialect_of(root, default_dialect)
        except SchemaError as exc:
            raise SchemaError.at(name, "/$schema", str(exc)) from None
        spec = SPECS[dialect]
        check_usable(name, root, dialect)
        id_key = "id" if dialect == "draft4" else "$id"
        uri = root.get(id_key) if isinstance(root, dict) else None
        if not isinstance(uri, str) or not uri or uri.startswith("#"):
            uri = f"urn:compat:{name}"
        uri = uri.rstrip("#")
        resource = spec.create_resource(root)
        base = registry if registry is not None else Registry(retrieve=_refuse)  # type: ignore[call-arg]
        try:
            reg = base.with_resource(uri, resource).crawl()
        except Exception as exc:  # noqa: BLE001 - any crawl failure makes the input unusable
            raise SchemaError(f"{name}: cannot index the schema ({exc})") from None
        side = cls(name, root, dialect, reg, uri, format_assertion=format_assertion)
        try:
            side.check_refs(side.root_node())
        except RecursionError:
            raise SchemaError(f"{name}: nested too deeply to compare") from None
        return side

    def check_refs(self, node: Node) -> None:
        """Resolve every `$ref` once, up front, so a dangling one is an input error (SchemaError)."""
        schema = node.schema
        if isinstance(schema, dict):
            if isinstance(schema.get("$ref"), str):
                node.deref(schema["$ref"])
            for key, value in schema.items():
                if key in DATA_KEYWORDS:
                    continue
                if isinstance(value, (dict, list)):
                    self.check_refs(node.child(value, key))
        elif isinstance(schema, list):
            for i, value in enumerate(schema):
                if isinstance(value, (dict, list)):
                    self.check_refs(node.child(value, i))

    def root_node(self) -> Node:
        return Node(self.root, self.registry.resolver(base_uri=self.uri), self.dialect, "", self)

    def validator(self, node: Node) -> Any:
        """A real validator for `node` in its scope (cached: building one costs more than using it)."""
        key = (node.key, node.dialect)
        if key not in self.validators:
            cls = VALIDATORS[node.dialect]
            checker = cls.FORMAT_CHECKER if self.format_assertion else None
            self.validators[key] = cls(node.schema, registry=self.registry, _resolver=node.resolver,
                                       format_checker=checker)
        return self.validators[key]

    def accepts(self, node: Node, instance: Any) -> bool:
        """Whether the real validator accepts `instance` under `node`; Undecidable if it cannot say."""
        try:
            return bool(self.validator(node).is_valid(instance))
        except RecursionError:
            raise Undecidable("validator recursion limit") from None
        except Exception as exc:  # noqa: BLE001 - bad regex, unresolvable ref, ...: no answer
            raise Undecidable(f"validator failed: {exc}") from None

    def accepts_root(self, instance: Any) -> bool:
        # A schema the validator cannot run (runaway recursion, a bad regex) fails slowly: after a
        # few such answers, stop asking.
        if self.undecided >= 5:
            raise Undecidable("the validator repeatedly failed on this schema")
        try:
            return self.accepts(self.root_node(), instance)
        except Undecidable:
            self.undecided += 1
            raise


@dataclass(frozen=True, eq=False)
class Node:
    """A subschema in context: its value, resolver, dialect and path from its side's root."""

    schema: Any
    resolver: Any = field(repr=False)
    dialect: str
    path: str
    side: Side = field(repr=False)
    origin: int = 0
    dropped: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.origin:
            object.__setattr__(self, "origin", id(self.schema))

    @property
    def key(self) -> tuple[int, int, frozenset[str]]:
        # The side is part of the identity: one dict object may resolve differently on each side.
        return (id(self.side), self.origin, self.dropped)

    def child(self, value: Any, *segments: Any) -> Node:
        path = self.path + "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segments)
        resolver = self.resolver
        dialect = self.dialect
        if isinstance(value, dict):
            id_key = "id" if dialect == "draft4" else "$id"
            if isinstance(value.get(id_key), str) and not value[id_key].startswith("#"):
                dialect = dialect_of(value, dialect)
                resolver = resolver.in_subresource(SPECS[dialect].create_resource(value))
        return Node(value, resolver, dialect, path, self.side)

    def without(self, *keys: str) -> Node:
        assert isinstance(self.schema, dict)
        value = {k: v for k, v in self.schema.items() if k not in keys}
        return Node(value, self.resolver, self.dialect, self.path, self.side, self.origin, self.dropped | set(keys))

    def only(self, *keys: str) -> Node:
        assert isinstance(self.schema, dict)
        value = {k: v for k, v in self.schema.items() if k in keys}
        dropped = frozenset(k for k in self.schema if k not in keys)
        return Node(value, self.resolver, self.dialect, self.path, self.side, self.origin, self.dropped | dropped)

    def deref(self, ref: str) -> Node:
        """The node `ref` points at, resolved from this node's scope."""
        try:
            resolved = self.resolver.lookup(ref)
        except (Unresolvable, NoSuchResource) as exc:
            reason = f"cannot resolve $ref {ref!r} ({exc})"
            raise SchemaError(f"{self.side.name} {self.path or '#'}: {reason}", self.side.name, self.path, reason) from None
        target = resolved.contents
        dialect = dialect_of(target, self.dialect) if isinstance(target, dict) else self.dialect
        return Node(target, resolved.resolver, dialect, self.path, self.side)

    def accepts(self, instance: Any) -> bool:
        return self.side.accepts(self, instance)
