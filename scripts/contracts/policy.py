"""The version policy: SemVer per event, checked against what the schemas actually accept.

- PATCH: the new version accepts exactly the same instances (annotations only).
- MINOR: backward compatible (every instance of the old version is valid under the new one).
- MAJOR: anything else.
What a version accepts is its schema *and* its contract rules: a rule added to a version narrows it
(MAJOR), a rule left out widens it (MINOR). A shared file is judged through the event versions that
refer to it (users.py). A version may declare a bigger bump than its change needs, never a smaller
one. Released version files are immutable: a change is a new file, never an edit.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


from multi_workflow_telemetry.catalogue import SchemaFile, version_key
from multi_workflow_telemetry.rules import rules_for

from .compat import Report, SchemaError, diff
from .findings import Finding, Unusable
from .project import Project
from .rule_sets import RuleChange, fingerprint, rule_changes
from .users import Impact, describe, new_version_impacts

BUMPS = ("patch", "minor", "major")


class GitError(Unusable):
    """The reference to compare against cannot be read from git."""


def declared_bump(old: str, new: str) -> str:
    """The SemVer bump from version `old` to version `new`."""
    (a_major, a_minor, _), (b_major, b_minor, _) = version_key(old), version_key(new)
    if b_major != a_major:
        return "major"
    return "minor" if b_minor != a_minor else "patch"


def required_bump(report: Report) -> str:
    """The smallest bump the policy allows for a change with this compatibility report."""
    if report.backward and report.forward:
        return "patch"
    return "minor" if report.backward else "major"


def next_version(version: str, bump: str) -> str:
    major, minor, patch = version_key(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    return f"{major}.{minor + 1}.0" if bump == "minor" else f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True)
class Step:
    """One pair of versions of an event (or shared file), and what the checker says of it: the
    schemas' report, the rules added or left out, and, for a shared file, its users' reports."""

    old: SchemaFile
    new: SchemaFile
    report: Report
    rules: list[RuleChange] = field(default_factory=list)
    impacts: list[Impact] = field(default_factory=list)

    @property
    def declared(self) -> str:
        return declared_bump(self.old.version, self.new.version)

    @property
    def backward(self) -> bool:
        """Every event the old version accepts, the new one accepts (schema, rules and users)."""
        return (self.report.backward and not any(r.narrows for r in self.rules)
                and all(i.report.backward for i in self.impacts))

    @property
    def forward(self) -> bool:
        """Every event the new version accepts, the old one accepts."""
        return self.report.forward and not self.rules and all(i.report.forward for i in self.impacts)

    @property
    def required(self) -> str:
        if self.backward and self.forward:
            return "patch"
        return "minor" if self.backward else "major"

    @property
    def ok(self) -> bool:
        return BUMPS.index(self.declared) >= BUMPS.index(self.required)

    def why(self, project: Project) -> str:
        """What makes the step need its bump, for messages."""
        reasons = []
        if not self.report.backward or not self.report.forward:
            reasons.append(_why(self.report))
        reasons += [f"rule {r.rule} {'added' if r.narrows else 'left out'}" for r in self.rules]
        if self.impacts:
            reasons.append(f"through its users: {describe(project, self.impacts)}")
        return "; ".join(reasons) or "annotation-only"


def compare_step(project: Project, old: SchemaFile, new: SchemaFile) -> Step:
    """`old` → `new` judged on everything that decides what they accept."""
    report = project.compare(old, new)
    if new.is_event:
        before = {r.id: fingerprint(r) for r in rules_for(old.name, old.version)}
        after = {r.id: fingerprint(r) for r in rules_for(new.name, new.version)}
        return Step(old, new, report, rules=rule_changes(before, after, new.name, new.version))
    if "x-shared" in new.schema:
        return Step(old, new, report, impacts=new_version_impacts(project, old, new))
    return Step(old, new, report)


def steps(project: Project, name: str) -> list[Step]:
    """Every pair of consecutive versions of `name`, compared."""
    versions = project.catalogue.versions(name)
    return [compare_step(project, old, new) for old, new in zip(versions, versions[1:])]


def check_bumps(project: Project) -> Iterator[Finding]:
    names = sorted({f.name for f in project.catalogue.files()})
    for name in names:
        try:
            compared = steps(project, name)
        except SchemaError as exc:  # a broken schema, reported by the checks before this one
            yield Finding(f"schemas/{name}/", 1, "", "policy-bump", f"cannot compare the versions of {name}: {exc}",
                          "fix the schema problems above")
            continue
        for step in compared:
            if step.ok:
                continue
            needed = next_version(step.old.version, step.required)
            yield Finding(
                project.relative(step.new.path), 1, "/x-event/version", "policy-bump",
                f"{step.old.version} → {step.new.version} is a {step.declared.upper()} bump, but the change is "
                f"{step.why(project)}: a {step.required.upper()} is required ({needed})",
                f"rename the file to {needed}.json (and its $id and x-event.version), or make the change "
                f"{'backward compatible' if step.required == 'major' else 'annotation-only'}; "
                f"see `contracts diff {name}@{step.old.version} {name}@{step.new.version}`",
            )


def _why(report: Report) -> str:
    if not report.backward:
        return "not backward compatible"
    return "backward but not forward compatible"


def git_show(root: Path, ref: str, path: str) -> bytes | None:
    done = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=root, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def released_files(root: Path, ref: str) -> list[str]:
    done = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", ref, "--", "schemas/"], cwd=root, capture_output=True, text=True,
        check=False,
    )
    if done.returncode != 0:
        raise GitError(f"cannot read {ref!r} from git: {done.stderr.strip() or 'unknown reference'}")
    return [line for line in done.stdout.splitlines() if line.endswith(".json")]


def check_immutable(project: Project, ref: str) -> Iterator[Finding]:
    """Every schema file that exists at `ref` is unchanged now, and so is every release the
    ledger (releases.json) recorded at `ref`."""
    from .released import ledger_edits

    files = released_files(project.root, ref)
    yield from ledger_edits(project, ref)
    for rel in files:
        before = git_show(project.root, ref, rel)
        path = project.root / rel
        if not path.is_file():
            yield Finding(rel, 1, "", "released-immutable", f"released at {ref} and now deleted",
                          f"restore it: git checkout {ref} -- {rel}")
            continue
        if before is None or path.read_bytes() == before:
            continue
        name, version = path.parent.name, path.stem
        fix = f"restore it (git checkout {ref} -- {rel}) and put the change in a new version file"
        try:
            report = diff(json.loads(before), json.loads(path.read_text(encoding="utf-8")),
                          registry=project.catalogue.registry)
            latest = project.catalogue.versions(name)[-1].version
            fix = (f"restore it (git checkout {ref} -- {rel}) and add schemas/{name}/"
                   f"{next_version(latest, required_bump(report))}.json with the change instead")
        except Exception:  # the edited file may not even be a schema; the restore advice stands
            pass
        yield Finding(rel, 1, "", "released-immutable", f"{name}@{version} was released at {ref} and has changed", fix)


def added_versions(project: Project, ref: str) -> list[SchemaFile]:
    released = set(released_files(project.root, ref))
    return [f for f in project.catalogue.files() if project.relative(f.path) not in released]


def step_for(project: Project, schema_file: SchemaFile) -> Step | None:
    """The step that introduced `schema_file` (None for a first version)."""
    versions = project.catalogue.versions(schema_file.name)
    index = [f.version for f in versions].index(schema_file.version)
    if index == 0:
        return None
    old = versions[index - 1]
    return compare_step(project, old, schema_file)


