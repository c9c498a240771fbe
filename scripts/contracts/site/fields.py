"""The field table of an event: its schema flattened as the draft lays fields out.

Nested fields are named by their path, `stages[].index`, `stage_runs[].workflows[].status`;
every `$ref` is followed through the catalogue (offline), and the referring property's own
keywords (its description, most often) take precedence over the shape it refers to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from multi_workflow_telemetry._violation import json_type
from multi_workflow_telemetry.catalogue import SchemaFile
from referencing import Registry

from . import presence
from .presence import Presence

# Keywords that only annotate: where a referring property and its target both have one, the
# referring property's wins. Any other keyword constrains, and both apply.
ANNOTATIONS = ("description", "title", "examples", "default", "$comment", "x-requirement", "x-sensitive", "x-open-content")


@dataclass(frozen=True)
class Field:
    """One row of an event's field table."""

    name: str
    type: str
    presence: Presence
    constraints: tuple[str, ...]
    description: str
    examples: tuple[Any, ...] = field(default=())
    values: list[Any] = field(default_factory=list)
    draft_requirement: str = ""  # the draft's word (`x-requirement`), shown as what the draft said

    @property
    def anchor(self) -> str:
        return anchor(self.name)

    @property
    def requirement(self) -> str:
        """`required`, `required when` or `optional` (presence.py)."""
        return self.presence.word


def anchor(name: str) -> str:
    """The HTML id of a field's row: `stages[].index` -> `field-stages-index`."""
    return "field-" + re.sub(r"[^a-z0-9_]+", "-", name.replace("[]", "").lower()).strip("-")


@dataclass(frozen=True)
class Node:
    """A schema location with every `$ref` followed: the chain from the referring property
    (first) to the shape it ends at (last)."""

    chain: tuple[dict[str, Any], ...]
    resolver: Any

    def get(self, key: str, default: Any = None) -> Any:
        """An annotation: the outermost value wins."""
        for part in self.chain:
            if key in part:
                return part[key]
        return default

    def all(self, key: str) -> list[Any]:
        """A constraint: every value along the chain applies."""
        return [part[key] for part in self.chain if key in part]


def resolve(schema: Any, resolver: Any) -> Node:
    chain = []
    seen = 0
    while isinstance(schema, dict):
        chain.append(schema)
        if "$ref" not in schema:
            break
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver = resolved.contents, resolved.resolver
        seen += 1
        if seen > 32:
            raise ValueError(f"$ref chain too long at {schema.get('$ref')!r}")
    return Node(tuple(chain), resolver)


def fields(schema_file: SchemaFile, registry: Registry[Any]) -> list[Field]:
    """Every field of the event, in schema order, nested fields right after their parent."""
    root = resolve(schema_file.schema, registry.resolver(base_uri=schema_file.id))
    return list(_object_fields(root, "", schema_file.name))


def conditions(schema_file: SchemaFile) -> list[str]:
    """The event's cross-field conditions (`allOf` branches, `dependentSchemas`), as described."""
    schema = schema_file.schema
    out = [str(s["description"]) for s in schema.get("allOf", []) if isinstance(s, dict) and "description" in s]
    out += [str(s["description"]) for s in schema.get("dependentSchemas", {}).values() if isinstance(s, dict) and "description" in s]
    out += [
        f"`{name}` requires {', '.join(f'`{r}`' for r in required)}"
        for name, required in schema.get("dependentRequired", {}).items()
    ]
    return out


def _object_fields(node: Node, prefix: str, event: str) -> list[Field]:
    presences = presence.of_object(list(node.chain), event, prefix)
    out: list[Field] = []
    for properties in node.all("properties"):
        for name, sub in properties.items():
            child = resolve(sub, node.resolver)
            path = f"{prefix}{name}"
            out.append(_field(path, child, presences[name]))
            out += _children(child, path, event)
    return out


def _children(node: Node, path: str, event: str) -> list[Field]:
    if node.all("properties"):
        return _object_fields(node, f"{path}.", event)
    items = node.all("items")
    if items and isinstance(items[-1], dict):
        inner = resolve(items[-1], node.resolver)
        return _children(inner, f"{path}[]", event)
    return []


def _field(path: str, node: Node, presence_: Presence) -> Field:
    values = [v for v in node.all("const")] or (list(node.all("enum")[0]) if node.all("enum") else [])
    return Field(
        name=path,
        type=type_of(node),
        presence=presence_,
        constraints=tuple(constraints(node)),
        description=str(node.get("description", "")),
        examples=tuple(node.get("examples", ())),
        values=values,
        draft_requirement=str(node.get("x-requirement", "")),
    )


def _types(node: Node) -> list[str]:
    for part in node.chain:
        if "type" in part:
            value = part["type"]
            return list(value) if isinstance(value, list) else [value]
    consts = node.all("const")
    if consts:
        return [json_type(consts[0])]
    enums = node.all("enum")
    if enums:
        return sorted({json_type(v) for v in enums[0]})
    if node.all("properties"):
        return ["object"]
    return []


def type_of(node: Node) -> str:
    """The field's type as the draft writes it: `integer`, `array<string>`, `array<object>`."""
    kinds = [k for k in _types(node) if k != "null"] or (["null"] if _types(node) else ["any"])
    out = []
    for kind in kinds:
        if kind == "array":
            items = node.all("items")
            inner = type_of(resolve(items[-1], node.resolver)) if items and isinstance(items[-1], dict) else "any"
            out.append(f"array<{inner}>")
        else:
            out.append(kind)
    return " or ".join(out)


def _code(value: Any) -> str:
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _content_model(node: Node) -> list[str]:
    """Whether an object takes fields beyond those listed (C007: closed unless marked open)."""
    open_reason = node.get("x-open-content")
    if open_reason:
        return [f"open: any fields ({open_reason})"]
    if False in node.all("additionalProperties"):
        return ["closed: no other fields"]
    return []


def constraints(node: Node, nested: bool = False) -> list[str]:
    """What the schema requires of the value beyond its type, one short phrase each."""
    out: list[str] = []
    if "null" in _types(node) and len(_types(node)) > 1:
        out.append("nullable")
    for value in node.all("const"):
        out.append(f"always {_code(value)}")
    for values in node.all("enum"):
        out.append("one of " + ", ".join(_code(v) for v in values))
    for key, word in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        out += [f"{word} {v}" for v in node.all(key)]
    for v in node.all("multipleOf"):
        out.append(f"multiple of {v}")
    out += [f"at least {_plural(v, 'character')}" for v in node.all("minLength")]
    out += [f"at most {_plural(v, 'character')}" for v in node.all("maxLength")]
    out += [f"pattern `{v}`" for v in node.all("pattern")]
    out += [f"format `{v}`" for v in node.all("format")]
    out += [f"at least {_plural(v, 'item')}" for v in node.all("minItems")]
    out += [f"at most {_plural(v, 'item')}" for v in node.all("maxItems")]
    if any(node.all("uniqueItems")):
        out.append("unique items")
    items = node.all("items")
    if items and isinstance(items[-1], dict):
        inner = resolve(items[-1], node.resolver)
        if not inner.all("properties"):
            out += [f"each item {c}" for c in constraints(inner, nested=True)]
        else:
            out += [f"each item {c}" for c in _content_model(inner)]
    if not nested and "object" in _types(node):
        out += _content_model(node)
    if node.get("x-sensitive"):
        out.append("sensitive")
    for value in node.all("default"):
        out.append(f"default {_code(value)}")
    return out
