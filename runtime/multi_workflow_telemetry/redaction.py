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
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urljoin

from .catalogue import Catalogue
from .codec import ContractViolation, parse, to_dict
from .validation import validate

PREFIX = "hmac-sha256:"
# A shorter key makes the hashes of guessable paths (there are few deliverable names) easy to
# reverse by trying keys; 16 bytes is the least NIST SP 800-107 allows for HMAC's security.
MIN_KEY_BYTES = 16
T = TypeVar("T")


def keyed_hash(value: str, key: bytes) -> str:
    """`hmac-sha256:` and the hex HMAC-SHA256 of `value` under `key`."""
    return PREFIX + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


@cache
def sensitive_paths(event: str) -> tuple[tuple[str, ...], ...]:
    """Where `event`'s schema marks values sensitive, as key paths (`*` for every array item)."""
    catalogue = Catalogue.packaged()
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


def redact(event: str, data: T, key: bytes) -> T:
    """`data` (a payload dict or an event dataclass) with every sensitive value replaced by its
    keyed hash. Raises ContractViolation if `data` is not a valid event to begin with, ValueError
    if `key` is shorter than 16 bytes."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"redact needs a key of at least {MIN_KEY_BYTES} bytes (got {len(key)})")
    payload = to_dict(data) if not isinstance(data, dict) else data
    violations = validate(event, payload)
    if violations:
        raise ContractViolation(event, violations)
    redacted = _apply(payload, sensitive_paths(event), key)
    result: Any = redacted if isinstance(data, dict) else parse(event, redacted)
    return cast(T, result)


def _apply(payload: Any, paths: tuple[tuple[str, ...], ...], key: bytes) -> Any:
    out = _copy(payload)
    for path in paths:
        _replace(out, path, key)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _replace(node: Any, path: tuple[str, ...], key: bytes) -> None:
    head, rest = path[0], path[1:]
    children: list[tuple[Any, Any]]
    if head == "*":
        children = list(enumerate(node)) if isinstance(node, list) else []
    else:
        children = [(head, node[head])] if isinstance(node, dict) and head in node else []
    for index, child in children:
        if rest:
            _replace(child, rest, key)
        else:
            node[index] = _hash_value(child, key)


def _hash_value(value: Any, key: bytes) -> Any:
    if isinstance(value, str):
        return keyed_hash(value, key)
    if isinstance(value, list):
        return [_hash_value(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _hash_value(v, key) for k, v in value.items()}
    return value
