"""Compatibility modes per event, as schema registries offer them, enforced within each major.

BACKWARD: readers on a version accept every event of the one before (consumers upgrade first).
FORWARD: readers on the version before accept every event of the new one (producers upgrade first).
FULL: both. The `_TRANSITIVE` forms hold against every earlier version of the same major, not only
the previous one. NONE: no check beyond the SemVer policy. A new major starts afresh: breaking is
what a major is for. The mode sits in the event's lifecycle record (lifecycle.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from multi_workflow_telemetry.catalogue import version_key

from .compat import SchemaError
from .findings import Finding
from .lifecycle import MODES, mode_of
from .policy import Step, compare_step
from .project import Project


def holds(mode: str, step: Step) -> bool:
    """Whether `step` (older → newer) satisfies `mode`."""
    base = mode.removesuffix("_TRANSITIVE")
    return {"BACKWARD": step.backward, "FORWARD": step.forward, "FULL": step.backward and step.forward,
            "NONE": True}[base]


def checked_pairs(project: Project, event: str, mode: str) -> Iterator[Step]:
    """The pairs `mode` checks: each version with the one before it in its major, or (transitive)
    with every earlier version of its major."""
    versions = project.catalogue.versions(event)
    for i, new in enumerate(versions):
        same_major = [old for old in versions[:i] if version_key(old.version)[0] == version_key(new.version)[0]]
        olds = same_major if mode.endswith("_TRANSITIVE") else same_major[-1:]
        for old in olds:
            yield compare_step(project, old, new)


def check_modes(project: Project) -> Iterator[Finding]:
    for event in project.catalogue.events():
        mode = mode_of(project, event)
        if mode not in MODES or mode == "NONE":
            continue  # an unknown mode is the lifecycle check's finding
        try:
            pairs = list(checked_pairs(project, event, mode))
        except SchemaError:
            continue  # a broken schema: the policy check reports it
        for step in pairs:
            if holds(mode, step):
                continue
            broken = "backward" if not step.backward else "forward"
            yield Finding(
                project.relative(step.new.path), 1, "", "compatibility-mode",
                f"{event} is {mode} but {step.old.version} → {step.new.version} is not {broken} compatible "
                f"({step.why(project)})",
                f"make the change {broken} compatible, start a new major, or change the mode in "
                f"lifecycle/{event}.json (with the team's approval); see `contracts diff {event}@{step.old.version} "
                f"{event}@{step.new.version} --mode {broken}`")
