"""A small typed consumer of the package, checked with `mypy --strict` by the test suite.

If the package's types regress (a field loses its type, ABSENT stops narrowing, `parse` loses
its per-event overloads), mypy fails on this file.
"""

from __future__ import annotations

from multi_workflow_telemetry import (
    ABSENT,
    PlannedStage,
    WorkflowOutcome,
    build_execution_summary_event,
    build_plan_created_event,
    to_json,
)
from multi_workflow_telemetry.v1 import ExecutionSummary, PlanCreated, parse


def plan_for_issue(issue: int) -> PlanCreated:
    return build_plan_created_event(
        stages=[PlannedStage("parallel", ["policy-overview", "compliance-advisory"])],
        allow_partial_success=True,
        preview_only=False,
        issue_number=issue,
    )


def summarise(plan: PlanCreated) -> ExecutionSummary:
    outcomes = {name: WorkflowOutcome("executed") for stage in plan.stages for name in stage.workflows}
    return build_execution_summary_event(plan, issue_number=1, outcomes=outcomes)


def issue_of(raw: bytes) -> int | None:
    plan: PlanCreated = parse("multi_workflow.plan_created", raw)
    if plan.issue_number is ABSENT:
        return None
    number: int | None = plan.issue_number
    return number


def emit(plan: PlanCreated) -> bytes:
    stage_count: int = plan.stage_count
    assert stage_count == len(plan.stages)
    return to_json(summarise(plan))


def package_version() -> str:
    """`__version__`, which the package's docstring names: exported, so `mypy --strict` takes it."""
    import multi_workflow_telemetry

    version: str = multi_workflow_telemetry.__version__
    return version
