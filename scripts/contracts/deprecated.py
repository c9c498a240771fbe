"""Events of a deprecated (or retired) version, found in what `contracts validate` reads.

A warning by default, a failure with `--deny-deprecated`. The scan runs on each chunk where it is
validated, and only when some version's lifecycle record says it is deprecated or retired:
validating today's streams costs nothing more.
"""

from __future__ import annotations

from typing import Any

import orjson
from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError

from .findings import Finding
from .lifecycle import status_of
from .project import Project

ENDED = ("deprecated", "retired")


def ended_versions(project: Project) -> dict[str, str]:
    """`NAME@VERSION` -> status, for every version deprecated or retired."""
    out = {}
    for event in project.catalogue.events():
        for f in project.catalogue.versions(event):
            status = status_of(project, event, f.version)
            if status in ENDED:
                out[f.ref] = status
    return out


def version_of(catalogue: Catalogue, value: Any, event: str | None) -> str | None:
    """NAME@VERSION of an event as `contracts validate` reads it: the version an envelope's
    `dataschema` names, else the one `--event` or the event's name stands for."""
    try:
        if isinstance(value, dict) and "specversion" in value and isinstance(value.get("dataschema"), str):
            return catalogue.by_id(value["dataschema"]).ref
        if isinstance(value, dict) and isinstance(value.get("event_type"), str) and event is None:
            return catalogue.get(value["event_type"]).ref
        return catalogue.get(event).ref if event is not None else None
    except CatalogueError:
        return None  # reported by the validation itself


class EndedScan:
    """The lines of a chunk that are events of a deprecated or retired version. It runs where
    the chunk is validated (`Checker.chunk`, in the workers), so every input `contracts validate`
    reads is scanned once, as it is read: files, standard input, pipes."""

    def __init__(self, catalogue: Catalogue, ended: dict[str, str], event: str | None) -> None:
        self.catalogue, self.ended, self.event = catalogue, ended, event
        self.latest = {e: catalogue.versions(e)[-1].version for e in catalogue.events()}
        # A line without an envelope is of the version its name (or --event) stands for: only
        # when that one has ended must every line be read; otherwise only envelopes can be.
        try:
            names = [event] if event is not None else catalogue.events()
            self.every_line = any(catalogue.get(name).ref in ended for name in names)
        except CatalogueError:
            self.every_line = False

    def lines(self, lines: list[bytes]) -> list[tuple[int, str]]:
        """(line number from 1, NAME@VERSION) of each line of an ended version."""
        found = []
        for number, raw in enumerate(lines, 1):
            if not self.every_line and b"specversion" not in raw:
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue  # reported by the validation itself
            ref = version_of(self.catalogue, value, self.event)
            if ref in self.ended:
                found.append((number, ref))
        return found

    def finding(self, path: str, line: int, ref: str) -> Finding:
        name = ref.partition("@")[0]
        return Finding(path, line, "", "deprecated", f"an event of {ref}, which is {self.ended[ref]}",
                       f"move the emitter to {name}@{self.latest[name]} (lifecycle/{name}.json says why)")


def ended_scan(project: Project, catalogue: Catalogue, event: str | None) -> EndedScan | None:
    """The scan `contracts validate` runs, or None when no version has ended (then it costs nothing)."""
    ended = ended_versions(project)
    return EndedScan(catalogue, ended, event) if ended else None
