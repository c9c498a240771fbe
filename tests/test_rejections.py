"""The mistakes an emitter makes are rejected with a message that names the field."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest
from multi_workflow_telemetry import validate

from conftest import fixture_payload

pytestmark = pytest.mark.package  # needs only the package: run again by `make test-lowest`

SUMMARY = "multi_workflow.execution_summary"
PLAN = "multi_workflow.plan_created"


def _summary() -> dict[str, Any]:
    return copy.deepcopy(fixture_payload(SUMMARY, "valid", "draft-executed-corrected"))


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda p: p.__setitem__(key, value)


def _fail_first_workflow(p: dict[str, Any]) -> None:
    run = p["stage_runs"][0]["workflows"][0]
    run["status"] = "failed"
    del run["created_files"]


def _preview_executed(p: dict[str, Any]) -> None:
    p["preview_only"] = True


def _unknown_run_mode(p: dict[str, Any]) -> None:
    p["stages"][1]["run_mode"] = "round-robin"


CASES = [
    ("wrong stage_count", _set("stage_count", 3), "/stage_count", "MW001", "stage_count"),
    ("unknown run_mode", _unknown_run_mode, "/stages/1/run_mode", "enum", "stages[1].run_mode"),
    ("bad plan_id", _set("plan_id", "multiwf-XYZ"), "/plan_id", "pattern", "plan_id"),
    ("preview_only with executed", _preview_executed, "/status", "const", "status"),
    ("failed workflow missing from errors", _fail_first_workflow, "/stage_runs/0/workflows/0/status", "MW009",
     "compliance-advisory"),
]


@pytest.mark.parametrize(("mutate", "pointer", "rule", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_naming_the_field(mutate: Callable[[dict[str, Any]], None], pointer: str, rule: str, named: str) -> None:
    payload = _summary()
    assert validate(SUMMARY, payload) == []
    mutate(payload)
    violations = validate(SUMMARY, payload)
    assert [(v.pointer, v.rule) for v in violations] == [(pointer, rule)]
    assert named in violations[0].message


def test_conditional_violation_says_why() -> None:
    payload = _summary()
    payload["preview_only"] = True
    (violation,) = validate(SUMMARY, payload)
    assert "preview-only" in violation.message


def test_trailing_newline_plan_id_is_rejected_by_the_pattern() -> None:
    # Python's `re` would accept it ($ matches before a final newline); ECMA-262 does not.
    payload = copy.deepcopy(fixture_payload(PLAN, "valid", "draft-example"))
    payload["plan_id"] += "\n"
    assert {v.rule for v in validate(PLAN, payload)} == {"pattern", "maxLength"}


def test_rules_run_only_on_schema_valid_payloads() -> None:
    payload = _summary()
    payload["stage_count"] = "two"  # would also break MW001 if rules ran on it
    assert [v.rule for v in validate(SUMMARY, payload)] == ["type"]
