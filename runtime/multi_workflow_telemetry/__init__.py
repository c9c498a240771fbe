"""The multi-workflow telemetry contract, for the services that emit and read its events.

- `validate(event, payload)`: every violation of the event's schema and contract rules.
- `parse(event, data)`: the event's dataclass, or ContractViolation with every violation.
- `to_dict(obj)` / `to_json(obj)`: back to the wire form; `to_json` is RFC 8785 canonical JSON.
- `build_plan_created_event`, `build_execution_summary_event`: events with derived fields filled in.
- `redact(event, data, key)`: sensitive values (`x-sensitive`, e.g. `created_files`) as keyed hashes.
- `envelope(event, source=...)` / `read_envelope(data)`: events on the wire as CloudEvents 1.0
  (JSON structured mode): `type` names the event, `dataschema` its exact schema version.
- `multi_workflow_telemetry.v1`: major version 1 of every event, pinned; `v2`, ... beside it when
  an event gets a new major.

Unversioned names (`validate("multi_workflow.plan_created", ...)`) mean the newest version of the
default major, `release.DEFAULT_MAJOR` (1 in every 1.x release of this package): adding a new
major of an event never changes what they accept. `__version__` is the package version.

Schemas and golden fixtures ship inside the package and every `$ref` resolves from it: nothing
is ever fetched from the network.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Where each public name lives: (submodule, name there). The submodules load on first use, so a
# tool that needs only the fast path (`contracts validate`) does not pay for the dataclasses or the
# reference validator. (No public name is also a submodule's name: importing that submodule would
# rebind the package attribute to the module.)
_WHERE: dict[str, tuple[str, str]] = {
    **{name: ("absent", name) for name in ("ABSENT", "Absent")},
    **{name: ("catalogue", name) for name in ("Catalogue", "CatalogueError", "SchemaFile")},
    **{name: ("codec", name) for name in ("ContractViolation", "parse", "to_dict", "to_json")},
    **{name: ("validation", name) for name in ("EventValidator", "validate", "validator_for")},
    **{name: ("fixtures", name) for name in ("Fixture", "FixtureError")},
    "golden_fixtures": ("fixtures", "packaged"),
    **{name: ("builders", name) for name in ("PlannedStage", "WorkflowOutcome", "build_execution_summary_event",
                                              "build_plan_created_event", "new_plan_id")},
    **{name: ("rules", name) for name in ("RULES", "Rule", "rules_for")},
    "Violation": ("_violation", "Violation"),
    **{name: ("redaction", name) for name in ("keyed_hash", "redact", "sensitive_paths")},
    **{name: ("envelopes", name) for name in ("Enveloped", "envelope", "read_envelope", "is_envelope")},
    "__version__": ("release", "VERSION"),
    "DEFAULT_MAJOR": ("release", "DEFAULT_MAJOR"),
}

if TYPE_CHECKING:
    from . import v1
    from .envelopes import Enveloped, envelope, is_envelope, read_envelope
    from .release import DEFAULT_MAJOR
    from .release import VERSION as __version__
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
    from .redaction import keyed_hash, redact, sensitive_paths
    from .rules import RULES, Rule, rules_for
    from .validation import EventValidator, validate, validator_for


def __getattr__(name: str) -> Any:
    if name[:1] == "v" and name[1:].isdigit():  # a pinned major: v1, v2, ...
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError:
            raise AttributeError(f"module {__name__!r} has no major {name[1:]} (no event has a {name[1:]}.x version)") from None
        globals()[name] = module
        return module
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where, attribute = _WHERE[name]
    module = importlib.import_module(f".{where}", __name__)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ABSENT",
    "DEFAULT_MAJOR",
    "__version__",
    "RULES",
    "Absent",
    "Catalogue",
    "CatalogueError",
    "ContractViolation",
    "EventValidator",
    "Enveloped",
    "Fixture",
    "FixtureError",
    "PlannedStage",
    "Rule",
    "SchemaFile",
    "Violation",
    "WorkflowOutcome",
    "build_execution_summary_event",
    "build_plan_created_event",
    "envelope",
    "golden_fixtures",
    "is_envelope",
    "keyed_hash",
    "new_plan_id",
    "parse",
    "read_envelope",
    "redact",
    "rules_for",
    "sensitive_paths",
    "to_dict",
    "to_json",
    "v1",
    "validate",
    "validator_for",
]
