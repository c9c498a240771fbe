"""Golden examples: payloads the contract must accept, and payloads it must reject exactly so.

A fixture is one JSON file, `<root>/<event>/<version>/{valid,invalid}/<case>.json`, holding
`description`, `payload` and, for invalid ones, `expect`: the exact set of violations
(`pointer`, `rule`) the payload produces. Services test their emitters against these; the
contract's own check proves the schemas and rules behave as the fixtures say.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._violation import Violation


class FixtureError(Exception):
    """A fixture file that is not shaped as a fixture."""


@dataclass(frozen=True)
class Fixture:
    """One golden example of one event version."""

    event: str
    version: str
    name: str
    valid: bool
    path: Path
    description: str
    payload: Any = field(repr=False)
    expect: frozenset[tuple[str, str]] = frozenset()
    source: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.event}@{self.version}"

    @property
    def id(self) -> str:
        return f"{self.ref}/{'valid' if self.valid else 'invalid'}/{self.name}"

    def mismatch(self, violations: list[Violation]) -> str | None:
        """Why `violations` are not what this fixture expects, or None when they are."""
        got = {(v.pointer, v.rule) for v in violations}
        if self.valid:
            return None if not got else "expected no violation, got " + _show(got)
        if got == self.expect:
            return None
        missing, extra = self.expect - got, got - self.expect
        parts = []
        if missing:
            parts.append("missing " + _show(missing))
        if extra:
            parts.append("unexpected " + _show(extra))
        return "; ".join(parts)


def _show(pairs: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> str:
    return ", ".join(f"{pointer or '/'} [{rule}]" for pointer, rule in sorted(pairs))


def load(path: Path, root: Path) -> Fixture:
    """The fixture in `path`, a file under `root`."""
    try:
        event, version, kind, _ = path.relative_to(root).parts
    except ValueError:
        raise FixtureError(f"{path}: fixtures live at <event>/<version>/valid|invalid/<case>.json") from None
    if kind not in ("valid", "invalid"):
        raise FixtureError(f"{path}: fixtures live in a valid/ or invalid/ folder, not {kind}/")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: not a JSON document ({exc})") from None
    if not isinstance(data, dict) or "payload" not in data or not isinstance(data.get("description"), str):
        raise FixtureError(f"{path}: a fixture is an object with `description` and `payload`")
    expect = data.get("expect", [])
    if kind == "valid" and expect:
        raise FixtureError(f"{path}: a valid fixture expects no violation; remove `expect` or move it to invalid/")
    if kind == "invalid" and not expect:
        raise FixtureError(f"{path}: an invalid fixture lists the violations it expects in `expect`")
    try:
        pairs = frozenset((str(e["pointer"]), str(e["rule"])) for e in expect)
    except (KeyError, TypeError):
        raise FixtureError(f"{path}: each `expect` entry is {{\"pointer\": ..., \"rule\": ...}}") from None
    return Fixture(
        event=event,
        version=version,
        name=path.stem,
        valid=kind == "valid",
        path=path,
        description=data["description"],
        payload=data["payload"],
        expect=pairs,
        source=data.get("source"),
    )


def load_all(root: Path) -> Iterator[Fixture]:
    """Every fixture under `root`, in path order."""
    for path in sorted(root.glob("*/*/*/*.json")):
        yield load(path, root)


def packaged() -> list[Fixture]:
    """The golden fixtures shipped in this package, for testing an emitter against the contract."""
    root = Path(str(resources.files(__package__) / "fixtures"))
    return list(load_all(root))
