"""Events of a deprecated (or retired) version, found in what `contracts validate` reads.

A warning by default, a failure with `--deny-deprecated`. The scan reads the inputs a second time,
so it only runs when some version's lifecycle record says it is deprecated or retired: validating
today's streams costs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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


def _version_of(catalogue: Catalogue, value: Any, event: str | None) -> str | None:
    try:
        if isinstance(value, dict) and "specversion" in value and isinstance(value.get("dataschema"), str):
            return catalogue.by_id(value["dataschema"]).ref
        if isinstance(value, dict) and isinstance(value.get("event_type"), str) and not event:
            return catalogue.get(value["event_type"]).ref
        return catalogue.get(event).ref if event else None
    except CatalogueError:
        return None  # reported by the validation itself


def scan(project: Project, paths: list[str], event: str | None) -> Iterator[Finding]:
    ended = ended_versions(project)
    if not ended:
        return
    latest = {e: project.catalogue.versions(e)[-1].version for e in project.catalogue.events()}
    for path in paths:
        file = Path(path)
        if path == "-" or not file.is_file():
            continue  # standard input is read once, by the validation
        data = file.read_bytes()
        docs = [(1, data)] if file.suffix == ".json" else enumerate(data.splitlines(), 1)
        for line, raw in docs:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            ref = _version_of(project.catalogue, value, event)
            if ref in ended:
                name = ref.partition("@")[0]
                yield Finding(path, line, "", "deprecated", f"an event of {ref}, which is {ended[ref]}",
                              f"move the emitter to {name}@{latest[name]} (lifecycle/{name}.json says why)")
