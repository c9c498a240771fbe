"""Events on the wire: CloudEvents 1.0 in JSON structured mode (schemas/multi_workflow.envelope).

The draft's `event_type` was "removed from payload before emission", so nothing on the wire said
which event, or which version, a payload was. The envelope says both: `type` is the event's name
and `dataschema` the `$id` of the exact schema version `data` follows. The payload inside `data`
is unchanged, so bare payloads stay valid against the event schemas.

The CloudEvents SDK (`cloudevents`) checks the attributes as the specification defines them and
supplies `id` and `time`; the envelope is written as RFC 8785 canonical JSON like the events, so
two services enveloping the same event with the same attributes write the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ._violation import Violation
from .catalogue import Catalogue, CatalogueError, SchemaFile, closest, version_key

ENVELOPE = "multi_workflow.envelope@1.0.0"
CONTENT_TYPE = "application/json"
#: What `source` says when an emitter does not name itself.
DEFAULT_SOURCE = "/multi-workflow/planner"


@dataclass(frozen=True, slots=True)
class Enveloped:
    """An event in its envelope: the typed payload (`event`) and the CloudEvents attributes."""

    event: Any
    type: str
    source: str
    id: str
    time: dt.datetime
    dataschema: str
    subject: str | None = None
    extensions: Mapping[str, str | bool | int] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The schema version of `event` (from `dataschema`)."""
        return self.dataschema.rsplit("/", 1)[-1].removesuffix(".json")

    def attributes(self) -> dict[str, Any]:
        """The CloudEvents attributes as they go on the wire (`time` as RFC 3339, UTC as `Z`)."""
        out: dict[str, Any] = {
            "specversion": "1.0", "type": self.type, "source": self.source, "id": self.id,
            "time": rfc3339(self.time), "dataschema": self.dataschema, "datacontenttype": CONTENT_TYPE,
        }
        if self.subject is not None:
            out["subject"] = self.subject
        out.update(self.extensions)
        return out


def rfc3339(moment: dt.datetime) -> str:
    """`moment` as RFC 3339 with its offset; UTC is written `Z`, as the CloudEvents SDK does."""
    if moment.tzinfo is None:
        raise ValueError("an envelope's time must be timezone-aware (use datetime.now(timezone.utc))")
    text = moment.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def schema_file_of(event: Any, catalogue: Catalogue | None = None) -> SchemaFile:
    """The schema version an event dataclass was generated from (its module names it)."""
    cls = type(event)
    if not dataclasses.is_dataclass(event) or isinstance(event, type):
        raise TypeError(f"envelope takes an event dataclass, not {cls.__name__}")
    found = _events_by_model_module(catalogue or _packaged()).get(cls.__module__.split(".", 1)[-1])
    if found is None:
        raise TypeError(f"{cls.__qualname__} is not the dataclass of an event of this package")
    return found


@lru_cache(maxsize=8)
def _events_by_model_module(catalogue: Catalogue) -> dict[str, SchemaFile]:
    return {f.model_module: f for f in catalogue.files() if f.is_event}


def envelope(
    event: Any,
    *,
    source: str = DEFAULT_SOURCE,
    id: str | None = None,
    time: dt.datetime | None = None,
    subject: str | None = None,
    extensions: Mapping[str, str | bool | int] | None = None,
) -> Enveloped:
    """`event` (an event dataclass) in its CloudEvents envelope.

    `type` and `dataschema` come from the event's own schema version; `id` defaults to a fresh
    UUID and `time` to now (UTC), as the CloudEvents SDK supplies them; `subject` defaults to the
    event's `plan_id` (or `batch_id`). Raises `cloudevents` validation errors for attributes the
    specification refuses (an empty `source`, an extension name with capitals, ...).
    """
    from cloudevents.core.v1.event import CloudEvent

    schema_file = schema_file_of(event)
    attributes: dict[str, Any] = {"type": schema_file.name, "source": source, "dataschema": schema_file.id,
                                  "datacontenttype": CONTENT_TYPE, **(extensions or {})}
    if id is not None:
        attributes["id"] = id
    if time is not None:
        rfc3339(time)  # a naive time is refused here, with the fix, before the SDK's wording
        attributes["time"] = time
    chosen = subject if subject is not None else _subject_of(event)
    if chosen is not None:
        attributes["subject"] = chosen
    checked = CloudEvent(attributes, None).get_attributes()  # fills id and time, checks every attribute
    rfc3339(checked["time"])
    built = Enveloped(
        event=event, type=schema_file.name, source=str(checked["source"]), id=str(checked["id"]),
        time=checked["time"], dataschema=schema_file.id, subject=checked.get("subject"),
        extensions={k: v for k, v in checked.items() if k not in _KNOWN},
    )
    # The SDK lets through what the envelope schema refuses (an extension name of more than 20
    # characters, a float, null or list value): refused here, so `envelope` never writes what
    # `read_envelope` would refuse.
    problems = envelope_violations({**built.attributes(), "data": {}})
    if problems:
        from .codec import ContractViolation

        raise ContractViolation("envelope", problems)
    return built


