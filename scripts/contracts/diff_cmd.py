"""`contracts diff OLD NEW` and `contracts report --against REF`: compatibility for reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import EVENT_NAME, CatalogueError

from .compat import Report, SchemaError, diff
from .compat.context import DIALECTS
from .policy import added_versions, check_immutable, step_for
from .findings import Unusable
from .project import Project


class UnusableSchema(Unusable):
    """OLD or NEW cannot be read as a schema (exit 2)."""


def load_schema(project: Project, spec: str) -> tuple[str, Any]:
    """A schema from a file path or from `EVENT@VERSION` in schemas/, with a label for output."""
    name, at, _ = spec.partition("@")
    if at and EVENT_NAME.match(name) and not Path(spec).exists():
        try:
            schema_file = project.catalogue.get(spec)
        except CatalogueError as exc:
            raise UnusableSchema(str(exc)) from None
        return project.relative(schema_file.path), schema_file.schema
    path = Path(spec)
    if at and not path.exists():
        raise UnusableSchema(f"{spec!r} is neither a schema file nor EVENT@VERSION of schemas/")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableSchema(f"{spec}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableSchema(f"{spec}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(schema, (dict, bool)):
        raise UnusableSchema(f"{spec}: a schema is a JSON object or boolean")
    return spec, schema


def compare(project: Project, old_spec: str, new_spec: str, *, default_dialect: str = "2020-12",
            format_assertion: bool = False) -> tuple[str, str, Report]:
    """Diff two schemas; `default_dialect` ("draft-07" or "2020-12") is for schemas without `$schema`."""
    old_label, old = load_schema(project, old_spec)
    new_label, new = load_schema(project, new_spec)
    try:
        return old_label, new_label, diff(old, new, registry=project.catalogue.registry,
                                          default_dialect=DIALECTS[default_dialect],
                                          format_assertion=format_assertion)
    except SchemaError as exc:
        raise UnusableSchema(str(exc)) from None


def render(report: Report, fmt: str, old_label: str, new_label: str) -> str:
    if fmt == "json":
        return report.to_json()
    if fmt == "markdown":
        return f"### `{old_label}` → `{new_label}`\n\n" + report.to_markdown()
    return f"{old_label} -> {new_label}\n" + report.to_text()


def review_report(project: Project, ref: str) -> tuple[str, bool]:
    """The markdown a reviewer reads on a pull request, and whether the change passes the policy."""
    lines = [f"## Contract changes against `{ref}`", ""]
    ok = True
    edited = list(check_immutable(project, ref))
    if edited:
        ok = False
        lines += ["### ❌ Released versions edited", ""]
        lines += [f"- `{f.file}`: {f.message}. Fix: {f.fix}" for f in edited]
        lines.append("")
    added = added_versions(project, ref)
    if not added and not edited:
        lines.append("No schema version added or changed.")
    by_event: dict[str, list[Any]] = {}
    for schema_file in added:
        by_event.setdefault(schema_file.name, []).append(schema_file)
    for name, files in sorted(by_event.items()):
        lines += [f"### `{name}`", ""]
        for schema_file in files:
            step = step_for(project, schema_file)
            if step is None:
                lines += [f"- **{schema_file.version}**: first version.", ""]
                continue
            verdict = "✅ passes" if step.ok else "❌ fails"
            lines += [
                f"- **{step.old.version} → {step.new.version}**: declared {step.declared.upper()}, "
                f"required {step.required.upper()}: {verdict} the version policy.",
                "",
                step.report.to_markdown(),
            ]
            ok = ok and step.ok
    return "\n".join(lines).rstrip() + "\n", ok
