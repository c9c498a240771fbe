"""Each contract rule's findings, exactly: the pointer and the words a person reads.

The golden fixtures pin which rule fires where; these pin what it says, one small case per kind of
finding, with the values named in the message. A message that names the wrong neighbour, the wrong
count or no workflow at all fails here.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from multi_workflow_telemetry.rules import BATCH_METRICS, EXECUTION_SUMMARY, PLAN_CREATED, check_rules

STAGES = [
    {"index": 0, "run_mode": "parallel", "workflows": ["a", "b", "d"], "blocking_conflicts": []},
    {"index": 1, "run_mode": "sequential", "workflows": ["c"], "blocking_conflicts": ["x", "y"]},
]
PLAN = {"stage_count": 2, "workflow_count": 4, "stages": STAGES}
RUNS = [
    {"index": 0, "run_mode": "parallel", "blocking_conflicts": [],
     "workflows": [{"workflow_name": "a", "status": "executed", "created_files": ["r.md"]},
                   {"workflow_name": "b", "status": "executed"}, {"workflow_name": "d", "status": "executed"}]},
    {"index": 1, "run_mode": "sequential", "blocking_conflicts": ["x", "y"],
     "workflows": [{"workflow_name": "c", "status": "executed"}]},
]
SUMMARY = {**PLAN, "stage_runs": RUNS, "status": "executed", "preview_only": False}


def edited(base: dict[str, Any], *edits: tuple[str, Any]) -> dict[str, Any]:
    """A deep copy with each (slash path, value) set."""
    out = copy.deepcopy(base)
    for path, value in edits:
        *parents, last = path.split("/")
        node: Any = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return out


def run(stage: int, at: int, status: str) -> tuple[str, str]:
    return f"stage_runs/{stage}/workflows/{at}/status", status


CASES = [
    (PLAN_CREATED, edited(PLAN, ("stage_count", 3)), [("MW001", "/stage_count", "stage_count is 3 but stages has 2 entries")]),
    (PLAN_CREATED, edited(PLAN, ("workflow_count", 3)),
     [("MW002", "/workflow_count", "workflow_count is 3 but the stages hold 4 workflows")]),
    (PLAN_CREATED, edited(PLAN, ("stages/1/index", 2)), [("MW003", "/stages/1/index", "stages[1].index is 2, expected 1")]),
    (PLAN_CREATED, edited(PLAN, ("stages/0/workflows", ["a", "d", "b"])),
     [("MW004", "/stages/0/workflows/2", "stages[0].workflows are not sorted: 'b' comes after 'd'")]),
    (PLAN_CREATED, edited(PLAN, ("stages/0/workflows", ["a", "a", "d"]), ("workflow_count", 4)),
     [("MW004", "/stages/0/workflows/1", "stages[0].workflows lists 'a' twice")]),
    (PLAN_CREATED, edited(PLAN, ("stages/0/workflows", ["a", "b", "a"])),
     [("MW004", "/stages/0/workflows/2", "stages[0].workflows lists 'a' twice")]),
    (PLAN_CREATED, edited(PLAN, ("stages/1/blocking_conflicts", ["y", "x"])),
     [("MW005", "/stages/1/blocking_conflicts/1", "stages[1].blocking_conflicts are not sorted: 'x' comes after 'y'")]),
    (PLAN_CREATED, edited(PLAN, ("stages/1/workflows", ["b", "c"]), ("workflow_count", 5)),
     [("MW006", "/stages/1/workflows/0", "workflow 'b' is in stages[0] and stages[1]")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("stage_runs/1/blocking_conflicts", ["y", "y"]), ("stages/1/blocking_conflicts", ["y", "y"])),
     [("MW005", "/stages/1/blocking_conflicts/1", "stages[1].blocking_conflicts lists 'y' twice"),
      ("MW005", "/stage_runs/1/blocking_conflicts/1", "stage_runs[1].blocking_conflicts lists 'y' twice")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("stage_runs", RUNS[:1])), [("MW007", "/stage_runs", "stage_runs has 1 entries but stages has 2")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("stage_runs/1/run_mode", "parallel"), ("stage_runs/0/index", 1)),
     [("MW008", "/stage_runs/0/index", "stage_runs[0].index is 1 but stages[0].index is 0"),
      ("MW008", "/stage_runs/1/run_mode", "stage_runs[1].run_mode is 'parallel' but stages[1].run_mode is 'sequential'")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("stage_runs/1/blocking_conflicts", ["x"])),
     [("MW008", "/stage_runs/1/blocking_conflicts", "stage_runs[1].blocking_conflicts is ['x'] but stages[1].blocking_conflicts is ['x', 'y']")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("stage_runs/1/workflows", [])),
     [("MW008", "/stage_runs/1/workflows", "stage_runs[1].workflows run [] but stages[1].workflows plans ['c']")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, run(0, 1, "failed"), ("errors", [{"workflow_name": "a"}, {"workflow_name": "b"},
                                                                         {"workflow_name": "b"}])),
     [("MW009", "/errors/0/workflow_name", "errors names workflow 'a', which did not fail"),
      ("MW009", "/errors/2/workflow_name", "errors names workflow 'b' twice")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, run(0, 2, "failed")),
     [("MW009", "/stage_runs/0/workflows/2/status", "workflow 'd' failed but errors has no entry for it")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, run(0, 0, "skipped")),
     [("MW010", "/stage_runs/0/workflows/0/created_files", "workflow 'a' is skipped but lists created_files")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("status", "skipped"), ("preview_only", True), run(0, 0, "skipped"),
                               ("stage_runs/0/workflows/0/created_files", []), run(0, 1, "skipped"), run(0, 2, "skipped")),
     [("MW011", "/stage_runs/1/workflows/0/status", "workflow 'c' is executed in a preview-only run")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, ("status", "skipped"), run(0, 0, "skipped"), ("stage_runs/0/workflows/0/created_files", []),
                               run(0, 1, "skipped"), run(0, 2, "skipped")),
     [("MW011", "/stage_runs/1/workflows/0/status", "workflow 'c' is executed in a skipped run")]),
    (EXECUTION_SUMMARY, edited(SUMMARY, run(0, 0, "skipped"), ("stage_runs/0/workflows/0/created_files", []),
                               run(0, 1, "skipped"), run(0, 2, "skipped"), run(1, 0, "skipped")),
     [("MW012", "/status", "status is executed but every workflow was skipped")]),
    (BATCH_METRICS, {"multi_workflow_count": 2, "partial_success_count": 3},
     [("MW013", "/partial_success_count", "partial_success_count 3 exceeds multi_workflow_count 2")]),
    (BATCH_METRICS, {"multi_workflow_count": 2, "partial_success_count": 2}, []),
]


@pytest.mark.parametrize("event, payload, expected", CASES, ids=[f"{i}-{c[2][0][0] if c[2] else 'none'}" for i, c in enumerate(CASES)])
def test_each_finding_is_worded_exactly(event: str, payload: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert [(v.rule, v.pointer, v.message) for v in check_rules(event, payload)] == expected


@pytest.mark.parametrize("event, payload", [(PLAN_CREATED, PLAN), (EXECUTION_SUMMARY, SUMMARY)])
def test_the_base_cases_are_clean(event: str, payload: dict[str, Any]) -> None:
    assert check_rules(event, payload) == []
