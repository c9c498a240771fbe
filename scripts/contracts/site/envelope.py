"""The envelope page's generated parts: the attribute table and an example, from the schemas."""

from __future__ import annotations

import json
from typing import Any

from multi_workflow_telemetry.fixtures import load_all

from ..project import Project

ENVELOPE = "multi_workflow.envelope"


def _envelope_schema(project: Project) -> dict[str, Any] | None:
    versions = project.catalogue.versions(ENVELOPE)
    return versions[-1].schema if versions else None


def attributes_table(project: Project) -> str:
    """One row per attribute, in the schema's order: required or optional, type, meaning."""
    schema = _envelope_schema(project)
    if schema is None:
        return "No envelope schema in this catalogue."
    required = set(schema.get("required", []))
    rows = ["| attribute | presence | value | meaning |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        value = (f"`{json.dumps(prop['const'])}`" if "const" in prop
                 else str(prop.get("type", "any")) + (f" ({prop['format']})" if "format" in prop else ""))
        text = str(prop.get("description", "")).replace("|", "/")
        rows.append(f"| `{name}` | {'required' if name in required else 'optional'} | {value} | {text} |")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        kinds = " or ".join(extra.get("type", []))
        rows.append(f"| *extension* | optional | {kinds} | {str(extra.get('description', '')).replace('|', '/')} |")
    return "\n".join(rows)


def example(project: Project) -> str:
    """The first valid fixture of the newest `plan_created`, enveloped as the package writes it
    (keys sorted, as RFC 8785 orders them)."""
    catalogue = project.catalogue
    events = catalogue.events()
    if "multi_workflow.plan_created" not in events or not project.fixtures.is_dir():
        return "No example in this catalogue."
    newest = catalogue.get("multi_workflow.plan_created")
    fixture = next((f for f in load_all(project.fixtures) if f.valid and f.event == newest.name
                    and f.version == newest.version), None)
    if fixture is None:
        return "No valid fixture of the newest plan_created."
    wire = {
        "specversion": "1.0", "type": newest.name, "source": "/multi-workflow/planner",
        "id": "0b8f7c3e-5a0e-4f4e-9a57-2f0d8c1e6b21", "time": "2026-06-03T09:30:00Z",
        "dataschema": newest.id, "datacontenttype": "application/json",
        "subject": fixture.payload.get("plan_id"), "data": fixture.payload,
    }
    return "```json\n" + json.dumps(dict(sorted(wire.items())), indent=2, ensure_ascii=False) + "\n```"
