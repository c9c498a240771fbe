"""Builders for the emitters the draft names: they fill in what an emitter could get wrong.

`build_plan_created_event` numbers the stages, sorts workflow names and conflicts, and counts
stages and workflows; `build_execution_summary_event` mirrors the plan's stages into
`stage_runs`, derives the run's status, and lists every failed workflow in `errors`. Both
validate what they build, so an emitter cannot publish an event that breaks the contract.

The builders belong to major 1 (`MAJOR`): they build `v1` dataclasses and validate them against
the versions `v1.VERSIONS` pins, so a later major of an event never changes what they build or
accept. Given `source=`, they return the event in its CloudEvents envelope, ready to publish.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from .absent import ABSENT, Absent
from .codec import ContractViolation, to_dict
from .envelopes import Enveloped, envelope
from .v1 import VERSIONS, ErrorEntry, ExecutionSummary, PlanCreated, Stage, StageRun, WorkflowRun
from .validation import validate

#: The major of the events these builders build.
MAJOR = 1

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


@overload
def build_plan_created_event(*, stages: Sequence[PlannedStage], allow_partial_success: bool, preview_only: bool,
                             plan_id: str | None = ..., run_id: str | Absent = ..., issue_number: int | None | Absent = ...,
                             batch_id: str | Absent = ..., selection_reason: str | Absent = ...,
                             selection_message: str | Absent = ..., source: None = ...) -> PlanCreated: ...
@overload
def build_plan_created_event(*, stages: Sequence[PlannedStage], allow_partial_success: bool, preview_only: bool,
                             plan_id: str | None = ..., run_id: str | Absent = ..., issue_number: int | None | Absent = ...,
                             batch_id: str | Absent = ..., selection_reason: str | Absent = ...,
                             selection_message: str | Absent = ..., source: str) -> Enveloped: ...


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
    source: str | None = None,
) -> PlanCreated | Enveloped:
    """A valid `multi_workflow.plan_created` event (of the version `v1.VERSIONS` pins) for the
    planner's stages; with `source` (the emitter, e.g. "/multi-workflow/planner"), the event in
    its CloudEvents envelope (`to_json` of it is what to publish).

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
    return _checked("multi_workflow.plan_created", event, source)


@overload
def build_execution_summary_event(plan: PlanCreated | Enveloped, *, issue_number: int,
                                  outcomes: Mapping[str, WorkflowOutcome] | None = ..., skip_reason: str | Absent = ...,
                                  overall_timeout_seconds: int | None | Absent = ...,
                                  deliverable_manifest: dict[str, Any] | Absent = ...,
                                  preview_message: str | Absent = ..., source: None = ...) -> ExecutionSummary: ...
@overload
def build_execution_summary_event(plan: PlanCreated | Enveloped, *, issue_number: int,
                                  outcomes: Mapping[str, WorkflowOutcome] | None = ..., skip_reason: str | Absent = ...,
                                  overall_timeout_seconds: int | None | Absent = ...,
                                  deliverable_manifest: dict[str, Any] | Absent = ...,
                                  preview_message: str | Absent = ..., source: str) -> Enveloped: ...


def build_execution_summary_event(
    plan: PlanCreated | Enveloped,
    *,
    issue_number: int,
    outcomes: Mapping[str, WorkflowOutcome] | None = None,
    skip_reason: str | Absent = ABSENT,
    overall_timeout_seconds: int | None | Absent = ABSENT,
    deliverable_manifest: dict[str, Any] | Absent = ABSENT,
    preview_message: str | Absent = "Multi-workflow execution skipped due to preview-only mode.",
    source: str | None = None,
) -> ExecutionSummary | Enveloped:
    """A valid `multi_workflow.execution_summary` event (of the version `v1.VERSIONS` pins) for a
    plan (the event, or its envelope) and its workflows' outcomes; with `source`, enveloped.

    A preview-only plan is summarised as skipped by the preview guard, every workflow skipped,
    and needs no outcomes. Otherwise every planned workflow needs an outcome; the run is
    `skipped` when `skip_reason` is given, else `executed`.
    """
    plan_event: PlanCreated = plan.event if isinstance(plan, Enveloped) else plan
    skipped = plan_event.preview_only or not isinstance(skip_reason, Absent)
    if plan_event.preview_only:
        skip_reason = PREVIEW_GUARD
    outcomes = dict(outcomes or {})
    stage_runs = []
    errors = []
    for stage in plan_event.stages:
        runs = []
        for name in stage.workflows:
            if plan_event.preview_only:
                outcome = WorkflowOutcome(status="skipped", message=preview_message)
            elif name in outcomes:
                outcome = outcomes.pop(name)
            else:
                raise ValueError(f"no outcome for workflow {name!r} of plan {plan_event.plan_id}")
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
        raise ValueError(f"outcomes for workflows not in plan {plan_event.plan_id}: {', '.join(sorted(outcomes))}")
    event = ExecutionSummary(
        issue_number=issue_number,
        plan_id=plan_event.plan_id,
        run_id=getattr(plan_event, "run_id", ABSENT),  # a 1.0.0 plan (read_envelope of an older planner's event) has none
        stage_count=plan_event.stage_count,
        workflow_count=plan_event.workflow_count,
        stages=list(plan_event.stages),
        preview_only=plan_event.preview_only,
        selection_reason=plan_event.selection_reason,
        selection_message=plan_event.selection_message,
        allow_partial_success=plan_event.allow_partial_success,
        overall_timeout_seconds=overall_timeout_seconds,
        deliverable_manifest=deliverable_manifest,
        stage_runs=stage_runs,
        status="skipped" if skipped else "executed",
        skip_reason=skip_reason,
        errors=errors if errors else ABSENT,
    )
    return _checked("multi_workflow.execution_summary", event, source)


def _checked(event: str, obj: E, source: str | None) -> E | Enveloped:
    pinned = f"{event}@{VERSIONS[event]}"  # never the newest major: what v1 builds stays v1
    violations = validate(pinned, to_dict(obj))
    if violations:
        raise ContractViolation(pinned, violations)
    return obj if source is None else envelope(obj, source=source)
