"""Rows into an embedded DuckDB database file: the tables migrated as the rows need, and every
row inserted once.

Idempotent: an event whose key is already in its table is not kept again. The key is the
envelope's `id` when the event has one, else its file and line; a rejected line's key is its
file and line. Rows are appended as they come (in batches, so the buffer bounds the memory);
at the end each table drops the rows of this load whose key an earlier row has, in one pass.
Checking every batch against the growing table instead costs time that grows with the square of
the load, and one transaction around the load would hold all of it in memory. An interrupted load
may leave its rows so far (and, until the end, repeats): loading the input again completes it.
"""

from __future__ import annotations

import pyarrow as pa

from multi_workflow_telemetry.catalogue import version_key

from ..findings import Unusable
from . import duckdb_ddl, views
from .columns import REJECTED, Table, quote
from .rows import Converted, version_of

# Rows buffered before an insert: some 30 MB of Arrow. Each insert has a cost of its own (an
# insert smaller than a row group goes through the write-ahead log), so fewer, larger ones are faster.
FLUSH_ROWS = 50_000
# DuckDB's own memory: its buffer pool would otherwise grow towards 80 % of the machine's memory
# as the tables grow; what does not fit is written to the database's temporary directory.
MEMORY_LIMIT = 128 << 20  # bytes; raised for a batch that needs more (a 100 MB line: docs/bad-input.md B06)
# The keys: (which rows, their key columns). Rows with an `id` by it, the others by place.
EVENT_KEYS = (("id IS NOT NULL", ("id",)), ("id IS NULL", ("file", "line")))
REJECTED_KEYS = (("TRUE", ("file", "line")),)


class DuckDBSink:
    def __init__(self, path: str, tables: dict[str, Table]) -> None:
        import duckdb

        self.path = path
        self.tables = tables
        try:
            self.db = duckdb.connect(path)
        except (duckdb.Error, OSError) as exc:
            raise Unusable(f"{path}: cannot open the DuckDB database: {str(exc).splitlines()[0]}") from None
        self._limit = MEMORY_LIMIT
        self.db.execute(f"SET memory_limit = '{self._limit}B'")
        # Rows need no order in a table (queries sort), and keeping it costs time and memory.
        self.db.execute("SET preserve_insertion_order = false")
        self.db.execute(duckdb_ddl.create_rejected())
        self._buffer: dict[str, list[pa.RecordBatch]] = {}
        self._buffered = 0
        self._first_new: dict[str, int] = {}  # per table: the rowid from which rows are this load's
        self._appended: dict[str, int] = {}
        self.inserted = 0  # rows that were not already in their table
        self.rejected_inserted = 0

    def write(self, converted: Converted, name: str = "", first_line: int = 1) -> None:
        """Buffer a chunk's rows (`name` and `first_line` only matter to file-based sinks)."""
        for table, batch in converted.tables.items():
            self._buffer.setdefault(table, []).append(batch)
            self._buffered += batch.num_rows
        if converted.rejected is not None:
            self._buffer.setdefault("rejected", []).append(converted.rejected)
            self._buffered += converted.rejected.num_rows
        if self._buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, batches in self._buffer.items():
            if name == "rejected":
                columns = [c for c, _ in REJECTED]
            else:
                columns = self.migrate(self.tables[name], max((version_of(b) for b in batches), key=version_key))
            self._append(name, columns, pa.Table.from_batches(batches))
        self._buffer.clear()
        self._buffered = 0

    def _append(self, name: str, columns: list[str], rows: pa.Table) -> None:
        if name not in self._first_new:
            ((first,),) = self.db.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {name}").fetchall()
            self._first_new[name] = int(first)
        need = 3 * rows.nbytes + (64 << 20)  # the batch, its copy into blocks, and room to work
        if need > self._limit:
            self._limit = need
            self.db.execute(f"SET memory_limit = '{need}B'")
        listed = ", ".join(quote(c) for c in columns)
        self.db.register("incoming", rows)
        try:
            self.db.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM incoming")
        finally:
            self.db.unregister("incoming")
        self._appended[name] = self._appended.get(name, 0) + rows.num_rows

    def _drop_repeats(self, name: str) -> int:
        """Delete this load's rows whose key an earlier row has (in the table before, or earlier
        in this load); how many."""
        start = self._first_new[name]
        dropped = 0
        for which, key in REJECTED_KEYS if name == "rejected" else EVENT_KEYS:
            columns = ", ".join(key)
            found = self.db.execute(
                f"DELETE FROM {name} WHERE rowid IN (SELECT rowid FROM ("
                f"  SELECT rowid, row_number() OVER (PARTITION BY {columns} ORDER BY rowid) AS n FROM {name}"
                f"  WHERE {which} AND ({columns}) IN (SELECT ({columns}) FROM {name} WHERE rowid >= {start} AND {which})"
                f") WHERE n > 1 AND rowid >= {start})"
            ).fetchall()
            dropped += int(found[0][0]) if found else 0
        return dropped

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
        """Write what is buffered, drop repeated keys; then every table at its newest version and
        the views over them."""
        try:
            self.flush()
            for name, appended in self._appended.items():
                kept = appended - self._drop_repeats(name)
                if name == "rejected":
                    self.rejected_inserted += kept
                else:
                    self.inserted += kept
            for table in self.tables.values():
                self.migrate(table, table.versions[-1])
            views.apply(self.db)
        finally:
            if not keep_open:
                self.db.close()

