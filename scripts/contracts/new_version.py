"""`contracts new-version EVENT --patch|--minor|--major`: the next version file and its fixture folders."""

from __future__ import annotations

import json
import shutil

from multi_workflow_telemetry.catalogue import CatalogueError

from .findings import Unusable
from .policy import next_version
from .project import Project


def scaffold(project: Project, event: str, bump: str) -> list[str]:
    """Write schemas/<event>/<next>.json (a copy of the newest, `$id` and version updated) and its
    fixture folders (the newest version's valid fixtures, to replay and edit); the steps to take."""
    try:
        latest = project.catalogue.versions(event)[-1] if project.catalogue.versions(event) else project.catalogue.get(event)
    except CatalogueError as exc:
        raise Unusable(str(exc)) from None
    version = next_version(latest.version, bump)
    target = project.schemas / event / f"{version}.json"
    if target.exists():
        raise Unusable(f"{project.relative(target)} already exists")
    schema = json.loads(latest.path.read_text(encoding="utf-8"))
    schema["$id"] = latest.id.replace(f"/{latest.version}.json", f"/{version}.json")
    meta = schema.get("x-event") or schema.get("x-shared") or schema.get("x-envelope")
    if isinstance(meta, dict):
        meta["version"] = version
        if "status" in meta:
            meta["status"] = "proposed"
    target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    fixtures = project.fixtures / event / version
    source = project.fixtures / event / latest.version / "valid"
    if source.is_dir():
        shutil.copytree(source, fixtures / "valid")
    (fixtures / "valid").mkdir(parents=True, exist_ok=True)
    (fixtures / "invalid").mkdir(parents=True, exist_ok=True)
    return [
        f"wrote {project.relative(target)} ({bump.upper()} of {latest.version}) and {project.relative(fixtures)}/"
        f"{{valid,invalid}}/ (valid/ holds {latest.version}'s valid fixtures, to replay)",
        "next:",
        f"  1. make the change in {project.relative(target)}",
        f"  2. add an invalid fixture under {project.relative(fixtures)}/invalid/ for each constraint or rule it adds",
        f"  3. a new contract rule: `@rule(..., since=\"{version}\")` in runtime/multi_workflow_telemetry/rules.py",
        f"  4. add \"{version}\" to lifecycle/{event}.json's versions when its status changes",
        "  5. make build (regenerates, then contracts check), and read contracts report --against origin/main",
    ]
