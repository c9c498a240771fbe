"""What a schema asserts, per dialect, with annotations and unknown keywords set aside.

Everything the prover reads goes through here, so draft differences live in one place:
`items` as an array (draft-07) is `prefixItems`, `definitions` is `$defs`, `dependencies` splits
into `dependentRequired`/`dependentSchemas`, draft-04 boolean exclusive bounds become numbers,
an enum of one is a const, and a lone `$ref` in draft-07 hides its siblings.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .context import Node

_COMMON = {
    "$ref", "allOf", "anyOf", "oneOf", "not", "items", "additionalItems", "properties",
    "patternProperties", "additionalProperties", "type", "enum", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
    "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "format",
}
# The keywords a validator of each dialect acts on; any other keyword is an annotation there.
ASSERTIONS: dict[str, frozenset[str]] = {
    "draft4": frozenset(_COMMON | {"dependencies"}),
    "draft6": frozenset(_COMMON | {"dependencies", "const", "contains", "propertyNames"}),
    "draft7": frozenset(_COMMON | {"dependencies", "const", "contains", "propertyNames", "if", "then", "else",
                                   "contentEncoding", "contentMediaType"}),
    "2019-09": frozenset(_COMMON | {"const", "contains", "propertyNames", "if", "then", "else", "contentEncoding",
                                    "contentMediaType", "contentSchema", "dependentRequired", "dependentSchemas",
                                    "minContains", "maxContains", "unevaluatedItems", "unevaluatedProperties",
                                    "$recursiveRef"}),
    "2020-12": frozenset((_COMMON - {"additionalItems"}) | {
        "const", "contains", "propertyNames", "if", "then", "else", "contentEncoding", "contentMediaType",
        "contentSchema", "dependentRequired", "dependentSchemas", "minContains", "maxContains", "prefixItems",
        "unevaluatedItems", "unevaluatedProperties", "$dynamicRef"}),
}
# Keywords whose meaning the prover does not model: on the right of an inclusion they block a proof.
# (`unevaluated*` are rewritten by `unevaluated` before the prover reads a node.)
UNSUPPORTED = frozenset({"$dynamicRef", "$recursiveRef", "contentSchema"})
# Annotations that some validators are configured to assert: treated as constraints, conservatively.
ASSERTABLE_ANNOTATIONS = ("format", "contentEncoding", "contentMediaType")

KINDS = ("null", "boolean", "object", "array", "string", "number", "integer")
ALL_KINDS = frozenset({"null", "boolean", "object", "array", "string", "number"})


def keywords(node: Node) -> dict[str, Any]:
    """The assertions of a node (a dict schema), annotations and unknown keywords dropped."""
    schema = node.schema
    if not isinstance(schema, dict):
        return {}
    known = ASSERTIONS[node.dialect]
    if "$ref" in schema and node.dialect in ("draft4", "draft6", "draft7"):
        return {"$ref": schema["$ref"]}
    out = {k: v for k, v in schema.items() if k in known}
    if node.dialect in ("draft4", "draft6", "draft7", "2019-09") and isinstance(out.get("items"), list):
        out["prefixItems"] = out.pop("items")
        if "additionalItems" in out:
            out["items"] = out.pop("additionalItems")
    else:
        out.pop("additionalItems", None)
    if "dependencies" in out:
        for name, dep in out.pop("dependencies").items():
            if isinstance(dep, list):
                out.setdefault("dependentRequired", {})[name] = dep
            else:
                out.setdefault("dependentSchemas", {})[name] = dep
    if node.dialect == "draft4":
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            flag = out.pop(exclusive, False)
            if flag is True and bound in out:
                out[exclusive] = out.pop(bound)
    _unevaluated_as_additional(out, node.dropped)
    if "enum" in out and isinstance(out["enum"], list) and len(out["enum"]) == 1 and "const" not in out:
        out["const"] = out.pop("enum")[0]
    if "then" in out and "if" not in out:
        out.pop("then")
    if "else" in out and "if" not in out:
        out.pop("else")
    return out


IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "$ref", "$dynamicRef", "$recursiveRef", "dependentSchemas")


def _unevaluated_as_additional(out: dict[str, Any], dropped: frozenset[str]) -> None:
    # With no in-place applicator beside it, `unevaluatedProperties` sees only this object's own
    # properties/patternProperties: it is exactly `additionalProperties` (and a no-op after one).
    # The same holds for `unevaluatedItems` and `items`, unless `contains` marks items evaluated.
    # `dropped`: keys the prover split off this node; they still evaluate properties here.
    if any(k in out or k in dropped for k in IN_PLACE):
        return
    if "unevaluatedProperties" in out:
        value = out.pop("unevaluatedProperties")
        out.setdefault("additionalProperties", value)
    if "unevaluatedItems" in out and "contains" not in out:
        value = out.pop("unevaluatedItems")
        out.setdefault("items", value)


def is_trivially_true(node: Node) -> bool:
    return node.schema is True or (isinstance(node.schema, dict) and not keywords(node))


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def type_kinds(kw: dict[str, Any]) -> frozenset[str] | None:
    """The kinds `type` allows (`integer` below `number`), or None when unconstrained."""
    if "type" not in kw:
        return None
    types = kw["type"] if isinstance(kw["type"], list) else [kw["type"]]
    kinds = {t for t in types if t in KINDS}
    if "number" in kinds:
        kinds.discard("integer")
    return frozenset(kinds)


def intersect_kinds(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    out = set(a & b) - {"number", "integer"}
    na = "number" if "number" in a else "integer" if "integer" in a else None
    nb = "number" if "number" in b else "integer" if "integer" in b else None
    if na and nb:
        out.add("integer" if "integer" in (na, nb) else "number")
    return frozenset(out)


def kind_covered(kind: str, allowed: frozenset[str]) -> bool:
    return kind in allowed or (kind == "integer" and "number" in allowed)


def canonical(value: Any) -> str:
    """A JSON text equal for equal JSON values: sorted keys, 1 == 1.0 as JSON Schema says."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, float) and v.is_integer() and math.isfinite(v):
            return int(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True, separators=(",", ":"))


