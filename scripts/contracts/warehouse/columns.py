"""The warehouse's tables, derived from the event schemas: one table per event and major.

A table holds every version of one major (`plan_created_v1` holds 1.0.0 and 1.1.0): a MINOR
only adds optional fields, so it only adds nullable columns. Nested parts (stages, stage runs,
workflow runs, errors) stay nested, as LIST and STRUCT (decision D32): one row per event, the
event whole. An object the contract leaves open (`deliverable_manifest`) is JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, Union
from urllib.parse import urldefrag, urljoin

from multi_workflow_telemetry._violation import json_type
from multi_workflow_telemetry.catalogue import Catalogue, SchemaFile, version_key

from ..findings import Unusable


class WarehouseError(Unusable):
    """A schema the warehouse cannot hold as it stands (a column changing type within a major)."""


@dataclass(frozen=True)
class Scalar:
    name: str  # BIGINT, DOUBLE, VARCHAR, BOOLEAN, JSON, TIMESTAMPTZ


@dataclass(frozen=True)
class ListOf:
    item: ColumnType


@dataclass(frozen=True)
class Struct:
    fields: tuple[tuple[str, ColumnType], ...]


ColumnType = Union[Scalar, ListOf, Struct]

BIGINT, DOUBLE, VARCHAR, BOOLEAN, JSON, TIMESTAMPTZ = (
    Scalar("BIGINT"), Scalar("DOUBLE"), Scalar("VARCHAR"), Scalar("BOOLEAN"), Scalar("JSON"), Scalar("TIMESTAMPTZ"),
)
_JSON_TYPES = {"integer": BIGINT, "number": DOUBLE, "string": VARCHAR, "boolean": BOOLEAN}

# Where each row came from: the input and line (the idempotency key of events without an `id`),
# and the schema version the event was validated against.
LINEAGE: tuple[tuple[str, ColumnType], ...] = (("file", VARCHAR), ("line", BIGINT), ("version", VARCHAR))
# The CloudEvents attributes of an enveloped event (NULL for bare payloads), in the envelope's words.
ENVELOPE: tuple[tuple[str, ColumnType], ...] = (
    ("id", VARCHAR), ("source", VARCHAR), ("type", VARCHAR), ("time", TIMESTAMPTZ), ("dataschema", VARCHAR),
    ("subject", VARCHAR),
)
# The column of an event whose root admits members no column holds (`additionalProperties` not
# false, `patternProperties`): those members, as one JSON object (NULL when there are none), so
# that the row still reads back as the event. Named as no field's column may be (`_grow`).
OTHER_MEMBERS = "other_members"
# The columns the Parquet layout adds as directories (Hive: event=.../version=.../date=...):
# `version` is the lineage's, `event` and `date` no field's column may take either.
PARTITIONS = ("event", "version", "date")
VIOLATION = Struct((("pointer", VARCHAR), ("rule", VARCHAR), ("message", VARCHAR)))
# What could not be loaded: every invalid or unreadable line, with why.
REJECTED: tuple[tuple[str, ColumnType], ...] = (
    ("file", VARCHAR), ("line", BIGINT), ("event", VARCHAR), ("raw", VARCHAR), ("violations", ListOf(VIOLATION)),
)


@dataclass(frozen=True)
class Table:
    """One warehouse table: an event's major, its payload columns as of each version."""

    event: str
    major: int
    files: tuple[SchemaFile, ...]  # the versions of this major, oldest first
    payload_by_version: tuple[tuple[tuple[str, ColumnType], ...], ...]
    # (column, member) for each payload field whose column has another name than the field: one
    # that would take a column of the lineage or the envelope (`id`, `time`, …), or another
    # field's column (`Name` beside `name`: DuckDB's and BigQuery's names ignore case), or that
    # not every engine takes (`user-agent`; `portable`). See `_grow`.
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def other(self) -> bool:
        """Whether the table has the OTHER_MEMBERS column (its events' root admits other members)."""
        return any(name == OTHER_MEMBERS for name, _ in self.payload)

    def member(self, column: str) -> str:
        """The event's field (its JSON member) a payload column holds."""
        return self._members.get(column, column)

    @cached_property
    def _members(self) -> dict[str, str]:
        return dict(self.renamed)

    @property
    def name(self) -> str:
        return table_name(self.event, self.major)

    @property
    def versions(self) -> list[str]:
        return [f.version for f in self.files]

    @cached_property
    def payload(self) -> tuple[tuple[str, ColumnType], ...]:
        """The payload columns of the newest version (every older column kept, in order)."""
        return self.payload_by_version[-1]

    @cached_property
    def columns(self) -> tuple[tuple[str, ColumnType], ...]:
        return LINEAGE + ENVELOPE + self.payload

    def columns_at(self, version: str) -> tuple[tuple[str, ColumnType], ...]:
        return LINEAGE + ENVELOPE + self.payload_by_version[self.versions.index(version)]

    def added_in(self, version: str) -> tuple[tuple[str, ColumnType], ...]:
        """The columns `version` adds to the version before it (all of them for the first)."""
        at = self.versions.index(version)
        before = {name for name, _ in self.payload_by_version[at - 1]} if at else set()
        return tuple(c for c in self.payload_by_version[at] if c[0] not in before)

    def fields_added_in(self, version: str) -> tuple[tuple[tuple[str, ...], ColumnType], ...]:
        """The STRUCT fields `version` adds inside columns the version before has: (column and
        path below it, type)."""
        at = self.versions.index(version)
        if not at:
            return ()
        before = dict(self.payload_by_version[at - 1])
        return tuple(((name, *path), sub) for name, kind in self.payload_by_version[at] if name in before
                     for path, sub in added_fields(before[name], kind))


