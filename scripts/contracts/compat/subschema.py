"""The prover: is every instance of one schema an instance of another?

`Prover().includes(left, right)` returns the reasons it could not prove the inclusion; an empty
list is a proof. Every rule here is sound (it only concludes inclusion when inclusion holds) and
deliberately incomplete: what it cannot show becomes a failure, never a silent pass.

The left side is a conjunction of nodes. It is flattened (`$ref` and `allOf` expanded), and its
disjunctions (`anyOf`, `oneOf` read as `anyOf`, `if`/`then`/`else` as `if`+`then` or `not if`+`else`)
are split into cases; dropping or widening anything on the left is always sound. The right side is
taken keyword by keyword, each one a conjunct the left must satisfy. Recursion is handled by
coinduction: a pair already being proved counts as proved once the proof has descended into a
child instance (properties, items), and as unprovable before that.
"""

from __future__ import annotations

import math
import time
from typing import Any

from .arrays import ArrayRules
from .base import NO_HINT, SAMPLES, Failure, cannot, dedupe, short
from .context import Node, Undecidable
from .disjoint import Disjointness
from .facts import Facts, RegexUnsupported
from .finite import finite_values
from . import unevaluated
from .implied import triggered_dependents
from .normalise import UNSUPPORTED, enum_values, is_trivially_true, keywords, shape_key
from .objects import ObjectRules
from .scalars import ScalarRules

OLD_DRAFTS = ("draft4", "draft6", "draft7")
KIND_SCHEMAS = {k: {"type": k} for k in ("null", "boolean", "object", "array", "string", "number", "integer")}
APPLICATOR_GROUPS = (("$ref",), ("allOf",), ("anyOf",), ("oneOf",), ("not",), ("if", "then", "else"))

__all__ = ["NO_HINT", "Failure", "OutOfBudget", "Prover"]


_NEGATIONS: dict[int, dict[str, Any]] = {}


def negation(node: Node, schema: Any) -> Node:
    """A node for `{"not": schema}` in `node`'s scope; one dict per schema, so its key is stable."""
    if id(schema) not in _NEGATIONS:
        _NEGATIONS[id(schema)] = {"not": schema}
    return Node(_NEGATIONS[id(schema)], node.resolver, node.dialect, node.path + "/if", node.side)


def double_negation(node: Node, kw: dict[str, Any]) -> Node | None:
    """X, when `node`'s `not` is `{"not": X}` with no other assertion beside the inner `not`.

    Reading `not: {not: X}` as X is exact for the instances accepted, which is all the prover
    compares. What X evaluates would differ (a `not` passes on no annotation), but only
    `unevaluated*` reads that, and `unevaluated.rewrite` has already replaced them, on this node
    and on every node above it, reading `not` as evaluating nothing, before any part of a node is
    taken apart here.
    """
    if "not" not in kw:
        return None
    inner = node.child(kw["not"], "not")
    inner_kw = keywords(inner)  # {} for a boolean
    if set(inner_kw) != {"not"}:
        return None
    return inner.child(inner_kw["not"], "not")


def denies_everything(node: Node, kw: dict[str, Any]) -> bool:
    """`not: {}` or `not: true`: the node accepts nothing, as `false` does (`if: true` makes one)."""
    return "not" in kw and is_trivially_true(node.child(kw["not"], "not"))


class OutOfBudget(Exception):
    """The proof took too many steps: it ends as `cannot-prove`, never as a pass."""


