"""Conventions every schema file keeps, beyond being valid JSON Schema.

Each convention has an id (C001...) so a reviewer can look it up in the docs and a failure can
name it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile
from referencing.exceptions import Unresolvable

from .findings import Finding
from .locate import line_of
from .project import Project

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
LIFECYCLE = ("proposed", "stable", "deprecated")
EVENT_META = ("name", "version", "status", "purpose", "emitters", "frequency")

CONVENTIONS = {
    "C001": "`$schema` is draft 2020-12.",
    "C002": "`$id` is the id base followed by the file's path in schemas/ (`<event>/<version>.json`).",
    "C003": "An event schema carries `x-event` with its name, version, lifecycle status, purpose, emitters and frequency, matching its file.",
    "C004": "Property names are snake_case.",
    "C005": "Every property has a description (its own, or that of the shape it references).",
    "C006": "Every `$ref` resolves within the catalogue; nothing is fetched from the network.",
    "C007": "Objects are closed (`additionalProperties: false`) unless marked open with `x-open-content`, which says why.",
    "C008": "No `$ref` cycle at one place of the instance: a schema may refer to itself only through a property or item.",
}

# Keywords whose subschemas apply to the same instance as their parent: a cycle through these
# alone (and `$ref`) makes a validator recurse forever without moving into the data.
IN_PLACE_ONE = ("not", "if", "then", "else")
IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")


def check_conventions(project: Project, schema_file: SchemaFile) -> Iterator[Finding]:
    text = schema_file.path.read_text(encoding="utf-8")
    rel = project.relative(schema_file.path)
    schema = schema_file.schema

    def finding(pointer: str, rule: str, message: str, fix: str) -> Finding:
        return Finding(rel, line_of(text, pointer), pointer, rule, message, fix)

    if schema.get("$schema") != DRAFT_2020_12:
        yield finding("/$schema", "C001", f"$schema is {schema.get('$schema')!r}", f'set "$schema": "{DRAFT_2020_12}"')
    expected_id = f"{project.id_base}{schema_file.name}/{schema_file.version}.json"
    if schema.get("$id") != expected_id:
        yield finding("/$id", "C002", f"$id is {schema.get('$id')!r}, expected {expected_id!r}", f'set "$id": "{expected_id}"')
    if schema_file.is_event:
        yield from _event_meta(schema_file, finding)
    registry = project.catalogue.registry
    resolver = registry.resolver(base_uri=schema_file.id)
    for pointer, node in _walk(schema, ""):
        yield from _node(node, pointer, resolver, finding)


def _event_meta(schema_file: SchemaFile, finding: Any) -> Iterator[Finding]:
    meta = schema_file.schema["x-event"]
    if not isinstance(meta, dict):
        yield finding("/x-event", "C003", "x-event must be an object", "see docs/contributing.md")
        return
    for key in EVENT_META:
        if not meta.get(key):
            yield finding("/x-event", "C003", f"x-event has no {key}", f"add x-event.{key}")
    if meta.get("name") not in (None, schema_file.name):
        yield finding("/x-event/name", "C003", f"x-event.name is {meta['name']!r} in {schema_file.name}/", f'set it to "{schema_file.name}"')
    if meta.get("version") not in (None, schema_file.version):
        yield finding(
            "/x-event/version", "C003", f"x-event.version is {meta['version']!r} in {schema_file.version}.json",
            f'set it to "{schema_file.version}"',
        )
    if meta.get("status") and meta["status"] not in LIFECYCLE:
        yield finding("/x-event/status", "C003", f"x-event.status is {meta['status']!r}", f"use one of {', '.join(LIFECYCLE)}")


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every subschema with its pointer (objects only; annotation values are not descended into)."""
    if not isinstance(node, dict):
        return
    yield pointer, node
    for key, value in node.items():
        if key in ("properties", "$defs", "patternProperties", "dependentSchemas"):
            for name, sub in value.items():
                yield from _walk(sub, f"{pointer}/{key}/{_esc(name)}")
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _walk(sub, f"{pointer}/{key}/{i}")
        elif key in ("items", "not", "if", "then", "else", "additionalProperties", "contains", "propertyNames"):
            yield from _walk(value, f"{pointer}/{key}")


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _node(node: dict[str, Any], pointer: str, resolver: Any, finding: Any) -> Iterator[Finding]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        try:
            resolver.lookup(ref)
        except Unresolvable:
            yield finding(
                f"{pointer}/$ref", "C006", f"$ref {ref!r} does not resolve within schemas/",
                "point it at a schema in schemas/ (relative to this file's $id); remote references are refused",
            )
        else:
            if _in_place_cycle(node, resolver, set()):
                yield finding(
                    f"{pointer}/$ref", "C008", f"$ref {ref!r} leads back here without descending into the data",
                    "a recursive shape must recurse through `properties` or `items`, never directly",
                )
    in_conditional = any(part in pointer.split("/") for part in ("if", "then", "else", "dependentSchemas"))
    props = node.get("properties")
    if isinstance(props, dict) and not in_conditional:
        for name, sub in props.items():
            at = f"{pointer}/properties/{_esc(name)}"
            if not SNAKE_CASE.match(name):
                yield finding(at, "C004", f"property {name!r} is not snake_case", "rename it (a breaking change: add a MAJOR version)")
            if isinstance(sub, dict) and not sub.get("description") and not _ref_described(sub, resolver):
                yield finding(at, "C005", f"property {name!r} has no description", "add a description (the docs show it)")
        if node.get("additionalProperties") is not False and "x-open-content" not in node:
            yield finding(
                pointer or "", "C007", "object is open: additionalProperties is not false",
                'add "additionalProperties": false, or "x-open-content": "<why>" to keep it open',
            )


def _in_place_cycle(node: Any, resolver: Any, visiting: set[int]) -> bool:
    """Whether following in-place keywords and `$ref`s from `node` comes back to a node on the path."""
    if not isinstance(node, dict):
        return False
    if id(node) in visiting:
        return True
    visiting = visiting | {id(node)}
    children: list[tuple[Any, Any]] = []
    if isinstance(node.get("$ref"), str):
        try:
            resolved = resolver.lookup(node["$ref"])
        except Unresolvable:
            return False  # reported as C006
        children.append((resolved.contents, resolved.resolver))
    for key in IN_PLACE_ONE:
        if key in node:
            children.append((node[key], resolver))
    for key in IN_PLACE_MANY:
        children += [(sub, resolver) for sub in node.get(key, []) if isinstance(node.get(key), list)]
    for sub in (node.get("dependentSchemas") or {}).values():
        children.append((sub, resolver))
    return any(_in_place_cycle(child, child_resolver, visiting) for child, child_resolver in children)


def _ref_described(sub: dict[str, Any], resolver: Any) -> bool:
    ref = sub.get("$ref")
    if not isinstance(ref, str):
        return False
    try:
        target = resolver.lookup(ref).contents
    except Unresolvable:
        return True  # reported once, as C006
    return isinstance(target, dict) and bool(target.get("description"))
