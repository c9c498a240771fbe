"""Schema pairs for the `diff` fuzz target, and instances to judge its verdicts by.

Random bytes are almost never two schemas, so the target reads its input as a list of choices
(`Choices`): which real schema to start from (the catalogue's, with their references inlined, and
both sides of every pair in the public corpora), and which small edits make the other side of the
pair (a bound moved by one, a keyword dropped, a type widened, a property made required...). Any
input makes a pair; the edits are those a schema author makes.

The verdicts are then judged by instances this module makes itself from both schemas (values at
and beside every bound, each enum value, each branch), checked by jsonschema alone: a "compatible"
verdict must survive them all, and every witness `diff` reports must separate the two schemas.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "data" / "compat-corpora"


class Choices:
    """Reads the fuzzer's bytes as choices; past the end every choice is the first."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1] if self.at <= len(self.data) else 0

    def pick(self, options: Sequence[Any]) -> Any:
        return options[(self.byte() << 8 | self.byte()) % len(options)]


def _inline(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """The catalogue's schemas with every `$ref` replaced by what it names (they hold no cycles)."""
    if isinstance(node, list):
        return [_inline(x, defs, depth) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and depth < 8:
        target = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**target, **rest}, defs, depth + 1)
    return {k: _inline(v, defs, depth) for k, v in node.items() if k not in ("$id", "$defs")}


@cache
def corpus_pairs() -> tuple[tuple[Any, Any], ...]:
    """Both sides of every pair in the public corpora, as published."""
    out = [(case["original"], case["updated"]) for case in
           json.loads((CORPORA / "apicurio" / "compatibility-test-data.json").read_text())["tests"]]
    for case in sorted((CORPORA / "jsoncompat" / "backcompat").iterdir()):
        out.append((json.loads((case / "old.json").read_text()), json.loads((case / "new.json").read_text())))
    return tuple(out)


@cache
def bases() -> tuple[Any, ...]:
    """Every real schema: the catalogue's (references inlined) and each side of the corpora's pairs."""
    defs: dict[str, Any] = {}
    catalogue = [json.loads(p.read_text()) for p in sorted((REPO / "schemas").glob("*/*.json"))]
    for schema in catalogue:
        defs.update(schema.get("$defs", {}))
    return (*(_inline(s, defs) for s in catalogue), *(side for p in corpus_pairs() for side in p))


