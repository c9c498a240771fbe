"""Rows into an embedded DuckDB database file: the tables migrated as the rows need, and every
row inserted once.

Idempotent: a row whose key is already in its table is not inserted again. The key is the
envelope's `id` when the event has one, else its file and line; a rejected line's key is its
file and line. Rows are buffered and inserted in large batches, each checked against the table
in one anti-join, so the cost of the check does not grow with the square of the table; the
buffer's size bounds the memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from multi_workflow_telemetry.catalogue import version_key

from ..findings import Unusable
from . import duckdb_ddl, views
from .columns import REJECTED, Table, quote
from .rows import Converted, version_of

FLUSH_ROWS = 100_000  # rows buffered before an insert: a few tens of MB of Arrow
# DuckDB's own memory: its buffer pool would otherwise grow towards 80 % of the machine's memory
# as the tables grow; spilled pages go to the database's temporary directory.
MEMORY_LIMIT = "256MB"
EVENT_KEY = "coalesce('id:' || {t}.id, 'line:' || {t}.file || ':' || {t}.line)"
REJECTED_KEY = "({t}.file, {t}.line)"


class DuckDBSink:
    def __init__(self, path: str, tables: dict[str, Table]) -> None:
        import duckdb

        self.path = path
        self.tables = tables
        try:
            self.db = duckdb.connect(path)
        except (duckdb.Error, OSError) as exc:
            raise Unusable(f"{path}: cannot open the DuckDB database: {str(exc).splitlines()[0]}") from None
        self.db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.db.execute(duckdb_ddl.create_rejected())
        self._buffer: dict[str, list[pa.RecordBatch]] = {}
        self._buffered = 0
        self.inserted = 0  # rows that were not already in their table
        self.rejected_inserted = 0

    def write(self, converted: Converted, name: str = "", first_line: int = 1) -> None:
        """Buffer a chunk's rows (`name` and `first_line` only matter to file-based sinks)."""
        for name, batch in converted.tables.items():
            self._buffer.setdefault(name, []).append(batch)
            self._buffered += batch.num_rows
        if converted.rejected is not None:
            self._buffer.setdefault("rejected", []).append(converted.rejected)
            self._buffered += converted.rejected.num_rows
        if self._buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, batches in self._buffer.items():
            rows = pa.Table.from_batches(batches)
            if name == "rejected":
                self.rejected_inserted += self._insert("rejected", [c for c, _ in REJECTED], rows, REJECTED_KEY)
            else:
                table = self.tables[name]
                columns = self.migrate(table, max((version_of(b) for b in batches), key=version_key))
                self.inserted += self._insert(name, columns, rows, EVENT_KEY)
        self._buffer.clear()
        self._buffered = 0

    def _insert(self, name: str, columns: list[str], rows: pa.Table, key: str) -> int:
        listed = ", ".join(quote(c) for c in columns)
        self.db.register("incoming", rows)
        try:
            # The first row of each key in this batch, unless the table has that key already.
            done = self.db.execute(
                f"INSERT INTO {name} ({listed}) SELECT {listed} FROM incoming "
                f"WHERE NOT EXISTS (SELECT 1 FROM {name} WHERE {key.format(t=name)} = {key.format(t='incoming')}) "
                f"QUALIFY row_number() OVER (PARTITION BY {key.format(t='incoming')} ORDER BY incoming.line) = 1"
            ).fetchone()
        finally:
            self.db.unregister("incoming")
        return int(done[0]) if done else 0

    def migrate(self, table: Table, version: str) -> list[str]:
        """Bring the table up to `version` (create it, add the columns of each later version),
        unless it is there already; the columns it then has."""
        have = self.columns(table.name)
        if not have or any(c not in have for c, _ in table.columns_at(version)):
            for step in table.versions[: table.versions.index(version) + 1]:
                self.db.execute(duckdb_ddl.statements(table, step))
            have = self.columns(table.name)
        return [c for c, _ in table.columns if c in have]

    def columns(self, name: str) -> set[str]:
        found = self.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main'", [name]
        ).fetchall()
        return {row[0] for row in found}

    def close(self, keep_open: bool = False) -> None:
        """Write what is buffered; every table at its newest version and the views over them."""
        try:
            self.flush()
            for table in self.tables.values():
                self.migrate(table, table.versions[-1])
            views.apply(self.db)
        finally:
            if not keep_open:
                self.db.close()


def open_read_only(path: str | Path) -> Any:
    import duckdb

    return duckdb.connect(str(path), read_only=True)
