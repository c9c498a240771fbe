"""Rule sets per event version: which contract rules a version's events must satisfy, and what
each rule means.

A rule's meaning is its check's code: the fingerprint is a digest of the function's syntax tree
(comments, docstring, decorator and name left out), so rewording or reformatting a rule changes
nothing, while changing what it checks is seen. `releases.json` records each released version's
rule set; `contracts check` compares it with the rule set the tree gives that version now.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from dataclasses import dataclass

from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.rules import Rule, rules_for

RuleSets = dict[str, dict[str, str]]  # "<event>/<version>" -> {rule id: fingerprint}


def fingerprint(rule: Rule) -> str:
    """A digest of what the rule's check does (its syntax tree, without comments or docstring)."""
    try:
        source = textwrap.dedent(inspect.getsource(rule.check))
        node = ast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):  # no source (a lambda, a C function): its name
        return hashlib.sha256(repr(rule.check).encode()).hexdigest()[:16]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node.decorator_list, node.name = [], "_"
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(node, include_attributes=False).encode()).hexdigest()[:16]


def rule_sets(catalogue: Catalogue) -> RuleSets:
    """Every event version's rule set, as the tree gives it now."""
    return {f"{f.name}/{f.version}": {r.id: fingerprint(r) for r in rules_for(f.name, f.version)}
            for f in catalogue.files() if f.is_event}


@dataclass(frozen=True)
class RuleChange:
    """A rule added to, removed from or changed in one event version's rule set."""

    event: str
    version: str
    rule: str
    kind: str  # "added" (narrows), "changed" (may narrow), "removed" (widens)

    @property
    def narrows(self) -> bool:
        return self.kind != "removed"


def rule_changes(before: dict[str, str], after: dict[str, str], event: str, version: str) -> list[RuleChange]:
    """How rule set `after` differs from `before` (both {rule id: fingerprint})."""
    out = [RuleChange(event, version, r, "added") for r in sorted(after.keys() - before.keys())]
    out += [RuleChange(event, version, r, "changed") for r in sorted(after.keys() & before.keys())
            if after[r] != before[r]]
    out += [RuleChange(event, version, r, "removed") for r in sorted(before.keys() - after.keys())]
    return out
