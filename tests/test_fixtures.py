"""Every golden fixture behaves as it says: valid ones pass, invalid ones fail exactly so."""

from __future__ import annotations

import pytest
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import Fixture, load_all
from multi_workflow_telemetry.rules import RULES
from multi_workflow_telemetry.validation import EventValidator

from conftest import REPO

pytestmark = pytest.mark.package  # needs only the package: run again by `make test-lowest`

CATALOGUE = Catalogue(REPO / "schemas")
FIXTURES = list(load_all(REPO / "fixtures"))


@pytest.mark.parametrize("case", FIXTURES, ids=lambda f: f.id)
def test_fixture(case: Fixture) -> None:
    violations = EventValidator(CATALOGUE, CATALOGUE.get(case.ref)).validate(case.payload)
    assert case.mismatch(violations) is None, f"{case.path}: {case.mismatch(violations)}"


def test_every_event_version_has_valid_and_invalid_fixtures() -> None:
    for event in CATALOGUE.events():
        for schema in CATALOGUE.versions(event):
            kinds = {f.valid for f in FIXTURES if f.ref == schema.ref}
            assert kinds == {True, False}, f"{schema.ref} needs valid and invalid fixtures"


def test_every_rule_is_broken_by_an_invalid_fixture_of_each_event_it_covers() -> None:
    broken = {(f.event, rule) for f in FIXTURES if not f.valid for _, rule in f.expect}
    for rule in RULES:
        for event in rule.events:
            assert (event, rule.id) in broken, f"no invalid fixture of {event} breaks {rule.id}"


def test_every_required_field_has_a_missing_field_fixture() -> None:
    broken = {(f.event, pointer) for f in FIXTURES if not f.valid for pointer, rule in f.expect if rule == "required"}
    for event in CATALOGUE.events():
        for field in CATALOGUE.get(event).schema["required"]:
            assert (event, f"/{field}") in broken, f"no fixture of {event} misses {field}"


def test_valid_fixtures_cover_every_status() -> None:
    summaries = [f.payload for f in FIXTURES if f.valid and f.event == "multi_workflow.execution_summary"]
    assert {p["status"] for p in summaries} == {"executed", "skipped"}
    runs = {w["status"] for p in summaries for s in p["stage_runs"] for w in s["workflows"]}
    assert runs == {"executed", "skipped", "failed"}
    assert any(p.get("overall_timeout_seconds", 0) is None for p in summaries)
    plans = [f.payload for f in FIXTURES if f.valid and f.event == "multi_workflow.plan_created"]
    assert any("issue_number" in p and p["issue_number"] is None for p in plans)
