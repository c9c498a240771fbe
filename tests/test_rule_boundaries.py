"""The contract rules at their boundaries, on every tier: counts equal or off by one, lists empty,
a name once or twice, every workflow skipped or all but one.

The oracle is the rules' statements written again here (`stated`), plainly and apart from rules.py
and fast.py, so a bug shared by the reference and the fast path is caught too. Random events
(test_fast_path.py) seldom land on a boundary; these are drawn to sit on one. The last tests plant
known off-by-ones in a copy of the code and show that the property catches each.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.bench import workload
from contracts.project import Project
from contracts.stream import Checker
from multi_workflow_telemetry import fast
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.rules import check_rules
from multi_workflow_telemetry.validation import EventValidator
from planting import planted, property_fails

PLAN, SUMMARY, BATCH = workload.PLAN, workload.SUMMARY, workload.BATCH
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["alpha", "beta", "gamma", "delta"]


def stated(event: str, p: dict[str, Any]) -> set[str]:
    """The rules broken by a schema-valid payload, straight from the statements in docs/rules."""
    broken = set()
    if event == BATCH:
        return {"MW013"} if p["partial_success_count"] > p["multi_workflow_count"] else set()
    stages = p["stages"]
    flat = [(i, name) for i, s in enumerate(stages) for name in s["workflows"]]
    broken |= {"MW001"} if p["stage_count"] != len(stages) else set()
    broken |= {"MW002"} if p["workflow_count"] != len(flat) else set()
    broken |= {"MW003"} if [s["index"] for s in stages] != list(range(len(stages))) else set()
    broken |= {"MW004"} if any(s["workflows"] != sorted(set(s["workflows"])) for s in stages) else set()
    lists = [s["blocking_conflicts"] for s in stages + p.get("stage_runs", [])]
    broken |= {"MW005"} if any(c != sorted(set(c)) for c in lists) else set()
    broken |= {"MW006"} if any(len({i for i, n in flat if n == name}) > 1 for _, name in flat) else set()
    if event == PLAN:
        return broken
    stage_runs = p["stage_runs"]
    runs = [run for s in stage_runs for run in s["workflows"]]
    broken |= {"MW007"} if len(stage_runs) != len(stages) else set()
    mirror = [(s["index"], s["run_mode"], s["blocking_conflicts"], s["workflows"]) for s in stages]
    ran = [(s["index"], s["run_mode"], s["blocking_conflicts"], [r["workflow_name"] for r in s["workflows"]])
           for s in stage_runs]
    broken |= {"MW008"} if ran[: len(mirror)] != mirror[: len(ran)] else set()
    failed = {r["workflow_name"] for r in runs if r["status"] == "failed"}
    named = [e["workflow_name"] for e in p.get("errors", [])]
    broken |= {"MW009"} if len(named) != len(set(named)) or set(named) != failed else set()
    broken |= {"MW010"} if any(len(r.get("created_files", [])) > 0 and r["status"] != "executed" for r in runs) else set()
    skipped = sum(r["status"] == "skipped" for r in runs)
    broken |= {"MW011"} if p["status"] == "skipped" and skipped < len(runs) else set()
    broken |= {"MW012"} if p["status"] == "executed" and skipped == len(runs) else set()
    return broken


# -- events on a boundary -----------------------------------------------------------------------

OFF = st.sampled_from([-1, 0, 0, 1])  # equal is the boundary's other side: as likely as each neighbour


@st.composite
def batches(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    payload = workload._batch(draw(st.randoms(use_true_random=False)))
    multi = draw(st.sampled_from([0, 1, 2, 40]))
    payload["multi_workflow_count"] = multi
    payload["partial_success_count"] = max(0, multi + draw(OFF))
    return BATCH, payload


def _sorted_list_edit(draw: st.DrawFn, values: list[str]) -> list[str]:
    """A sorted unique list, or one off it by one step: a neighbour repeated, one name repeated
    further on, two neighbours swapped, or emptied."""
    values = sorted(set(values) | set(draw(st.lists(st.sampled_from(NAMES), max_size=2))))
    how = draw(st.sampled_from(["keep", "keep", "repeat", "repeat-later", "swap", "empty"]))
    if how == "repeat" and values:
        at = draw(st.integers(0, len(values) - 1))
        values.insert(at, values[at])
    elif how == "repeat-later" and len(values) >= 2:
        values.append(values[0])
    elif how == "swap" and len(values) >= 2:
        at = draw(st.integers(0, len(values) - 2))
        values[at], values[at + 1] = values[at + 1], values[at]
    elif how == "empty":
        values = []
    return values


@st.composite
def plans(draw: st.DrawFn, summary: bool = False) -> tuple[str, dict[str, Any]]:
    rng = draw(st.randoms(use_true_random=False))
    plan = workload._plan(rng)
    edit = draw(st.sampled_from(["counts", "index", "workflows", "conflicts", "two-stages", "none"]))
    stage = draw(st.sampled_from(plan["stages"]))
    if edit == "counts":
        plan["stage_count"] = max(1, plan["stage_count"] + draw(OFF))
        plan["workflow_count"] = max(1, plan["workflow_count"] + draw(OFF))
    elif edit == "index":
        stage["index"] = max(0, stage["index"] + draw(OFF))
    elif edit == "workflows":
        stage["workflows"] = _sorted_list_edit(draw, stage["workflows"]) or stage["workflows"]
    elif edit == "conflicts":
        stage["blocking_conflicts"] = _sorted_list_edit(draw, stage["blocking_conflicts"])
    elif edit == "two-stages" and len(plan["stages"]) > 1:
        other = draw(st.sampled_from([s for s in plan["stages"] if s is not stage]))
        stage["workflows"] = sorted(set(stage["workflows"]) | {other["workflows"][-1]})
    if not summary:
        return PLAN, plan
    return SUMMARY, _summary_edit(draw, workload._summary(rng, copy.deepcopy(plan)))


def _summary_edit(draw: st.DrawFn, p: dict[str, Any]) -> dict[str, Any]:
    runs = [run for s in p["stage_runs"] for run in s["workflows"]]
    edit = draw(st.sampled_from(["stage-runs", "mirror", "errors", "statuses", "created", "none"]))
    if edit == "stage-runs":
        how = draw(st.sampled_from(["drop", "repeat", "empty"]))
        if how == "drop":
            p["stage_runs"].pop()
        elif how == "repeat":
            p["stage_runs"].append(copy.deepcopy(p["stage_runs"][-1]))
        else:
            p["stage_runs"] = []
    elif edit == "mirror":
        stage_run = draw(st.sampled_from(p["stage_runs"]))
        field = draw(st.sampled_from(["index", "run_mode", "blocking_conflicts", "workflows"]))
        if field == "index":
            stage_run["index"] += draw(st.sampled_from([-1, 1]))
            stage_run["index"] = abs(stage_run["index"])
        elif field == "run_mode":
            stage_run["run_mode"] = {"parallel": "sequential", "sequential": "parallel"}[stage_run["run_mode"]]
        elif field == "blocking_conflicts":
            stage_run["blocking_conflicts"] = sorted(set(stage_run["blocking_conflicts"]) ^ {"no-overlap"})
        elif len(stage_run["workflows"]) > 1:
            stage_run["workflows"].reverse()
        else:
            stage_run["workflows"].pop()
    elif edit == "errors":
        failed = [r["workflow_name"] for r in runs if r["status"] == "failed"]
        names = failed + draw(st.lists(st.sampled_from([r["workflow_name"] for r in runs]), max_size=1))
        names = names[: len(names) + draw(st.sampled_from([-1, 0]))]
        if draw(st.booleans()) and names:
            names.append(names[0])
        p["errors"] = [{"workflow_name": n, "error": "E"} for n in names]
        if not names and draw(st.booleans()):
            del p["errors"]
    elif edit == "statuses":
        p["status"] = draw(st.sampled_from(["executed", "skipped"]))
        p["preview_only"] = False
        p.pop("skip_reason", None)
        if p["status"] == "skipped":
            p["skip_reason"] = "preview_only_guard"
        for run in runs:  # every run skipped, or all but one
            run["status"] = "skipped"
            run.pop("created_files", None)
        keep = draw(st.integers(-1, len(runs) - 1))
        if keep >= 0:
            runs[keep]["status"] = "executed"
        p.pop("errors", None)
        p.pop("deliverable_manifest", None)
    elif edit == "created":
        run = draw(st.sampled_from(runs))
        run["created_files"] = draw(st.sampled_from([[], ["reports/x.md"]]))
    return p


def boundary_events() -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    return st.one_of(batches(), plans(), plans(summary=True))


# -- the tiers ----------------------------------------------------------------------------------


def tiers() -> tuple[dict[str, EventValidator], Checker]:
    """Validators and the stream's checker, built now (after any planted bug is in place)."""
    catalogue = Catalogue.packaged()
    validators = {event: EventValidator(catalogue, catalogue.get(event)) for event in catalogue.events()}
    return validators, Checker(Project.find().catalogue, None)


