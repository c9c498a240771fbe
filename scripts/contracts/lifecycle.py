"""Lifecycle records: each event's status per version, and its compatibility mode.

Schema files are immutable once released, so what must change after a release lives beside them,
in one mutable record per event, `lifecycle/<event>.json`:

    {"event": "multi_workflow.plan_created",
     "compatibility": "BACKWARD_TRANSITIVE",
     "versions": {"1.0.0": [{"status": "proposed", "date": "2026-11-20", "by": "..."},
                            {"status": "stable", "date": "2026-12-02", "by": "telemetry-team", "note": "..."}]}}

A version's history only goes forward (proposed → stable → deprecated → retired, steps may be
skipped), every entry says who decided and when, and the first entry is the schema's own
`x-event.status`. Against the last release (git), a history may only grow: entries are appended,
never rewritten. A version the record does not list has its schema's `x-event.status`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import version_key

from .findings import Finding
from .locate import line_of
from .project import Project

STATUSES = ("proposed", "stable", "deprecated", "retired")
MODES = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")
DEFAULT_MODE = "BACKWARD"


@dataclass
class Record:
    """One event's lifecycle record (`path` may not exist yet: then everything is the default)."""

    event: str
    path: Path
    compatibility: str = DEFAULT_MODE
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    text: str = ""

    def status(self, version: str, initial: str = "proposed") -> str:
        history = self.versions.get(version)
        return str(history[-1].get("status", initial)) if history else initial

    def as_json(self) -> dict[str, Any]:
        return {"event": self.event, "compatibility": self.compatibility,
                "versions": dict(sorted(self.versions.items(), key=lambda kv: version_key(kv[0])))}


def record_path(project: Project, event: str) -> Path:
    return project.root / "lifecycle" / f"{event}.json"


def parse(event: str, path: Path, text: str) -> Record:
    """The record in `text` (ValueError, worded, when it is not one)."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("versions", {}), dict):
        raise ValueError("a lifecycle record is an object with `versions`: {version: [entries]}")
    versions = {v: list(h) if isinstance(h, list) else [] for v, h in data.get("versions", {}).items()}
    return Record(event, path, str(data.get("compatibility", DEFAULT_MODE)), versions, text)


def load(project: Project, event: str) -> Record:
    """The record of `event`, or an empty one (ValueError when the file is not a record)."""
    path = record_path(project, event)
    if not path.is_file():
        return Record(event, path)
    return parse(event, path, path.read_text(encoding="utf-8"))


def status_of(project: Project, event: str, version: str) -> str:
    """The status of `event@version` now: the record's last entry, else the schema's initial one."""
    initial = str(project.catalogue.get(f"{event}@{version}").meta.get("status", "proposed"))
    try:
        return load(project, event).status(version, initial)
    except ValueError:
        return initial


def mode_of(project: Project, event: str) -> str:
    try:
        return load(project, event).compatibility
    except ValueError:
        return DEFAULT_MODE


def check_lifecycle(project: Project) -> Iterator[Finding]:
    """Every record is well formed, every history goes forward, and none rewrites the released one."""
    from .baseline import last_release

    baseline = last_release(project)
    for event in project.catalogue.events():
        path = record_path(project, event)
        rel = project.relative(path)
        try:
            record = load(project, event)
        except ValueError as exc:
            yield Finding(rel, 1, "", "lifecycle", f"not a lifecycle record: {exc}", "see docs/contributing.md")
            continue

        def finding(pointer: str, message: str, fix: str) -> Finding:
            return Finding(rel, line_of(record.text, pointer) if record.text else 1, pointer, "lifecycle", message, fix)

        if record.compatibility not in MODES:
            yield finding("/compatibility", f"unknown compatibility mode {record.compatibility!r}",
                          f"use one of {', '.join(MODES)}")
        known = {f.version: f for f in project.catalogue.versions(event)}
        for version, history in record.versions.items():
            pointer = f"/versions/{version}"
            if version not in known:
                yield finding(pointer, f"{event} has no version {version}", "remove it, or add its schema file")
                continue
            yield from _history(finding, pointer, history, str(known[version].meta.get("status", "proposed")))
        released = _released(project, baseline, event)
        for version, before in (released.versions if released else {}).items():
            now = record.versions.get(version, [])
            if now[:len(before)] != before:
                yield finding(f"/versions/{version}", f"the history of {event}@{version} released in "
                              f"{baseline.label if baseline else 'the last release'} has been rewritten",
                              "only append entries: a lifecycle goes forward, it is never edited")


def _history(finding: Any, pointer: str, history: list[Any], initial: str) -> Iterator[Finding]:
    previous = None
    for i, entry in enumerate(history):
        where = f"{pointer}/{i}"
        status = entry.get("status") if isinstance(entry, dict) else None
        if status not in STATUSES:
            yield finding(where, f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
            return
        if i == 0 and status != initial:
            yield finding(where, f"the first status is {status!r} but the schema's x-event.status is {initial!r}",
                          "start the history with the schema's own status")
        if i > 0 and not (entry.get("by") and entry.get("date")):
            yield finding(where, f"the change to {status!r} does not say who approved it (`by`) and when (`date`)",
                          'add "by": "<team or person>", "date": "YYYY-MM-DD"')
        if previous is not None and STATUSES.index(status) <= STATUSES.index(previous):
            yield finding(where, f"{previous} → {status} goes backward", f"a lifecycle only goes forward: {' → '.join(STATUSES)}")
        previous = status


def _released(project: Project, baseline: Any, event: str) -> Record | None:
    if baseline is None or baseline.ref is None:
        return None
    rel = project.relative(record_path(project, event))
    data = baseline.read(rel)
    try:
        return parse(event, Path(rel), data.decode("utf-8")) if data is not None else None
    except ValueError:
        return None
