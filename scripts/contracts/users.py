"""Shared definitions judged through their users.

A shared file (`x-shared`, e.g. `multi_workflow.common`) holds only `$defs`: its own root accepts
anything, so comparing two versions of it says nothing. What a change to it means is what it does
to the event versions that refer to it: each user is compared with itself, once as it is and once
with its references moved to the new shared version (or resolved in the edited file), and the
change needs the largest bump any user needs.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from multi_workflow_telemetry.catalogue import SchemaFile

from .compat import Report, diff
from .project import Project

BUMPS = ("patch", "minor", "major")


@dataclass(frozen=True)
class Impact:
    """What a shared change does to one event version that refers to the shared file."""

    user: SchemaFile
    report: Report

    @property
    def required(self) -> str:
        from .policy import required_bump

        return required_bump(self.report)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for k, v in node.items() if k not in ("const", "enum", "examples", "default")
                        for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def users_of(project: Project, shared: SchemaFile) -> list[SchemaFile]:
    """The event versions whose schema refers to `shared` (by a `$ref` resolving to its `$id`)."""
    return [f for f in project.catalogue.files()
            if f.is_event and any(urljoin(f.id, ref).partition("#")[0] == shared.id for ref in _refs(f.schema))]


def _moved(schema: dict[str, Any], old_id: str, new_id: str, own_id: str) -> dict[str, Any]:
    """`schema` with every reference to `old_id` pointing at `new_id` instead, under an `$id` of its
    own beside the original (relative references resolve as before)."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            ref = node.get("$ref")
            if isinstance(ref, str) and urljoin(own_id, ref).partition("#")[0] == old_id:
                out["$ref"] = new_id + "#" + urljoin(own_id, ref).partition("#")[2]
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    moved = walk(copy.deepcopy(schema))
    moved["$id"] = own_id.removesuffix(".json") + "-moved.json"
    return moved


def new_version_impacts(project: Project, old: SchemaFile, new: SchemaFile) -> list[Impact]:
    """What moving each user of shared `old` to shared `new` would do to it (once per run: the
    version policy and the docs' version history both ask)."""
    registry = project.catalogue.registry
    return project.once(("users", old.path, new.path), lambda: [
        Impact(user, diff(user.schema, _moved(user.schema, old.id, new.id, user.id), registry=registry))
        for user in users_of(project, old)])


def edit_impacts(project: Project, shared: SchemaFile, released: bytes) -> list[Impact]:
    """What an in-place edit of `shared` (from its `released` bytes) does to each of its users."""
    from referencing import Resource
    from referencing.jsonschema import DRAFT202012

    before = Resource.from_contents(json.loads(released), default_specification=DRAFT202012)
    old_registry = project.catalogue.registry.with_resource(shared.id, before).crawl()
    return [Impact(user, diff(user.schema, user.schema, registry=old_registry, new_registry=project.catalogue.registry))
            for user in users_of(project, shared)]


def largest(impacts: list[Impact]) -> str:
    """The largest bump the impacts need ("patch" when there is none)."""
    return max((i.required for i in impacts), key=BUMPS.index, default="patch")


def by_event(project: Project, impacts: list[Impact]) -> list[tuple[str, list[str], str, str]]:
    """Per affected event: its versions that refer to the shared file, the bump they need, and the
    version number a new version of that event moving to the change would take."""
    from .policy import next_version

    events: dict[str, list[Impact]] = {}
    for impact in impacts:
        events.setdefault(impact.user.name, []).append(impact)
    out = []
    for name, found in sorted(events.items()):
        need = largest(found)
        latest = project.catalogue.versions(name)[-1].version
        out.append((name, [i.user.version for i in found], need, next_version(latest, need)))
    return out


def describe(project: Project, impacts: list[Impact]) -> str:
    """`multi_workflow.plan_created@1.0.0, 1.1.0 need a MAJOR (2.0.0); ...`, for messages."""
    return "; ".join(f"{name}@{', '.join(versions)} need{'s' if len(versions) == 1 else ''} a {need.upper()} ({then})"
                     for name, versions, need, then in by_event(project, impacts)) or "no event version refers to it"
