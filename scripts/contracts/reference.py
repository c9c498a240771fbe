"""Reference pages of the docs site, generated from the contract's own data.

The rule catalogue (runtime/.../rules.py) and the schema conventions are data; these pages list
them, so the site never says something the code does not do. Every other generated page (event
versions, catalogue, changelog, published schemas) comes from the `site` subpackage.
"""

from __future__ import annotations

from typing import Any

from . import site
from .conventions import CONVENTIONS
from .project import Project
from .site.source import runtime_modules

NOTICE = site.NOTICE


def pages(project: Project) -> dict[str, str]:
    """Generated docs files by path relative to the repository."""
    return {"docs/reference/rules.md": _rules(project), **site.pages(project)}


def _rules(project: Project) -> str:
    lines = [
        NOTICE.format(source="runtime/multi_workflow_telemetry/rules.py and scripts/contracts/conventions.py"),
        "# Contract rules",
        "",
        "What the contract requires beyond JSON Schema. Each rule has a stable id, which every",
        "violation names (`[MW001]`). Rules are checked on payloads that pass the event's schema.",
        "",
        "| id | rule | applies to |",
        "|---|---|---|",
    ]
    for rule in _source_rules(project):
        events = ", ".join(f"`{e}`" for e in rule.events)
        lines.append(f"| <span id=\"{rule.id.lower()}\"></span>`{rule.id}` | {rule.statement} | {events} |")
    lines += [
        "",
        "## Schema conventions",
        "",
        "What `contracts check` requires of every schema file.",
        "",
        "| id | convention |",
        "|---|---|",
    ]
    lines += [f"| `{cid}` | {text} |" for cid, text in CONVENTIONS.items()]
    return "\n".join(lines) + "\n"


def _source_rules(project: Project) -> list[Any]:
    """The rules as runtime/ defines them now, not as the installed package copy has them, so one
    `contracts generate` brings the page and the package up to date together."""
    with runtime_modules(project, "rules") as (rules,):
        return list(rules.RULES)
