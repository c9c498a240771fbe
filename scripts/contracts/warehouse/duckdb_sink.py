"""Rows into an embedded DuckDB database file: the tables migrated as the rows need, and every
row inserted once.

Idempotent: an event whose key is already in its table is not kept again. The key is the
envelope's `id` when the event has one, else its file and line; a rejected line's key is its
file and line. Rows are appended as they come (in batches, so the buffer bounds the memory);
at the end each table drops the rows of this load whose key an earlier row has, in one pass.
Checking every batch against the growing table instead costs time that grows with the square of
the load. Each batch is one transaction: an insert per table and version, each its own commit,
costs more the larger the table grows. An interrupted load may leave its batches so far (and,
until the end, repeats): loading the input again completes it.

Valid lines mostly arrive unread (rows.py): files of `{"line": N, "event": <the line>}` records
that DuckDB's JSON reader reads straight into the table's columns, with the column types as the
reader's schema. Should the reader refuse a value (an integer beyond 64 bits: no schema allows one
today), the batch is rolled back and done again with those lines converted in Python, where a row
Arrow cannot hold either goes to `rejected`.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
from multi_workflow_telemetry.catalogue import version_key

from ..findings import Unusable
from ..scratch import scratch_dir
from . import duckdb_ddl, views
from .columns import ENVELOPE, REJECTED, Table, quote, sql
from .rows import LONGEST_UNREAD, Converted, version_of


class _Refused(Exception):
    """DuckDB's reader refused a value in the unread lines of `key` (NAME@VERSION, enveloped)."""

    def __init__(self, key: tuple[str, bool]) -> None:
        self.key = key


# An unread file waiting for its insert: (its path, the input it came from, the number of the
# input's line before the chunk's first, the lines it holds).
Unread = tuple[str, str, int, int]

# Rows buffered before an insert (one transaction): mostly lines waiting in files, which cost disk,
# not memory. An insert of at least a row group (122,880 rows) per table writes compressed row
# groups straight to the file; a smaller one goes through the write-ahead log and is written again
# at the checkpoint: per row, inserts of 25,000 cost twice what inserts of 125,000 do (make bench).
FLUSH_ROWS = 250_000
# Chunks handed to the writer thread and not yet taken: the workers go on validating while a batch
# is inserted, up to this many chunks ahead.
WAITING_CHUNKS = 64
# DuckDB's own memory: its buffer pool would otherwise grow towards 80 % of the machine's memory
# as the tables grow; what does not fit is written to the database's temporary directory.
MEMORY_LIMIT = 128 << 20  # bytes; raised for a batch that needs more (a 100 MB line: docs/bad-input.md B06)
# The keys: (which rows, their key columns). Rows with an `id` by it, the others by place.
EVENT_KEYS = (("id IS NOT NULL", ("id",)), ("id IS NULL", ("file", "line")))
REJECTED_KEYS = (("TRUE", ("file", "line")),)


