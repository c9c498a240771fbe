"""The schema catalogue: every event version's schema, found by name, resolved offline.

Schemas live as `<root>/<event name>/<version>.json` (the repository's `schemas/`, or the copy
shipped in this package). Every `$ref` resolves against the catalogue itself: a reference to
anything else is refused at once, so nothing is ever fetched from the network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry, Resource

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
#: The dialects a schema without `$schema` may be read as (`--default-dialect`), by their metaschema URI.
DIALECTS = {"2020-12": "https://json-schema.org/draft/2020-12/schema", "draft-07": "http://json-schema.org/draft-07/schema#"}
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class CatalogueError(LookupError):
    """The catalogue cannot answer: unknown event or version, unreadable schema, bad reference."""


def closest(word: str, known: list[str]) -> str:
    """`; did you mean 'x'?` for the known name nearest to a misspelt one, else nothing."""
    import difflib

    near = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


@dataclass(frozen=True)
class SchemaFile:
    """One immutable schema version of one event (or of the shared shapes)."""

    name: str
    version: str
    path: Path
    schema: dict[str, Any] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return str(self.schema.get("$id", ""))

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def is_event(self) -> bool:
        return "x-event" in self.schema

    @property
    def model_module(self) -> str:
        """The module of this version's generated dataclasses, relative to the package."""
        return f"models.{self.name.replace('.', '_')}._{self.version.replace('.', '_')}"

    @property
    def is_envelope(self) -> bool:
        return "x-envelope" in self.schema

    @property
    def meta(self) -> dict[str, Any]:
        """The event's annotations: purpose, emitters, frequency, lifecycle status."""
        return dict(self.schema.get("x-event") or self.schema.get("x-shared") or self.schema.get("x-envelope") or {})


def _refuse(uri: str) -> Resource[Any]:
    from referencing.exceptions import NoSuchResource

    # referencing calls this for any URI not in the catalogue: refusing here, instead of
    # retrieving, is what keeps every tool and the package off the network by design.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs-made __init__