def _nodes(schema: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every subschema object, with its path."""
    if isinstance(schema, dict):
        yield here, schema
        for key, value in schema.items():
            if key in ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas") and isinstance(value, dict):
                for name, sub in value.items():
                    yield from _nodes(sub, (*here, key, name))
            elif key in ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"):
                yield from _nodes(value, (*here, key))
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
                for i, sub in enumerate(value):
                    yield from _nodes(sub, (*here, key, i))


BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
          "maxItems", "minProperties", "maxProperties", "multipleOf")
COUNTS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
TYPES = ("string", "integer", "number", "boolean", "null", "array", "object")


def _edit(node: dict[str, Any], choices: Choices) -> None:
    """One edit of the kind a schema author makes, in place."""
    how = choices.pick(["bound", "bound", "drop", "type", "enum", "required", "closed", "property", "const"])
    present = [k for k in BOUNDS if isinstance(node.get(k), (int, float)) and not isinstance(node.get(k), bool)]
    if how == "bound":
        key = choices.pick(present) if present and choices.byte() % 4 else choices.pick(BOUNDS)
        value = node.get(key, choices.pick([0, 1, 2, 5]))
        value = (value if isinstance(value, (int, float)) else 1) + choices.pick([-1, 0, 1])
        node[key] = max(value, 1) if key == "multipleOf" else max(value, 0) if key in COUNTS else value
    elif how == "drop" and node:
        del node[choices.pick(sorted(node))]
    elif how == "type":
        current = node.get("type")
        types = current if isinstance(current, list) else [current] if isinstance(current, str) else []
        node["type"] = sorted({*types, choices.pick(TYPES)}) if choices.byte() % 2 else choices.pick(TYPES)
    elif how == "enum" and isinstance(node.get("enum"), list):
        values = node["enum"]
        node["enum"] = values[:-1] if values and choices.byte() % 2 else [*values, choices.pick([0, "x", None, 1.5])]
    elif how == "required" and isinstance(node.get("properties"), dict) and node["properties"]:
        name = choices.pick(sorted(node["properties"]))
        required = [r for r in node.get("required", []) if r != name]
        node["required"] = required if name in node.get("required", []) else sorted([*required, name])
    elif how == "closed":
        node["additionalProperties"] = not node.get("additionalProperties", True)
    elif how == "property":
        node.setdefault("properties", {})[choices.pick(["extra", "id", "name"])] = {"type": choices.pick(TYPES)}
    elif how == "const":
        node["const"] = choices.pick([0, "x", None, True])


def pair(data: bytes) -> tuple[Any, Any]:
    """A schema and an edited copy (which is old, which new, chosen too); or a corpus pair as it is."""
    choices = Choices(data)
    if choices.byte() % 8 == 0:
        old, new = choices.pick(corpus_pairs())
        return copy.deepcopy(old), copy.deepcopy(new)
    base = copy.deepcopy(choices.pick(bases()))
    edited = copy.deepcopy(base)
    nodes = [node for _, node in _nodes(edited)]
    for _ in range(1 + choices.byte() % 3):
        if nodes:
            _edit(choices.pick(nodes), choices)
    return (base, edited) if choices.byte() % 2 else (edited, base)


# -- the independent judge ----------------------------------------------------------------------


def validator(schema: Any) -> Any:
    """jsonschema's validator for the schema's dialect (2020-12 when it names none), with patterns
    matched as ECMA-262 says (the corpora hold patterns Python's `re` cannot even compile)."""
    from contracts.compat.ecma import VALIDATORS

    dialect = str(schema.get("$schema", "")) if isinstance(schema, dict) else ""
    if "draft-04" in dialect:
        return Draft4Validator(schema)
    return VALIDATORS["draft7" if "draft-07" in dialect else "2020-12"](schema)


SCALARS: tuple[Any, ...] = (None, True, False, 0, 1, -1, 2, 1.5, "", "a", "x", [], {}, "2024-01-01")


def instances(schema: Any, depth: int = 0) -> Iterator[Any]:
    """Values at and beside the schema's bounds and choices: what a break would show on."""
    if not isinstance(schema, dict) or depth > 3:
        return
    for key in ("enum", "examples"):
        if isinstance(schema.get(key), list):
            yield from schema[key]
    if "const" in schema:
        yield schema["const"]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        value = schema.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield from (value - 1, value, value + 1, value - 0.5, value + 0.5)
    for key in ("minLength", "maxLength"):
        if isinstance(schema.get(key), int):
            yield from ("a" * max(0, schema[key] + d) for d in (-1, 0, 1))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []) if isinstance(schema.get(key), list) else []:
            yield from instances(sub, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        # An object with every property, one value each drawn from that property's own instances.
        full = {name: next(iter(instances(sub, depth + 1)), "x") for name, sub in properties.items()}
        yield full
        for name in list(full)[:6]:
            yield {k: v for k, v in full.items() if k != name}
            yield {**full, name: None}
        yield {**full, "extra": 1}
    items = schema.get("items")
    if isinstance(items, dict):
        for size in {0, 1, 2, *(schema[k] for k in ("minItems", "maxItems") if isinstance(schema.get(k), int))}:
            sample = next(iter(instances(items, depth + 1)), 0)
            yield [sample] * min(size, 5)


def separated(old: Any, new: Any) -> tuple[list[Any], list[Any]]:
    """Instances jsonschema finds in old but not new (a backward break), and in new but not old."""
    judge_old, judge_new = validator(old), validator(new)
    old_only, new_only = [], []
    for value in [*SCALARS, *instances(old), *instances(new)]:
        try:
            in_old, in_new = judge_old.is_valid(value), judge_new.is_valid(value)
        except Exception:  # noqa: BLE001 - a reference, regex or cycle jsonschema cannot judge: no verdict to hold
            continue
        if in_old and not in_new:
            old_only.append(value)
        elif in_new and not in_old:
            new_only.append(value)
    return old_only, new_only
