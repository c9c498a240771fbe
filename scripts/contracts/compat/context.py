"""Where a schema lives: its document, dialect and resolver, and how to validate against it.

Each side of a diff (old, new) gets a registry of its own, so two versions sharing one `$id`
never shadow each other. Remote references are refused, never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import referencing.jsonschema
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

from .ecma import VALIDATORS

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
    """The input cannot be compared: unresolvable reference, unknown dialect, not a schema."""


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


def _meta_valid(schema: Any) -> bool:
    try:
        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # noqa: BLE001 - a dialect or shape it does not know: ask jsonschema
        return False


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
        dialect = dialect_of(root, default_dialect)
        spec = SPECS[dialect]
        meta = VALIDATORS[dialect]
        # Structure only: a pattern Python's `re` cannot compile is still a schema (and unprovable).
        # jsonschema-rs answers fast; jsonschema words the error when there is one.
        declared = root if not isinstance(root, dict) or "$schema" in root else {**root, "$schema": META_URIS[dialect]}
        error = None if _meta_valid(declared) else best_match(meta(meta.META_SCHEMA).iter_errors(root))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            raise SchemaError(f"{name} #/{where}: not a valid {dialect} schema: {error.message}")
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
            raise SchemaError(f"{self.side.name} {self.path or '#'}: cannot resolve $ref {ref!r} ({exc})") from None
        target = resolved.contents
        dialect = dialect_of(target, self.dialect) if isinstance(target, dict) else self.dialect
        return Node(target, resolved.resolver, dialect, self.path, self.side)

    def accepts(self, instance: Any) -> bool:
        return self.side.accepts(self, instance)
