"""The package version, computed from what a pinned service would see change.

The package `multi-workflow-telemetry` follows SemVer on its behaviour, not on the schema files:
- MAJOR: what an existing module builds, accepts or returns changes: a released schema file is
  edited or removed, or the default major (what an unversioned `NAME` means) moves.
- MINOR: it only adds: a new version in an existing major that is a MINOR of that event (the
  `vN` module now accepts more), a new major of an event (a new `vN` module beside the others),
  a new event, shared or envelope file.
- PATCH: a PATCH of an event in an existing major, a version that is not the newest of its major,
  or a change to the runtime (`runtime/`, which every module uses).

The baseline is the last release recorded in `releases.json` (one entry per release: version,
date, default major and the SHA-256 of every schema file and of the runtime). `make release`
appends the next entry, commits it and tags `v<version>`, so the ledger and the tags agree and
the computation needs no git history: a fresh clone, an sdist and CI all compute the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import SEMVER, version_key

from .findings import Unusable
from .project import Project

LEDGER = "releases.json"
LEVELS = ("none", "patch", "minor", "major")


class ReleaseError(Unusable):
    """A release cannot be made as asked."""


@dataclass(frozen=True)
class Snapshot:
    """What a release holds: every schema file's digest, the runtime's digest, the default major."""

    version: str
    default_major: int
    schemas: dict[str, str]  # "<event>/<version>.json" -> sha256
    runtime: str
    date: str = ""
    # "<event>/<version>" -> {rule id: fingerprint}: each event version's contract rules (rule_sets.py)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "date": self.date, "default_major": self.default_major,
                "runtime": self.runtime, "schemas": dict(sorted(self.schemas.items())),
                "rules": {k: dict(sorted(v.items())) for k, v in sorted(self.rules.items())}}


@dataclass
class Bump:
    """The smallest bump a release needs, and why."""

    level: str = "none"
    reasons: list[str] = field(default_factory=list)

    def need(self, level: str, reason: str) -> None:
        self.reasons.append(f"{level.upper()}: {reason}")
        if LEVELS.index(level) > LEVELS.index(self.level):
            self.level = level


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def current(project: Project, version: str = "") -> Snapshot:
    """The tree as it is now, as a release would record it."""
    schemas = {f"{p.parent.name}/{p.name}": _sha(p) for p in sorted(project.schemas.glob("*/*.json"))}
    h = hashlib.sha256()
    for path in sorted(project.runtime.rglob("*.py")):
        h.update(str(path.relative_to(project.runtime)).encode() + b"\0" + path.read_bytes())
    from .rule_sets import rule_sets

    return Snapshot(version, project.default_major, schemas, h.hexdigest(), rules=rule_sets(project.catalogue))


def ledger(project: Project) -> list[Snapshot]:
    path = project.root / LEDGER
    if not path.is_file():
        return []
    return parse_ledger(path.read_text(encoding="utf-8"))


def parse_ledger(text: str) -> list[Snapshot]:
    """The entries of a release ledger's text (releases.json, from the tree or from git)."""
    try:
        entries = json.loads(text)
        return [Snapshot(e["version"], int(e["default_major"]), dict(e["schemas"]), e["runtime"], e.get("date", ""),
                         {k: dict(v) for k, v in e.get("rules", {}).items()})
                for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{LEDGER}: not a release ledger ({exc})") from None


def _by_event(schemas: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel in schemas:
        name, file = rel.split("/")
        out.setdefault(name, []).append(file.removesuffix(".json"))
    return {name: sorted(versions, key=version_key) for name, versions in out.items()}


def required_bump(old: Snapshot, new: Snapshot) -> Bump:
    """The smallest package bump from release `old` to tree `new`."""
    bump = Bump()
    for rel, sha in sorted(old.schemas.items()):
        if rel not in new.schemas:
            bump.need("major", f"schemas/{rel} was released in {old.version} and is gone")
        elif new.schemas[rel] != sha:
            bump.need("major", f"schemas/{rel} was released in {old.version} and has changed")
    for key, released in sorted(old.rules.items()):
        now = new.rules.get(key)
        if now is not None and now != released:
            bump.need("major", f"the contract rules of {key.replace('/', '@')} were released in {old.version} "
                               "and have changed")
    if new.default_major != old.default_major:
        bump.need("major", f"the default major moves from {old.default_major} to {new.default_major}: "
                           "unversioned calls would change what they accept")
    before, after = _by_event(old.schemas), _by_event(new.schemas)
    for name, versions in sorted(after.items()):
        added = [v for v in versions if v not in before.get(name, [])]
        if not added:
            continue
        if name not in before:
            bump.need("minor", f"{name} is new ({', '.join(added)})")
            continue
        for v in added:
            major = version_key(v)[0]
            newest_old = max((o for o in before[name] if version_key(o)[0] == major), key=version_key, default=None)
            newest_new = max((n for n in versions if version_key(n)[0] == major), key=version_key)
            if newest_old is None:
                bump.need("minor", f"{name}@{v} starts major {major}: a new module v{major}, the others unchanged")
            elif v != newest_new:
                bump.need("patch", f"{name}@{v} is not the newest of major {major}: only a new resource")
            elif version_key(v)[1] != version_key(newest_old)[1]:
                bump.need("minor", f"{name}@{v} is a MINOR of {newest_old}: v{major} accepts more")
            else:
                bump.need("patch", f"{name}@{v} is a PATCH of {newest_old}")
    if new.runtime != old.runtime:
        bump.need("patch", "runtime/ changed (a bigger change says so: make release BUMP=minor|major)")
    return bump


def bumped(version: str, level: str) -> str:
    major, minor, patch = version_key(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def next_version(project: Project) -> tuple[str, Bump]:
    """The version the tree would be released as, and the reasons."""
    entries = ledger(project)
    if not entries:
        return "0.1.0", Bump("minor", ["MINOR: no release yet"])
    bump = required_bump(entries[-1], current(project))
    return bumped(entries[-1].version, bump.level), bump


def release(project: Project, *, asked: str = "", level: str = "", tag: bool = True) -> str:
    """Record the next release in the ledger, commit it and tag `v<version>`; the version."""
    computed, bump = next_version(project)
    entries = ledger(project)
    edited = [r for r in bump.reasons if r.startswith(("MAJOR: schemas/", "MAJOR: the contract rules"))]
    if edited:
        # Released versions are immutable: services validate with them, and a change is a new file.
        raise ReleaseError(f"refused: {edited[0].removeprefix('MAJOR: ')}; restore it and add a new version instead")
    last = entries[-1].version if entries else "0.0.0"
    version = computed
    if level:
        if level not in LEVELS[1:]:
            raise ReleaseError(f"BUMP must be one of patch, minor, major (got {level!r})")
        wanted = bumped(last, level)
        version = max(version, wanted, key=version_key)
    if asked:
        if not SEMVER.match(asked):
            raise ReleaseError(f"VERSION must be MAJOR.MINOR.PATCH (got {asked!r})")
        if version_key(asked) < version_key(version):
            why = "; ".join(bump.reasons) or "nothing changed"
            raise ReleaseError(f"version {asked} is too small: the changes since {last} need {version} ({why})")
        version = asked
    if entries and version == last:
        raise ReleaseError(f"nothing to release: the tree is release {last}")
    snapshot = current(project, version)
    entry = Snapshot(version, snapshot.default_major, snapshot.schemas, snapshot.runtime,
                     dt.date.today().isoformat(), snapshot.rules)
    (project.root / LEDGER).write_text(
        json.dumps([e.as_json() for e in [*entries, entry]], indent=2) + "\n", encoding="utf-8")
    # The generated package and docs carry the version: regenerate from the new ledger (a fresh
    # Project, as the old one cached the version it computed before this entry).
    from .generate import write

    write(Project(project.root))
    if tag:
        git = ["git", "-C", str(project.root)]
        subprocess.run([*git, "add", "--all", LEDGER, "generated", "docs"], check=True)
        if subprocess.run([*git, "diff", "--cached", "--quiet"]).returncode != 0:
            subprocess.run([*git, "commit", "--quiet", "-m", f"Release {version}"], check=True)
        subprocess.run([*git, "tag", "-a", f"v{version}", "-m", f"multi-workflow-telemetry {version}"], check=True)
    return version
