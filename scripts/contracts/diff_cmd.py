"""`contracts diff OLD NEW` and `contracts report --against REF`: compatibility for reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import EVENT_NAME, CatalogueError

from .compat import Report, SchemaError, diff
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


def compare(project: Project, old_spec: str, new_spec: str) -> tuple[str, str, Report]:
    old_label, old = load_schema(project, old_spec)
    new_label, new = load_schema(project, new_spec)
    try:
        return old_label, new_label, diff(old, new, registry=project.catalogue.registry)
    except SchemaError as exc:
        raise UnusableSchema(str(exc)) from None


def render(report: Report, fmt: str, old_label: str, new_label: str) -> str:
    if fmt == "json":
        return report.to_json()
    if fmt == "markdown":
        return f"### `{old_label}` → `{new_label}`\n\n" + report.to_markdown()
    return f"{old_label} -> {new_label}\n" + report.to_text()


def _rule_lines(step: Any) -> list[str]:
    if not step.rules:
        return []
    lines = ["| Rule | Change | Required bump |", "| --- | --- | --- |"]
    lines += [f"| `{r.rule}` | {r.kind} in {step.new.ref} | {'MAJOR' if r.narrows else 'MINOR'} |" for r in step.rules]
    return [*lines, ""]


def _user_lines(project: Project, step: Any) -> list[str]:
    if not step.impacts:
        return []
    from .users import by_event

    lines = ["Judged through the event versions that refer to it:", "",
             "| Affected event | Versions | Required bump | Next version |", "| --- | --- | --- | --- |"]
    lines += [f"| `{name}` | {', '.join(versions)} | {need.upper()} | {then} |"
              for name, versions, need, then in by_event(project, step.impacts)]
    return [*lines, ""]


def review_report(project: Project, ref: str) -> tuple[str, bool]:
    """The markdown a reviewer reads on a pull request, and whether the change passes the policy."""
    from .released import check_released

    lines = [f"## Contract changes against `{ref}`", ""]
    ok = True
    seen: set[tuple[str, str]] = set()
    edited = [f for f in [*check_immutable(project, ref), *check_released(project)]
              if (f.file, f.rule) not in seen and not seen.add((f.file, f.rule))]  # type: ignore[func-returns-value]
    if edited:
        ok = False
        lines += ["### ❌ Released versions or their rules changed", ""]
        lines += [f"- `{f.file}:{f.line}` [{f.rule}]: {f.message}. **Fix:** {f.fix}" for f in edited]
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
                *_rule_lines(step),
                *_user_lines(project, step),
                step.report.to_markdown(),
            ]
            ok = ok and step.ok
    return "\n".join(lines).rstrip() + "\n", ok
