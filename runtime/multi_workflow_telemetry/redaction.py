"""Redaction before publishing: sensitive values replaced by keyed hashes.

The draft's third pending decision asks whether deliverable paths should be redacted or hashed
before they reach production telemetry. This gives producers the means: every value the schema
marks `x-sensitive: true` is replaced by `hmac-sha256:<hex>`, keyed with a secret the caller
supplies. The schema alone decides what is sensitive (from 1.1.1: `created_files`, `message`,
`error`, `selection_message` and `deliverable_manifest`); this module holds no list of fields.
A sensitive object or array has every string in it hashed, at any depth, and its keys kept:
`deliverable_manifest` is open, so no narrower place can be named. The same path and key always
give the same hash, so analytics can still count and join on it, while the path itself is not
published. The result is still a valid event: redaction never breaks the contract.

Which values a mark covers is decided per event, as JSON Schema decides any annotation: an
`x-sensitive` met through any applicator (`$ref`, `allOf`, the branch of `anyOf`/`oneOf` or
`if`/`then`/`else` the value matches, `prefixItems`, `additionalProperties`,
`patternProperties`, `unevaluated*`) covers the value it was evaluated on. jsonschema-rs
evaluates the event and lists those annotations (`Validator.evaluate`); `sensitive_paths` is the
static view, the places marked through properties, items, `allOf` and `$ref` alone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urljoin

from ._violation import unescape_token
from .catalogue import Catalogue
from .codec import ContractViolation, parse, to_dict
from .validation import validate, validator_for

PREFIX = "hmac-sha256:"
# A shorter key makes the hashes of guessable paths (there are few deliverable names) easy to
# reverse by trying keys; 16 bytes is the least NIST SP 800-107 allows for HMAC's security.
MIN_KEY_BYTES = 16
T = TypeVar("T")


def keyed_hash(value: str, key: bytes) -> str:
    """`hmac-sha256:` and the hex HMAC-SHA256 of `value` under `key`."""
    return PREFIX + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


@cache
def sensitive_paths(event: str, catalogue: Catalogue | None = None) -> tuple[tuple[str, ...], ...]:
    """Where `event`'s schema marks values sensitive through properties, items, `allOf` and
    `$ref`, as key paths (`*` for every array item): what is sensitive whatever the event holds."""
    catalogue = catalogue or Catalogue.packaged()
    schema_file = catalogue.event(event)
    return tuple(sorted(set(_walk(catalogue, schema_file.id, schema_file.schema, (), frozenset()))))


def _walk(catalogue: Catalogue, base: str, node: Any, path: tuple[str, ...], seen: frozenset[int]) -> Iterator[tuple[str, ...]]:
    if not isinstance(node, dict) or id(node) in seen:
        return  # `seen` stops recursive shapes from walking forever
    seen = seen | {id(node)}
    if node.get("x-sensitive") is True:
        yield path
        return
    if isinstance(node.get("$ref"), str):
        # The referenced shape's own $refs resolve against its document: it becomes the base.
        uri, _, fragment = urljoin(base, node["$ref"]).partition("#")
        yield from _walk(catalogue, uri, catalogue.lookup(uri, unquote(fragment)), path, seen)
    for name, sub in (node.get("properties") or {}).items():
        yield from _walk(catalogue, base, sub, (*path, name), seen)
    if "items" in node:
        yield from _walk(catalogue, base, node["items"], (*path, "*"), seen)
    for sub in node.get("allOf", []):
        yield from _walk(catalogue, base, sub, path, seen)


def redact(event: str, data: T, key: bytes, catalogue: Catalogue | None = None) -> T:
    """`data` (a payload dict or an event dataclass) with every sensitive value replaced by its
    keyed hash; `catalogue` holds the schemas (default: the package's). Raises ContractViolation
    if `data` is not a valid event to begin with, ValueError if `key` is shorter than 16 bytes."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"redact needs a key of at least {MIN_KEY_BYTES} bytes (got {len(key)})")
    payload = to_dict(data) if not isinstance(data, dict) else data
    violations = validate(event, payload) if catalogue is None else validator_for(event, catalogue).validate(payload)
    if violations:
        raise ContractViolation(event, violations)
    locations = sensitive_locations(event, payload, catalogue)
    if locations is None:  # no evaluator for this schema (jsonschema-rs cannot compile it): the static marks
        locations = [place for path in sensitive_paths(event, catalogue) for place in _places(payload, path)]
    redacted = _copy(payload)
    for location in locations:
        _replace_at(redacted, location, key)
    result: Any = redacted if isinstance(data, dict) else parse(event, redacted)
    return cast(T, result)


def sensitive_locations(event: str, payload: Any, catalogue: Catalogue | None = None) -> list[tuple[str | int, ...]] | None:
    """The places in `payload` (a valid event) that an `x-sensitive: true` annotation covers, as
    key and index paths, outermost only (a value inside a sensitive one is hashed with it, not
    twice); None where jsonschema-rs cannot evaluate the schema."""
    evaluate = validator_for(event, catalogue).evaluator
    if evaluate is None:
        return None
    found = set()
    for entry in evaluate(payload).annotations():
        annotations = entry["annotations"]
        if isinstance(annotations, dict) and annotations.get("x-sensitive") is True:
            found.add(_path(payload, entry["instanceLocation"]))
    outermost = sorted(found, key=len)
    return [p for i, p in enumerate(outermost) if not any(p[: len(q)] == q for q in outermost[:i])]


def _path(payload: Any, pointer: str) -> tuple[str | int, ...]:
    """An instance location (RFC 6901) as the keys and indexes that reach it in `payload`."""
    path: list[str | int] = []
    node = payload
    for token in pointer.split("/")[1:] if pointer else []:
        step: str | int = int(token) if isinstance(node, list) else unescape_token(token)
        path.append(step)
        node = node[step]
    return tuple(path)


def _places(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str | int, ...]]:
    """The places in `node` a static path (`sensitive_paths`: `*` for every array item) reaches."""
    if not path:
        yield ()
        return
    head, rest = path[0], path[1:]
    if head == "*":
        children: list[tuple[str | int, Any]] = list(enumerate(node)) if isinstance(node, list) else []
    else:
        children = [(head, node[head])] if isinstance(node, dict) and head in node else []
    for step, child in children:
        for place in _places(child, rest):
            yield (step, *place)


def _replace_at(payload: Any, path: tuple[str | int, ...], key: bytes) -> None:
    if not path:  # the whole event is marked: every string in it, the keys kept
        hashed = _hash_value(payload, key)
        payload.clear()
        payload.update(hashed)
        return
    *parents, last = path
    node = payload
    for step in parents:
        node = node[step]
    node[last] = _hash_value(node[last], key)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _hash_value(value: Any, key: bytes) -> Any:
    if isinstance(value, str):
        return keyed_hash(value, key)
    if isinstance(value, list):
        return [_hash_value(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _hash_value(v, key) for k, v in value.items()}
    return value
