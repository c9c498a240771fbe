"""The tables as Arrow schemas: what `contracts load` writes, to DuckDB and to Parquet, and what
the Spark job returns from `mapInArrow`.

`deliverable_manifest` is JSON text in a string column (Parquet's JSON logical type is not read
the same by every engine); the field's metadata says it holds JSON.
"""

from __future__ import annotations

import pyarrow as pa

from .columns import REJECTED, ColumnType, ListOf, Scalar, Struct, Table

_SCALARS = {
    "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string(), "BOOLEAN": pa.bool_(),
    "JSON": pa.string(), "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}
JSON_METADATA = {b"contracts.type": b"JSON"}


def arrow_type(kind: ColumnType) -> pa.DataType:
    if isinstance(kind, Scalar):
        return _SCALARS[kind.name]
    if isinstance(kind, ListOf):
        return pa.list_(arrow_type(kind.item))
    assert isinstance(kind, Struct)
    return pa.struct([_field(name, sub) for name, sub in kind.fields])


def _field(name: str, kind: ColumnType) -> pa.Field:
    metadata = JSON_METADATA if kind == Scalar("JSON") else None
    return pa.field(name, arrow_type(kind), nullable=True, metadata=metadata)


def schema(table: Table) -> pa.Schema:
    """The newest schema of a table."""
    return pa.schema([_field(name, kind) for name, kind in table.columns])


def rejected_schema() -> pa.Schema:
    return pa.schema([_field(name, kind) for name, kind in REJECTED])


def parquet_schema(base: pa.Schema) -> pa.Schema:
    """A table's schema with the partition columns the Parquet layout adds (`version` is one already)."""
    return base.append(pa.field("event", pa.string())).append(pa.field("date", pa.string()))


def text(table: Table) -> str:
    """The schema as Arrow prints it, for reviewers (generated/warehouse/arrow/)."""
    return schema(table).to_string(show_field_metadata=True, show_schema_metadata=False, element_size_limit=1 << 20) + "\n"

