"""Contract rules: what the contract requires beyond what JSON Schema can state.

Each rule is data: a stable id, the events it applies to, and the one-line statement the docs
list. Its check is a plain function registered with `@rule`; checks run only on payloads that
already pass the event's schema, so they can read fields without guarding every access.
Ids are never reused: retire a rule by removing it, and take the next free number for a new one.

Rules belong to versions: a released event version keeps the rule set it was released with
(`releases.json` records it, and `contracts check` refuses a change to it). A rule added later
applies from a new version on (`since`); a rule whose meaning changes is a new rule, and the old
one stops at the version that replaces it (`until`, exclusive).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._violation import Violation
from .catalogue import version_key

PLAN_CREATED = "multi_workflow.plan_created"
EXECUTION_SUMMARY = "multi_workflow.execution_summary"
BATCH_METRICS = "multi_workflow.batch_metrics"
PLAN_EVENTS = (PLAN_CREATED, EXECUTION_SUMMARY)

Payload = Mapping[str, Any]
Finding = tuple[str, str]  # (JSON pointer, message)
Check = Callable[[Payload], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A contract rule: `id` is stable, `statement` is what the docs show. It applies to the
    versions of `events` from `since` (inclusive) up to `until` (exclusive; empty: no end)."""

    id: str
    events: tuple[str, ...]
    statement: str
    check: Check
    since: str = "0.0.0"
    until: str = ""

    def applies_to(self, event: str, version: str | None = None) -> bool:
        """Whether this rule is part of `event`'s contract (at `version`, when given)."""
        if event not in self.events:
            return False
        if version is None:
            return True
        key = version_key(version)
        return version_key(self.since) <= key and (not self.until or key < version_key(self.until))

    def violations(self, payload: Payload) -> Iterator[Violation]:
        for pointer, message in self.check(payload):
            yield Violation(pointer, self.id, message)


RULES: list[Rule] = []


# Registration runs once, at import: `make mutation` leaves it alone (a mutant of it could only act
# before any test starts), and the tests that list the rules (docs, check) hold it.
def rule(rule_id: str, events: Sequence[str], statement: str, *, since: str = "0.0.0",  # pragma: no mutate block
         until: str = "") -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES.append(Rule(rule_id, tuple(events), statement, check, since, until))
        return check

    return register


def rules_for(event: str, version: str | None = None) -> list[Rule]:
    """The rules that apply to `event` (at `version`; without one, at any version), in id order."""
    return [r for r in RULES if r.applies_to(event, version)]


def check_rules(event: str, payload: Payload, version: str | None = None) -> list[Violation]:
    """Every rule violation of a schema-valid payload of `event` (at `version`)."""
    return [v for r in rules_for(event, version) for v in r.violations(payload)]


def _all_workflows(stages: Sequence[Payload]) -> Iterator[tuple[int, int, str]]:
    for i, stage in enumerate(stages):
        for j, name in enumerate(stage["workflows"]):
            yield i, j, name


def _runs(payload: Payload) -> Iterator[tuple[str, Payload]]:
    """Every workflow run of an execution summary, with its pointer."""
    for i, stage_run in enumerate(payload["stage_runs"]):
        for j, run in enumerate(stage_run["workflows"]):
            yield f"/stage_runs/{i}/workflows/{j}", run


def _sorted_unique(values: Sequence[str], pointer: str, what: str) -> Iterator[Finding]:
    # The names seen so far are a set: a repeat anywhere earlier is one lookup, so 100,000 names
    # cost 100,000 steps, not 5 * 10^9 comparisons (rules run on schema-valid payloads: strings).
    seen = set(values[:1])
    for k in range(1, len(values)):
        if values[k] in seen:
            yield f"{pointer}/{k}", f"{what} lists {values[k]!r} twice"
        elif values[k] < values[k - 1]:
            yield f"{pointer}/{k}", f"{what} are not sorted: {values[k]!r} comes after {values[k - 1]!r}"
        seen.add(values[k])


@rule("MW001", PLAN_EVENTS, "`stage_count` equals the number of `stages`.")
def _stage_count(p: Payload) -> Iterator[Finding]:
    if p["stage_count"] != len(p["stages"]):
        yield "/stage_count", f"stage_count is {p['stage_count']} but stages has {len(p['stages'])} entries"


@rule("MW002", PLAN_EVENTS, "`workflow_count` equals the number of workflows across all `stages`.")
def _workflow_count(p: Payload) -> Iterator[Finding]:
    total = sum(len(s["workflows"]) for s in p["stages"])
    if p["workflow_count"] != total:
        yield "/workflow_count", f"workflow_count is {p['workflow_count']} but the stages hold {total} workflows"


@rule("MW003", PLAN_EVENTS, "`stages[i].index` equals `i`: stages are listed in order, from zero.")
def _stage_index(p: Payload) -> Iterator[Finding]:
    for i, stage in enumerate(p["stages"]):
        if stage["index"] != i:
            yield f"/stages/{i}/index", f"stages[{i}].index is {stage['index']}, expected {i}"


