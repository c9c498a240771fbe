"""The scenarios a reader looks for first, shown in full on the current version's page.

The golden fixtures that show them were written for the first version; under a BACKWARD mode they
stay valid under every later MINOR, and each is validated against the current version when the
page is written (one that is not is named as such instead of shown).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from multi_workflow_telemetry.fixtures import Fixture

from .decided import BATCH, PLAN, SUMMARY

# event -> (scenario, fixture name); the newest version holding a fixture of that name is used.
SCENARIOS: dict[str, list[tuple[str, str]]] = {
    PLAN: [
        ("Plan for one issue (the draft's example)", "draft-example"),
        ("Preview only: execution will be skipped", "preview-only"),
        ("Plan made in a batch run", "batch-plan-without-issue-number"),
        ("Plan of a retried issue, with its run", "with-run-id"),
    ],
    SUMMARY: [
        ("Executed", "draft-executed-corrected"),
        ("Preview skip", "draft-preview-skip-corrected"),
        ("Failure: executed, skipped and failed workflows", "mixed-workflow-statuses"),
        ("Partial success", "failed-workflow-partial-success"),
        ("Skipped for another reason than preview", "skipped-run-not-preview"),
    ],
    BATCH: [
        ("Batch run", "minimal"),
        ("Batch whose every multi-workflow run succeeded partially", "partial-equal-to-multi"),
    ],
}


def anchor(name: str) -> str:
    return f"scenario-{name}"


def pick(event: str, fixtures: list[Fixture]) -> list[tuple[str, Fixture]]:
    """Each scenario of `event` with the newest valid fixture of its name."""
    out = []
    for title, name in SCENARIOS.get(event, []):
        found = [f for f in fixtures if f.event == event and f.name == name and f.valid]
        if found:
            out.append((title, max(found, key=lambda f: tuple(int(p) for p in f.version.split(".")))))
    return out


def render(event: str, version: str, fixtures: list[Fixture], accepts: Callable[[Any], bool]) -> list[str]:
    """The scenarios section; `accepts(payload)` says whether this version accepts a payload."""
    picked = pick(event, fixtures)
    if not picked:
        return []
    out = [
        "## Scenarios",
        "",
        f"Whole events as emitters send them (the `data` of the envelope), each valid under {version}",
        "(checked when this page was written). The golden fixture each one comes from is named.",
        "",
    ]
    refused = []
    for i, (title, fx) in enumerate(picked):
        if not accepts(fx.payload):
            refused.append(f"{title} (`fixtures/{event}/{fx.version}/valid/{fx.name}.json`)")
            continue
        out += [f'<span id="{anchor(fx.name)}"></span>', "", f'???{"+" if i == 0 else ""} example "{title}"', ""]
        out += [f"    {fx.description} From `fixtures/{event}/{fx.version}/valid/{fx.name}.json`.", ""]
        out += ["    ```json", *[f"    {line}" for line in json.dumps(fx.payload, indent=2, ensure_ascii=False).splitlines()], "    ```", ""]
    if refused:
        out += [f"Not valid under {version}, so not shown: " + "; ".join(refused) + ".", ""]
    return out
