"""Builders for the emitters the draft names: they fill in what an emitter could get wrong.

`build_plan_created_event` numbers the stages, sorts workflow names and conflicts, and counts
stages and workflows; `build_execution_summary_event` mirrors the plan's stages into
`stage_runs`, derives the run's status, and lists every failed workflow in `errors`. Both
validate what they build, so an emitter cannot publish an event that breaks the contract.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from .absent import ABSENT, Absent
from .codec import ContractViolation, to_dict
from .v1 import ErrorEntry, ExecutionSummary, PlanCreated, Stage, StageRun, WorkflowRun
from .validation import validate

PREVIEW_GUARD = "preview_only_guard"
E = TypeVar("E", PlanCreated, ExecutionSummary)


@dataclass(frozen=True, slots=True)
class PlannedStage:
    """A stage as the planner produced it: order and duplicates do not matter here."""

    run_mode: Literal["sequential", "parallel"]
    workflows: Iterable[str]
    blocking_conflicts: Iterable[str] = ()


@dataclass(frozen=True, slots=True)
class WorkflowOutcome:
    """What happened to one workflow. A failed workflow says why in `error`."""

    status: Literal["executed", "skipped", "failed"]
    created_files: Sequence[str] = ()
    message: str | Absent = ABSENT
    error: str | None = None


def new_plan_id() -> str:
    """A fresh plan identifier, `multiwf-` and 32 lowercase hex digits."""
    return f"multiwf-{uuid.uuid4().hex}"


def build_plan_created_event(
    *,
    stages: Sequence[PlannedStage],
    allow_partial_success: bool,
    preview_only: bool,
    plan_id: str | None = None,
    run_id: str | Absent = ABSENT,
    issue_number: int | None | Absent = ABSENT,
    batch_id: str | Absent = ABSENT,
    selection_reason: str | Absent = ABSENT,
    selection_message: str | Absent = ABSENT,
) -> PlanCreated:
    """A valid `multi_workflow.plan_created` event for the planner's stages.

    Raises ContractViolation if the plan itself breaks the contract (a workflow in two stages,
    an empty stage, ...).
    """
    built = [
        Stage(
            index=i,
            run_mode=s.run_mode,
            workflows=sorted(set(s.workflows)),
            blocking_conflicts=sorted(set(s.blocking_conflicts)),
        )
        for i, s in enumerate(stages)
    ]
    event = PlanCreated(
        plan_id=plan_id or new_plan_id(),
        run_id=run_id,
        issue_number=issue_number,
        batch_id=batch_id,
        stage_count=len(built),
        workflow_count=sum(len(s.workflows) for s in built),
        allow_partial_success=allow_partial_success,
        preview_only=preview_only,
        selection_reason=selection_reason,
        selection_message=selection_message,
        stages=built,
    )
    return _checked("multi_workflow.plan_created", event)


def build_execution_summary_event(
    plan: PlanCreated,
    *,
    issue_number: int,
    outcomes: Mapping[str, WorkflowOutcome] | None = None,
    skip_reason: str | Absent = ABSENT,
    overall_timeout_seconds: int | None | Absent = ABSENT,
    deliverable_manifest: dict[str, Any] | Absent = ABSENT,
    preview_message: str | Absent = "Multi-workflow execution skipped due to preview-only mode.",
) -> ExecutionSummary:
    """A valid `multi_workflow.execution_summary` event for a plan and its workflows' outcomes.

    A preview-only plan is summarised as skipped by the preview guard, every workflow skipped,
    and needs no outcomes. Otherwise every planned workflow needs an outcome; the run is
    `skipped` when `skip_reason` is given, else `executed`.
    """
    skipped = plan.preview_only or not isinstance(skip_reason, Absent)
    if plan.preview_only:
        skip_reason = PREVIEW_GUARD
    outcomes = dict(outcomes or {})
    stage_runs = []
    errors = []
    for stage in plan.stages:
        runs = []
        for name in stage.workflows:
            if plan.preview_only:
                outcome = WorkflowOutcome(status="skipped", message=preview_message)
            elif name in outcomes:
                outcome = outcomes.pop(name)
            else:
                raise ValueError(f"no outcome for workflow {name!r} of plan {plan.plan_id}")
            runs.append(
                WorkflowRun(
                    workflow_name=name,
                    status=outcome.status,
                    created_files=list(outcome.created_files) if outcome.status == "executed" else ABSENT,
                    message=outcome.message,
                )
            )
            if outcome.status == "failed":
                errors.append(ErrorEntry(workflow_name=name, error=outcome.error or "workflow failed"))
        stage_runs.append(
            StageRun(
                index=stage.index,
                run_mode=stage.run_mode,
                blocking_conflicts=list(stage.blocking_conflicts),
                workflows=runs,
            )
        )
    if outcomes:
        raise ValueError(f"outcomes for workflows not in plan {plan.plan_id}: {', '.join(sorted(outcomes))}")
    event = ExecutionSummary(
        issue_number=issue_number,
        plan_id=plan.plan_id,
        run_id=plan.run_id,
        stage_count=plan.stage_count,
        workflow_count=plan.workflow_count,
        stages=list(plan.stages),
        preview_only=plan.preview_only,
        selection_reason=plan.selection_reason,
        selection_message=plan.selection_message,
        allow_partial_success=plan.allow_partial_success,
        overall_timeout_seconds=overall_timeout_seconds,
        deliverable_manifest=deliverable_manifest,
        stage_runs=stage_runs,
        status="skipped" if skipped else "executed",
        skip_reason=skip_reason,
        errors=errors if errors else ABSENT,
    )
    return _checked("multi_workflow.execution_summary", event)


def _checked(event: str, obj: E) -> E:
    violations = validate(event, to_dict(obj))
    if violations:
        raise ContractViolation(event, violations)
    return obj
