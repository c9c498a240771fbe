"""Generated regions inside hand-written files, between named markers.

A hand-written page keeps its prose and embeds a generated table between
`<!-- BEGIN GENERATED name ... -->` and `<!-- END GENERATED name -->` (in YAML, `# BEGIN GENERATED
name` and `# END GENERATED name`). `contracts generate` rewrites only what is between the markers;
`contracts check` fails when it differs.
"""

from __future__ import annotations

import re


class MarkerError(Exception):
    """A hand-written file lost the markers of a region it embeds."""


def replace(text: str, name: str, body: str, source: str, path: str) -> str:
    """`text` with the region `name` holding `body` (indented as its BEGIN marker is)."""
    begin = re.compile(rf"^(?P<indent>[ \t]*)(?P<open><!--|#) BEGIN GENERATED {re.escape(name)}\b.*$", re.M)
    found = begin.search(text)
    if not found:
        raise MarkerError(f"{path}: the marker `BEGIN GENERATED {name}` is missing; restore it (see git history)")
    end = re.compile(rf"^[ \t]*(<!--|#) END GENERATED {re.escape(name)}\b.*$", re.M)
    closing = end.search(text, found.end())
    if not closing:
        raise MarkerError(f"{path}: `BEGIN GENERATED {name}` has no `END GENERATED {name}` after it")
    indent, html = found["indent"], found["open"] == "<!--"
    note = f"BEGIN GENERATED {name}: written by `contracts generate` from {source}. DO NOT EDIT between the markers"
    first = f"{indent}<!-- {note} -->" if html else f"{indent}# {note}"
    last = f"{indent}<!-- END GENERATED {name} -->" if html else f"{indent}# END GENERATED {name}"
    lines = [f"{indent}{line}" if line else "" for line in body.rstrip("\n").splitlines()]
    inner = "\n".join(([""] if html else []) + lines + ([""] if html else []))
    return text[: found.start()] + first + "\n" + inner + "\n" + last + text[closing.end():]
