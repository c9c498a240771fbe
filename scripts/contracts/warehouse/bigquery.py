"""BigQuery table schemas (the JSON `bq mk --table` and `bq update` take), one per table.

A MINOR's new columns are NULLABLE fields at the end, which BigQuery accepts as a schema update
of the existing table (`bq update TABLE schema.json`); a new major is a new table. BigQuery has no
NULL list: a REPEATED field reads back an absent list as empty.
"""

from __future__ import annotations

import json
from typing import Any

from .columns import REJECTED, ColumnType, ListOf, Scalar, Struct, Table

_SCALARS = {"BIGINT": "INTEGER", "DOUBLE": "FLOAT", "VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "JSON": "JSON",
            "TIMESTAMPTZ": "TIMESTAMP"}


def _field(name: str, kind: ColumnType) -> dict[str, Any]:
    mode = "NULLABLE"
    if isinstance(kind, ListOf):
        mode, kind = "REPEATED", kind.item
        if isinstance(kind, ListOf):  # BigQuery has no list of lists: such a column is JSON
            return {"name": name, "type": "JSON", "mode": "NULLABLE"}
    if isinstance(kind, Struct):
        return {"name": name, "type": "RECORD", "mode": mode, "fields": [_field(n, k) for n, k in kind.fields]}
    assert isinstance(kind, Scalar)
    return {"name": name, "type": _SCALARS[kind.name], "mode": mode}


def table_schema(table: Table) -> str:
    return json.dumps([_field(name, kind) for name, kind in table.columns], indent=2) + "\n"


def rejected_schema() -> str:
    return json.dumps([_field(name, kind) for name, kind in REJECTED], indent=2) + "\n"
