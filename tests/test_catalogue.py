"""The catalogue finds schemas by name and version, and never leaves the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError
from multi_workflow_telemetry.validation import EventValidator

from conftest import REPO

pytestmark = pytest.mark.package  # needs only the package: run again by `make test-lowest`

CATALOGUE = Catalogue(REPO / "schemas")


def test_latest_version_by_default() -> None:
    assert CATALOGUE.get("multi_workflow.plan_created").version == CATALOGUE.versions("multi_workflow.plan_created")[-1].version
    assert CATALOGUE.get("multi_workflow.plan_created@1.0.0").path.name == "1.0.0.json"


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("multi_workflow.nope", "unknown event"),
        ("multi_workflow.plan_created@9.9.9", "no version 9.9.9"),
        ("multi_workflow.plan_created@../../x", "MAJOR.MINOR.PATCH"),
        ("../../etc/passwd", "not an event name"),
    ],
)
def test_bad_references_are_refused(ref: str, says: str) -> None:
    with pytest.raises(CatalogueError, match=says.replace(".", r"\.")):
        CATALOGUE.get(ref)


def test_events_exclude_shared_shapes() -> None:
    assert CATALOGUE.events() == [
        "multi_workflow.batch_metrics",
        "multi_workflow.execution_summary",
        "multi_workflow.plan_created",
    ]


def test_remote_ref_is_refused_not_fetched(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://contracts.multi-workflow.dev/schemas/x.remote/1.0.0.json",
        "x-event": {"name": "x.remote"},
        "$ref": "https://example.com/elsewhere.json",
    }
    (tmp_path / "x.remote").mkdir()
    (tmp_path / "x.remote" / "1.0.0.json").write_text(json.dumps(schema))
    cat = Catalogue(tmp_path)
    validator = EventValidator(cat, cat.get("x.remote"))
    with pytest.raises(CatalogueError, match="does not resolve"):
        validator.validate({})


def test_schema_that_is_not_json_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.broken").mkdir()
    (tmp_path / "x.broken" / "1.0.0.json").write_text("{not json")
    with pytest.raises(CatalogueError, match="not a JSON document"):
        Catalogue(tmp_path)
