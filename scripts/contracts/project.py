"""Where the contract's parts live in the repository, and its release settings."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from typing import Any

from multi_workflow_telemetry.catalogue import Catalogue, SchemaFile


@dataclass(frozen=True)
class Project:
    """A checkout of the contract repository."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The repository holding `start` (default: the current directory), else this tool's own."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "schemas").is_dir() and (candidate / "pyproject.toml").is_file():
                return cls(candidate)
        return cls(Path(__file__).resolve().parents[2])

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def fixtures(self) -> Path:
        return self.root / "fixtures"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime" / "multi_workflow_telemetry"

    @property
    def templates(self) -> Path:
        return self.root / "templates" / "datamodel"

    @property
    def generated(self) -> Path:
        return self.root / "generated"

    @cached_property
    def settings(self) -> dict[str, str]:
        data = tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))
        return dict(data["tool"]["contracts"])

    @cached_property
    def release(self) -> str:
        """The package version, computed from the last release and the tree (release.py)."""
        from .release import next_version

        return next_version(self)[0]

    @property
    def default_major(self) -> int:
        """The major an unversioned event name means, in the package and the tools."""
        return int(self.settings.get("default-major", 1))

    @property
    def id_base(self) -> str:
        return self.settings["id-base"]

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.schemas, self.default_major)

    @cached_property
    def _reports(self) -> dict[tuple[Path, Path], Any]:
        return {}

    def compare(self, old: SchemaFile, new: SchemaFile) -> Any:
        """The compatibility report of two schema files of the catalogue (contracts.compat.Report).

        Computed once per run: the version policy, the docs' version history and the drift check
        all ask for the same pairs, and a comparison costs far more than a lookup.
        """
        from .compat import Report, diff  # here: compat is heavy, and most commands never compare

        # A version that asserts exactly what an earlier one does (a PATCH: annotations only) is
        # compared as that earlier one: the transitive modes ask for every earlier version.
        old, new = self._first_equivalent(old), self._first_equivalent(new)
        if old.path == new.path:
            return Report(backward=True, forward=True)
        return self.once((old.path, new.path), lambda: diff(old.schema, new.schema, registry=self.catalogue.registry))

    def _first_equivalent(self, version: SchemaFile) -> SchemaFile:
        """The oldest version of its event or shared file that asserts exactly what `version` does."""
        from .compat import equivalent

        versions = self.catalogue.versions(version.name)
        i = next((k for k, f in enumerate(versions) if f.path == version.path), None)
        if i is None:
            return version
        while i > 0 and self.once(("equivalent", versions[i - 1].path, versions[i].path), lambda k=i: equivalent(
                versions[k - 1].schema, versions[k].schema, registry=self.catalogue.registry)):
            i -= 1
        return versions[i]

    def once(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """`compute()`, remembered under `key` for the rest of the run (comparisons are costly)."""
        if key not in self._reports:
            self._reports[key] = compute()
        return self._reports[key]

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