def _subject_of(event: Any) -> str | None:
    for name in ("plan_id", "batch_id"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def to_wire(enveloped: Enveloped) -> dict[str, Any]:
    """The envelope as JSON values: the attributes, and `data` (the payload's wire form)."""
    from .codec import to_dict

    return {**enveloped.attributes(), "data": to_dict(enveloped.event)}


def is_envelope(value: Any) -> bool:
    """True for a JSON object that presents itself as a CloudEvent (it has `specversion`)."""
    return isinstance(value, dict) and "specversion" in value


def envelope_violations(value: Any, catalogue: Catalogue | None = None) -> list[Violation]:
    """Every way `value` breaks the envelope schema (not its `data`); empty when the envelope is sound."""
    if isinstance(value, dict) and isinstance(value.get("data"), dict):
        # `data` is an object, all the envelope schema asks of it; its content is the event
        # schema's to judge (`read_envelope` validates it with the version `dataschema` names).
        # Not walked here: an open field nested some hundred levels deep, which the event
        # accepts, would go beyond Python's recursion limit in the envelope's own checks.
        value = {**value, "data": {}}
    violations: list[Violation] = _envelope_validator(catalogue or _packaged()).validate(value)
    return violations


def data_schema(value: dict[str, Any], catalogue: Catalogue | None = None, major: int | None = None) -> SchemaFile:
    """The event version a sound envelope's `data` follows, from `dataschema`, checked against
    `type`. Raises CatalogueError naming what is wrong (an unknown type, with the closest known
    name; a version this package does not have; a `type` and `dataschema` that disagree)."""
    cat = catalogue or _packaged()
    kind, uri = value["type"], value["dataschema"]
    events = cat.events()
    if kind not in events:
        raise CatalogueError(f"unknown event type {kind!r}{closest(kind, events)} (known: {', '.join(events)})")
    try:
        schema_file = cat.by_id(uri)
    except CatalogueError:
        known = ", ".join(f.version for f in cat.versions(kind))
        raise CatalogueError(
            f"dataschema {uri!r} names a version of {kind} this package does not have (known: {known}); "
            "upgrade the package to read it"
        ) from None
    if schema_file.name != kind:
        raise CatalogueError(f"dataschema {uri!r} is a schema of {schema_file.name}, not of the event type {kind!r}")
    if major is not None and version_key(schema_file.version)[0] != major:
        raise CatalogueError(f"{kind}@{schema_file.version} is major {version_key(schema_file.version)[0]}; "
                             f"this reader is pinned to major {major} (use multi_workflow_telemetry.v{version_key(schema_file.version)[0]})")
    return schema_file


@dataclass(frozen=True, slots=True)
class Opened:
    """A sound envelope: its attributes (`time` as a datetime) and the schema version of `data`."""

    attributes: dict[str, Any]
    schema_file: SchemaFile
    data: Any


_KNOWN = frozenset({"specversion", "type", "source", "id", "time", "dataschema", "datacontenttype", "subject"})


def open_envelope(value: Any, catalogue: Catalogue | None = None, *, major: int | None = None) -> Opened:
    """The attributes of an envelope (JSON values) checked, and the schema version its `data`
    follows: everything but `data` itself, which the caller validates with that version.

    Raises ContractViolation, pointers from the envelope's root: the envelope schema, a moment
    that does not exist, the CloudEvents SDK's own checks, an unknown `type` (with the closest
    known name), a `dataschema` this package does not have or of another event or major.
    """
    from cloudevents.core.v1.event import CloudEvent

    from .codec import ContractViolation

    cat = catalogue or _packaged()
    problems = envelope_violations(value, cat)
    if problems:
        raise ContractViolation("envelope", problems)
    try:
        schema_file = data_schema(value, cat, major=major)
    except CatalogueError as exc:
        where = "/type" if value["type"] not in cat.events() else "/dataschema"
        raise ContractViolation("envelope", [Violation(where, where[1:], str(exc))]) from None
    attributes = {k: v for k, v in value.items() if k != "data"}
    try:
        attributes["time"] = dt.datetime.fromisoformat(attributes["time"].upper())
    except ValueError as exc:  # RFC 3339 in shape, yet no such moment (a leap second, 24:00)
        raise ContractViolation("envelope", [Violation("/time", "time", f"time {value['time']!r} is not a moment: {exc}")]) from None
    try:
        CloudEvent(dict(attributes), None)  # the SDK's own checks of the attributes
    except Exception as exc:  # noqa: BLE001 - the SDK's errors share no base class worth naming
        raise ContractViolation("envelope", [Violation("", "cloudevents", f"not a CloudEvent: {exc}")]) from None
    return Opened(attributes, schema_file, value["data"])


def read_envelope(data: Any, *, major: int | None = None) -> Enveloped:
    """An enveloped event (a dict, or JSON as `str` / `bytes`) read back: the payload parsed with
    the exact schema version `dataschema` names, as its dataclass, beside the attributes.

    Raises ContractViolation (pointers from the envelope's root, `/data/...` for the payload) when
    the envelope or its payload breaks the contract, and for a `dataschema` the package does not
    have, naming it. `major` refuses events of any other major (the `vN` modules pass theirs).
    """
    from .codec import ContractViolation, load_json, parse

    value = load_json(data) if isinstance(data, (str, bytes, bytearray)) else data
    opened = open_envelope(value, major=major)
    try:
        event = parse(opened.schema_file.ref, opened.data)
    except ContractViolation as exc:
        moved = [Violation("/data" + v.pointer, v.rule, v.message) for v in exc.violations]
        raise ContractViolation(opened.schema_file.ref, moved) from None
    a = opened.attributes
    return Enveloped(
        event=event, type=a["type"], source=a["source"], id=a["id"], time=a["time"],
        dataschema=a["dataschema"], subject=a.get("subject"),
        extensions={k: v for k, v in a.items() if k not in _KNOWN},
    )


@lru_cache(maxsize=8)
def _envelope_validator(catalogue: Catalogue) -> Any:
    from .validation import EventValidator

    return EventValidator(catalogue, catalogue.get(ENVELOPE))


@lru_cache(maxsize=None)
def _packaged() -> Catalogue:
    return Catalogue.packaged()
