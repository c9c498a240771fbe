"""Rows into an embedded DuckDB database file: each table migrated to its newest version, and every
row inserted once.

Idempotent: an event whose key is already in its table is not kept again. The key is the
envelope's `source` and `id` when the event has them, else its file, line and content (the same
event at the same place); a rejected line's key is its file, line and raw text. Rows are appended
as they come; at the end each table drops the rows of this load whose key an earlier row has, in
one pass. Checking every batch against the growing table instead costs time that grows with the
square of the load. An interrupted load may leave the row groups committed so far (and, until the
end, repeats): loading the input again completes it.

Each table is written a row group at a time (ROW_GROUP rows, one transaction): DuckDB compresses
a row group when its transaction commits, and a commit that leaves a row group part-filled has the
next one compress that row group all over again (half as much work again, at a commit every two
row groups: make bench). So a table's rows wait until they fill whole row groups, and the insert
stops at the last whole one, within a file if need be; the rest waits for the next commit, or the
end. The rows waiting are mostly lines in files (disk, not memory): at most a row group per table.

Valid lines mostly arrive unread (rows.py): files of lines, each with its number as its first
member, that DuckDB's JSON reader reads straight into the table's columns, with the column types
as the reader's schema. Should the reader refuse a value (an integer beyond 64 bits: no schema
allows one today), the row group is rolled back and done again with those lines converted in
Python, where a row Arrow cannot hold either goes to `rejected`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from multi_workflow_telemetry.catalogue import version_key

from .. import interrupt
from ..findings import Unusable
from ..scratch import memory_root, scratch_dir
from . import duckdb_ddl, views
from .columns import ENVELOPE, REJECTED, Table, quote, sql
from .rows import FILE_COLUMN, LINE_MEMBER, LONGEST_UNREAD, Converted, line_of_unread, number_of_unread

# Rows per row group of the tables this sink writes (the database is attached with it; DuckDB's
# default is 122,880): a commit writes whole row groups, and holds one in memory until it does.
# Half the default: 1,000,000 events loaded with a peak memory 1.10x that of 100,000 (which fill
# no row group), against 1.22x, and no slower (9.1s against 9.7s; make bench's machine).
ROW_GROUP = 61_440
# The unread files go to memory (/dev/shm) when it has this much room: about what waits at most,
# a row group per table of lines of a few KB, with room to spare; else to the temporary directory.
SCRATCH_ROOM = 2 << 30  # bytes
# Chunks handed to the writer thread and not yet taken: the workers go on validating while a row
# group is inserted (about a second), this many chunks ahead. Fewer, and they wait for the writer,
# then the writer for them, in turns (8: 9.8s against 8.6s for 1,000,000 events). Each holds the
# names of its files, not their lines: what waits is in files, not in the process's memory.
WAITING_CHUNKS = 64
# DuckDB's own memory: its buffer pool would otherwise grow towards 80 % of the machine's memory
# as the tables grow; what does not fit is written to the database's temporary directory. Raised
# for a batch that needs more (a 100 MB line: docs/bad-input.md B06); a row group DuckDB runs out
# of memory on (rows far wider than these events) is done again on one thread, then with twice the
# memory.
MEMORY_LIMIT = 128 << 20  # bytes
# ... but twice that while the chunks stream in: at 128 MB DuckDB gives back and takes again the
# blocks of each row group it writes (page faults, madvise: system time 1.4 CPU-s against 0.6 for
# 1,000,000 events, and as much again in user time). Back to MEMORY_LIMIT for `close`, which works
# over whole tables (the last row groups on every core, the repeats): peak memory stays that of a
# small load (make bench).
STREAMING_MEMORY_LIMIT = 256 << 20  # bytes
MEMORY_CEILING = 8 << 30  # bytes: past this a row group is not tried again
# The keys: (which rows, the columns that place them, whether what they hold counts too). Rows
# with an `id` by their `source` and `id`: CloudEvents has producers keep that pair unique, not
# the `id` alone, so another producer's event with the same `id` is another event. The others by
# place and content: the same event (or rejected line) at the same line of the same input. By
# place alone, another event at that line (a file written anew under the same name, another
# stream on standard input) would be taken for one already loaded.
EVENT_KEYS = (("id IS NOT NULL", ("source", "id"), False), ("id IS NULL", ("file", "line"), True))
REJECTED_KEYS = (("TRUE", ("file", "line"), True),)
_LINE, _FILE = quote(LINE_MEMBER), quote(FILE_COLUMN)


class _Refused(Exception):
    """DuckDB's reader refused a value in some unread lines."""

    def __init__(self, files: list[_Unread]) -> None:
        self.files = files


