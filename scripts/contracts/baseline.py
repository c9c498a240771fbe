"""The last release: what `contracts check` holds the tree to, found on its own.

Released versions are immutable and keep their rule sets; to see an in-place edit without being
told where to look, the check needs the last release by itself:
- `releases.json`'s last entry records the digest of every released schema file and each released
  version's rule set, so an edit is seen with no git at all (a fresh clone, an sdist, a hook);
- git, when the tree is a checkout, holds the released bytes (for the advice: what the edit changes,
  which users it affects) and the lifecycle records as they were: the tag `v<version>` of that
  release, or, before any release, the merge base with the default branch.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .project import Project
from .release import Snapshot, ledger

DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "main", "origin/master", "master")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except OSError:  # no git at all: the ledger alone decides
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_bytes(root: Path, ref: str, rel: str) -> bytes | None:
    """The file `rel` as committed at `ref`, or None."""
    try:
        done = subprocess.run(["git", "show", f"{ref}:{rel}"], cwd=root, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def in_checkout(root: Path) -> bool:
    return _git(root, "rev-parse", "--show-toplevel") is not None


@dataclass
class Baseline:
    """The released contract: `label` names it, `schemas` maps `<event>/<version>.json` to its
    SHA-256, `rules` each released event version's rule set, `ref` a git ref holding its files."""

    label: str
    schemas: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    ref: str | None = None
    root: Path = Path(".")

    def read(self, rel: str) -> bytes | None:
        """The released bytes of `rel` (a path from the repository root), when git has them and,
        for schema files, they are the ones the ledger recorded."""
        if self.ref is None:
            return None
        data = git_bytes(self.root, self.ref, rel)
        recorded = self.schemas.get(rel.removeprefix("schemas/"))
        if data is not None and recorded and hashlib.sha256(data).hexdigest() != recorded:
            return None
        return data


def last_release(project: Project) -> Baseline | None:
    """The last release, from the ledger and git; None when there is none to compare against."""
    root = project.root
    entries = ledger(project)
    git = in_checkout(root)
    if entries:
        last: Snapshot = entries[-1]
        tag = f"v{last.version}"
        ref = tag if git and _git(root, "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}") else None
        if ref is None and git:
            ref = _merge_base(root)  # its files count only where their digests match the ledger
        return Baseline(f"release {last.version}", dict(last.schemas), dict(last.rules), ref, root)
    if not git:
        return None
    tag = _git(root, "describe", "--tags", "--abbrev=0", "--match", "v*")
    ref = tag or _merge_base(root)
    if ref is None:
        return None
    listed = _git(root, "ls-tree", "-r", "--name-only", ref, "--", "schemas/") or ""
    schemas = {}
    for rel in listed.splitlines():
        data = git_bytes(root, ref, rel) if rel.endswith(".json") else None
        if data is not None:
            schemas[rel.removeprefix("schemas/")] = hashlib.sha256(data).hexdigest()
    label = f"tag {tag}" if tag else f"merge base {ref[:12]}"
    return Baseline(label, schemas, {}, ref, root)


def _merge_base(root: Path) -> str | None:
    for branch in DEFAULT_BRANCHES:
        if _git(root, "rev-parse", "--verify", "--quiet", branch) is not None:
            return _git(root, "merge-base", "HEAD", branch)
    return None
