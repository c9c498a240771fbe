"""From the wire to the dataclasses and back, faithfully.

`parse` validates first (schema and contract rules), then builds the event's dataclass; the
generated classes are types, not validators, so nothing reaches them unchecked. `to_dict` leaves
out fields that are ABSENT and keeps explicit nulls; `to_json` writes RFC 8785 canonical JSON, so
two services emitting the same event produce the same bytes.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import types
import typing
from functools import cache
from typing import Any

import rfc8785

from ._violation import ContractViolation, Violation
from .absent import ABSENT
from .catalogue import SchemaFile
from .fast import NotJSON, judged_as_read, loads_exact, strip_bom
from .validation import validator_for

__all__ = ["ContractViolation", "load_json", "model_for", "parse", "to_dict", "to_json"]


def model_for(schema_file: SchemaFile) -> type[Any]:
    """The generated dataclass of one schema version (named after the schema's title)."""
    return _model(schema_file.model_module, schema_file.ref, str(schema_file.schema.get("title", "")))


@cache
def _model(module_name: str, ref: str, title: str) -> type[Any]:
    module = importlib.import_module(f"{__package__}.{module_name}")
    cls = getattr(module, title, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise LookupError(f"no generated dataclass {title!r} for {ref}; run `make generate`")
    return cls


def load_json(data: str | bytes | bytearray) -> Any:
    """JSON text as Python values, strictly (the reader the fast path falls back to): a
    ContractViolation (rule `json`) for anything that is not one JSON document per RFC 8259,
    including NaN and Infinity (which Python's parser would accept) and duplicate keys (which
    parsers resolve differently, so the event is ambiguous). A leading byte-order mark is ignored."""
    try:
        text = strip_bom(bytes(data)) if isinstance(data, (bytes, bytearray)) else data.removeprefix("\ufeff")
        return loads_exact(text)
    except UnicodeDecodeError as exc:
        raise ContractViolation("json", [Violation("", "json", f"not UTF-8 ({exc.reason} at byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise ContractViolation("json", [Violation("", "json", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]) from None
    except NotJSON as exc:
        raise ContractViolation("json", [Violation("", "json", f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise ContractViolation("json", [Violation("", "json", "not usable JSON: nested too deeply")]) from None


def parse(event: str, data: Any) -> Any:
    """The event's dataclass for `data` (a dict, or JSON as `str` / `bytes`).

    Raises ContractViolation, carrying every violation, when `data` breaks the contract.
    `event` is `NAME@VERSION`, `NAME@MAJOR`, or `NAME`: the newest version of the default major
    (`DEFAULT_MAJOR`, 1 for every 1.x release), never a newer major. For an enveloped event, whose
    version is on the wire, use `read_envelope`.
    """
    validator = validator_for(event)
    if isinstance(data, (str, bytes, bytearray)):
        # orjson reads the text when what it read is certainly exact (it writes back the same
        # bytes) and the fast path calls it valid; anything else is read again, exactly.
        quick = validator.quick_json(data)
        if quick is not None:
            return _build(model_for(validator.schema_file), quick[0])
        payload = load_json(data)
        violations = validator.validate_read(payload, judged_as_read(data, by_orjson=False))
    else:
        payload = data
        violations = validator.validate(payload)
    if violations:
        raise ContractViolation(event, violations)
    return _build(model_for(validator.schema_file), payload)


def _build(cls: Any, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    kwargs = {name: _convert(hints[name], value) for name, value in data.items() if name in hints}
    return cls(**kwargs)


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any) -> Any:
    """`value`, already valid, as the type `hint` says (nested dataclasses built, lists copied)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None) and a is not type(ABSENT)]
        classes = [a for a in options if isinstance(a, type) and dataclasses.is_dataclass(a)]
        if isinstance(value, dict) and classes:
            return _build(classes[0], value)
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_convert(item, v) for v in value]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    if hint is int and type(value) is float:
        # JSON Schema counts 1.0 as an integer (a valid `stage_count`), and the field is typed
        # `int`: the dataclass holds the int (to_json writes the same bytes for either).
        return int(value)
    return value


def to_dict(obj: Any) -> dict[str, Any]:
    """The wire form of an event dataclass (ABSENT fields left out, explicit nulls kept), or of an
    enveloped event (`envelope(...)`: the CloudEvents attributes and the payload as `data`)."""
    from .envelopes import Enveloped, to_wire

    if isinstance(obj, Enveloped):
        return to_wire(obj)
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"to_dict takes an event dataclass, not {type(obj).__name__}")
    return _plain(obj)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    """`value` as JSON values: dataclasses as dicts (ABSENT fields left out), lists and dicts
    copied. Without recursion: an open field (`deliverable_manifest`) may hold JSON nested as
    deep as `parse` reads, far more levels than a recursive copy could go."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    out: Any
    while stack:
        into, key, item = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            fields = {f.name: v for f in dataclasses.fields(item) if (v := getattr(item, f.name)) is not ABSENT}
            into[key] = out = dict.fromkeys(fields)  # keys in field order, values filled below
            stack.extend((out, name, v) for name, v in fields.items())
        elif isinstance(item, list):
            into[key] = out = [None] * len(item)
            stack.extend((out, i, v) for i, v in enumerate(item))
        elif isinstance(item, dict):
            into[key] = out = dict.fromkeys(item)
            stack.extend((out, k, v) for k, v in item.items())
        else:
            into[key] = item
    return root[0]


def to_json(obj: Any) -> bytes:
    """Canonical JSON (RFC 8785: sorted keys, no insignificant whitespace) of an event dataclass or
    an enveloped event: the bytes to publish."""
    return rfc8785.dumps(to_dict(obj))