class DuckDBSink:
    def __init__(self, path: str, tables: dict[str, Table]) -> None:
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
        # One thread: the workers validating the next chunks have the other cores, and a second
        # DuckDB thread fighting them for a core cost more CPU-seconds than it saved (make bench).
        self.db.execute("SET threads = 1")
        self.db.execute("SET enable_progress_bar = false")  # `contracts load` draws its own
        self.db.execute(duckdb_ddl.create_rejected())
        self._buffer: dict[str, list[pa.RecordBatch]] = {}
        self._unread: dict[tuple[str, bool], list[Unread]] = {}
        self._buffered = 0
        self._versions = {f.ref: (t, f.version) for t in tables.values() for f in t.files}
        self.lines_dir: str | None = None
        self._rows: Callable[[str, list[tuple[int, bytes]]], Converted] | None = None
        self.unstorable = 0  # valid lines DuckDB's reader refused and Python could not store either
        # Chunks waiting for the writer thread: each holds the names of its unread files, not their
        # lines, so memory stays small however far the writer falls behind (a flush takes seconds).
        self._queue: queue.Queue[tuple[Converted, str, int] | None] = queue.Queue(maxsize=WAITING_CHUNKS)
        self._writer: threading.Thread | None = None
        self._failed: BaseException | None = None
        self._first_new: dict[str, int] = {}  # per table: the rowid from which rows are this load's
        self._appended: dict[str, int] = {}
        self.inserted = 0  # rows that were not already in their table
        self.rejected_inserted = 0

    def reads_lines(self, converter: Any) -> None:
        """Have `converter` leave valid lines unread, in files of a directory of this sink's."""
        self.lines_dir = converter.lines_dir = scratch_dir("load")
        self._rows = converter.rows

    def write(self, converted: Converted, name: str = "", first_line: int = 1) -> None:
        """Hand a chunk's rows to the writer thread; `name` is the input, `first_line` the number of
        the chunk's first line."""
        if self._failed is not None:
            raise self._failed
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, name="duckdb writer", daemon=True)
            self._writer.start()
        self._queue.put((converted, name, first_line))

    def _write_all(self) -> None:
        """The writer thread: DuckDB inserts while the main process hands the workers their next
        chunks (DuckDB lets go of the GIL while it works). After a failure it only empties the queue."""
        while (item := self._queue.get()) is not None:
            if self._failed is None:
                try:
                    self._take(*item)
                except BaseException as exc:
                    self._failed = exc
            if self._failed is not None:
                for path, _ in item[0].unread.values():
                    os.unlink(path)

    def _take(self, converted: Converted, name: str, first_line: int) -> None:
        for key, (path, count) in converted.unread.items():
            self._unread.setdefault(key, []).append((path, name, first_line - 1, count))
            self._buffered += count
        for table, batch in converted.tables.items():
            self._buffer.setdefault(table, []).append(batch)
            self._buffered += batch.num_rows
        if converted.rejected is not None:
            self._buffer.setdefault("rejected", []).append(converted.rejected)
            self._buffered += converted.rejected.num_rows
        if self._buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert what is buffered, in one transaction."""
        unread, buffered = self._unread, self._buffer
        self._unread, self._buffer, self._buffered = {}, {}, 0
        columns: dict[str, list[str]] = {}  # each table migrated first: DDL is not for a transaction with appends
        for ref, _ in unread:
            table, version = self._versions[ref]
            columns[table.name] = self.migrate(table, version)
        for name, batches in buffered.items():
            if name == "rejected":
                columns[name] = [c for c, _ in REJECTED]
            else:
                columns[name] = self.migrate(self.tables[name], max((version_of(b) for b in batches), key=version_key))
        converted: dict[tuple[str, bool], Converted] = {}  # lines DuckDB's reader refused, converted in Python
        try:
            while True:
                appended: dict[str, int] = {}
                self.db.execute("BEGIN TRANSACTION")
                try:
                    self._insert(unread, buffered, converted, columns, appended)
                    self.db.execute("COMMIT")
                    break
                except _Refused as refused:
                    # Any error ends DuckDB's transaction: the batch is done again, those lines the Python way.
                    self.db.execute("ROLLBACK")
                    self.db.unregister("unread_files")
                    converted[refused.key] = self._convert_here(unread[refused.key])
                except BaseException:
                    self.db.execute("ROLLBACK")  # so that close() can still write the views
                    raise
        finally:
            for files in unread.values():
                for path, _, _, _ in files:
                    os.unlink(path)
        for name, n in appended.items():
            self._appended[name] = self._appended.get(name, 0) + n
        self.unstorable += sum(c.unstorable for c in converted.values())

    def _insert(self, unread: dict[tuple[str, bool], list[Unread]], buffered: dict[str, list[pa.RecordBatch]],
                converted: dict[tuple[str, bool], Converted], columns: dict[str, list[str]], appended: dict[str, int]) -> None:
        batches = {name: list(b) for name, b in buffered.items()}
        for key, files in unread.items():
            if key in converted:
                for name, batch in converted[key].tables.items():
                    batches.setdefault(name, []).append(batch)
                if converted[key].rejected is not None:
                    batches.setdefault("rejected", []).append(converted[key].rejected)
                continue
            table, version = self._versions[key[0]]
            try:
                self._read(table, columns[table.name], version, key[1], files)
            except (duckdb.InvalidInputException, duckdb.ConversionException):
                raise _Refused(key) from None
            appended[table.name] = appended.get(table.name, 0) + sum(n for _, _, _, n in files)
        for name, parts in batches.items():
            if name not in columns:  # reached only by lines converted in Python
                columns[name] = ([c for c, _ in REJECTED] if name == "rejected" else
                                 self.migrate(self.tables[name], max((version_of(b) for b in parts), key=version_key)))
            self._append(name, columns[name], pa.Table.from_batches(parts))
            appended[name] = appended.get(name, 0) + sum(b.num_rows for b in parts)

    def _read(self, table: Table, columns: list[str], version: str, enveloped: bool, files: list[Unread]) -> None:
        """Insert unread lines of one version, read by DuckDB's JSON reader."""
        self._first(table.name)
        kinds = dict(table.columns)
        payload = [c for c, _ in table.payload if c in columns]
        event = ", ".join(f"{quote(c)} {sql(kinds[c])}" for c in payload)
        if enveloped:
            attributes = ", ".join(f"{quote(c)} VARCHAR" for c, _ in ENVELOPE)  # `time` cast below, as Python reads it
            event = f"{attributes}, data STRUCT({event})"
        values = {"file": "m.file", "line": "r.line + m.shift", "version": "m.version"}
        for c, _ in ENVELOPE:
            values[c] = f"r.event.{quote(c)}" if enveloped else "NULL"
        if enveloped:
            values["time"] = "CAST(upper(r.event.time) AS TIMESTAMPTZ)"  # RFC 3339 allows a lowercase t and z
        for c in payload:
            values[c] = f"r.event{'.data' if enveloped else ''}.{quote(c)}"
        paths = [path for path, _, _, _ in files]
        listed = ", ".join(quote(c) for c in columns)
        self.db.register("unread_files", pa.table({
            "path": paths, "file": [f for _, f, _, _ in files], "shift": pa.array([s for _, _, s, _ in files], pa.int64()),
            "version": [version] * len(files)}))
        self.db.execute(
            f"INSERT INTO {table.name} ({listed}) SELECT {', '.join(values[c] for c in columns)} "
            f"FROM read_ndjson(?, columns = {{'line': 'BIGINT', 'event': 'STRUCT({event.replace(chr(39), chr(39) * 2)})'}}, "
            f"filename = true, maximum_object_size = {2 * LONGEST_UNREAD}) AS r JOIN unread_files AS m ON r.filename = m.path",
            [paths])
        self.db.unregister("unread_files")  # (after a refusal, once the transaction is rolled back)

    def _convert_here(self, files: list[Unread]) -> Converted:
        """The lines of `files`, converted in Python: the rows, and as `rejected` those no table can store."""
        assert self._rows is not None
        out = Converted()
        for path, name, shift, _ in files:
            with open(path, "rb") as unread:
                valid = []
                for record in unread:
                    head, _, rest = record.partition(b',"event":')
                    valid.append((shift + int(head[len(b'{"line":'):]), rest[:-2]))  # without `}\n`
            part = self._rows(name, valid)
            for table_name, batch in part.tables.items():
                out.tables[table_name] = (pa.Table.from_batches([out.tables[table_name], batch]).combine_chunks().to_batches()[0]
                                          if table_name in out.tables else batch)
            if part.rejected is not None:
                out.rejected = (part.rejected if out.rejected is None else
                                pa.Table.from_batches([out.rejected, part.rejected]).combine_chunks().to_batches()[0])
            out.unstorable += part.unstorable
        return out

    def _first(self, name: str) -> None:
        if name not in self._first_new:
            ((first,),) = self.db.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {name}").fetchall()
            self._first_new[name] = int(first)

    def _append(self, name: str, columns: list[str], rows: pa.Table) -> None:
        self._first(name)
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
            if self._writer is not None:
                self._queue.put(None)
                self._writer.join()
                self._writer = None
            if self._failed is not None:
                raise self._failed
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
            if self.lines_dir is not None:
                shutil.rmtree(self.lines_dir, ignore_errors=True)
            if not keep_open:
                self.db.close()

