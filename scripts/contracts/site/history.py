"""Version history: the declared bump of each version, and what the compatibility checker
(`contracts.compat`) reports for each pair of consecutive versions."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from multi_workflow_telemetry.catalogue import SchemaFile, version_key

from .. import policy
from ..lifecycle import status_of
from ..project import Project
from ..release import ledger


@dataclass(frozen=True)
class Step:
    """One version of an event and how it relates to the one before it."""

    file: SchemaFile
    previous: SchemaFile | None
    report: Any  # contracts.compat's Report; None for a first version
    lifecycle_status: str = ""  # from lifecycle/<event>.json: the status now, not the released one
    released: str = ""  # the date of the first release holding this file (releases.json), or ""

    @property
    def bump(self) -> str:
        return declared_bump(self.previous.version, self.file.version) if self.previous else "first version"

    @property
    def status(self) -> str:
        return self.lifecycle_status or str(self.file.meta.get("status", ""))


def declared_bump(old: str, new: str) -> str:
    """The bump the version numbers declare: MAJOR, MINOR or PATCH."""
    return policy.declared_bump(old, new).upper()


def history(project: Project, event: str) -> list[Step]:
    """Every version of `event`, oldest first, each with its report against the one before."""
    versions = project.catalogue.versions(event)
    steps = []
    for previous, current in zip([None, *versions[:-1]], versions):
        report = _diff(project, previous, current) if previous is not None else None
        steps.append(Step(current, previous, report, status_of(project, event, current.version),
                          released_on(project, current)))
    return steps


def released_on(project: Project, schema_file: SchemaFile) -> str:
    """When the version was first released: the date the release ledger (releases.json) records
    for the first release that holds the file. The ledger, not git: a fresh clone, an sdist and
    CI agree, and `contracts release` regenerates the pages when it records a release."""
    rel = f"{schema_file.name}/{schema_file.version}.json"
    for snapshot in ledger(project):
        if rel in snapshot.schemas:
            return snapshot.date or f"release {snapshot.version}"
    return ""


def when(step: Step) -> str:
    return step.released or "not released yet"


def _diff(project: Project, old: SchemaFile, new: SchemaFile) -> Any:
    # Imported only when a pair exists. If the checker is missing, that is an error to see, not a
    # report to make up: the page would state a compatibility nobody checked.
    compat = importlib.import_module("contracts.compat")
    try:
        return project.compare(old, new)
    except compat.SchemaError as exc:
        from ..generate import GenerateError  # here: generate imports this package

        raise GenerateError(
            f"version history: cannot compare {project.relative(old.path)} (old) with "
            f"{project.relative(new.path)} (new): {exc}"
        ) from None


def verdict(report: Any) -> str:
    if report is None:
        return "first version"
    if report.backward and report.forward:
        return "fully compatible"
    if report.backward:
        return "backward compatible"
    if report.forward:
        return "forward compatible only"
    return "breaking"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def table(steps: list[Step], link: Any = None) -> list[str]:
    """The history as a Markdown table; `link(step)` gives each version's link text."""
    lines = ["| version | status | released | declared bump | compatibility with the version before |", "|---|---|---|---|---|"]
    for step in steps:
        name = link(step) if link else step.file.version
        lines.append(f"| {name} | {step.status} | {when(step)} | {step.bump} | {verdict(step.report)} |")
    return lines


def report_markdown(step: Step) -> str:
    """The checker's own Markdown for this step, its headings moved below the page's."""
    if step.report is None:
        return "First version: nothing to compare with."
    text = str(step.report.to_markdown()).strip()
    return "\n".join("###" + line if line.startswith("#") else line for line in text.splitlines())


def checker_in_words(step: Step) -> str:
    """The checker's verdict as a reader needs it: which events each side's readers accept."""
    r, old, new = step.report, step.previous.version if step.previous else "", step.file.version
    if r is None:
        return ""
    back = (f"every {old} event is valid under {new}" if r.backward
            else f"some {old} events are rejected by {new}")
    fwd = (f"every {new} event is valid under {old}" if r.forward
           else f"a reader still on {old} rejects some {new} events")
    return f"The compatibility checker found: {back}; {fwd}."


def folded_report(step: Step, indent: str = "    ") -> list[str]:
    """The checker's report, folded under "Checker details" (pymdownx.details)."""
    body = report_markdown(step).replace("###", "####")
    return ['??? info "Checker details"', "", *[f"{indent}{line}" if line else "" for line in body.splitlines()], ""]
