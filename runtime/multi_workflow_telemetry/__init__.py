"""The multi-workflow telemetry contract, for the services that emit and read its events.

- `validate(event, payload)`: every violation of the event's schema and contract rules.
- `parse(event, data)`: the event's dataclass, or ContractViolation with every violation.
- `to_dict(obj)` / `to_json(obj)`: back to the wire form; `to_json` is RFC 8785 canonical JSON.
- `build_plan_created_event`, `build_execution_summary_event`: events with derived fields filled in.
- `redact(event, data, key)`: sensitive values (`x-sensitive`, e.g. `created_files`) as keyed hashes.
- `multi_workflow_telemetry.v1`: major version 1 of every event, pinned.

Schemas and golden fixtures ship inside the package and every `$ref` resolves from it: nothing
is ever fetched from the network.
"""

from . import v1
from ._violation import Violation
from .absent import ABSENT, Absent
from .builders import (
    PlannedStage,
    WorkflowOutcome,
    build_execution_summary_event,
    build_plan_created_event,
    new_plan_id,
)
from .catalogue import Catalogue, CatalogueError, SchemaFile
from .codec import ContractViolation, parse, to_dict, to_json
from .fixtures import Fixture, FixtureError
from .fixtures import packaged as golden_fixtures
from .redact import keyed_hash, redact, sensitive_paths
from .rules import RULES, Rule, rules_for
from .validation import EventValidator, validate, validator_for

__all__ = [
    "ABSENT",
    "RULES",
    "Absent",
    "Catalogue",
    "CatalogueError",
    "ContractViolation",
    "EventValidator",
    "Fixture",
    "FixtureError",
    "PlannedStage",
    "Rule",
    "SchemaFile",
    "Violation",
    "WorkflowOutcome",
    "build_execution_summary_event",
    "build_plan_created_event",
    "golden_fixtures",
    "keyed_hash",
    "new_plan_id",
    "parse",
    "redact",
    "rules_for",
    "sensitive_paths",
    "to_dict",
    "to_json",
    "v1",
    "validate",
    "validator_for",
]
