"""One page per event version: what it is, its versions, fields, rules, scenarios, examples,
history and schema files."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile
from multi_workflow_telemetry.fixtures import Fixture

from . import decided, examples, history, modes, scenarios
from .changes import changes, presence_span
from .examples import cell
from .fields import Field, conditions, fields
from .history import Step

RULES_PAGE = "../../reference/rules.md"
DECISIONS_PAGE = "../../decisions.md"
REGISTRY_PAGE = "../../fields.md"


def page_path(event: str, version: str) -> str:
    return f"docs/events/{event}/{version}.md"


def schema_path(schema_file: SchemaFile) -> str:
    """Where the schema is published in the site: the path of its `$id`."""
    return f"schemas/{schema_file.name}/{schema_file.version}.json"


def bundle_path(schema_file: SchemaFile) -> str:
    """Where the bundled schema (every `$ref` inside, bundle.py) is published."""
    return f"schemas/{schema_file.name}/{schema_file.version}.bundle.json"


def nav_title(schema_file: SchemaFile, current: bool) -> str:
    """The page's title in the navigation, the browser tab, the header and search results."""
    return f"{schema_file.name} {schema_file.version}" + ("" if current else " (superseded)")


def _breakable(name: str) -> str:
    """A field path that may wrap after each `.`, so a deep path does not widen the table."""
    return html.escape(name).replace(".", ".<wbr>")


def badge(status: str, root: str = "../../") -> str:
    # A Markdown link (attr_list for the classes), so mkdocs rewrites it to the built page.
    return f'[{status}]({root}fields.md#lifecycle){{ .mw-badge .mw-badge--{status} title="lifecycle status: what it means" }}'


def decision_link(decision: str, prefix: str = "../../") -> str:
    return f"[{decision}]({prefix}decisions.md#{decision.lower()})"


def draft_note(said: str, word: str, d: decided.Decided, prefix: str = "../../") -> str:
    """ "The draft said …; the contract decided … (Dn)", for a note the contract overrides."""
    said_word = f" ({word})" if word else ""
    return (f'<span class="mw-draft">The draft said “{cell(said)}”{said_word}; the contract decided '
            f"{cell(d.said(prefix)[1])} ({decision_link(d.decision, prefix)}).</span>")


def field_description(event: str, f: Field, prefix: str = "../../", values: bool = True) -> str:
    """A field's meaning: the schema's description, or the contract's where it decided otherwise;
    with the meaning of each allowed value unless the caller shows them apart (`values`)."""
    d = decided.FIELDS.get((event, f.name))
    text = cell(d.said(prefix)[0] if d else f.description)
    if values and len(f.values) > 1 or (f.values and decided.value_meaning(f.name, f.values[0])):
        meant = [f"`{v}`: {decided.value_meaning(f.name, v) or 'no meaning written yet'}" for v in f.values]
        text += " Values: " + "; ".join(meant) + "."
    if f.examples:
        text += " Example: " + ", ".join(f"`{e if isinstance(e, str) else json.dumps(e)}`" for e in f.examples) + "."
    if d:
        text += "<br>" + draft_note(f.description, f.draft_requirement, d, prefix)
    return text


def _meta(schema_file: SchemaFile, key: str) -> list[str]:
    value = str(schema_file.meta.get(key, ""))
    d = decided.EVENT.get((schema_file.name, key))
    if not d:
        return [cell(value)]
    return [cell(d.said("../../")[0]), "", "    " + draft_note(value, "", d), ""]


def _switcher(steps: list[Step], version: str) -> list[str]:
    links = []
    for s in reversed(steps):
        label = s.file.version + (" (current)" if s is steps[-1] else "")
        links.append(f"**{label}**" if s.file.version == version else f"[{label}]({s.file.version}.md)")
    return ['<div class="mw-versions" markdown>', "", "Versions: " + " · ".join(links), "", "</div>", ""]


