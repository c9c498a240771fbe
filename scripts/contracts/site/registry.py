"""The field registry (docs/fields.md), as OpenTelemetry's semantic conventions keep one: each
field defined once, with every event and version that carries it; and the tracking plan, every
event on one table (docs/events/index.md)."""

from __future__ import annotations

from multi_workflow_telemetry.catalogue import Catalogue

from . import decided
from .changes import first_sentence
from .event_page import field_description, nav_title
from .examples import cell
from .fields import Field, anchor, fields
from .presence import value_words

# The order a reader meets the events in: a plan, its outcome, the batch's counters.
FLOW = (decided.PLAN, decided.SUMMARY, decided.BATCH)


def event_order(catalogue: Catalogue) -> list[str]:
    events = catalogue.events()
    return [e for e in FLOW if e in events] + [e for e in events if e not in FLOW]


def carriers(catalogue: Catalogue) -> dict[str, list[tuple[str, str, Field]]]:
    """Field path -> every (event, version, field row) carrying it, in reading order."""
    out: dict[str, list[tuple[str, str, Field]]] = {}
    for event in event_order(catalogue):
        for schema_file in reversed(catalogue.versions(event)):
            for f in fields(schema_file, catalogue.registry):
                out.setdefault(f.name, []).append((event, schema_file.version, f))
    return out


GLOSSARY = [
    "## Reading these pages",
    "",
    '<span id="presence"></span>**Presence.** *required*: every event has the field. *required when …*: the',
    "field must be there whenever the condition holds, and the schema or the named contract rule checks it.",
    "*optional*: it may be left out. The draft also wrote *conditional*; the contract replaced that word by",
    "one of these three, field by field (the event pages say \"the draft said …; the contract decided …\").",
    "",
    '<span id="lifecycle"></span>**Lifecycle status** of a version. *proposed*: published for review; the',
    "telemetry team has not approved it yet, and it may still change by a new version. *stable*: approved;",
    "changes come only as new versions. *deprecated*: do not start emitting it; a newer version replaces it.",
    "A version is *superseded* when a newer version of its event exists: its page says so and links to the",
    "current one.",
    "",
    '<span id="sensitive"></span>**Sensitive** (`x-sensitive` in the schema): the value may reveal internal',
    "data (deliverable paths). The package can replace it with a keyed hash before publishing (pending",
    "decision 3): `redact` hashes every value the mark applies to, as JSON Schema applies any annotation",
    "(through `$ref`, `allOf`, the branch of `anyOf`/`oneOf`/`if` a value takes, extra keys, tuples).",
    "",
    '<span id="open-closed"></span>**Closed / open.** A closed object accepts no field beyond those listed; an',
    "open one accepts any.",
    "",
]


def registry_page(catalogue: Catalogue, notice: str) -> str:
    out = [
        notice,
        "# Field registry",
        "",
        "Every field of every event, defined once: what it means, its type, the values it allows and what",
        "each means, and every event version that carries it, linked to the exact row of that version's",
        "field table. Fields shared by several events (`plan_id`, `stages[].index`) are listed once.",
        "",
        *GLOSSARY,
        "## Fields",
        "",
    ]
    for name, rows in carriers(catalogue).items():
        event, version, first = rows[0]
        out += [f"### `{name}` {{ #{anchor(name)} }}", ""]
        types = sorted({f.type for _, _, f in rows})
        out += ['<div class="mw-entry" markdown>', ""]
        out += [f"**Meaning:** {field_description(event, first, prefix='', values=False)}", ""]
        out += [f"**Type:** {', '.join(f'`{t}`' for t in types)}."
                + (f" **Constraints** (in `{event}`): {cell('; '.join(first.constraints))}." if first.constraints else ""), ""]
        if first.values:
            out += ["| value | meaning |", "|---|---|"]
            out += [f"| {value_words(v)} | {decided.value_meaning(name, v) or '—'} |" for v in first.values]
            out.append("")
        out += ["| event | versions | presence | there |", "|---|---|---|---|"]
        for ev in dict.fromkeys(e for e, _, _ in rows):
            mine = [(v, f) for e, v, f in rows if e == ev]
            groups: dict[str, list[tuple[str, Field]]] = {}
            for v, f in mine:
                groups.setdefault(f.presence.text, []).append((v, f))
            for text, members in groups.items():
                versions = ", ".join(f"[{v}](events/{ev}/{v}.md#{anchor(name)})" for v, _ in members)
                f = members[0][1]
                span = (f'<span class="mw-presence" data-event="{ev}" data-version="{" ".join(v for v, _ in members)}" '
                        f'data-field="{name}" data-presence="{f.requirement}">{text}</span>')
                there = "same meaning" if f.description == first.description and ev == event else cell(first_sentence(
                    decided.FIELDS[(ev, name)].said("")[0] if (ev, name) in decided.FIELDS else f.description))
                out.append(f"| `{ev}` | {versions} | {span} | {there} |")
        out += ["", "</div>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def tracking_plan(catalogue: Catalogue, base: str) -> list[str]:
    """Every event on one table: when it is sent, by whom, how it is identified and correlated."""
    lines = ["| event | sent when | emitted by | identified by | required fields | optional fields | current version |",
             "|---|---|---|---|---|---|---|"]
    for event in event_order(catalogue):
        current = catalogue.versions(event)[-1]
        rows = [f for f in fields(current, catalogue.registry) if "." not in f.name and "[]" not in f.name]
        freq = decided.EVENT.get((event, "frequency"))
        when = cell(freq.said(base.replace("events/", "") if base else "../")[0] if freq else str(current.meta.get("frequency", "")))
        ids = [f"`{f.name}`" for f in rows if f.name in ("plan_id", "batch_id", "run_id", "issue_number")]
        required = ", ".join(f"[`{f.name}`]({base}{event}/{current.version}.md#{f.anchor})" for f in rows if f.requirement == "required")
        optional = ", ".join(f"[`{f.name}`]({base}{event}/{current.version}.md#{f.anchor})" + (" (when …)" if f.requirement != "optional" else "")
                             for f in rows if f.requirement != "required")
        emitters = ", ".join(f"`{e}`" for e in current.meta.get("emitters", []))
        lines.append(f"| [`{event}`]({base}{event}/{current.version}.md) | {when} | {emitters} | {', '.join(ids)} "
                     f"| {required} | {optional} | [{nav_title(current, True).split()[-1]}]({base}{event}/{current.version}.md) |")
    return lines


