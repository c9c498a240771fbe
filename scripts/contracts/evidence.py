"""Every version carries evidence: fixtures that show what it accepts and what it adds.

- Each event version has valid fixtures of its own.
- Each constraint a version adds (a change that breaks backward compatibility) and each rule it adds
  has an invalid fixture: an event the version before accepts and this one rejects (for a rule, one
  whose `expect` names it).
- The previous version's fixtures are replayed against the new one, and agree with the checker's
  verdict: backward compatible means every old valid fixture is still valid; forward compatible
  means every new valid fixture was valid before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile
from multi_workflow_telemetry.fixtures import Fixture, FixtureError, load_all
from multi_workflow_telemetry.validation import EventValidator

from .compat import SchemaError
from .findings import Finding
from .policy import Step, compare_step
from .project import Project


def check_evidence(project: Project) -> Iterator[Finding]:
    try:
        cases = list(load_all(project.fixtures))
    except FixtureError:
        return  # reported by the fixtures check
    by_ref: dict[str, list[Fixture]] = {}
    for case in cases:
        by_ref.setdefault(case.ref, []).append(case)
    validators: dict[str, EventValidator] = {}

    def accepts(schema_file: SchemaFile, payload: Any) -> bool:
        if schema_file.ref not in validators:
            validators[schema_file.ref] = EventValidator(project.catalogue, schema_file)
        return not validators[schema_file.ref].validate(payload)

    for event in project.catalogue.events():
        versions = project.catalogue.versions(event)
        for schema_file in versions:
            if not any(c.valid for c in by_ref.get(schema_file.ref, [])):
                yield Finding(project.relative(schema_file.path), 1, "", "evidence",
                              f"{schema_file.ref} has no valid fixture",
                              f"add fixtures/{event}/{schema_file.version}/valid/<name>.json: an event this version accepts")
        for old, new in zip(versions, versions[1:]):
            try:
                step = compare_step(project, old, new)
            except SchemaError:  # a broken schema: the policy check reports it
                continue
            yield from _step(project, step, by_ref, accepts)


def _step(project: Project, step: Step, by_ref: dict[str, list[Fixture]], accepts: Any) -> Iterator[Finding]:
    old, new = step.old, step.new
    where = project.relative(new.path)
    new_invalid = [c for c in by_ref.get(new.ref, []) if not c.valid]
    shows = [c for c in new_invalid if accepts(old, c.payload) and not accepts(new, c.payload)]
    for change in step.rules:
        if change.narrows and not any(change.rule in {r for _, r in c.expect} for c in shows):
            yield Finding(where, 1, "", "evidence",
                          f"{new.ref} adds rule {change.rule} but no invalid fixture shows an event {old.ref} accepts "
                          f"and {change.rule} rejects",
                          f"add fixtures/{new.name}/{new.version}/invalid/<name>.json whose expect names {change.rule}")
    added = [c for c in step.report.changes if "backward" in c.breaks]
    schema_shows = [c for c in shows if any(not r.startswith("MW") for _, r in c.expect)]
    if len(schema_shows) < len(added):
        kinds = ", ".join(f"{c.kind} at {c.path or '/'}" for c in added)
        yield Finding(where, 1, "", "evidence",
                      f"{new.ref} adds {len(added)} constraint(s) ({kinds}) but {len(schema_shows)} invalid fixture(s) "
                      f"show an event {old.ref} accepts and {new.ref} rejects",
                      f"add one invalid fixture per constraint under fixtures/{new.name}/{new.version}/invalid/")
    if step.backward:
        for case in by_ref.get(old.ref, []):
            if case.valid and not accepts(new, case.payload):
                yield Finding(project.relative(case.path), 1, "/payload", "evidence",
                              f"valid under {old.ref} and rejected by {new.ref}, yet the checker calls the step "
                              "backward compatible: the verdict and the fixtures disagree",
                              "fix the schema or rule (or report a checker bug with this fixture)")
    if step.forward:
        for case in by_ref.get(new.ref, []):
            if case.valid and not accepts(old, case.payload):
                yield Finding(project.relative(case.path), 1, "/payload", "evidence",
                              f"valid under {new.ref} and rejected by {old.ref}, yet the checker calls the step "
                              "forward compatible: the verdict and the fixtures disagree",
                              "fix the schema or rule (or report a checker bug with this fixture)")
