"""The multi-workflow telemetry contract, for the services that emit and read its events.

`validate(event, payload)` returns every way a payload breaks the contract: its JSON Schema
(draft 2020-12, shipped in this package and resolved offline) and the contract rules.
"""

from ._violation import Violation
from .catalogue import Catalogue, CatalogueError, SchemaFile
from .fixtures import Fixture, FixtureError
from .rules import RULES, Rule, rules_for
from .validation import EventValidator, validate, validator_for

__all__ = [
    "RULES",
    "Catalogue",
    "CatalogueError",
    "EventValidator",
    "Fixture",
    "FixtureError",
    "Rule",
    "SchemaFile",
    "Violation",
    "rules_for",
    "validate",
    "validator_for",
]