# Names every engine takes as they are, for the same tables everywhere: DuckDB, Arrow and Parquet,
# Spark, and BigQuery's column names (letters, digits and `_`, at most 300, none of its reserved
# prefixes; its newer "flexible" names take more, but not `.`, `"` or `/`, and not every tool does).
_PORTABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,299}")
_NOT_PORTABLE = re.compile(r"[^A-Za-z0-9_]")
_BIGQUERY_PREFIXES = ("_table_", "_file_", "_partition", "_row_timestamp", "__root__", "_colidentifier")


def portable(name: str) -> bool:
    return _PORTABLE.fullmatch(name) is not None and not name.lower().startswith(_BIGQUERY_PREFIXES)


def table_name(event: str, major: int) -> str:
    """`multi_workflow.plan_created`, major 1 -> `plan_created_v1`."""
    return f"{event.rsplit('.', 1)[-1]}_v{major}"


def tables(catalogue: Catalogue) -> list[Table]:
    """Every event's tables, one per major, by table name."""
    out: list[Table] = []
    for event in catalogue.events():
        by_major: dict[int, list[SchemaFile]] = {}
        for schema_file in catalogue.versions(event):
            by_major.setdefault(version_key(schema_file.version)[0], []).append(schema_file)
        for major, files in by_major.items():
            out.append(Table(event, major, tuple(files), *_grow(catalogue, event, major, files)))
    names = [t.name for t in out]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        first, second = [t for t in out if t.name == clash[0]][:2]
        raise WarehouseError(f"{second.files[0].path}: {first.event} and {second.event} would share the table {clash[0]}: "
                             "event names must differ after the last dot [warehouse]")
    return sorted(out, key=lambda t: t.name)


def _grow(catalogue: Catalogue, event: str, major: int, files: list[SchemaFile]
          ) -> tuple[tuple[tuple[tuple[str, ColumnType], ...], ...], tuple[tuple[str, str], ...]]:
    """The payload columns as of each version: a later version keeps every column and may only
    add ones (a MINOR adds optional fields; a field it drops keeps its column, NULL from then on);
    and the (column, member) pairs of the fields whose column is named otherwise. A field keeps
    its name as a column unless that name is not `portable`, or is taken, in any case: by the
    lineage, the envelope or the Parquet layout's partitions, or by an earlier field. It is then `data_<name>` (CloudEvents calls
    the payload `data`; each character but letters, digits and `_` made `_`), or `data_<name>_2`, …
    A column, once named, keeps its name in every later version."""
    grown: list[tuple[tuple[str, ColumnType], ...]] = []
    columns: dict[str, tuple[str, ColumnType]] = {}  # by member
    taken = {name.lower() for name, _ in LINEAGE + ENVELOPE} | set(PARTITIONS) | {OTHER_MEMBERS}
    renamed: list[tuple[str, str]] = []
    other = False
    for schema_file in files:
        fields, open_root = payload_columns(catalogue, schema_file)
        other = other or open_root  # once open, the column stays (NULL from a version that closes the root)
        for member, kind in fields:
            if member in columns:
                column, had = columns[member]
                if had != kind:
                    widened = _widened(had, kind)
                    if widened is None:
                        raise WarehouseError(
                            f"{schema_file.path}: /properties/{member}: column {column} of {table_name(event, major)} "
                            f"changes type at {schema_file.version} ({sql(had)} -> {sql(kind)}); a change of type needs "
                            "a new major (a new table) [warehouse]")
                    columns[member] = (column, widened)
                continue
            column = member
            if not portable(column) or column.lower() in taken:
                column = stem = "data_" + _NOT_PORTABLE.sub("_", member)[:290]
                suffix = 2
                while column.lower() in taken:
                    column, suffix = f"{stem}_{suffix}", suffix + 1
                renamed.append((column, member))
            taken.add(column.lower())
            columns[member] = (column, kind)
        # Last, after the fields any version adds: it holds no one member, but the members no column holds.
        grown.append(tuple(columns.values()) + (((OTHER_MEMBERS, JSON),) if other else ()))
    return tuple(grown), tuple(renamed)


