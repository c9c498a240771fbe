"""Whether a field is present: the one place the site's presence words come from.

A field is **required** when its object lists it in `required`, **required when …** when an
`if`/`then` (or `dependentRequired`, or a contract rule) requires it under a condition, and
**optional** otherwise. The condition is said in words, read from the `if` schema itself
(`status` is `skipped`), so a page cannot state a presence the schema does not give.

The draft's own word (`x-requirement: conditional`) is not a presence: it is what the draft said,
shown beside the contract's decision (see `decided.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Contract rules that make an optional field required in some payloads. A rule is code, not a
# schema keyword, so its condition is stated here once; tests/test_docs.py holds each entry to
# the rule's behaviour on the golden fixtures (drop the field where the condition holds: the
# rule fires).
RULE_PRESENCE: dict[tuple[str, str], tuple[str, str]] = {
    # (event, field path): (rule id, the condition in words)
    ("multi_workflow.execution_summary", "errors"): ("MW009", "a workflow in `stage_runs` failed"),
}


@dataclass(frozen=True)
class Presence:
    """A field's presence. `when` lists the conditions under which an optional field is
    required, each with where it is stated (`schema` or a rule id); `only_when` the condition
    outside which it must be absent (`dependentSchemas`)."""

    required: bool
    when: tuple[tuple[str, str], ...] = ()
    only_when: str | None = None

    @property
    def word(self) -> str:
        """The short word shown and tested: `required`, `required when` or `optional`."""
        return "required" if self.required else ("required when" if self.when else "optional")

    @property
    def text(self) -> str:
        """The presence in words, conditions included (Markdown)."""
        if self.required:
            return "required"
        if self.when:
            conditions = " or ".join(c for c, _ in self.when)
            rules = [source for _, source in self.when if source != "schema"]
            out = f"required when {conditions}"
            if self.only_when and all(c == self.only_when for c, _ in self.when):
                out += ", absent otherwise"
            elif self.only_when:
                out += f"; absent unless {self.only_when}"
            else:
                out += "; optional otherwise"
            return out + (f" ({', '.join(rules)})" if rules else "")
        if self.only_when:
            return f"optional, only when {self.only_when}"
        return "optional"


def value_words(value: Any) -> str:
    """A JSON value as a reader writes it in a sentence: `skipped`, `true`, `3`."""
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def condition_words(schema: Any) -> str | None:
    """An `if` (or `dependentSchemas`) subschema in words, when it only pins values of sibling
    fields: `{"properties": {"status": {"const": "skipped"}}}` -> "`status` is `skipped`".
    None for anything richer: the caller then falls back to the branch's description."""
    if not isinstance(schema, dict) or set(schema) - {"properties", "required", "description"}:
        return None
    parts = []
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(sub, dict) or len(sub) != 1:
            return None
        if "const" in sub:
            parts.append(f"`{name}` is {value_words(sub['const'])}")
        elif "enum" in sub:
            parts.append(f"`{name}` is one of " + ", ".join(value_words(v) for v in sub["enum"]))
        else:
            return None
    return " and ".join(parts) or None


def of_object(schemas: list[dict[str, Any]], event: str, prefix: str) -> dict[str, Presence]:
    """The presence of every property of one object, given the schema parts that describe it
    (a property's `$ref` chain). Keys are the properties' names; `prefix` is the object's path."""
    required = {name for part in schemas for name in part.get("required", [])}
    names = [name for part in schemas for name in part.get("properties", {})]
    when: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    only: dict[str, str] = {}
    for part in schemas:
        for branch in part.get("allOf", []):
            if not isinstance(branch, dict) or "if" not in branch:
                continue
            said = condition_words(branch["if"]) or str(branch.get("description", "a condition holds"))
            for name in branch.get("then", {}).get("required", []):
                when.setdefault(name, []).append((said, "schema"))
        for name, dependent in part.get("dependentSchemas", {}).items():
            said = condition_words(dependent)
            if said:
                only[name] = said
        for name, needs in part.get("dependentRequired", {}).items():
            for needed in needs:
                when.setdefault(needed, []).append((f"`{name}` is present", "schema"))
    for (rule_event, path), (rule, said) in RULE_PRESENCE.items():
        parent, _, name = path.rpartition(".")
        if rule_event == event and (parent + "." if parent else "") == prefix:
            when.setdefault(name, []).append((said, rule))
    return {
        name: Presence(name in required, tuple(when.get(name, ())) if name not in required else (), only.get(name))
        for name in names
    }