class Prover(ScalarRules, ArrayRules, ObjectRules, Disjointness):
    """Proves inclusions between subschemas; one instance per diff direction."""

    def __init__(self, budget: int = 40_000, seconds: float = math.inf) -> None:
        self.stack: dict[tuple[Any, ...], int] = {}
        self.steps = 0
        self.budget = budget
        # Steps differ in cost (a step may read a 1 MB branch): a clock bounds them too.
        self.deadline = time.monotonic() + seconds
        self.disjoint_depth = 0
        self.shapes: dict[tuple[Any, ...], tuple[Node, Any]] = {}  # memos, each holding its node
        self.walks: dict[tuple[int, str], tuple[Any, str]] = {}  # shape_key's texts of subschemas

    # -- entry -------------------------------------------------------------------------------
    def includes(self, left: list[Node], right: Node) -> list[Failure]:
        """Why every instance of `left` (a conjunction) is not shown to be one of `right`."""
        try:
            return self.sub(left, right, 0, ())
        except RecursionError:
            return [cannot(left[0], right, "the schemas are nested too deeply to compare")]
        except OutOfBudget:
            why = "ran out of time" if time.monotonic() > self.deadline else f"took more than {self.budget} steps"
            return [cannot(left[0], right, f"the schemas are too large or too recursive to compare ({why})")]

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.budget or (self.steps % 64 == 0 and time.monotonic() > self.deadline):
            raise OutOfBudget

    def shape(self, node: Node) -> str | None:
        """`shape_key`, once per node: the node is kept with it, so its key's ids stay its own."""
        key = (node.key, node.dialect)
        hit = self.shapes.get(key)
        if hit is None:
            hit = self.shapes[key] = (node, shape_key(node, self.walks))
        return hit[1]

    def proved(self, left: list[Node], right: Node, depth: int) -> bool:
        return not self.sub(left, right, depth, None)

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def kind_node(node: Node, kind: str) -> Node:
        return Node(KIND_SCHEMAS[kind], node.resolver, "2020-12", node.path, node.side)

    def flatten(self, nodes: list[Node]) -> list[Node] | None:
        """Expand `$ref` and `allOf`; None when some conjunct is `false` (nothing is accepted)."""
        out: list[Node] = []
        seen: set[tuple[Any, ...]] = set()
        work = list(nodes)
        while True:
            if not work:
                # A dependentSchemas whose property is required applies outright: expand it too,
                # once (the same subschema with a disjunction split off is already here: expanding
                # it again would split it again, forever, and end as a false reference cycle).
                expanded = {key[:2] for key in seen}
                work = [n for n in triggered_dependents(out) if n.key[:2] not in expanded]
                if not work:
                    break
            node = work.pop(0)
            if node.key in seen:
                continue
            seen.add(node.key)
            if node.schema is False:
                return None
            if not isinstance(node.schema, dict):
                continue
            loose = unevaluated.rewrite(node, lower=False)  # before allOf/$ref leave the node
            if loose is not None:
                work.append(loose)
                continue
            kw = keywords(node)
            if "$ref" in kw:
                work.append(node.deref(kw["$ref"]))
                if node.dialect in OLD_DRAFTS:
                    continue
                node = node.without("$ref")
                kw = keywords(node)
            if isinstance(kw.get("allOf"), list):
                work.extend(node.child(s, "allOf", j) for j, s in enumerate(kw["allOf"]))
                node = node.without("allOf")
            if denies_everything(node, kw):
                return None
            twice = double_negation(node, kw)
            if twice is not None:
                work.append(twice)
                node = node.without("not")
            out.append(node)
        return out or [self.true_like(nodes[0])]

    @staticmethod
    def distribute(nodes: list[Node]) -> list[list[Node]] | None:
        """Split the first disjunction of a conjunction into its cases (None: there is none)."""
        for i, node in enumerate(nodes):
            kw = keywords(node)
            for key in ("anyOf", "oneOf"):
                if isinstance(kw.get(key), list):
                    rest = nodes[:i] + [node.without(key)] + nodes[i + 1:]
                    return [rest + [node.child(s, key, j)] for j, s in enumerate(kw[key])]
            if "if" in kw:
                # (if and then) or (not if and else): exact, so a conditional can meet its like.
                rest = nodes[:i] + [node.without("if", "then", "else")] + nodes[i + 1:]
                if "then" not in kw and "else" not in kw:
                    return [rest]
                then = [node.child(kw["then"], "then")] if "then" in kw else []
                other = [node.child(kw["else"], "else")] if "else" in kw else []
                return [rest + [node.child(kw["if"], "if")] + then, rest + [negation(node, kw["if"])] + other]
        return None

    # -- inclusion ---------------------------------------------------------------------------
    def sub(self, left: list[Node], right: Node, depth: int, ipath: tuple[Any, ...] | None) -> list[Failure]:
        self.tick()
        key = (frozenset(n.key for n in left), right.key)
        if key in self.stack:
            if depth > self.stack[key]:
                return []  # coinduction, guarded by a descent into a child instance
            return [cannot(left[0], right, "a reference cycle that never descends into the instance", ipath)]
        self.stack[key] = depth
        try:
            return dedupe(self._sub(left, right, depth, ipath))
        finally:
            del self.stack[key]

    def _sub(self, left: list[Node], right: Node, depth: int, ipath: tuple[Any, ...] | None) -> list[Failure]:
        if is_trivially_true(right):
            return []
        rkey = self.shape(right)
        if rkey is not None and any(self.shape(n) == rkey for n in left):
            return []
        flat = self.flatten(left)
        if flat is None:
            return []
        strict = unevaluated.rewrite(right, lower=True)
        if strict is not None:
            right = strict
        if rkey is not None and any(self.shape(n) == rkey for n in flat):
            return []
        if self.in_union(flat, right):
            return []
        facts = Facts(flat)
        if not facts.kinds:
            return []
        proved, hint = self.by_enumeration(flat, facts, right)
        if proved:
            return []
        if hint is not NO_HINT and isinstance(right.schema, dict):
            rvals = enum_values(keywords(right))
            if rvals is not None:
                declared = "enum" if "enum" in right.schema else "const"
                kinds = ("const-changed", "const-changed") if declared == "const" else (
                    "enum-value-removed", "enum-value-added")
                where = f"{right.path}/{declared}"
                return [Failure(kinds, flat[0].path, where,
                                f"{{B}} does not accept {short(hint)}, which {{A}} accepts", ipath, hint)]
        parts = self.split(right)
        fails: list[Failure] = []
        if parts is not None:
            for part in parts:
                fails += self.sub(flat, part, depth, ipath)
        elif self.same_applicator(flat, right):
            pass
        elif (cases := self.distribute(flat)) is not None:
            for case in cases:
                fails += self.sub(case, right, depth, ipath)
        else:
            fails = self.right(flat, facts, right, depth, ipath)
        for f in fails:
            if f.left is None and f.ipath == ipath:
                f.left = flat
        if hint is not NO_HINT:
            if not fails:  # the validator disagrees with the keywords: trust the validator
                fails = [Failure(("value-rejected", "value-rejected"), flat[0].path, right.path,
                                 f"{{B}} rejects {short(hint)}, which {{A}} accepts", ipath)]
            if fails[0].hint is NO_HINT and fails[0].ipath == ipath:
                fails[0].hint = hint
        return fails

    @staticmethod
    def split(right: Node) -> list[Node] | None:
        """The conjuncts of the right side, when it has more than one (None: it is one piece).

        Splitting the right before casing out the left keeps identical conjuncts comparable.
        """
        if not isinstance(right.schema, dict):
            return None
        kw = keywords(right)
        if "$ref" in kw and (right.dialect in OLD_DRAFTS or len(kw) == 1):
            return [right.deref(kw["$ref"])]
        groups = [g for g in APPLICATOR_GROUPS if g[0] in kw]
        twice = double_negation(right, kw)  # `not: {not: X}` is X (see there)
        if not groups or (len(groups) == 1 and len(kw) == len([k for k in groups[0] if k in kw])
                          and groups[0][0] not in ("allOf", "$ref") and twice is None):
            return None
        parts: list[Node] = []
        if "$ref" in kw:
            parts.append(right.deref(kw["$ref"]))
        for j, s in enumerate(kw.get("allOf", [])):  # a list: the schemas passed their metaschema
            parts.append(right.child(s, "allOf", j))
        for group in groups:
            if group[0] == "not" and twice is not None:
                parts.append(twice)
            elif group[0] not in ("allOf", "$ref"):
                parts.append(right.only(*group))
        rest = right.without(*(k for g in APPLICATOR_GROUPS for k in g))
        if keywords(rest):
            parts.append(rest)
        return parts

    def same_applicator(self, left: list[Node], right: Node) -> bool:
        """The right is one applicator (anyOf, oneOf, not, if/then/else) some left node has too."""
        kw = keywords(right)
        group = next((g for g in APPLICATOR_GROUPS if g[0] in kw), None)
        if group is None or not set(kw) <= set(group):
            return False
        key = self.shape(right)
        return key is not None and any(
            isinstance(n.schema, dict) and group[0] in n.schema and shape_key(n.only(*group), self.walks) == key for n in left)

    def by_enumeration(self, flat: list[Node], facts: Facts, right: Node) -> tuple[bool, Any]:
        """Decide exactly with the validator when the left side has few instances."""
        try:
            values = finite_values(facts)
        except RegexUnsupported:
            return False, NO_HINT
        if values is None:
            return False, NO_HINT
        try:
            members = [v for v in values if all(n.accepts(v) for n in flat)]
            for v in members:
                if not right.accepts(v):
                    return False, v
        except Undecidable:
            return False, NO_HINT
        return True, NO_HINT

    def right(self, left: list[Node], facts: Facts, right: Node, depth: int,
              ipath: tuple[Any, ...] | None) -> list[Failure]:
        if right.schema is False:
            return [Failure(("schema-narrowed", "schema-widened"), left[0].path, right.path,
                            "{B} accepts nothing here, {A} does", ipath, SAMPLES[sorted(facts.kinds)[0]])]
        # `split` has taken `$ref` and `allOf` apart already: the right is one piece here.
        kw = keywords(right)
        fails: list[Failure] = []
        for k in sorted(UNSUPPORTED & kw.keys()):
            fails.append(cannot(left[0], right, f"{{B}} uses `{k}`, which this checker does not model", ipath))
        if isinstance(kw.get("anyOf"), list):
            fails += self.any_of(left, facts, right, "anyOf", depth, ipath)
        if isinstance(kw.get("oneOf"), list):
            fails += self.any_of(left, facts, right, "oneOf", depth, ipath)
        if "not" in kw and not self.disjoint(left, [right.child(kw["not"], "not")], depth):
            fails.append(Failure(("not-changed", "not-changed"), left[0].path, right.path + "/not",
                                 "{B}'s `not` rejects instances {A} may accept", ipath))
        if "if" in kw:
            fails += self.conditional(left, right, kw, depth, ipath)
        try:
            fails += self.base(left, facts, right, kw, depth, ipath)
        except RegexUnsupported as exc:
            fails.append(cannot(left[0], right, str(exc), ipath))
        return fails

    # -- applicators on the right ------------------------------------------------------------
    def covers(self, left: list[Node], branches: list[Node], exclusive: bool, depth: int) -> bool:
        for i, branch in self.likely_first(left, branches):
            if self.proved(left, branch, depth):
                if not exclusive:
                    return True
                if all(self.disjoint(left, [other], depth) for j, other in enumerate(branches) if j != i):
                    return True
        return False

    def branches(self, right: Node, key: str) -> list[Node]:
        # Each case of a split left side meets the same right union: its nodes are built once.
        memo = (right.key, right.dialect, key)
        if memo not in self.shapes:
            self.shapes[memo] = (right, [right.child(s, key, j) for j, s in enumerate(keywords(right)[key])])
        return self.shapes[memo][1]  # type: ignore[return-value]

    def in_union(self, left: list[Node], right: Node) -> bool:
        """Some left node has the shape of a branch of the right's `anyOf` (one set lookup each).

        Before anything asks the validator about the whole union: with n cases on the left, n
        validations of an n-branch `anyOf` would be quadratic.
        """
        kw = keywords(right)
        if set(kw) != {"anyOf"} or not isinstance(kw["anyOf"], list):
            return False
        memo = (right.key, right.dialect, "shapes")
        if memo not in self.shapes:
            self.shapes[memo] = (right, {self.shape(b) for b in self.branches(right, "anyOf")} - {None})
        shapes = self.shapes[memo][1]
        return any(self.shape(n) in shapes for n in left)

    def likely_first(self, left: list[Node], branches: list[Node]) -> list[tuple[int, Node]]:
        # A branch of the same shape as a left node proves at once: trying it first keeps n cases
        # against n branches linear when the branches are kept, instead of n^2 failed proofs.
        shapes = {self.shape(n) for n in left} - {None}
        order = list(enumerate(branches))
        return sorted(order, key=lambda pair: self.shape(pair[1]) not in shapes) if shapes else order

    def any_of(self, left: list[Node], facts: Facts, right: Node, key: str, depth: int,
               ipath: tuple[Any, ...] | None) -> list[Failure]:
        branches = self.branches(right, key)
        exclusive = key == "oneOf"
        if self.covers(left, branches, exclusive, depth):
            return []
        kinds = sorted(facts.kinds)
        if len(kinds) > 1 and all(self.covers(left + [self.kind_node(left[0], k)], branches, exclusive, depth)
                                  for k in kinds):
            return []
        if len(branches) == 1 and not exclusive:
            return self.sub(left, branches[0], depth, ipath)
        if exclusive and any(self.proved(left, b, depth) for b in branches):
            return [cannot(left[0], right, "cannot show the oneOf branches are exclusive for these instances",
                            ipath)]
        return [Failure(("union-narrowed", "union-widened"), left[0].path, right.path + "/" + key,
                        f"no branch of {{B}}'s {key} is shown to accept every {{A}} instance", ipath)]

    def conditional(self, left: list[Node], right: Node, kw: dict[str, Any], depth: int,
                    ipath: tuple[Any, ...] | None) -> list[Failure]:
        cond = right.child(kw["if"], "if")
        then = right.child(kw.get("then", True), "then")
        other = right.child(kw.get("else", True), "else")
        if self.proved(left, then, depth) and self.proved(left, other, depth):
            return []
        if self.proved(left, cond, depth) and self.proved(left, then, depth):
            return []
        if self.disjoint(left, [cond], depth) and self.proved(left, other, depth):
            return []
        # Exact: the instances meeting the condition go to `then`, the others to `else`.
        if self.proved(left + [cond], then, depth) and self.proved(left + [negation(right, kw["if"])], other, depth):
            return []
        return [Failure(("conditional-narrowed", "conditional-widened"), left[0].path, right.path + "/if",
                        "{B}'s if/then/else may reject instances {A} accepts", ipath)]

    # -- keywords on the right, per kind ----------------------------------------------------