def _widened(had: ColumnType, kind: ColumnType) -> ColumnType | None:
    """The column type `had` with the fields `kind` adds to its STRUCTs, at any depth (a MINOR's
    new optional field inside an object: `ALTER TABLE … ADD COLUMN col.field`), or None if
    `kind` changes a type. A field a later version drops keeps its place, NULL from then on, as
    a dropped top-level field keeps its column."""
    if isinstance(had, ListOf) and isinstance(kind, ListOf):
        item = _widened(had.item, kind.item)
        return None if item is None else ListOf(item)
    if not (isinstance(had, Struct) and isinstance(kind, Struct)):
        return had if had == kind else None
    new = dict(kind.fields)
    fields = []
    for name, sub in had.fields:
        merged = _widened(sub, new.pop(name)) if name in new else sub
        if merged is None:
            return None
        fields.append((name, merged))
    fields += new.items()
    names = [name.lower() for name, _ in fields]
    return Struct(tuple(fields)) if len(set(names)) == len(names) else None  # `Y` beside `y`: one field to DuckDB


def added_fields(had: ColumnType, kind: ColumnType) -> list[tuple[tuple[str, ...], ColumnType]]:
    """The fields `kind` adds to the STRUCTs of `had` (`_widened`), as (path below the column,
    type); a list's items are its `element`, as DuckDB's ALTER TABLE names them."""
    if isinstance(had, ListOf) and isinstance(kind, ListOf):
        return [(("element", *path), sub) for path, sub in added_fields(had.item, kind.item)]
    if not (isinstance(had, Struct) and isinstance(kind, Struct)):
        return []
    before = dict(had.fields)
    found: list[tuple[tuple[str, ...], ColumnType]] = []
    for name, sub in kind.fields:
        if name not in before:
            found.append(((name,), sub))
        else:
            found += [((name, *path), deeper) for path, deeper in added_fields(before[name], sub)]
    return found


def payload_columns(catalogue: Catalogue, schema_file: SchemaFile) -> tuple[list[tuple[str, ColumnType]], bool]:
    """One column per top-level property of the event, in the schema's order: the root's own,
    then those of the schemas it is composed of (`allOf`, `$ref`) or may be (`anyOf`, `oneOf`,
    `then`, `else`: NULL where a branch does not apply). And whether the root admits members no
    property names (OTHER_MEMBERS)."""
    base = schema_file.id
    within = frozenset({base, base + "#"})  # a `$ref` to the root (`#`) is inside the root already
    found: dict[str, list[ColumnType]] = {}
    root = schema_file.schema
    composed = _composed(catalogue, base, root)
    for where, node in composed:
        for name, sub in node.get("properties", {}).items():
            found.setdefault(name, []).append(_type(catalogue, where, sub, within))
    return [(name, _agreed(kinds)) for name, kinds in found.items()], _admits_others(root, [n for _, n in composed[1:]])


