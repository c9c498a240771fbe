"""A large generated catalogue, to time `contracts check` as the contract grows.

Each generated event is the plan_created schema under another name, in three versions (each
minor adds an optional field), so the catalogue stays valid and every check has real work.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

COPIED = ("schemas", "fixtures", "runtime", "templates", "docs", "scripts", "pyproject.toml", "mkdocs.yml")


def make_project(repo: Path, target: Path, events: int, versions: int) -> Path:
    """A copy of the repository's contract sources with `events` × `versions` more schemas."""
    for name in COPIED:
        source = repo / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
        elif source.is_file():
            shutil.copy(source, target / name)
    template = json.loads((repo / "schemas" / "multi_workflow.plan_created" / "1.0.0.json").read_text())
    id_base = template["$id"].split("multi_workflow.plan_created/")[0]
    for n in range(events):
        name = f"bench_catalogue.event_{n:04d}"
        for minor in range(versions):
            version = f"1.{minor}.0"
            schema = copy.deepcopy(template)
            schema["$id"] = f"{id_base}{name}/{version}.json"
            schema["title"] = f"BenchEvent{n:04d}"
            schema["x-event"] = {**schema["x-event"], "name": name, "version": version}
            schema["properties"]["event_type"] = {**schema["properties"]["event_type"], "const": name,
                                                  "description": f"Always `{name}` when present."}
            for extra in range(minor):
                schema["properties"][f"note_{extra}"] = {"description": f"Optional note added in 1.{extra + 1}.0.",
                                                         "type": "string"}
            path = target / "schemas" / name / f"{version}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, indent=2) + "\n")
    return target