def json_equal(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)


def enum_values(kw: dict[str, Any]) -> list[Any] | None:
    if "const" in kw:
        values = [kw["const"]]
        if "enum" in kw:
            values = [v for v in values if any(json_equal(v, e) for e in kw["enum"])]
        return values
    if "enum" in kw and isinstance(kw["enum"], list):
        return list(kw["enum"])
    return None


def shape_key(node: Node) -> str | None:
    """A canonical text of a node's assertions when it has no reference in it (else None).

    Two nodes with the same shape key accept the same instances: annotations are gone, `enum`,
    `required`, `type` and the branches of `anyOf`/`oneOf`/`allOf` are sorted. Nodes holding a
    `$ref` get no key, since the same reference text means different things in two documents.
    """

    def walk(schema: Any, dialect: str) -> Any:
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            raise ValueError
        kw = keywords(Node(schema, None, dialect, "", None))  # type: ignore[arg-type]
        if any(k in kw for k in ("$ref", "$dynamicRef", "$recursiveRef")):
            raise ValueError
        out: dict[str, Any] = {}
        for k, v in kw.items():
            if k in ("allOf", "anyOf", "oneOf"):
                out[k] = sorted((walk(x, dialect) for x in v), key=canonical)
            elif k in ("not", "if", "then", "else", "items", "additionalProperties", "propertyNames", "contains",
                       "unevaluatedItems", "unevaluatedProperties", "contentSchema"):
                out[k] = walk(v, dialect)
            elif k in ("properties", "patternProperties", "dependentSchemas"):
                out[k] = {name: walk(x, dialect) for name, x in v.items()}
            elif k == "prefixItems":
                out[k] = [walk(x, dialect) for x in v]
            elif k == "enum":
                out[k] = sorted({canonical(x) for x in v})
            elif k in ("required",):
                out[k] = sorted(set(v))
            elif k == "type":
                out[k] = sorted(set(v)) if isinstance(v, list) else [v]
            elif k == "dependentRequired":
                out[k] = {name: sorted(set(x)) for name, x in v.items()}
            else:
                out[k] = v
        if out.get("uniqueItems") is False:
            out.pop("uniqueItems")
        return out

    try:
        # Draft-04 differs in what "integer" means (1.0 is not one), so it never equals later drafts.
        return ("draft4:" if node.dialect == "draft4" else "") + canonical(walk(node.schema, node.dialect))
    except (ValueError, TypeError, AttributeError):
        return None
