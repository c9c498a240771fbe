"""The draft's own examples: the plan validates; the summaries fail on the missing stages only."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import draft_examples, fixture_payload, run_contracts

PLAN, SUMMARY = "multi_workflow.plan_created", "multi_workflow.execution_summary"


def test_draft_examples_are_the_fixtures_exactly() -> None:
    plan, executed, preview = draft_examples()
    assert fixture_payload(PLAN, "valid", "draft-example") == plan
    assert fixture_payload(SUMMARY, "invalid", "draft-executed-example") == executed
    assert fixture_payload(SUMMARY, "invalid", "draft-preview-skip-example") == preview


def test_corrected_copies_differ_only_by_stages() -> None:
    plan, executed, preview = draft_examples()
    for original, name in ((executed, "draft-executed-corrected"), (preview, "draft-preview-skip-corrected")):
        corrected = fixture_payload(SUMMARY, "valid", name)
        assert corrected == {**original, "stages": plan["stages"]}


def test_plan_example_validates_with_the_cli(tmp_path: Path) -> None:
    plan, _, _ = draft_examples()
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    done = run_contracts("validate", "--event", PLAN, str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 events: 1 valid, 0 invalid" in done.stderr


def test_summary_examples_fail_on_missing_stages_only_then_pass(tmp_path: Path) -> None:
    plan, executed, preview = draft_examples()
    for number, example in enumerate((executed, preview)):
        path = tmp_path / f"summary{number}.json"
        path.write_text(json.dumps(example, indent=2))
        done = run_contracts("validate", "--event", SUMMARY, str(path))
        assert done.returncode == 1
        assert done.stdout.splitlines() == [f"{path}:1: /stages: stages is required [required]"]
        path.write_text(json.dumps({**example, "stages": plan["stages"]}, indent=2))
        done = run_contracts("validate", "--event", SUMMARY, str(path))
        assert done.returncode == 0, done.stdout
