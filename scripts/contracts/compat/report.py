"""The result of a diff: verdicts per direction and the changes behind them, in three renderings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DIRECTIONS = ("backward", "forward")
_PAIRS = (("-narrowed", "-widened"), ("-removed", "-added"))


@dataclass
class Change:
    """One difference that breaks compatibility in at least one direction.

    `path` is a JSON pointer into `schema` (`new` or `old`): the schema whose keyword rejects the
    instances, or, for `property-added-*`/`property-removed-*`, the one declaring the property. `witness` is an instance `witness_accepted_by` accepts and the other schema
    rejects, confirmed by a real validator; `has_witness` is False when none was confirmed (then
    `witness` is None, which is otherwise also a valid JSON instance).
    """

    path: str
    kind: str
    breaks: list[str]
    message: str
    witness: Any = None
    has_witness: bool = False
    witness_accepted_by: str | None = None
    schema: str = "new"
    witness_base: str = ""  # the golden fixture the witness differs from (contracts.witness_events)
    witness_base_payload: Any = None
    witness_note: str = ""  # why the witness is not a whole event, when it could not be made one

    def witness_text(self) -> str:
        """The witness for a person: where it differs from its base fixture first, then the whole
        instance, never shortened (every witness of an event shares the same long prefix)."""
        whole = json.dumps(self.witness, ensure_ascii=False, separators=(",", ":"))
        if not self.witness_base:
            return whole + (f" ({self.witness_note})" if self.witness_note else "")
        from ..witness_events import MISSING, differences  # the presentation layer, above compat

        diffs = differences(self.witness_base_payload, self.witness)
        shown = "; ".join(f"{p or '/'} removed" if v is MISSING else f"{p or '/'} = {json.dumps(v, ensure_ascii=False)}"
                          for p, v in diffs)
        lead = f"{shown} (otherwise as {self.witness_base})" if shown else f"as {self.witness_base}"
        return f"{lead}; whole event: {whole}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path or "",
            "kind": self.kind,
            "breaks": list(self.breaks),
            "message": self.message,
            "witness": self.witness if self.has_witness else None,
            "witness_accepted_by": self.witness_accepted_by if self.has_witness else None,
            "schema": self.schema,
        }


@dataclass
class Report:
    """Backward: OLD's instances are all NEW's. Forward: NEW's instances are all OLD's."""

    backward: bool
    forward: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.backward and self.forward

    def compatible(self, mode: str = "backward") -> bool:
        """The verdict for `backward`, `forward` or `full`."""
        return {"backward": self.backward, "forward": self.forward, "full": self.full}[mode]

    def to_dict(self) -> dict[str, Any]:
        return {"backward": self.backward, "forward": self.forward, "changes": [c.to_dict() for c in self.changes]}

    def to_json(self) -> str:
        """The JSON the CLI prints: `backward`, `forward` and `changes`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        """A plain listing for a terminal, one change a line, its witness below it."""
        lines = [f"backward: {'compatible' if self.backward else 'INCOMPATIBLE'}",
                 f"forward:  {'compatible' if self.forward else 'INCOMPATIBLE'}"]
        if not self.changes:
            lines.append("no breaking changes")
        for c in self.changes:
            lines.append(f"{c.schema} #{c.path or ''}: {c.kind} (breaks {', '.join(c.breaks)}): {c.message}")
            if c.has_witness:
                lines.append(f"    witness, valid under {c.witness_accepted_by} only: {c.witness_text()}")
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """The verdicts and a table of changes, to paste into a pull request."""
        verdict = " · ".join(f"{d}: {'✅ compatible' if ok else '❌ breaks'}"
                             for d, ok in (("backward", self.backward), ("forward", self.forward)))
        lines = [f"**{verdict}**", ""]
        if not self.changes:
            return "\n".join(lines + ["No breaking changes."]) + "\n"
        lines += ["| Path | Change | Breaks | Explanation | Witness |", "| --- | --- | --- | --- | --- |"]
        for c in self.changes:
            witness = f"{c.witness_text()} (valid under {c.witness_accepted_by} only)" if c.has_witness else "—"
            lines.append(f"| `{c.schema}#{c.path or ''}` | `{c.kind}` | {', '.join(c.breaks)} | "
                         f"{_cell(c.message)} | {_cell(witness)} |")
        return "\n".join(lines) + "\n"




def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def merge(changes: list[Change]) -> list[Change]:
    """One entry per (path, kind); a narrowing one way and widening the other become `-changed`."""
    merged: dict[tuple[str, str], Change] = {}
    for c in changes:
        key = (c.path, c.kind)
        if key in merged:
            m = merged[key]
            m.breaks = [d for d in DIRECTIONS if d in m.breaks or d in c.breaks]
            if not m.has_witness and c.has_witness:
                m.witness, m.has_witness, m.witness_accepted_by = c.witness, True, c.witness_accepted_by
        else:
            merged[key] = c
    out = list(merged.values())
    for narrow, wide in _PAIRS:
        for c in list(out):
            if c.kind.endswith(narrow) and c.breaks == ["backward"]:
                twin = c.kind[: -len(narrow)] + wide
                other = next((o for o in out if o.path == c.path and o.kind == twin and o.breaks == ["forward"]), None)
                if other is not None:
                    c.kind = c.kind[: -len(narrow)] + "-changed"
                    c.breaks = list(DIRECTIONS)
                    c.message = f"{c.message}; and {other.message}"
                    c.schema = "new and old"
                    out.remove(other)
    return out
