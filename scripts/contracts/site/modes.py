"""An event's compatibility mode, and who must upgrade first because of it.

Each event's mode (BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, NONE) is set in its
lifecycle record (`lifecycle/<event>.json`, lifecycle.py) and enforced by `contracts check`.
`compatibility_mode` is the one place the site reads it, so every page's "who upgrades first"
follows the setting.
"""

from __future__ import annotations

from typing import Any

from ..lifecycle import DEFAULT_MODE


def compatibility_mode(record: Any) -> str:
    """The mode the event's versions are checked under: its lifecycle record's (lifecycle.Record),
    else the default every event gets."""
    return str(getattr(record, "compatibility", DEFAULT_MODE)).upper()


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