def _banner(schema_file: SchemaFile, steps: list[Step]) -> list[str]:
    current = steps[-1].file
    status = str(schema_file.meta.get("status", ""))
    out = []
    if status == "deprecated":
        out += [f'!!! danger "Deprecated: {schema_file.name} {schema_file.version}"', "",
                f"    Do not start emitting this version. The current version is [{current.version}]({current.version}.md).", ""]
    if current is not schema_file:
        out += [f'!!! warning "Superseded: {schema_file.name} {schema_file.version} is not the current version"', "",
                f"    The current version is **[{current.version}]({current.version}.md)**, with the full scenarios. "
                f"Every change since this version is under [Version history](#version-history).", ""]
    return out


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
    all_fixtures: list[Fixture] = (),  # type: ignore[assignment]
    accepts: Callable[[Any], bool] = lambda payload: False,
    lifecycle: Any = None,
) -> str:
    meta = schema_file.meta
    event, version = schema_file.name, schema_file.version
    entries = lifecycle.versions.get(version, []) if lifecycle is not None else []
    status = str(entries[-1].get("status")) if entries else str(meta.get("status", "unknown"))
    mode = modes.compatibility_mode(lifecycle)
    this = next(s for s in steps if s.file.version == version)
    out = [
        notice,
        f"# {event} {version}",
        "",
        *_switcher(steps, version),
        *_banner(schema_file, steps),
        f"Lifecycle status: {badge(status)} · released: {history.when(this)}"
        f" · compatibility mode: [{mode}](#version-history)",
        "",
        *_lifecycle_lines(entries),
        f"- **Purpose:** {_meta(schema_file, 'purpose')[0]}",
        *_meta(schema_file, "purpose")[1:],
        f"- **Emitters:** {', '.join(f'`{e}`' for e in meta.get('emitters', []))}",
        f"- **Frequency:** {_meta(schema_file, 'frequency')[0]}",
        *_meta(schema_file, "frequency")[1:],
        f"- **Published as:** a CloudEvent with `type` `{event}` and `dataschema` `{schema_file.id}`;"
        " the payload below is its `data` ([the envelope](../../envelope.md)).",
        f"- **Schema:** [`{schema_file.id}`](../../{schema_path(schema_file)})"
        f" ([download](../../{schema_path(schema_file)}){{ download=\"{event}-{version}.json\" }};"
        f" [bundled, every `$ref` inside](../../{bundle_path(schema_file)}){{ download=\"{event}-{version}.bundle.json\" }})",
        "",
        "## Fields",
        "",
        "Nested fields are named by their path: `stages[].index` is the `index` of each item of `stages`.",
        "**required**: always present. **required when …**: present whenever the condition holds (the schema or",
        "the named rule checks it). **optional**: may be left out. Each field is defined once, with every",
        f"event that carries it, in the [field registry]({REGISTRY_PAGE}).",
        "",
        '<div class="mw-fields" markdown>',
        "",
        "| field | type, presence | constraints | description |",
        "|---|---|---|---|",
    ]
    for f in fields(schema_file, registry):
        depth = f.name.count(".")
        constraints = [c for c in f.constraints if not c.startswith(("one of", "always"))] if f.values else list(f.constraints)
        if f.values:
            constraints.insert(0, "one of the values described")
        out.append(
            f'| <a class="mw-field" id="{f.anchor}" href="#{f.anchor}" data-depth="{depth}"><code>{_breakable(f.name)}</code></a> '
            f"| `{f.type}`<br>{presence_span(event, version, f)} "
            f"| {cell('; '.join(constraints)).replace('sensitive', '[sensitive](../../fields.md#sensitive)').replace('closed: no other fields', '[closed](../../fields.md#open-closed): no other fields') or '—'} "
            f"| {field_description(event, f)} |"
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
            out.append(f'| <span id="rule-{r.id.lower()}"></span>[`{r.id}`]({RULES_PAGE}#{r.id.lower()}) | {cell(r.statement)} | {links} |')
    else:
        out.append("No contract rule applies beyond the schema.")
    out.append("")

    if this is steps[-1]:
        out += scenarios.render(event, version, list(all_fixtures), accepts)

    def rule_link(rule: str) -> str:
        return f"[`{rule}`]({RULES_PAGE}#{rule.lower()})" if any(r.id == rule for r in rules) else f"`{rule}`"

    valid = [(fx, found) for fx, found in fixture_results if fx.valid]
    invalid = [(fx, found) for fx, found in fixture_results if not fx.valid]
    out += [
        # Out of the search index: a field name inside a hundred example payloads would otherwise
        # outrank the field's own row.
        "## Examples { data-search-exclude }",
        "",
        f"The golden fixtures of this version (`fixtures/{event}/{version}/`): {len(valid)} valid, {len(invalid)} invalid.",
        "Each shows the JSON and the same event built with the Python package; an invalid one also",
        "shows the violations it produces.",
        "",
        "### Valid { data-search-exclude }",
        "",
    ]
    out += [examples.render(fx, found, rule_link) for fx, found in valid] or ["None yet.", ""]
    out += ["### Invalid { data-search-exclude }", ""]
    out += [examples.render(fx, found, rule_link) for fx, found in invalid] or ["None yet.", ""]

    out += ["## Version history", ""]
    out += history.table(steps, lambda s: f"[{s.file.version}]({s.file.version}.md)" if s.file.version != version else f"**{version}**")
    out.append("")
    out += change_section(this, registry, mode, heading="###")
    return "\n".join(out).rstrip("\n") + "\n"


def change_section(step: Step, registry: Any, mode: str, heading: str = "###", indent: str = "    ") -> list[str]:
    """What a version changed, in words, who upgrades first, and the checker's report folded."""
    event, version = step.file.name, step.file.version
    if step.previous is None:
        return [f"{version} is the first version of `{event}` (released: {history.when(step)}).", ""]
    out = [
        f"{heading} Changes from {step.previous.version}",
        "",
        f"Released: {history.when(step)}. Declared bump: **{step.bump}** ({step.previous.version} → {version}).",
        "",
        *[f"- {line}" for line in changes(step.previous, step.file, registry)],
        "",
        f"Who upgrades first, under the event's compatibility mode **{mode}**: {modes.upgrade_order(mode)}",
        history.checker_in_words(step),
        "",
        *history.folded_report(step, indent),
    ]
    return out
