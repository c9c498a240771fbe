"""An event's compatibility mode, and who must upgrade first because of it.

Today `contracts check` holds every event to BACKWARD: a MINOR version must accept every instance
of the version before it. Issue 13 adds a mode per event (BACKWARD, FORWARD, FULL, their
_TRANSITIVE forms, NONE). `compatibility_mode` is the one place the site reads it: point it at
that setting when it lands, and every page's "who upgrades first" follows.
"""

from __future__ import annotations

from multi_workflow_telemetry.catalogue import SchemaFile

DEFAULT = "BACKWARD"


def compatibility_mode(schema_file: SchemaFile) -> str:
    """The mode the event's versions are checked under (an `x-event.compatibility` when a schema
    states one, else the policy every event has today)."""
    return str(schema_file.meta.get("compatibility", DEFAULT)).upper()


# Schema registries' meaning of each mode (Confluent, Apicurio): which side may move first.
_ORDER = {
    "BACKWARD": "**Consumers first.** A reader on the new version accepts every event of the old one, "
    "so upgrade the services that read the event, then the ones that emit it.",
    "FORWARD": "**Producers first.** A reader still on the old version accepts events of the new one, "
    "so emitters can move first and readers follow.",
    "FULL": "**Either side first.** Old and new readers accept old and new events alike.",
    "NONE": "**Both together.** The versions are not compatible: move producers and consumers in one step.",
}


def upgrade_order(mode: str) -> str:
    """Who must upgrade first under `mode`, in one or two sentences (Markdown)."""
    return _ORDER.get(mode.removesuffix("_TRANSITIVE"), _ORDER["NONE"])
