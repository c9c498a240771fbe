"""Object keywords on the right of an inclusion: required, properties by name, undeclared names, counts.

Open and closed content models differ here: a property the left leaves open but the right
constrains (`property-added-open` read backward) breaks, as does one the left declares and a closed
right does not (`property-added-closed` read forward).
"""

from __future__ import annotations

from typing import Any

from . import regular
from .base import NO_HINT, Failure, ProverAPI
from .context import Node, Undecidable
from .facts import Facts, property_nodes
from .implied import requiring
from .normalise import is_trivially_true


def _every_key_matches(patterns: dict[str, Any]) -> bool:
    """Some pattern matches every property name (`""`, `.*`, `^.*`...): additionalProperties applies to none."""
    for pattern in patterns:
        try:
            if regular.counterexample([regular.lengths(0, None)], regular.language(pattern)) is None:
                return True
        except regular.Unprovable:
            continue
    return False


def _within_any(pattern: str, others: set[str]) -> bool:
    """Every name `pattern` matches, one of `others` matches too (so it is never "additional" there)."""
    for other in others:
        try:
            if regular.included([regular.language(pattern)], regular.language(other)):
                return True
        except regular.Unprovable:
            continue
    return False


class ObjectRules(ProverAPI):
    """Rules for the object keywords of the right-hand schema."""

    def objects(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
                ipath: Any) -> list[Failure]:
        fails: list[Failure] = []
        a0, rp = left[0], right.path
        for name in sorted(set(kw.get("required", [])) - facts.required):
            if isinstance(name, str):
                fails.append(Failure(("required-added", "required-removed"), a0.path, f"{rp}/required",
                                     f"{{B}} requires property {name!r}, {{A}} does not", ipath, {}))
        kinds = ("property-count-narrowed", "property-count-widened")
        if isinstance(kw.get("minProperties"), int) and facts.min_properties < kw["minProperties"]:
            fails.append(Failure(kinds, a0.path, f"{rp}/minProperties",
                                 f"{{B}} requires at least {kw['minProperties']} properties, {{A}} allows fewer",
                                 ipath))
        if isinstance(kw.get("maxProperties"), int) and (
                facts.max_properties is None or facts.max_properties > kw["maxProperties"]):
            fails.append(Failure(kinds, a0.path, f"{rp}/maxProperties",
                                 f"{{B}} allows at most {kw['maxProperties']} properties, {{A}} allows more", ipath))
        finite = facts.finite_names
        names = facts.names_mentioned() | set(kw.get("properties", {})) | {
            r for r in kw.get("required", []) if isinstance(r, str)}
        if finite is not None:
            names = finite
        left_declares = set().union(*(set(k.get("properties", {})) for k in facts.kws))
        for name in sorted(names):
            if not facts.possible(name):
                continue
            targets = property_nodes(right, kw, name)
            if not targets:
                continue
            mine = facts.property_nodes(name)
            sub_ipath = ipath + (name,) if ipath is not None else None
            for target in targets:
                found = self.sub(mine or [self.true_like(a0)], target, depth + 1, sub_ipath)
                if not found:
                    continue
                in_right = name in kw.get("properties", {})
                a_path = mine[0].path if mine else f"{a0.path}/properties/{name}"
                hint = found[0].hint if found[0].ipath == sub_ipath else NO_HINT
                where = f"{rp}/properties/{name}"
                if in_right and name not in left_declares and not mine:
                    fails.append(Failure(("property-added-open", "property-removed-open"), a_path, target.path,
                                         f"{{B}} constrains property {name!r}, which {{A}} leaves open",
                                         sub_ipath, hint, where, [self.true_like(a0)]))
                elif name in left_declares and not in_right and target.schema is False:
                    fails.append(Failure(("property-removed-closed", "property-added-closed"), a_path, target.path,
                                         f"{{A}} allows property {name!r}, {{B}} is closed and does not",
                                         sub_ipath, hint, where, mine))
                else:
                    fails += found
        if finite is None:
            fails += self.other_names(left, facts, right, kw, depth, ipath)
        if "propertyNames" in kw and not is_trivially_true(right.child(kw["propertyNames"], "propertyNames")):
            fails += self.property_names(left, facts, right, kw, depth, ipath)
        for name, deps in kw.get("dependentRequired", {}).items():
            if not facts.possible(name) or not isinstance(deps, list):
                continue
            # What the left implies once `name` is there: dependentRequired closed, and the
            # dependentSchemas it triggers (draft-07 `dependencies` in either form).
            scoped = self.flatten(left + [requiring(a0, name)])
            have = Facts(scoped).required if scoped is not None else set(deps)
            missing = [d for d in deps if d not in have]
            if missing:
                fails.append(Failure(("dependent-required-added", "dependent-required-removed"), a0.path,
                                     f"{rp}/dependentRequired/{name}",
                                     f"{{B}} requires {missing} whenever {name!r} is present, {{A}} does not", ipath))
        for name, dep in kw.get("dependentSchemas", {}).items():
            target = right.child(dep, "dependentSchemas", name)
            if not facts.possible(name) or self.proved(left, target, depth):
                continue
            if self.proved(left + [requiring(a0, name)], target, depth):
                continue
            fails.append(Failure(("dependent-schema-narrowed", "dependent-schema-widened"), a0.path, target.path,
                                 f"{{B}} applies a schema whenever {name!r} is present that {{A}} is not shown to "
                                 "satisfy", ipath))
        return fails

    def other_names(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any],
                    depth: int, ipath: Any) -> list[Failure]:
        """Properties no schema names: those matched by patterns or left to additionalProperties."""
        fails = []
        theirs = kw.get("patternProperties", {})

        def node_covers(node: Node, nkw: dict[str, Any], target: Node, skip: set[str]) -> bool:
            mine = nkw.get("patternProperties", {})
            candidates = [node.child(s, "patternProperties", p) for p, s in mine.items()
                          if p not in skip and not _within_any(p, skip)]
            candidates.append(node.child(nkw.get("additionalProperties", True), "additionalProperties"))
            return all(self.proved([c], target, depth + 1) for c in candidates)

        for pattern, schema in theirs.items():
            target = right.child(schema, "patternProperties", pattern)
            if is_trivially_true(target):
                continue
            ok = False
            for node, nkw in zip(left, facts.kws):
                mine = nkw.get("patternProperties", {})
                if pattern in mine:
                    ok = self.proved([node.child(mine[pattern], "patternProperties", pattern)], target, depth + 1)
                else:
                    ok = node_covers(node, nkw, target, set())
                if ok:
                    break
            if not ok:
                fails.append(Failure(("pattern-properties-narrowed", "pattern-properties-widened"), left[0].path,
                                     target.path, f"{{B}} constrains properties matching {pattern!r} more than {{A}}",
                                     ipath))
        if "additionalProperties" in kw and not _every_key_matches(theirs):
            target = right.child(kw["additionalProperties"], "additionalProperties")
            if not is_trivially_true(target) and not any(
                    node_covers(node, nkw, target, set(theirs)) for node, nkw in zip(left, facts.kws)):
                kinds = ("additional-properties-narrowed", "additional-properties-widened")
                fails.append(Failure(kinds, left[0].path, target.path,
                                     "{B} restricts undeclared properties that {A} allows", ipath))
        return fails

    def property_names(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
                       ipath: Any) -> list[Failure]:
        target = right.child(kw["propertyNames"], "propertyNames")
        finite = facts.finite_names
        ok = False
        if finite is not None:
            try:
                ok = all(target.accepts(n) for n in finite)
            except Undecidable:
                ok = False
        if not ok:
            ok = any(self.proved([n.child(k["propertyNames"], "propertyNames")], target, depth + 1)
                     for n, k in zip(left, facts.kws) if "propertyNames" in k)
        if ok:
            return []
        return [Failure(("property-names-narrowed", "property-names-widened"), left[0].path, target.path,
                        "{B} restricts property names that {A} allows", ipath)]

    # -- disjointness ------------------------------------------------------------------------