def agree_with_statements(built: tuple[dict[str, EventValidator], Checker], event: str, payload: dict[str, Any]) -> None:
    """Every tier answers what the statements say, on a schema-valid payload."""
    validators, checker = built
    reference = validators[event].reference(payload)
    if any(not v.rule.startswith("MW") for v in reference):
        return  # the edit broke the schema (a count of zero, say): rules do not run; test_fast_path covers it
    expected = stated(event, payload)
    assert {v.rule for v in reference} == expected, "rules.py"
    assert {v.rule for v in check_rules(event, payload)} == expected
    assert {v.rule for v in validators[event].validate(payload)} == expected, "validate(): the fast path"
    if validators[event].quick(payload):
        assert not expected, "the fast path's quick check said valid"
    with_type = {"event_type": event, **payload}
    for line in (orjson.dumps(with_type), json.dumps(with_type).encode()):  # compact: struct tier; spaced: parsed values
        result = checker.chunk(line + b"\n")
        assert bool(result.valid) == (not expected), line
        assert {rule for _, _, rule, _ in result.problems} == expected, line


BUILT = tiers()


@SETTINGS
@given(boundary_events())
def test_every_tier_follows_the_statements_at_the_boundaries(drawn: tuple[str, dict[str, Any]]) -> None:
    agree_with_statements(BUILT, *drawn)