class Catalogue:
    """All schema files under one root, by event name and version.

    `default_major` is the major an unversioned `NAME` means: the newest version of that major,
    never a newer major, so adding `2.0.0` of an event changes nothing for callers that did not
    ask for it. The packaged catalogue takes it from the release (`release.DEFAULT_MAJOR`).
    """

    def __init__(self, root: Path, default_major: int = 1, default_dialect: str = "2020-12") -> None:
        self.root = root
        self.default_major = default_major
        if default_dialect not in DIALECTS:
            raise CatalogueError(f"unknown dialect {default_dialect!r} (known: {', '.join(DIALECTS)})")
        # A schema that names no `$schema` is read in this dialect: every validator (jsonschema-rs,
        # jsonschema, the struct tier, which refuses what it does not know) then applies its meaning.
        dialect = DIALECTS[default_dialect]
        self._files: dict[str, dict[str, SchemaFile]] = {}
        if not root.is_dir():
            raise CatalogueError(f"{root}: schema directory not found")
        for path in sorted(root.glob("*/*.json")):
            name, version = path.parent.name, path.stem
            if not EVENT_NAME.match(name) or not SEMVER.match(version):
                raise CatalogueError(f"{path}: schema files are named <event.name>/<MAJOR.MINOR.PATCH>.json")
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError as exc:
                raise CatalogueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
            except json.JSONDecodeError as exc:
                raise CatalogueError(f"{path}:{exc.lineno}: not a JSON document: {exc.msg} (column {exc.colno})") from None
            except RecursionError:
                raise CatalogueError(f"{path}: not a usable schema: nested too deeply") from None
            if not isinstance(schema, dict):
                raise CatalogueError(f"{path}: a schema must be a JSON object")
            schema.setdefault("$schema", dialect)
            self._files.setdefault(name, {})[version] = SchemaFile(name, version, path, schema)

    @classmethod
    def packaged(cls) -> Catalogue:
        """The catalogue shipped inside this package."""
        from importlib import resources  # here: it imports tempfile and shutil, which a tool reading its own schemas never needs

        from .release import DEFAULT_MAJOR

        return cls(Path(str(resources.files(__package__) / "schemas")), DEFAULT_MAJOR)

    def files(self) -> list[SchemaFile]:
        return [f for name in sorted(self._files) for f in self.versions(name)]

    def events(self) -> list[str]:
        return list(self._events)

    @cached_property
    def _events(self) -> tuple[str, ...]:
        # Asked once per enveloped line by the stream; the catalogue does not change once read.
        return tuple(sorted(name for name, files in self._files.items() if any(f.is_event for f in files.values())))

    def versions(self, name: str) -> list[SchemaFile]:
        return [self._files[name][v] for v in sorted(self._files.get(name, {}), key=version_key)]

    def get(self, ref: str) -> SchemaFile:
        """The schema for `NAME@VERSION`, `NAME@MAJOR` (the newest version of that major) or
        `NAME` (the newest version of the default major: never a newer major)."""
        name, _, version = ref.partition("@")
        if not EVENT_NAME.match(name):
            raise CatalogueError(f"{ref!r} is not an event name (expected e.g. multi_workflow.plan_created[@1.0.0])")
        if name not in self._files:
            known = ", ".join(self.events()) or "none"
            raise CatalogueError(f"unknown event {name!r}{closest(name, self.events())} (known: {known})")
        if not version or version.isdigit():
            major = int(version) if version else self.default_major
            in_major = [f for f in self.versions(name) if version_key(f.version)[0] == major]
            if not in_major:
                majors = ", ".join(sorted({str(version_key(f.version)[0]) for f in self.versions(name)}))
                raise CatalogueError(f"{name} has no version of major {major} (majors: {majors}); name one: {name}@MAJOR")
            return in_major[-1]
        if not SEMVER.match(version):
            raise CatalogueError(f"{ref!r}: version must be MAJOR.MINOR.PATCH (or MAJOR)")
        if version not in self._files[name]:
            known = ", ".join(f.version for f in self.versions(name))
            raise CatalogueError(f"{name} has no version {version} (known: {known})")
        return self._files[name][version]

    def by_id(self, uri: str) -> SchemaFile:
        """The schema file whose `$id` is `uri` (an envelope's `dataschema`)."""
        found = self._by_id.get(uri)
        if found is None:
            raise CatalogueError(f"no schema version has $id {uri!r}{closest(uri, list(self._by_id))}")
        return found

    @cached_property
    def _by_id(self) -> dict[str, SchemaFile]:
        return {f.id: f for f in self.files() if f.id}

    def event(self, ref: str) -> SchemaFile:
        """`get`, for what events are checked against: only event schemas (`x-event`). The shared
        definitions (`x-shared`) constrain nothing at their root, so validating against them
        would call anything valid."""
        schema_file = self.get(ref)
        if not schema_file.is_event:
            raise CatalogueError(f"{schema_file.name} is not an event but shared definitions (events: {', '.join(self.events())})")
        return schema_file

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        """Every schema by its `$id`."""
        return {f.id: f.schema for f in self.files() if f.id}

    def lookup(self, uri: str, fragment: str = "") -> Any:
        """The node at a JSON pointer (`fragment`, as after `#`) in the document whose `$id` is
        `uri`. Raises KeyError when there is no such document or node."""
        node: Any = self.documents[uri]
        for token in fragment.split("/")[1:] if fragment else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise KeyError(f"{uri}#{fragment}")
        return node

    @cached_property
    def registry(self) -> Registry[Any]:
        """Every schema by its `$id`, and nothing else: unknown references are refused."""
        # imported here: the fast path (jsonschema-rs) never needs it, and it costs start-up time
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources_by_id = [
            (f.id, Resource.from_contents(f.schema, default_specification=DRAFT202012)) for f in self.files() if f.id
        ]
        registry = Registry(retrieve=_refuse).with_resources(resources_by_id)  # type: ignore[call-arg]  # attrs-made __init__
        # Crawled once here: every user that adds a resource then crawls only that one, so comparing
        # or validating N schemas costs N, not N times the catalogue.
        try:
            return registry.crawl()
        except (AttributeError, TypeError):  # a keyword holding what its dialect does not allow there
            for f in self.files():
                try:
                    Registry(retrieve=_refuse).with_resource(  # type: ignore[call-arg]
                        f.id or "urn:x", Resource.from_contents(f.schema, default_specification=DRAFT202012)).crawl()
                except (AttributeError, TypeError):
                    raise CatalogueError(
                        f"{f.path}: not a valid {f.schema.get('$schema')} schema (a keyword holds what that dialect "
                        "does not allow); a draft-07 schema without $schema needs --default-dialect draft-07"
                    ) from None
            raise
