"""Each event version as one file that validates alone: a JSON Schema 2020-12 compound document.

The schema files `$ref` shared shapes in a sibling file (`../multi_workflow.common/1.0.0.json`),
so a downloaded schema does not work on its own. The bundle is the version's schema with every
resource it references, directly or not, embedded under `$defs`, keyed by that resource's `$id`
and keeping it (the bundling the 2020-12 specification describes): each `$ref` stays as written
and resolves, against the root's `$id`, to the embedded resource instead of a file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from multi_workflow_telemetry.catalogue import Catalogue, SchemaFile


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def referenced(schema_file: SchemaFile, catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """Every catalogue document the schema references, directly or through another, by `$id`."""
    by_id = {f.id: f.schema for f in catalogue.files()}
    found: dict[str, dict[str, Any]] = {}
    todo = [(schema_file.id, schema_file.schema)]
    while todo:
        base, document = todo.pop()
        for ref in _refs(document):
            target = urldefrag(urljoin(base, ref)).url
            if target in (schema_file.id, "") or target in found:
                continue
            if target not in by_id:
                raise KeyError(f"{schema_file.id}: `$ref` {ref!r} names {target}, which is not in the catalogue")
            found[target] = by_id[target]
            todo.append((target, by_id[target]))
    return dict(sorted(found.items()))


def bundle(schema_file: SchemaFile, catalogue: Catalogue) -> dict[str, Any]:
    """The schema with every referenced resource embedded under `$defs`, keyed by its `$id`."""
    out = copy.deepcopy(schema_file.schema)
    embedded = referenced(schema_file, catalogue)
    if embedded:
        defs = out.setdefault("$defs", {})
        for uri, document in embedded.items():
            defs[uri] = copy.deepcopy(document)
    return out