@dataclass
class _Unread:
    """A file of unread lines of one version, waiting in its table's queue."""

    path: str  # named `<shift>-…`, for DuckDB's reader
    shift: int  # the number of the input's line before its chunk's first
    input: str  # the input the lines came from
    ref: str  # NAME@VERSION
    enveloped: bool
    rows: int  # the lines still to insert
    after: int = 0  # the lines numbered up to this (in the file) are in the table already


@dataclass
class _Waiting:
    """A table's rows waiting for their row group: Arrow batches (converted in Python), then
    unread files, each in the order they came."""

    batches: list[pa.RecordBatch] = field(default_factory=list)
    files: list[_Unread] = field(default_factory=list)
    rows: int = 0

    def add(self, rows: pa.RecordBatch | _Unread) -> None:
        if isinstance(rows, _Unread):
            self.files.append(rows)
            self.rows += rows.rows
        else:
            self.batches.append(rows)
            self.rows += rows.num_rows


class DuckDBSink:
    def __init__(self, path: str, tables: dict[str, Table]) -> None:
        self.path = path
        self.tables = tables
        try:
            if path == ":memory:":
                self.db = duckdb.connect(path)
            else:  # the row group size is an option of the ATTACH, not of a connection's own database
                self.db = duckdb.connect()
                # TYPE DUCKDB: else DuckDB opens an existing `.json`, `.csv` or `.parquet` file as a
                # database in memory, and the rows loaded into it are gone when the load ends.
                self.db.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS warehouse "
                                f"(TYPE DUCKDB, ROW_GROUP_SIZE {ROW_GROUP})")
                self.db.execute("USE warehouse")
        except (duckdb.Error, OSError) as exc:
            raise Unusable(f"{path}: cannot open the DuckDB database: {str(exc).splitlines()[0]}") from None
        self.row_group = ROW_GROUP  # rows a commit writes (whole row groups; fewer only at the end)
        self._limit = STREAMING_MEMORY_LIMIT
        self.db.execute(f"SET memory_limit = '{self._limit}B'")
        # Rows need no order in a table (queries sort), and keeping it costs time and memory.
        self.db.execute("SET preserve_insertion_order = false")
        # One thread while the workers validate (they have the other cores: a second DuckDB thread
        # fighting them cost more CPU-seconds than it saved, make bench); every core at the end.
        self._threads = int(self.db.execute("SELECT current_setting('threads')").fetchone()[0])  # type: ignore[index]
        self.db.execute("SET threads = 1")
        self.db.execute("SET enable_progress_bar = false")  # `contracts load` draws its own
        self.db.execute(duckdb_ddl.create_rejected())
        self._waiting: dict[str, _Waiting] = {}
        self._versions = {f.ref: (t, f.version) for t in tables.values() for f in t.files}
        self.lines_dir: str | None = None
        self._rows: Callable[[str, list[tuple[int, bytes]]], Converted] | None = None
        self.unstorable = 0  # valid lines DuckDB's reader refused and Python could not store either
        # Chunks waiting for the writer thread: each holds the names of its unread files, not their
        # lines, so memory stays small however far the writer falls behind.
        self._queue: queue.Queue[tuple[Converted, str, int] | None] = queue.Queue(maxsize=WAITING_CHUNKS)
        self._writer: threading.Thread | None = None
        self._failed: BaseException | None = None
        self._all_in = threading.Event()  # set when no chunk is to come
        self._stopping = False  # set when the load stops short (Ctrl-C, a signal): the writer only empties the queue
        self._every_core = False
        self._first_new: dict[str, int] = {}  # per table: the rowid from which rows are this load's
        self._migrated_to: dict[str, str] = {}  # per table: the version this load brought it up to
        self._have: dict[str, set[str]] = {}  # per table: its columns since
        self._appended: dict[str, int] = {}
        self.inserted = 0  # rows that were not already in their table
        self.inputs_repeat = False  # set by the load when an input is read twice (load.py)
        self.rejected_inserted = 0

    def reads_lines(self, converter: Any) -> None:
        """Have `converter` leave valid lines unread, in files of a directory of this sink's."""
        self.lines_dir = converter.lines_dir = scratch_dir("load", memory_root(SCRATCH_ROOM))
        self._rows = converter.rows

    def write(self, converted: Converted, name: str = "", first_line: int = 1) -> None:
        """Hand a chunk's rows to the writer thread; `name` is the input, `first_line` the number of
        the chunk's first line."""
        if self._failed is not None:
            raise self._unusable(self._failed)
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, name="duckdb writer", daemon=True)
            self._writer.start()
        self._queue.put((converted, name, first_line))

    def _write_all(self) -> None:
        """The writer thread: DuckDB inserts while the main process hands the workers their next
        chunks (DuckDB lets go of the GIL while it works). After a failure it only empties the queue."""
        while (item := self._queue.get()) is not None:
            if self._failed is None and not self._stopping:
                try:
                    self._take(*item)
                except BaseException as exc:
                    self._failed = exc
            if self._failed is not None or self._stopping:
                for path, _ in item[0].unread.values():
                    with contextlib.suppress(FileNotFoundError):  # renamed before the failure: close() removes it
                        os.unlink(path)

    def _take(self, converted: Converted, name: str, first_line: int) -> None:
        """A chunk's rows into their tables' queues; each table with a whole row group waiting writes it."""
        if self._all_in.is_set() and not self._every_core:
            self._use_every_core()  # the workers are done: the chunks still queued have the cores to themselves
        for (ref, enveloped), (path, count) in converted.unread.items():
            # The file is renamed after the number of the chunk's first line, which DuckDB's reader
            # then adds to each line's number (known only now: chunks are numbered in input order).
            named = os.path.join(os.path.dirname(path), f"{first_line - 1}-{os.path.basename(path)}")
            os.rename(path, named)
            self._wait(self._versions[ref][0].name).add(_Unread(named, first_line - 1, name, ref, enveloped, count))
        for table, batch in converted.tables.items():
            self._wait(table).add(batch)
        if converted.rejected is not None:
            self._wait("rejected").add(converted.rejected)
        for table, waiting in list(self._waiting.items()):
            if waiting.rows >= self.row_group:
                self._write_table(table, waiting.rows - waiting.rows % self.row_group)

    def _use_every_core(self) -> None:
        self.db.execute(f"SET threads = {self._threads}")
        if self._limit == STREAMING_MEMORY_LIMIT:  # not raised since for a batch that needed more
            self._limit = MEMORY_LIMIT
            self.db.execute(f"SET memory_limit = '{self._limit}B'")
        self._every_core = True

    def _wait(self, table: str) -> _Waiting:
        waiting = self._waiting.get(table)
        if waiting is None:
            waiting = self._waiting[table] = _Waiting()
        return waiting

    def _write_table(self, name: str, rows: int | None = None) -> None:
        """Insert `rows` of the table's waiting rows (all of them if None), in one transaction."""
        waiting = self._waiting[name]
        columns = self._migrated(name)  # DDL is not for a transaction with appends
        while True:
            taken = _Taken.of(waiting, rows)
            upto = _number_at(taken.cut, taken.cut_rows) if taken.cut is not None else None
            self.db.execute("BEGIN TRANSACTION")
            try:
                self._insert(name, columns, taken, upto)
                self.db.execute("COMMIT")
                break
            except _Refused as refused:
                # Any error ends DuckDB's transaction: the row group is done again, those lines the Python way.
                self._rollback()
                self._convert_here(name, refused.files)
                columns = self._migrated(name)
            except duckdb.OutOfMemoryException:
                # Done again with less at once: one thread (each holds its own buffers), then twice the memory.
                self._rollback()
                if self._every_core and self._threads > 1:
                    self.db.execute("SET threads = 1")
                    self._threads = 1
                elif not self._more_memory():
                    raise
            except BaseException:
                self._rollback()  # so that close() can still write the views
                raise
        for unread in taken.files:
            if unread is not taken.cut:
                os.unlink(unread.path)
        waiting.batches, waiting.files = taken.rest_batches, taken.rest_files
        if taken.cut is not None:
            assert upto is not None
            taken.cut.after, taken.cut.rows = upto, taken.cut.rows - taken.cut_rows
            waiting.files.insert(0, taken.cut)
        waiting.rows -= taken.rows
        self._appended[name] = self._appended.get(name, 0) + taken.rows

    def _migrated(self, name: str) -> list[str]:
        """The table brought up to its newest version; its columns. The newest, whatever version
        the rows waiting are of: rows are read and converted with the newest version's column
        types (a MINOR may add a field inside a STRUCT column), and `close` migrates every table
        to it anyway."""
        if name == "rejected":
            return [c for c, _ in REJECTED]
        table = self.tables[name]
        return self.migrate(table, table.versions[-1])

    def _insert(self, name: str, columns: list[str], taken: _Taken, upto: int | None) -> None:
        """Append the taken batches and read the taken files (the one cut, only up to its line `upto`)."""
        self._first(name)
        if taken.batches:
            self._append(name, columns, pa.Table.from_batches(taken.batches))
        groups: dict[tuple[str, bool, str], list[_Unread]] = {}
        for unread in taken.files:
            groups.setdefault((unread.ref, unread.enveloped, unread.input), []).append(unread)
        for (ref, enveloped, input_name), group in groups.items():
            table, version = self._versions[ref]
            try:
                self._read(table, columns, version, enveloped, input_name, group, taken.cut, upto)
            except (duckdb.InvalidInputException, duckdb.ConversionException):
                raise _Refused(group) from None

    def _read(self, table: Table, columns: list[str], version: str, enveloped: bool, input_name: str,
              files: list[_Unread], cut: _Unread | None, upto: int | None) -> None:
        """Insert unread lines of one version and input, read by DuckDB's JSON reader."""
        kinds = dict(table.columns)
        payload = [c for c, _ in table.payload if c in columns]
        event = [(table.member(c), sql(kinds[c])) for c in payload]  # the reader reads the event's names
        if enveloped:  # `time` is read as text and cast below, as Python reads it
            event = [(c, "VARCHAR") for c, _ in ENVELOPE] + [("data", "STRUCT(" + ", ".join(f"{quote(c)} {k}" for c, k in event) + ")")]
        read = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': '{k.replace(chr(39), chr(39) * 2)}'"
                         for c, k in [(LINE_MEMBER, "BIGINT"), *event])
        # The line: its number in its chunk, plus the number of the input's line before the chunk
        # (the file's name).
        values = {"file": "$input", "line": f"r.{_LINE} + CAST(split_part(parse_filename(r.{_FILE}), '-', 1) AS BIGINT)",
                  "version": "$version"}
        for c, _ in ENVELOPE:
            values[c] = f"r.{quote(c)}" if enveloped else "NULL"
        if enveloped:
            values["time"] = "CAST(upper(r.time) AS TIMESTAMPTZ)"  # RFC 3339 allows a lowercase t and z
        for c in payload:
            values[c] = f"r.data.{quote(table.member(c))}" if enveloped else f"r.{quote(table.member(c))}"
        parameters: dict[str, Any] = {"paths": [u.path for u in files], "input": input_name, "version": version}
        where = []
        for n, unread in enumerate(files):  # a file cut at a row group's end: each side in its own
            if unread.after:
                where.append(f"(r.{_FILE} <> $after_{n} OR r.{_LINE} > {unread.after})")
                parameters[f"after_{n}"] = unread.path
            if unread is cut:
                where.append(f"(r.{_FILE} <> $upto_{n} OR r.{_LINE} <= {upto})")
                parameters[f"upto_{n}"] = unread.path
        self.db.execute(
            f"INSERT INTO {table.name} ({', '.join(quote(c) for c in columns)}) SELECT {', '.join(values[c] for c in columns)} "
            f"FROM read_ndjson($paths, columns = {{{read}}}, format = 'newline_delimited', filename = '{FILE_COLUMN}', "
            f"maximum_object_size = {2 * LONGEST_UNREAD}) AS r" + (f" WHERE {' AND '.join(where)}" if where else ""),
            parameters)

    def _convert_here(self, name: str, files: list[_Unread]) -> None:
        """The waiting lines of `files`, converted in Python: they wait as Arrow rows instead, and
        those no table can store as rows of `rejected`."""
        assert self._rows is not None
        waiting = self._waiting[name]
        for unread in files:
            with open(unread.path, "rb") as records:
                valid = [(unread.shift + n, raw) for n, raw in map(line_of_unread, records) if n > unread.after]
            os.unlink(unread.path)
            part = self._rows(unread.input, valid)
            waiting.files.remove(unread)
            waiting.rows -= unread.rows
            for batch in part.tables.values():
                waiting.add(batch)
            if part.rejected is not None:
                self._wait("rejected").add(part.rejected)
            self.unstorable += part.unstorable

    def _first(self, name: str) -> None:
        if name not in self._first_new:
            ((first,),) = self.db.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {name}").fetchall()
            self._first_new[name] = int(first)

    def _append(self, name: str, columns: list[str], rows: pa.Table) -> None:
        need = 3 * rows.nbytes + (64 << 20)  # the batch, its copy into blocks, and room to work
        if need > self._limit:
            self._limit = need
            self.db.execute(f"SET memory_limit = '{need}B'")
        listed = ", ".join(quote(c) for c in rows.column_names if c in columns)
        self.db.register("incoming", rows)
        try:
            self.db.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM incoming")
        finally:
            self.db.unregister("incoming")

    def _drop_repeats(self, name: str) -> int:
        """Delete the rows whose key an earlier row has (in the table before, or earlier in this
        load); how many of this load's. The repeats an earlier load left go too: a load stopped
        (Ctrl-C, a signal) after committing row groups and before this step leaves its repeats,
        which the next load of the same input removes."""
        start = self._first_new[name]
        keys: tuple[tuple[str, tuple[str, ...], bool], ...]
        if name == "rejected":
            keys, content = REJECTED_KEYS, ["raw"]
        else:
            have = self.columns(name)
            keys, content = EVENT_KEYS, [quote(c) for c, _ in self.tables[name].payload if c in have]
        deletes = []
        for which, place, whole in keys:
            if place == ("file", "line") and start == 0 and not self.inputs_repeat:
                # A first load of inputs each read once: no two of its rows have the same file and
                # line, and looking cost 0.1-0.2s at the end of a load of 1,000,000 events.
                continue
            placed = ", ".join(place)
            # Only the places that repeat (none in a first load) have their rows' content hashed:
            # hashing every row's columns cost a first load of 1,000,000 events 0.25 CPU-s.
            repeated = (f"({placed}) IN (SELECT ({placed}) FROM {name} WHERE {which} "
                        f"GROUP BY {placed} HAVING count(*) > 1)")
            # What a row holds counts as a 64-bit hash, one of a group's columns: a window
            # partitioned by it instead took 20 times as long (3.5s for 500,000 rows).
            key = ", ".join([*place, f"hash({', '.join(content)})"] if whole else place)
            # The first row of each key stays; every later one goes.
            deletes.append(f"DELETE FROM {name} WHERE {which} AND {repeated} AND rowid NOT IN ("
                           f"SELECT min(rowid) FROM {name} WHERE {which} AND {repeated} GROUP BY {key})")
        if not deletes:
            return 0
        while True:  # a whole input loaded again groups twice its rows: it may need more memory
            # One transaction, so that rowids stay as they are until this load's rows are counted:
            # one pass over the table deletes every repeat, and what is left from `start` on is
            # what this load keeps (a second pass for the earlier loads' repeats alone cost an
            # append of 1,000 events to 1,000,000 half as much again; RETURNING each deleted row,
            # a whole reload 1.2s more).
            self.db.execute("BEGIN TRANSACTION")
            try:
                for delete in deletes:
                    self.db.execute(delete)
                ((kept,),) = self.db.execute(f"SELECT count(*) FROM {name} WHERE rowid >= {start}").fetchall()
                self.db.execute("COMMIT")
                return self._appended[name] - int(kept)
            except duckdb.OutOfMemoryException:
                self._rollback()
                if not self._more_memory():
                    raise
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """End the transaction an error stopped. A query a signal interrupted has DuckDB end it
        itself: a ROLLBACK then fails ("no transaction is active"), and that error took the place
        of the signal's (exit 2, not 130)."""
        with contextlib.suppress(duckdb.TransactionException):
            self.db.execute("ROLLBACK")

    def _more_memory(self) -> bool:
        """Twice DuckDB's memory, up to MEMORY_CEILING; False when it is there already."""
        if self._limit >= MEMORY_CEILING:
            return False
        self._limit = min(2 * self._limit, MEMORY_CEILING)
        self.db.execute(f"SET memory_limit = '{self._limit}B'")
        return True

    def migrate(self, table: Table, version: str) -> list[str]:
        """Bring the table up to `version`, once per load: create it, apply each later version's
        migration (its new columns and STRUCT fields; every statement is idempotent), then add
        any column of `version` the table still lacks (a table another catalogue made, a column
        dropped by hand), as a field without a column would be left out of its row without a
        word. The columns it then has."""
        done = self._migrated_to.get(table.name)
        if done is None or version_key(done) < version_key(version):
            for step in table.versions[: table.versions.index(version) + 1]:
                self.db.execute(duckdb_ddl.statements(table, step))
            have = self.columns(table.name)
            for name, kind in table.columns_at(version):
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table.name} ADD COLUMN {quote(name)} {sql(kind)}")
            self._migrated_to[table.name] = version
            self._have[table.name] = self.columns(table.name)
        return [c for c, _ in table.columns if c in self._have[table.name]]

    def columns(self, name: str) -> set[str]:
        found = self.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main'", [name]
        ).fetchall()
        return {row[0] for row in found}

    def close(self, keep_open: bool = False) -> None:
        """Write what waits, drop repeated keys; then every table at its newest version and the
        views over them."""
        try:
            if self._writer is not None:
                self._all_in.set()
                self._queue.put(None)
                self._writer.join()
                self._writer = None
            if self._failed is not None:
                raise self._unusable(self._failed)
            self._finish()
        except duckdb.Error as exc:
            raise self._unusable(exc) from None
        finally:
            self._stop_writer()
            if self.lines_dir is not None:
                shutil.rmtree(self.lines_dir, ignore_errors=True)
            if not keep_open:
                self.db.close()

    def _unusable(self, exc: BaseException) -> BaseException:
        """What a DuckDB error means to the user: the signal that stopped its query (DuckDB's
        own word for it is "interrupted", SIGTERM's too), or a database that is not one this load can write (a damaged file, a table of
        that name that is not this contract's), one line naming it; anything else as it is."""
        if isinstance(exc, duckdb.InterruptException) or (type(exc) is RuntimeError and "interrupted" in str(exc)):
            return interrupt.stopped()
        if isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.OutOfMemoryException):
            return Unusable(f"{self.path}: cannot use the DuckDB database: {str(exc).splitlines()[0]}")
        return exc

    def _stop_writer(self) -> None:
        """Stop the writer thread, when close() did not get to join it (Ctrl-C, a signal): its
        query is interrupted, and the connection is closed only once it is out of DuckDB (closing
        it under a running query aborted the process)."""
        if self._writer is None:
            return
        self._stopping = True
        while self._writer.is_alive():
            self.db.interrupt()
            try:
                self._queue.put(None, timeout=0.05)  # the writer, emptying the queue, makes room
            except queue.Full:
                continue
            self._writer.join(timeout=0.05)
        self._writer = None

    def _finish(self) -> None:
        """What close() does once every chunk is in: the last rows, the repeats dropped, every table at its
        newest version and the views over them."""
        if not self._every_core:
            self._use_every_core()
        for name in [n for n in self._waiting if n != "rejected"] + ["rejected"]:
            if name in self._waiting and self._waiting[name].rows:
                self._write_table(name)
        for name, appended in self._appended.items():
            kept = appended - self._drop_repeats(name)
            if name == "rejected":
                self.rejected_inserted += kept
            else:
                self.inserted += kept
        for table in self.tables.values():
            self.migrate(table, table.versions[-1])
        views.apply(self.db)


