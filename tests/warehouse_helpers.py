"""Reading the warehouse back, for the warehouse tests: rows as dicts, and a row as its event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import orjson

from contracts.warehouse.columns import JSON, OTHER_MEMBERS, Table


def table_rows(db: Path | str, table: str, order: str = "file, line") -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        result = con.execute(f"SELECT * FROM {table} ORDER BY {order}")
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def payload_of(row: dict[str, Any], table: Table) -> dict[str, Any]:
    """The event a row holds: NULL columns and NULL struct fields are fields left out (D32); the
    members no column holds are in OTHER_MEMBERS."""
    payload = {table.member(name): orjson.loads(row[name]) if kind == JSON else _without_nulls(row[name])
               for name, kind in table.payload if row.get(name) is not None and name != OTHER_MEMBERS}
    return {**payload, **(orjson.loads(row[OTHER_MEMBERS]) if row.get(OTHER_MEMBERS) is not None else {})}


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
