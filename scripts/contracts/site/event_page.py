"""One page per event version: metadata, field table, rules, examples, history, schema."""

from __future__ import annotations

import html
import json
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile
from multi_workflow_telemetry.fixtures import Fixture

from . import examples, history
from .fields import conditions, fields
from .examples import cell
from .history import Step

RULES_PAGE = "../../reference/rules.md"


def page_path(event: str, version: str) -> str:
    return f"docs/events/{event}/{version}.md"


def schema_path(schema_file: SchemaFile) -> str:
    """Where the schema is published in the site: the path of its `$id`."""
    return f"schemas/{schema_file.name}/{schema_file.version}.json"


def _breakable(name: str) -> str:
    """A field path that may wrap after each `.`, so a deep path does not widen the table."""
    return html.escape(name).replace(".", ".<wbr>")


def badge(status: str) -> str:
    return f'<span class="mw-badge mw-badge--{status}" title="lifecycle status">{status}</span>'


def _lifecycle_lines(history: list[Any]) -> list[str]:
    """The version's lifecycle history (lifecycle/<event>.json), when it has moved on."""
    if len(history) < 2:
        return []
    lines = ["| status | date | by | note |", "|---|---|---|---|"]
    lines += [f"| {badge(str(h.get('status')))} | {h.get('date', '')} | {cell(str(h.get('by', '')))} | "
              f"{cell(str(h.get('note', '')))} |" for h in history]
    return [*lines, ""]


def render(
    schema_file: SchemaFile,
    registry: Any,
    rules: list[Any],
    fixture_results: list[tuple[Fixture, list[Any]]],
    steps: list[Step],
    notice: str,
    lifecycle: Any = None,
) -> str:
    meta = schema_file.meta
    event, version = schema_file.name, schema_file.version
    entries = lifecycle.versions.get(version, []) if lifecycle is not None else []
    status = str(entries[-1].get("status")) if entries else str(meta.get("status", "unknown"))
    out = [
        notice,
        f"# {event} {version}",
        "",
        f"Lifecycle status: {badge(status)}"
        + (f" · compatibility mode: **{lifecycle.compatibility}**" if lifecycle is not None else ""),
        "",
        *_lifecycle_lines(entries),
        f"- **Purpose:** {cell(str(meta.get('purpose', '')))}",
        f"- **Emitters:** {', '.join(f'`{e}`' for e in meta.get('emitters', []))}",
        f"- **Frequency:** {cell(str(meta.get('frequency', '')))}",
        f"- **Schema:** [`{schema_file.id}`](../../{schema_path(schema_file)})"
        f" ([download](../../{schema_path(schema_file)}){{ download=\"{event}-{version}.json\" }})",
        "",
        "## Fields",
        "",
        "Nested fields are named by their path: `stages[].index` is the `index` of each item of `stages`.",
        "**required** fields are always present; **conditional** ones are present when the description says;",
        "**optional** ones may be left out.",
        "",
        '<div class="mw-fields" markdown>',
        "",
        "| field | type, presence | constraints | description |",
        "|---|---|---|---|",
    ]
    for f in fields(schema_file, registry):
        depth = f.name.count(".")
        description = cell(f.description)
        if f.examples:
            shown = ", ".join(f"`{e if isinstance(e, str) else json.dumps(e)}`" for e in f.examples)
            description += f" Example: {shown}."
        out.append(
            f'| <a class="mw-field" id="{f.anchor}" href="#{f.anchor}" data-depth="{depth}"><code>{_breakable(f.name)}</code></a> '
            f'| `{f.type}`<br><span class="mw-presence mw-presence--{f.requirement}">{f.requirement}</span> '
            f"| {cell('; '.join(f.constraints)) or '—'} | {description} |"
        )
    out += ["", "</div>", ""]
    conds = conditions(schema_file)
    if conds:
        out += ["Conditions between fields, stated in the schema:", ""]
        out += [f"- {c}" for c in conds]
        out.append("")

    out += ["## Contract rules", ""]
    if rules:
        out += [
            "Checked on every payload that passes the schema. Each violation names its rule id.",
            "",
            "| id | rule | shown by |",
            "|---|---|---|",
        ]
        for r in rules:
            breaking = [fx for fx, found in fixture_results if not fx.valid and any(v.rule == r.id for v in found)]
            links = ", ".join(f"[{fx.name}](#{examples.example_anchor(fx)})" for fx in breaking) or "—"
            out.append(f"| [`{r.id}`]({RULES_PAGE}#{r.id.lower()}) | {cell(r.statement)} | {links} |")
    else:
        out.append("No contract rule applies beyond the schema.")
    out.append("")

    def rule_link(rule: str) -> str:
        return f"[`{rule}`]({RULES_PAGE}#{rule.lower()})" if any(r.id == rule for r in rules) else f"`{rule}`"

    valid = [(fx, found) for fx, found in fixture_results if fx.valid]
    invalid = [(fx, found) for fx, found in fixture_results if not fx.valid]
    out += [
        "## Examples",
        "",
        f"The golden fixtures of this version (`fixtures/{event}/{version}/`): {len(valid)} valid, {len(invalid)} invalid.",
        "Each shows the JSON and the same event built with the Python package; an invalid one also",
        "shows the violations it produces.",
        "",
        "### Valid",
        "",
    ]
    out += [examples.render(fx, found, rule_link) for fx, found in valid] or ["None yet.", ""]
    out += ["### Invalid", ""]
    out += [examples.render(fx, found, rule_link) for fx, found in invalid] or ["None yet.", ""]

    out += ["## Version history", ""]
    out += history.table(steps, lambda s: f"[{s.file.version}]({s.file.version}.md)" if s.file.version != version else f"**{version}**")
    out.append("")
    this = next(s for s in steps if s.file.version == version)
    if this.previous is None:
        out += [f"{version} is the first version of `{event}`.", ""]
    else:
        out += [
            f"### Changes from {this.previous.version}",
            "",
            f"Declared bump: **{this.bump}** ({this.previous.version} → {version}). Verdict of the compatibility checker: **{history.verdict(this.report)}**.",
            "",
            history.report_markdown(this),
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"