@rule("MW004", PLAN_EVENTS, "Workflow names within a stage are sorted and unique.")
def _stage_workflows_sorted(p: Payload) -> Iterator[Finding]:
    for i, stage in enumerate(p["stages"]):
        yield from _sorted_unique(stage["workflows"], f"/stages/{i}/workflows", f"stages[{i}].workflows")


@rule("MW005", PLAN_EVENTS, "`blocking_conflicts` are sorted and unique, in `stages` and `stage_runs`.")
def _conflicts_sorted(p: Payload) -> Iterator[Finding]:
    for key in ("stages", "stage_runs"):
        for i, stage in enumerate(p.get(key, ())):
            yield from _sorted_unique(
                stage["blocking_conflicts"], f"/{key}/{i}/blocking_conflicts", f"{key}[{i}].blocking_conflicts"
            )


@rule("MW006", PLAN_EVENTS, "A workflow appears in one stage only.")
def _workflow_in_one_stage(p: Payload) -> Iterator[Finding]:
    first_stage: dict[str, int] = {}
    for i, j, name in _all_workflows(p["stages"]):
        if name in first_stage and first_stage[name] != i:
            yield f"/stages/{i}/workflows/{j}", f"workflow {name!r} is in stages[{first_stage[name]}] and stages[{i}]"
        first_stage.setdefault(name, i)


@rule("MW007", [EXECUTION_SUMMARY], "`stage_runs` has one entry per planned stage.")
def _stage_runs_count(p: Payload) -> Iterator[Finding]:
    if len(p["stage_runs"]) != len(p["stages"]):
        yield "/stage_runs", f"stage_runs has {len(p['stage_runs'])} entries but stages has {len(p['stages'])}"


@rule(
    "MW008",
    [EXECUTION_SUMMARY],
    "Each `stage_runs[i]` mirrors `stages[i]`: same index, run mode, blocking conflicts and workflow names, in order.",
)
def _stage_runs_mirror(p: Payload) -> Iterator[Finding]:
    for i, (stage, stage_run) in enumerate(zip(p["stages"], p["stage_runs"])):
        for field in ("index", "run_mode", "blocking_conflicts"):
            if stage_run[field] != stage[field]:
                yield (
                    f"/stage_runs/{i}/{field}",
                    f"stage_runs[{i}].{field} is {stage_run[field]!r} but stages[{i}].{field} is {stage[field]!r}",
                )
        names = [run["workflow_name"] for run in stage_run["workflows"]]
        if names != stage["workflows"]:
            yield (
                f"/stage_runs/{i}/workflows",
                f"stage_runs[{i}].workflows run {names!r} but stages[{i}].workflows plans {stage['workflows']!r}",
            )


@rule("MW009", [EXECUTION_SUMMARY], "`errors` names exactly the failed workflows, once each.")
def _errors_match_failures(p: Payload) -> Iterator[Finding]:
    failed = [run["workflow_name"] for _, run in _runs(p) if run["status"] == "failed"]
    errors = p.get("errors", [])
    named: set[str] = set()
    for k, entry in enumerate(errors):
        name = entry["workflow_name"]
        if name in named:
            yield f"/errors/{k}/workflow_name", f"errors names workflow {name!r} twice"
        elif name not in failed:
            yield f"/errors/{k}/workflow_name", f"errors names workflow {name!r}, which did not fail"
        named.add(name)
    for pointer, run in _runs(p):
        if run["status"] == "failed" and run["workflow_name"] not in named:
            yield f"{pointer}/status", f"workflow {run['workflow_name']!r} failed but errors has no entry for it"


@rule("MW010", [EXECUTION_SUMMARY], "`created_files` appears only on executed workflows.")
def _created_files_only_executed(p: Payload) -> Iterator[Finding]:
    for pointer, run in _runs(p):
        if run.get("created_files") and run["status"] != "executed":
            yield f"{pointer}/created_files", f"workflow {run['workflow_name']!r} is {run['status']} but lists created_files"


@rule(
    "MW011",
    [EXECUTION_SUMMARY],
    "A skipped run (every preview-only run is one) has every workflow skipped.",
)
def _skipped_run_skips_all(p: Payload) -> Iterator[Finding]:
    if p["status"] != "skipped":
        return
    why = "preview-only run" if p["preview_only"] else "skipped run"
    for pointer, run in _runs(p):
        if run["status"] != "skipped":
            yield f"{pointer}/status", f"workflow {run['workflow_name']!r} is {run['status']} in a {why}"


@rule("MW012", [EXECUTION_SUMMARY], "An executed run has at least one workflow that was not skipped.")
def _executed_run_ran_something(p: Payload) -> Iterator[Finding]:
    if p["status"] == "executed" and all(run["status"] == "skipped" for _, run in _runs(p)):
        yield "/status", "status is executed but every workflow was skipped"


@rule(
    "MW013",
    [BATCH_METRICS],
    "`partial_success_count` is at most `multi_workflow_count`: only multi-workflow runs can succeed partially.",
)
def _partial_within_multi(p: Payload) -> Iterator[Finding]:
    if p["partial_success_count"] > p["multi_workflow_count"]:
        yield (
            "/partial_success_count",
            f"partial_success_count {p['partial_success_count']} exceeds multi_workflow_count {p['multi_workflow_count']}",
        )
