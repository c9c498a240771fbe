"""`contracts diff OLD NEW` and `contracts report --against REF`: compatibility for reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import EVENT_NAME, CatalogueError
from multi_workflow_telemetry.fast import NotJSON

from .compat import Report, SchemaError, diff
from .compat.context import DIALECTS
from .policy import added_versions, check_immutable, step_for
from .findings import Finding, Unusable
from .locate import line_of
from .project import Project
from .witness_events import complete


class UnusableSchema(Unusable):
    """OLD or NEW cannot be read as a schema (exit 2)."""


def _no_constant(name: str) -> Any:
    """`NaN`, `Infinity` or `-Infinity`: Python's reader takes them, JSON has no such numbers. As
    the package's strict reader says it, so that its `NotJSON` finds the word's line."""
    raise NotJSON(f"{name} is not a JSON number")


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
        schema = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UnusableSchema(f"{spec}:{exc.lineno}: not JSON: {exc.msg}") from None
    except NotJSON as exc:
        exc.doc = text  # where it is is looked for in the text read (NotJSON.lineno)
        raise UnusableSchema(f"{spec}:{exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise UnusableSchema(f"{spec}: nested too deeply to read") from None
    if not isinstance(schema, (dict, bool)):
        raise UnusableSchema(f"{spec}: a schema is a JSON object or boolean")
    return spec, schema


def compare(project: Project, old_spec: str, new_spec: str, *, default_dialect: str = "2020-12",
            format_assertion: bool = False) -> tuple[str, str, Report]:
    """Diff two schemas; `default_dialect` ("draft-07" or "2020-12") is for schemas without `$schema`."""
    old_label, old = load_schema(project, old_spec)
    new_label, new = load_schema(project, new_spec)
    try:
        report = diff(old, new, registry=project.catalogue.registry,
                      default_dialect=DIALECTS[default_dialect], format_assertion=format_assertion)
    except SchemaError as exc:
        raise UnusableSchema(_located(project, exc, {"old": old_label, "new": new_label})) from None
    files = [_catalogued(project, spec) for spec in (old_spec, new_spec)]
    if files[0] is not None and files[1] is not None:
        complete(project, files[0], files[1], report)  # whole events the rules accept, as witnesses
    return old_label, new_label, report


def _located(project: Project, exc: SchemaError, labels: dict[str, str]) -> str:
    """The error as `FILE:LINE: #POINTER: reason`, where the library only knows "old" or "new"."""
    label = labels.get(exc.side or "")
    if label is None or exc.pointer is None:
        return str(exc)
    path = Path(label) if Path(label).is_file() else project.root / label
    try:
        line = line_of(path.read_text(encoding="utf-8"), exc.pointer)
    except (OSError, UnicodeDecodeError):
        return f"{label}: #{exc.pointer}: {exc.reason}"
    return f"{label}:{line}: #{exc.pointer}: {exc.reason}"


def _catalogued(project: Project, spec: str) -> Any:
    name, at, _ = spec.partition("@")
    if not (at and EVENT_NAME.match(name)) or Path(spec).exists():
        return None
    try:
        return project.catalogue.get(spec)
    except CatalogueError:
        return None


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


def change_findings(project: Project, report: Report, new_label: str, mode: str) -> list[Finding]:
    """The changes that break `mode` compatibility, as findings located in the NEW schema file."""
    path = Path(new_label) if Path(new_label).is_file() else project.root / new_label
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    wanted = {"full": ("backward", "forward")}.get(mode, (mode,))
    out = []
    for c in report.changes:
        if not any(d in c.breaks for d in wanted):
            continue
        witness = f"; witness: {c.witness_text()}" if c.has_witness else ""
        out.append(Finding(new_label, line_of(text, c.path) if text else 1, c.path, c.kind,
                           f"{c.message} (breaks {', '.join(c.breaks)}){witness}"))
    return out


def review_report(project: Project, ref: str) -> tuple[str, bool, list[Finding]]:
    """The markdown a reviewer reads on a pull request, whether the change passes the policy, and
    what fails it as findings (for the CI formats)."""
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
    failing: list[Finding] = []
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
            complete(project, step.old, step.new, step.report)
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
            if not step.ok:
                failing.append(Finding(project.relative(step.new.path), 1, "/x-event/version", "policy-bump",
                                       f"{step.old.version} → {step.new.version} is a {step.declared.upper()} bump, "
                                       f"but the change is {step.why(project)}: a {step.required.upper()} is required"))
    return "\n".join(lines).rstrip() + "\n", ok, edited + failing