@pytest.mark.parametrize("event", [PLAN, SUMMARY])
def test_empty_lists_are_judged_by_the_statements(event: str) -> None:
    """Empty stages, stage_runs, errors and created_files: the statements' edge, by hand."""
    rng = random.Random(3)
    p = workload._summary(rng, workload._plan(rng))
    if event == PLAN:
        p = {k: v for k, v in p.items() if k not in ("stage_runs", "status", "errors", "overall_timeout_seconds",
                                                      "deliverable_manifest", "skip_reason")}
        p["event_type"] = PLAN
    for payload in (p, {**p, "stages": []}, {**p, "stage_runs": []}, {**p, "errors": []}):
        agree_with_statements(BUILT, event, {k: v for k, v in payload.items() if k != "event_type"})


@pytest.mark.parametrize("names", [["alpha", "gamma", "beta"], ["alpha", "beta", "delta", "gamma"], ["beta", "alpha", "gamma"]])
def test_a_name_out_of_order_anywhere_in_a_stage_is_caught_on_every_tier(names: list[str]) -> None:
    """Lists of three and more, out of order at their end, start or middle: each tier compares
    every pair of neighbours, not only some."""
    rng = random.Random(5)
    p = workload._summary(rng, workload._plan(rng))
    p = {k: v for k, v in p.items() if k not in ("stage_runs", "status", "errors", "overall_timeout_seconds",
                                                  "deliverable_manifest", "skip_reason", "event_type")}
    stage = {"index": 0, "run_mode": "parallel", "workflows": names, "blocking_conflicts": []}
    payload = {**p, "stages": [stage], "stage_count": 1, "workflow_count": len(names)}
    assert BUILT[0][PLAN].reference(payload) == [v for v in BUILT[0][PLAN].reference(payload) if v.rule == "MW004"]
    assert ("MW004" in stated(PLAN, payload)) is (names != sorted(names))
    agree_with_statements(BUILT, PLAN, payload)