def _composed(catalogue: Catalogue, base: str, node: Any, depth: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """`node` and the object schemas it is made of, each with the base its `$ref`s resolve against."""
    if not isinstance(node, dict) or depth > 16:  # a composition that refers to itself: its properties are found already
        return []
    out = [(base, node)]
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(keyword, []) if isinstance(node.get(keyword), list) else []:
            where, resolved, _ = _resolve(catalogue, base, branch)
            out += _composed(catalogue, where, resolved, depth + 1)
    for keyword in ("$ref", "then", "else"):
        if keyword in node:
            where, resolved, _ = _resolve(catalogue, base, {"$ref": node["$ref"]} if keyword == "$ref" else node[keyword])
            out += _composed(catalogue, where, resolved, depth + 1)
    return out


def _agreed(kinds: list[ColumnType]) -> ColumnType:
    """A property's column type where several schemas name it: theirs if they agree (or if all
    but untyped ones do: `{}` adds no type), else JSON, which holds every value."""
    typed = {kind for kind in kinds if kind != JSON}
    return typed.pop() if len(typed) == 1 else JSON


def _admits_others(root: Any, parts: list[dict[str, Any]]) -> bool:
    """Whether an event's root admits members its `properties` and those of the schemas it is
    made of (`parts`, `_composed`) do not name."""
    if root.get("patternProperties"):
        return True
    if root.get("additionalProperties") is False:
        return False
    if root.get("unevaluatedProperties") is False:
        # Closed, unless a schema it is made of takes other members (its own `additionalProperties`
        # or `patternProperties`): those count as evaluated.
        return any(n.get("patternProperties") or n.get("additionalProperties") not in (None, False)
                   for n in parts)
    return True


def _resolve(catalogue: Catalogue, base: str, node: Any) -> tuple[str, Any, frozenset[str]]:
    """Follow `$ref`s (within the catalogue only), keeping track of the base URI they resolve
    against; also the targets followed."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        target = urljoin(base, node["$ref"])
        if target in seen:
            raise WarehouseError(f"{target}: a $ref cycle; a column needs a finite type")
        seen.add(target)
        uri, fragment = urldefrag(target)
        base, node = uri, catalogue.lookup(uri, fragment)
    return base, node, frozenset(seen)


def _type(catalogue: Catalogue, base: str, node: Any, within: frozenset[str] = frozenset()) -> ColumnType:
    """The column type of a schema node; `within`, the `$ref` targets of the nodes it is inside."""
    base, node, followed = _resolve(catalogue, base, node)
    if followed & within:
        # A recursive shape (a tree: a node whose children are nodes): no column type is finite,
        # so from where the shape repeats, its values are JSON; the levels above keep their columns.
        return JSON
    within |= followed
    if not isinstance(node, dict):
        return JSON
    kinds = node.get("type")
    if kinds is None and "const" in node:
        kinds = json_type(node["const"])
    if kinds is None and node.get("enum"):
        kinds = sorted({json_type(v) for v in node["enum"]})
    if isinstance(kinds, str):
        kinds = [kinds]
    kinds = [k for k in (kinds or []) if k != "null"]  # every column is nullable: null needs no type
    if len(kinds) != 1:
        return JSON  # no type, or several: only JSON holds every value
    kind = kinds[0]
    if kind in _JSON_TYPES:
        return _JSON_TYPES[kind]
    if kind == "array":
        return ListOf(_type(catalogue, base, node["items"], within)) if isinstance(node.get("items"), dict) else JSON
    names = [name.lower() for name in node.get("properties", {})]
    if (kind == "object" and node.get("additionalProperties") is False and names and len(set(names)) == len(names)
            and all(map(portable, node["properties"]))):
        return Struct(tuple((name, _type(catalogue, base, sub, within)) for name, sub in node["properties"].items()))
    # An open object (deliverable_manifest): its shape is not the contract's. Or members that
    # differ only in case (`Key`, `key`), which a STRUCT's fields cannot tell apart, or that are
    # not `portable`: a STRUCT's fields are read by the event's names, and BigQuery's RECORD
    # fields would refuse them.
    return JSON


def sql(kind: ColumnType) -> str:
    """The DuckDB type."""
    if isinstance(kind, Scalar):
        return kind.name
    if isinstance(kind, ListOf):
        return f"{sql(kind.item)}[]"
    return "STRUCT(" + ", ".join(f"{quote(name)} {sql(sub)}" for name, sub in kind.fields) + ")"


@cache
def _keywords() -> frozenset[str]:
    """The words DuckDB will not take as a bare column or STRUCT field name: its reserved keywords
    and its type and function names (`time`, `type` and `index` are not among them; `index` is
    quoted anyway, as the generated DDL always had it). DuckDB's own list, so that a newer DuckDB's
    shows as drift in the generated DDL. Asked of DuckDB the first time a name is quoted, not
    when this module is imported: the workers that convert rows (and Spark's) never quote one."""
    import duckdb

    with duckdb.connect() as con:
        found = con.execute("SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category IN "
                            "('reserved', 'type_function')").fetchall()
    return frozenset(word for (word,) in found) | {"index"}


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quote(name: str) -> str:
    """`name` as a DuckDB identifier: bare when it can be, else in double quotes (doubled within)."""
    if _BARE.fullmatch(name) and name.lower() not in _keywords():
        return name
    return '"' + name.replace('"', '""') + '"'
