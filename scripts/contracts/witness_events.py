"""Witnesses a person can read: whole events, not fragments the checker happened to build.

The compatibility checker's witness satisfies one schema and not the other, but it is built from
the schema alone: it may break the contract rules (MW011: a skipped run whose workflow executed), so
no emitter could send it. Here each witness becomes a whole event of the source version: a valid
golden fixture of that version with the checker's differing value grafted in, kept only when the
source version (schema and rules) accepts it and the other version rejects it. It is shown as the
part that differs from that fixture first, then the whole event, never cut short.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile
from multi_workflow_telemetry.fixtures import FixtureError, load_all
from multi_workflow_telemetry.validation import EventValidator

from .compat import Report
from .project import Project

MISSING = object()


def _nodes(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) inside `value`, parents first."""
    yield pointer, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, f"{pointer}/{i}")


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _get(value: Any, pointer: str) -> Any:
    for token in _tokens(pointer):
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return MISSING
    return value


def _graft(base: Any, pointer: str, value: Any) -> Any:
    """A copy of `base` with `value` at `pointer` (`MISSING`: the member removed); None if the
    path does not exist in `base` up to its last step."""
    tokens = _tokens(pointer)
    if not tokens:
        return copy.deepcopy(value)
    out = copy.deepcopy(base)
    parent = _get(out, "".join(f"/{t.replace('~', '~0').replace('/', '~1')}" for t in tokens[:-1]))
    last = tokens[-1]
    if isinstance(parent, dict):
        if value is MISSING:
            parent.pop(last, None)
        else:
            parent[last] = copy.deepcopy(value)
        return out
    if isinstance(parent, list) and last.isdigit() and int(last) <= len(parent) and value is not MISSING:
        if int(last) == len(parent):
            parent.append(copy.deepcopy(value))
        else:
            parent[int(last)] = copy.deepcopy(value)
        return out
    return None


def differences(base: Any, event: Any) -> list[tuple[str, Any]]:
    """Where `event` differs from `base`: (pointer, value in event, or `MISSING` when removed)."""
    if type(base) is not type(event) or not isinstance(event, (dict, list)):
        return [] if base == event and type(base) is type(event) else [("", event)]
    out: list[tuple[str, Any]] = []
    if isinstance(event, dict):
        for k in sorted(set(base) | set(event)):
            child = f"/{str(k).replace('~', '~0').replace('/', '~1')}"
            if k not in event:
                out.append((child, MISSING))
            elif k not in base:
                out.append((child, event[k]))
            else:
                out += [(child + p, v) for p, v in differences(base[k], event[k])]
        return out
    if len(base) != len(event):
        return [("", event)]
    for i, (a, b) in enumerate(zip(base, event)):
        out += [(f"/{i}" + p, v) for p, v in differences(a, b)]
    return out


class Completer:
    """Turns the checker's witnesses for one pair of event versions into whole events."""

    def __init__(self, project: Project, old: SchemaFile, new: SchemaFile) -> None:
        self.files = {"old": old, "new": new}
        self.validators = {side: EventValidator(project.catalogue, f) for side, f in self.files.items()}
        try:
            fixtures = [c for c in load_all(project.fixtures) if c.valid]
        except FixtureError:
            fixtures = []
        self.bases = {side: [(project.relative(c.path), c.payload) for c in fixtures if c.ref == f.ref][:4]
                      for side, f in self.files.items()}

    def _is_witness(self, side: str, event: Any) -> bool:
        other = "new" if side == "old" else "old"
        return not self.validators[side].validate(event) and bool(self.validators[other].validate(event))

    def complete(self, report: Report) -> None:
        """Each change's witness as a whole event of its source version, where one is found."""
        for change in report.changes:
            side = change.witness_accepted_by
            if not change.has_witness or side not in self.files:
                continue
            found = self._find(side, change.witness)
            if found is not None:
                change.witness, change.witness_base, change.witness_base_payload = found
            elif not self._is_witness(side, change.witness):
                change.witness_note = (f"not a whole {self.files[side].ref} event: no fixture-based event "
                                       "was found that its contract rules accept")

    def _find(self, side: str, witness: Any) -> tuple[Any, str, Any] | None:
        if self._is_witness(side, witness):
            bases = self.bases[side]
            return (witness, *bases[0]) if bases else (witness, "", None)
        grafts = sorted(_nodes(witness), key=lambda pv: -pv[0].count("/"))  # deepest first: the smallest change
        for name, base in self.bases[side]:
            removed = [(p, MISSING) for p, _ in _nodes(base) if p and _get(witness, p) is MISSING]
            for pointer, value in [*grafts, *removed]:
                candidate = _graft(base, pointer, value)
                if candidate is not None and self._is_witness(side, candidate):
                    return candidate, name, base
        return None


def complete(project: Project, old: SchemaFile, new: SchemaFile, report: Report) -> Report:
    """`report` with whole-event witnesses, when both files are versions of an event."""
    if old.is_event and new.is_event and old.name == new.name:
        Completer(project, old, new).complete(report)
    return report