# -- planted bugs: the property must catch each -------------------------------------------------


def catches(built: tuple[dict[str, EventValidator], Checker]) -> bool:
    """Does the property fail (as it must) on the tiers given?"""
    return property_fails(boundary_events(), lambda drawn: agree_with_statements(built, *drawn))


def test_the_property_catches_mw013_off_by_one_in_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`partial <= multi + 1` (issue 14): only the fixtures caught it before."""
    bug = planted(fast, fast, "_batch_metrics_ok", "partial <= multi", "partial <= multi + 1")
    monkeypatch.setitem(fast.FUSED, BATCH, (bug, fast.FUSED[BATCH][1]))
    assert catches(tiers())


def test_the_property_catches_mw013_off_by_one_in_the_struct_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    bug = planted(fast, fast, "_batch_metrics_struct_ok", "<= p.multi_workflow_count", "<= p.multi_workflow_count + 1")
    monkeypatch.setitem(fast.FUSED_STRUCT, BATCH, bug)
    assert catches(tiers())


def test_the_property_passes_on_the_code_as_it_is() -> None:
    """The control for the two above: no planted bug, no failure."""
    assert not catches(BUILT)


# -- which versions a rule belongs to (`since` inclusive, `until` exclusive) --------------------


def _registered(monkeypatch: pytest.MonkeyPatch, **versions: str) -> Any:
    """A rule registered the way rules.py registers its own, on a copy of the registry: it breaks
    every summary, so the versions it applies to show in what `check_rules` finds."""
    from multi_workflow_telemetry import rules

    monkeypatch.setattr(rules, "RULES", list(rules.RULES))

    def _always(p: Any) -> Any:
        yield "/status", "always"

    rules.rule("MW999", [SUMMARY], "Stated for the test.", **versions)(_always)
    return rules


def test_a_rule_is_registered_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = _registered(monkeypatch)
    added = rules.RULES[-1]
    assert (added.id, added.events, added.statement, added.since, added.until) == \
        ("MW999", (SUMMARY,), "Stated for the test.", "0.0.0", "")
    assert list(added.check({})) == [("/status", "always")]
    rules = _registered(monkeypatch, since="1.1.0", until="2.0.0")
    assert (rules.RULES[-1].since, rules.RULES[-1].until) == ("1.1.0", "2.0.0")


@pytest.mark.parametrize(("version", "applies"), [
    (None, True), ("1.0.9", False), ("1.1.0", True), ("1.9.9", True), ("2.0.0", False), ("2.0.1", False)])
def test_a_rule_applies_from_since_up_to_until(monkeypatch: pytest.MonkeyPatch, version: str | None, applies: bool) -> None:
    rules = _registered(monkeypatch, since="1.1.0", until="2.0.0")
    added = rules.RULES[-1]
    assert added.applies_to(SUMMARY, version) is applies
    assert added.applies_to(PLAN, version) is False  # not one of its events, at any version
    assert (added in rules.rules_for(SUMMARY, version)) is applies
    from conftest import fixture_payload

    found = [v.rule for v in rules.check_rules(SUMMARY, fixture_payload(SUMMARY, "valid", "draft-executed-corrected"), version)]
    assert found == (["MW999"] if applies else [])


def test_a_rule_without_until_applies_to_every_later_version(monkeypatch: pytest.MonkeyPatch) -> None:
    added = _registered(monkeypatch, since="1.1.0").RULES[-1]
    assert [added.applies_to(SUMMARY, v) for v in ("1.0.0", "1.1.0", "9.0.0")] == [False, True, True]
