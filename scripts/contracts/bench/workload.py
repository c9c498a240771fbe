"""A realistic mixed telemetry stream, reproducible from a seed.

Plans are created and, a few events later, executed (or skipped in preview), interleaved as a
planner serving many issues emits them; batch metrics come now and then. A small share of lines
is broken the way real captures break: a field of the wrong type, a missing or unknown field, a
count that disagrees with its stages, a truncated line.
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Iterator
from typing import Any

import orjson

PLAN, SUMMARY, BATCH = (
    "multi_workflow.plan_created", "multi_workflow.execution_summary", "multi_workflow.batch_metrics",
)
WORKFLOWS = [
    "compliance-advisory", "cost-review", "dependency-audit", "docs-refresh", "enforcement-snapshot",
    "incident-digest", "license-scan", "policy-overview", "release-notes", "security-triage",
    "test-flake-report", "weekly-report",
]
CONFLICTS = ["deliverable:weekly-report", "deliverable:policy-pack", "repo:write-lock", "label:needs-review"]

# Shares of lines, per million: realistic for production telemetry (mostly valid).
SCHEMA_BROKEN = 1000  # 0.1 %: wrong type, missing or unknown field
RULE_BROKEN = 1000  # 0.1 %: a count or order that disagrees with the stages
UNREADABLE = 200  # 0.02 %: a truncated line


def _plan(rng: random.Random) -> dict[str, Any]:
    names = rng.sample(WORKFLOWS, rng.randint(1, 6))
    stages: list[dict[str, Any]] = []
    while names:
        take = rng.randint(1, min(3, len(names)))
        group, names = sorted(names[:take]), names[take:]
        conflicts = sorted(rng.sample(CONFLICTS, rng.choice((0, 0, 1, 2))))
        stages.append({"index": len(stages), "run_mode": rng.choice(("parallel", "sequential")),
                       "workflows": group, "blocking_conflicts": conflicts})
    plan: dict[str, Any] = {
        "event_type": PLAN,
        "plan_id": f"multiwf-{rng.getrandbits(128):032x}",
        "issue_number": rng.randint(1, 50_000),
        "stage_count": len(stages),
        "workflow_count": sum(len(s["workflows"]) for s in stages),
        "allow_partial_success": rng.random() < 0.5,
        "preview_only": rng.random() < 0.1,
        "selection_reason": "multi_label_match",
        "selection_message": "Labels matched " + " and ".join(stages[0]["workflows"]) + " workflows",
        "stages": stages,
    }
    return plan


def _summary(rng: random.Random, plan: dict[str, Any]) -> dict[str, Any]:
    preview = plan["preview_only"]
    stage_runs, errors = [], []
    for stage in plan["stages"]:
        runs = []
        for name in stage["workflows"]:
            status = "skipped" if preview else rng.choices(("executed", "failed", "skipped"), (85, 8, 7))[0]
            run: dict[str, Any] = {"workflow_name": name, "status": status}
            if status == "executed" and rng.random() < 0.6:
                run["created_files"] = [f"reports/{name}/{plan['issue_number']}.md"]
            if status == "failed":
                errors.append({"workflow_name": name, "error": "TimeoutError: workflow exceeded 600s"})
            runs.append(run)
        stage_runs.append({"index": stage["index"], "run_mode": stage["run_mode"],
                           "blocking_conflicts": stage["blocking_conflicts"], "workflows": runs})
    if not preview and all(r["status"] == "skipped" for s in stage_runs for r in s["workflows"]):
        stage_runs[0]["workflows"][0]["status"] = "executed"
    summary: dict[str, Any] = {
        "event_type": SUMMARY,
        **{k: plan[k] for k in ("issue_number", "plan_id", "stage_count", "workflow_count", "stages",
                                "preview_only", "selection_reason", "selection_message", "allow_partial_success")},
        "overall_timeout_seconds": rng.choice((None, 1800, 3600)),
        "stage_runs": stage_runs,
        "status": "skipped" if preview else "executed",
    }
    if preview:
        summary["skip_reason"] = "preview_only_guard"
    if errors:
        summary["errors"] = sorted(errors, key=lambda e: e["workflow_name"])
    if rng.random() < 0.3:
        summary["deliverable_manifest"] = {"files": sum(len(r.get("created_files", ())) for s in stage_runs
                                                        for r in s["workflows"])}
    return summary


def _batch(rng: random.Random) -> dict[str, Any]:
    multi = rng.randint(0, 40)
    return {"event_type": BATCH, "batch_id": f"batch-{rng.getrandbits(32):08x}", "multi_workflow_count": multi,
            "partial_success_count": rng.randint(0, multi), "conflict_count": rng.randint(0, 10)}


def _break_schema(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    how = rng.randrange(4)
    if how == 0:
        key = rng.choice([k for k in event if k != "event_type"])
        event[key] = str(event[key]) if not isinstance(event[key], str) else 7
    elif how == 1:
        event.pop(rng.choice([k for k in event if k not in ("event_type",)]))
    elif how == 2:
        event["retry_count"] = 1
    elif "plan_id" in event:
        event["plan_id"] = event["plan_id"].upper()
    else:
        event["batch_id"] = ""
    return event


def _break_rule(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    if event["event_type"] == BATCH:
        event["partial_success_count"] = event["multi_workflow_count"] + 1
    elif rng.random() < 0.5:
        event["stage_count"] += 1
    else:
        event["workflow_count"] += 1
    return event


def events(count: int, seed: int = 6, broken: float | None = None) -> Iterator[dict[str, Any] | bytes]:
    """`count` events (dicts; bytes for an unreadable line), plans before their summaries.
    `broken` is the share of broken lines (split as the default shares are); None: the default."""
    rng = random.Random(seed)
    unreadable, schema_broken, rule_broken = UNREADABLE, SCHEMA_BROKEN, RULE_BROKEN
    if broken is not None:
        scale = broken * 1_000_000 / (UNREADABLE + SCHEMA_BROKEN + RULE_BROKEN)
        unreadable, schema_broken, rule_broken = (round(n * scale) for n in (UNREADABLE, SCHEMA_BROKEN, RULE_BROKEN))
    waiting: deque[dict[str, Any]] = deque()
    made = 0
    while made < count:
        roll = rng.random()
        if roll < 0.01:
            event = _batch(rng)
        elif waiting and (roll < 0.5 or len(waiting) > 64):
            plan = waiting.popleft()
            if rng.random() < 0.01:
                continue  # a plan still running when the capture ends: no summary
            event = _summary(rng, plan)
        else:
            event = _plan(rng)
            waiting.append(event)
        made += 1
        share = rng.randrange(1_000_000)
        if share < unreadable:
            yield orjson.dumps(event)[: rng.randint(1, 80)]
        elif share < unreadable + schema_broken:
            yield _break_schema(rng, dict(event))
        elif share < unreadable + schema_broken + rule_broken:
            yield _break_rule(rng, dict(event))
        else:
            yield event


# How emitters write a line: orjson's compact form, Python's `json.dumps` default (", " and ": "),
# and a pretty form with tabs after every separator (one event per line all the same).
STYLES = {
    "compact": orjson.dumps,
    "json.dumps": lambda event: json.dumps(event).encode(),
    "tabs": lambda event: json.dumps(event, separators=(",\t", ":\t")).encode(),
}


def write_stream(path: str, count: int, seed: int = 6, style: str = "compact", broken: float | None = None) -> int:
    """Write `count` events as JSON lines in `style` (see STYLES); the file's size in bytes."""
    size = 0
    dump = STYLES[style]
    with open(path, "wb") as out:
        buffer = []
        for event in events(count, seed, broken):
            line = (event if isinstance(event, bytes) else dump(event)) + b"\n"
            buffer.append(line)
            if len(buffer) >= 10_000:
                data = b"".join(buffer)
                out.write(data)
                size += len(data)
                buffer.clear()
        data = b"".join(buffer)
        out.write(data)
        size += len(data)
    return size
