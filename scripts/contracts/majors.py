"""The pinned-major modules of the package (`multi_workflow_telemetry.v1`, ...).

A service that imports `multi_workflow_telemetry.v1` stays on major version 1 of every event
while the package moves on: the module binds each event to its latest 1.x schema and exports
that version's dataclasses, with `parse` overloads typed per event.
"""

from __future__ import annotations


import re
from itertools import groupby

from multi_workflow_telemetry.catalogue import SchemaFile, version_key

from .project import Project


def major_modules(project: Project, header: str) -> dict[str, str]:
    """`v<N>.py` source for every major version present, by file name."""
    files = [f for f in project.catalogue.files() if not f.is_envelope]
    majors = sorted({version_key(f.version)[0] for f in files})
    return {f"v{m}.py": _module(project, m, files, header) for m in majors}


def _latest(files: list[SchemaFile], major: int) -> list[SchemaFile]:
    chosen = []
    in_major = [f for f in files if version_key(f.version)[0] == major]
    for _, group in groupby(in_major, key=lambda f: f.name):
        chosen.append(max(group, key=lambda f: version_key(f.version)))
    return chosen


def _module_path(f: SchemaFile) -> str:
    return "." + f.model_module


def _module(project: Project, major: int, files: list[SchemaFile], header: str) -> str:
    latest = _latest(files, major)
    events = [f for f in latest if f.is_event]
    shared = [f for f in latest if not f.is_event]
    lines = [
        header.rstrip("\n"),
        f'"""Major version {major} of the contract: the latest {major}.x schema of every event.',
        "",
        f"Import this module to stay on major {major} while the package moves on:",
        f"`from multi_workflow_telemetry.v{major} import PlanCreated, parse`.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, Literal, overload",
        "",
        "from ._violation import Violation",
        "from .envelopes import Enveloped, envelope",
        "from .envelopes import read_envelope as _read_envelope",
        "from .codec import parse as _parse",
        "from .validation import validate as _validate",
    ]
    exported: list[str] = []
    for f in shared:
        classes = _shared_classes(f)
        if classes:
            lines.append(f"from {_module_path(f)} import {', '.join(classes)}")
            exported += classes
    for f in events:
        lines.append(f"from {_module_path(f)} import {f.schema['title']}")
        exported.append(str(f.schema["title"]))
    lines += ["", "#: The version of each event this major pins.", "VERSIONS: dict[str, str] = {"]
    lines += [f'    "{f.name}": "{f.version}",' for f in events]
    lines += ["}", ""]
    for f in events:
        lines += [
            "",
            "@overload",
            f'def parse(event: Literal["{f.name}"], data: Any) -> {f.schema["title"]}: ...',
        ]
    lines += [
        "",
        "@overload",
        "def parse(event: str, data: Any) -> Any: ...",
        "",
        "",
        "def parse(event: str, data: Any) -> Any:",
        f'    """`data` (dict, str or bytes) as the dataclass of `event` at its pinned {major}.x version."""',
        "    return _parse(_pinned(event), data)",
        "",
        "",
        "def validate(event: str, payload: Any) -> list[Violation]:",
        f'    """Every way `payload` breaks `event` at its pinned {major}.x version; empty when valid."""',
        "    return _validate(_pinned(event), payload)",
        "",
        "",
        "def read_envelope(data: Any) -> Enveloped:",
        f'    """An enveloped event (dict, str or bytes) read back with the exact {major}.x version its `dataschema`',
        f'    names; an event of another major is refused (ContractViolation naming the module to use)."""',
        f"    return _read_envelope(data, major={major})",
        "",
        "",
        "def _pinned(event: str) -> str:",
        "    if event not in VERSIONS and event.partition(\"@\")[0] in VERSIONS:",
        f'        raise LookupError(f"{{event!r}}: the {major}.x functions take an event name, not a version: "',
        f'                          f"{{event.partition(\'@\')[0]!r}} is {{event.partition(\'@\')[0]}}@{{VERSIONS[event.partition(\'@\')[0]]}} here; "',
        f'                          f"for another version use multi_workflow_telemetry.parse or validate({{event!r}}, ...)")',
        "    if event not in VERSIONS:",
        f'        raise LookupError(f"{{event!r}} has no major {major} version (known: {{\', \'.join(VERSIONS)}})")',
        '    return f"{event}@{VERSIONS[event]}"',
        "",
        "",
        "__all__ = [",
    ]
    builders = _builders(project) if major == _builders_major(project) else []
    if builders:
        lines[-1:-1] = [
            f"# The builders build major {major} (runtime/multi_workflow_telemetry/builders.py, MAJOR = {major}).",
            "# Loaded on first use: builders.py imports this module for its dataclasses.",
            f"_BUILDERS = {tuple(builders)!r}",
            "",
            "",
            "def __getattr__(name: str) -> Any:",
            "    if name in _BUILDERS:",
            "        from . import builders",
            "",
            "        return getattr(builders, name)",
            '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
            "",
            "",
        ]
    lines += [f'    "{name}",' for name in sorted([*exported, *builders, "Enveloped", "VERSIONS", "envelope",
                                                  "parse", "read_envelope", "validate"])]
    lines += ["]", ""]
    return "\n".join(lines)


def _builders_major(project: Project) -> int | None:
    found = re.search(r"^MAJOR = (\d+)$", (project.runtime / "builders.py").read_text(encoding="utf-8"), re.M)
    return int(found.group(1)) if found else None


def _builders(project: Project) -> list[str]:
    text = (project.runtime / "builders.py").read_text(encoding="utf-8")
    names = set(re.findall(r"^def (build_\w+|new_\w+)\(", text, re.M)) | set(re.findall(r"^class (\w+)", text, re.M))
    return sorted(names)


def _shared_classes(f: SchemaFile) -> list[str]:
    return sorted(
        str(d["title"]) for d in f.schema.get("$defs", {}).values() if isinstance(d, dict) and "title" in d
    )



