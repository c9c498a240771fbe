"""What changed between two versions of an event, in words a product or analytics reader uses:
fields added or removed, presence, type, allowed values and bounds, read from the field tables
(fields.py) of both versions. The compatibility checker's own report stays available, folded."""

from __future__ import annotations

from multi_workflow_telemetry.catalogue import SchemaFile

from .fields import Field, fields
from .presence import value_words


def first_sentence(text: str) -> str:
    head = text.split(". ", 1)[0].rstrip(".")
    return head + "." if head else ""


def presence_span(event: str, version: str, f: Field) -> str:
    """The presence of `f`, marked so tests/test_docs.py can hold every page's words to the schema."""
    return (f'<span class="mw-presence mw-presence--{f.requirement.replace(" ", "-")}" data-event="{event}" '
            f'data-version="{version}" data-field="{f.name}" data-presence="{f.requirement}">{f.presence.text}</span>')


def changes(old: SchemaFile, new: SchemaFile, registry: object) -> list[str]:
    """One sentence per change from `old` to `new` (Markdown list items, without the dash)."""
    before = {f.name: f for f in fields(old, registry)}  # type: ignore[arg-type]
    after = {f.name: f for f in fields(new, registry)}  # type: ignore[arg-type]
    out = []
    for name, f in after.items():
        if name not in before:
            out.append(f"Adds `{name}` ({presence_span(new.name, new.version, f)}, `{f.type}`): "
                       f"{first_sentence(f.description)}")
    for name in before:
        if name not in after:
            out.append(f"Removes `{name}`: events that carry it are rejected by {new.version}.")
    for name, f in after.items():
        was = before.get(name)
        if was is None:
            continue
        if was.presence != f.presence:
            out.append(f"`{name}` was {was.presence.text}; it is now {presence_span(new.name, new.version, f)}.")
        if was.type != f.type:
            out.append(f"`{name}` was `{was.type}`; it is now `{f.type}`.")
        gained = [v for v in f.values if v not in was.values]
        lost = [v for v in was.values if v not in f.values]
        if was.values and gained:
            out.append(f"`{name}` also allows {', '.join(value_words(v) for v in gained)}.")
        if lost:
            out.append(f"`{name}` no longer allows {', '.join(value_words(v) for v in lost)}.")
        rest_was = [c for c in was.constraints if not c.startswith("one of")]
        rest_now = [c for c in f.constraints if not c.startswith("one of")]
        if rest_was != rest_now:
            out.append(f"`{name}`: {'; '.join(rest_now) or 'no constraint'} (was: {'; '.join(rest_was) or 'no constraint'}).")
    if not out:
        out.append("No field changed: the schemas accept the same fields with the same rules.")
    return out
