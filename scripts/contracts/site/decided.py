"""Where the draft's note and the contract differ, what the contract decided, and the meaning of
each allowed value.

Released schema files are immutable, and several of their descriptions are the draft's notes
copied word for word ("Reserved for batch orchestration contexts. Currently unused."). The site
shows such a note as what the draft said, beside what the contract decided and the decision that
says why (docs/decisions.md); every other statement about a field comes from the schema itself.
A later schema version can carry the decided wording, and its entry here can then go.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN, SUMMARY, BATCH = "multi_workflow.plan_created", "multi_workflow.execution_summary", "multi_workflow.batch_metrics"


@dataclass(frozen=True)
class Decided:
    """The contract's word on one field or event attribute where the draft said otherwise."""

    decision: str  # D<n>, an anchor of docs/decisions.md
    meaning: str  # what the field means in the contract (Markdown), shown instead of the draft's note
    decided: str  # the decision in a few words, after "the contract decided"

    def said(self, root: str) -> tuple[str, str]:
        """`meaning` and `decided` with their links made relative to the page (`root`: the path
        from the page to the site's root, `../../` on an event page)."""
        return self.meaning.replace("{root}", root), self.decided.replace("{root}", root)


# (event, field path) -> the contract's word. The draft's note is the schema's `description`.
FIELDS: dict[tuple[str, str], Decided] = {
    (PLAN, "batch_id"): Decided(
        "D6",
        "Identifier of the batch run the plan was made in: the same value `multi_workflow.batch_metrics` "
        "carries in `batch_id`, so a batch's counters can be lined up with its plans. Absent on plans "
        "made for a single issue outside a batch.",
        "optional, set on plans made in a batch run",
    ),
    (PLAN, "issue_number"): Decided(
        "D4",
        "The issue the plan was made for. Absent or null when the planner ran outside the issue "
        "processor (a batch item, for example).",
        "optional, an integer or null: who called the planner is not in the payload, so the draft's "
        "condition cannot be checked",
    ),
    (SUMMARY, "errors"): Decided(
        "D8",
        "The failed workflows, one entry each (`workflow_name`, `error`). Required when a workflow "
        "failed ([MW009]({root}reference/rules.md#mw009)); absent or empty when none failed.",
        "required when a workflow failed (rule MW009 checks it), absent or empty otherwise",
    ),
    (SUMMARY, "skip_reason"): Decided(
        "D10",
        "Why the run was skipped (for example `preview_only_guard`). Required when `status` is "
        "`skipped`, absent otherwise.",
        "required when `status` is `skipped`, absent otherwise (the schema checks both)",
    ),
}

# (event, x-event attribute) -> the contract's word. The draft's note is the attribute's value.
EVENT: dict[tuple[str, str], Decided] = {
    (PLAN, "frequency"): Decided(
        "D19",
        "Once per plan: every time multi-workflow planning succeeds. A retried issue gets one plan per "
        "attempt, each with its own `plan_id` (and from 1.1.0 its `run_id`).",
        "once per plan, as retries of an issue produce several plans",
    ),
    (SUMMARY, "frequency"): Decided(
        "D19",
        "Once per plan, after the plan executes or is skipped: a retried issue has one summary per plan.",
        "once per plan, as retries of an issue produce several plans",
    ),
    (BATCH, "purpose"): Decided(
        "D15",
        "Counters of one batch run, correlated with plans by `batch_id` only: the event carries no "
        "`plan_id` and no issue number, so its counters cannot be joined to single plans or issues.",
        "correlation by `batch_id` only; whether analytics ingests these counters is still to be "
        "confirmed ([pending]({root}pending.md#draft-batch-metrics))",
    ),
}

# The meaning of every allowed value, by field path, or by name (the last part of a path) for
# every field of that name. A value the
# schemas allow without a meaning here fails tests/test_docs.py: a new value needs its words.
VALUES: dict[str, dict[str, str]] = {
    "run_mode": {
        "sequential": "the stage's workflows run one after another",
        "parallel": "the stage's workflows run at the same time",
    },
    "status": {  # the whole run's, in execution_summary
        "executed": "the plan ran: at least one workflow was not skipped (MW012); some may have failed",
        "skipped": "nothing ran: `skip_reason` says why (`preview_only_guard` for a preview-only plan)",
    },
    "stage_runs[].workflows[].status": {
        "executed": "the workflow ran and succeeded; it may list `created_files`",
        "skipped": "the workflow did not run (a skipped run skips every workflow, MW011)",
        "failed": "the workflow ran and failed; `errors` has its entry (MW009)",
    },
    "event_type": {"*": "the event's own name, the only value allowed"},
}


def value_meaning(field: str, value: object) -> str | None:
    """The meaning of one allowed value of `field` (its path), or None when none is written."""
    words = VALUES.get(field) or VALUES.get(field.rsplit(".", 1)[-1], {})
    return words.get(str(value)) or words.get("*")
