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


@dataclass(frozen=True)
class Step:
    """One version of an event and how it relates to the one before it."""

    file: SchemaFile
    previous: SchemaFile | None
    report: Any  # contracts.compat's Report; None for a first version
    lifecycle_status: str = ""  # from lifecycle/<event>.json: the status now, not the released one

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
        steps.append(Step(current, previous, report, status_of(project, event, current.version)))
    return steps


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
    lines = ["| version | status | declared bump | backward | forward | verdict |", "|---|---|---|---|---|---|"]
    for step in steps:
        r = step.report
        name = link(step) if link else step.file.version
        lines.append(
            f"| {name} | {step.status} | {step.bump} | {yes_no(None if r is None else r.backward)} "
            f"| {yes_no(None if r is None else r.forward)} | {verdict(r)} |"
        )
    return lines


def report_markdown(step: Step) -> str:
    """The checker's own Markdown for this step, its headings moved below the page's."""
    if step.report is None:
        return "First version: nothing to compare with."
    text = str(step.report.to_markdown()).strip()
    return "\n".join("###" + line if line.startswith("#") else line for line in text.splitlines())