@dataclass
class _Taken:
    """The first rows of a table's waiting ones: batches (the last perhaps sliced), files (the
    last, `cut`, perhaps only its first `cut_rows` lines), and what is left to wait."""

    rows: int = 0
    batches: list[pa.RecordBatch] = field(default_factory=list)
    files: list[_Unread] = field(default_factory=list)
    cut: _Unread | None = None
    cut_rows: int = 0
    rest_batches: list[pa.RecordBatch] = field(default_factory=list)
    rest_files: list[_Unread] = field(default_factory=list)

    @classmethod
    def of(cls, waiting: _Waiting, rows: int | None) -> _Taken:
        taken = cls(rows=waiting.rows if rows is None else min(rows, waiting.rows))
        left = taken.rows
        for batch in waiting.batches:
            if left >= batch.num_rows:
                taken.batches.append(batch)
            elif left > 0:
                taken.batches.append(batch.slice(0, left))
                taken.rest_batches.append(batch.slice(left))
            else:
                taken.rest_batches.append(batch)
            left = max(0, left - batch.num_rows)
        for unread in waiting.files:
            if left >= unread.rows:
                taken.files.append(unread)
            elif left > 0:
                taken.files.append(unread)
                taken.cut, taken.cut_rows = unread, left
            else:
                taken.rest_files.append(unread)
            left = max(0, left - unread.rows)
        return taken


def _number_at(unread: _Unread, k: int) -> int:
    """The number (in its file) of the `k`-th line of `unread` still waiting."""
    with open(unread.path, "rb") as records:
        seen = 0
        for record in records:
            number = number_of_unread(record)
            if number > unread.after:
                seen += 1
                if seen == k:
                    return number
    raise AssertionError(f"{unread.path}: fewer than {k} lines after {unread.after}")
