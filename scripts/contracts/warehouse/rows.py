"""The per-chunk function: validate a chunk of JSON lines and turn it into Arrow rows.

`Converter.chunk(data, file, first_line)` is the one function every path runs: `contracts load`
in its worker processes (into DuckDB or Parquet), and the Spark job inside `mapInArrow`. It
validates with the Checker `contracts validate` uses (the same reader, tiers and messages) and
returns one record batch per table, plus the rejected lines with their violations: every line of
the chunk is a row of one or the other, or blank.

For DuckDB (`Converter.lines_dir` set) the valid lines of a version are not read into Arrow here:
they are written, as they are but for their line number, to a file of JSON lines that DuckDB's
own reader turns into the table's columns (duckdb_sink.py). Reading them into Arrow and then
copying the Arrow into DuckDB costs twice what DuckDB's reader alone costs (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError, SchemaFile
from multi_workflow_telemetry.envelopes import is_envelope
from multi_workflow_telemetry.fast import loads, loads_exact, strip_bom

from ..stream import Checker, ChunkResult, Problem, Task, collector_paused, split_lines
from . import arrow
from .columns import OTHER_MEMBERS, Scalar, Table, tables

# The rule of a valid event the warehouse cannot store (a string Arrow cannot encode, a time
# Arrow cannot hold): rejected like an invalid one, so nothing is lost.
UNSTORABLE = "warehouse"
ENVELOPE_ATTRIBUTES = ("id", "source", "type", "time", "dataschema", "subject")
# Lines longer than this are converted here even for DuckDB: its JSON reader holds a few times the
# largest line per thread, and one line of 100 MB (docs/bad-input.md B06) would take DuckDB's memory.
LONGEST_UNREAD = 8 << 20  # bytes
# An unread line carries its number (from the chunk's first line) as the object's first member,
# `{"#line":N,...`: no event can have that member (an event's root allows no other members, an
# envelope's extension attributes are lowercase letters and digits), and a line that had it anyway
# would be refused by DuckDB's reader as a repeated key and converted in Python (duckdb_sink.py).
LINE_MEMBER = "#line"
_LINE_PREFIX = b'{"' + LINE_MEMBER.encode() + b'":%d,'
# The column DuckDB's reader adds with each line's file (duckdb_sink.py): named as no portable
# field is, as DuckDB refuses a member of the same name (`filename`, its default, is a field's
# name in many schemas).
FILE_COLUMN = "#file"
# A \u escape of a surrogate; also found where the backslash is itself escaped (`\\ud…`): such
# lines only take the slow way, which reads them right too.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")
_PIECES = min(os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1024, 1024)  # buffers per writev call
_EMPTY_OBJECT = re.compile(rb"\{[ \t\r\n]*\}")  # no member to put the line number before
# orjson reads an integer beyond 64 bits (below -2**63, or 2**64 and above: 19 digits or more) as
# a float, which a BIGINT column would take rounded (-2**63 - 1 as -2**63) and a JSON column
# would write as 1.2e+22: a line with such a run of digits is read by the exact reader instead.
_LONG_DIGITS = re.compile(rb"[0-9]{19,}")


@dataclass
class Converted:
    """One chunk, converted: rows per table, rejected rows, and the chunk's counts."""

    lines: int = 0
    nbytes: int = 0
    events: int = 0
    invalid: int = 0
    unreadable: int = 0
    unstorable: int = 0
    tables: dict[str, pa.RecordBatch] = field(default_factory=dict)
    rejected: pa.RecordBatch | None = None
    # With `Converter.lines_dir`: valid lines still to be read, per (NAME@VERSION, enveloped):
    # a file of the lines, each with its number N as its first member (`{"#line":N,…`), and how
    # many. N counts from the chunk's first line and `placed` leaves it be: the sink adds the
    # chunk's place in its input.
    unread: dict[tuple[str, bool], tuple[str, int]] = field(default_factory=dict)

    @property
    def loaded(self) -> int:
        return sum(b.num_rows for b in self.tables.values()) + sum(n for _, n in self.unread.values())

    def placed(self, name: str, offset: int) -> Converted:
        """The same rows as read from input `name`, with `offset` added to every line number (a
        chunk converted from line 1, once its place in its input is known). The worker named the
        rows after what it read (a path as given, or `<stdin>` for any stream); the input's name
        is the load's to give (load.py, `input_name`)."""
        self.tables = {table: _placed(b, name, offset) for table, b in self.tables.items()}
        self.rejected = _placed(self.rejected, name, offset) if self.rejected is not None else None
        return self


def _placed(batch: pa.RecordBatch, name: str, offset: int) -> pa.RecordBatch:
    file, line = batch.schema.get_field_index("file"), batch.schema.get_field_index("line")
    batch = batch.set_column(file, "file", pa.array([name] * batch.num_rows, pa.string()))
    if not offset:
        return batch
    return batch.set_column(line, "line", pc.add(batch.column(line), pa.scalar(offset, pa.int64())))


class Converter:
    """Validates and converts chunks, one process's worth (validators compiled once)."""

    def __init__(self, catalogue: Catalogue, event: str | None) -> None:
        self.catalogue = catalogue
        self.checker = Checker(catalogue, event)
        self.fixed = self.checker.fixed
        self.tables = {t.name: t for t in tables(catalogue)}
        self._by_file: dict[str, Table] = {}
        for table in self.tables.values():
            for schema_file in table.files:
                self._by_file[schema_file.ref] = table
        self.schemas = {name: arrow.schema(t) for name, t in self.tables.items()}
        self._files: dict[str, SchemaFile] = {}
        self.checker.routing = True
        # What Arrow's JSON reader is given: the payload's columns but JSON ones, bare or in `data`.
        self._read_schemas: dict[tuple[str, bool], pa.Schema] = {}
        for table in self.tables.values():
            payload = [self.schemas[table.name].field(name).with_name(table.member(name))  # read by the event's names
                       for name, kind in table.payload if kind != _JSON]
            self._read_schemas[(table.name, False)] = pa.schema(payload)
            envelope = [self.schemas[table.name].field(name) for name in ENVELOPE_ATTRIBUTES]
            self._read_schemas[(table.name, True)] = pa.schema([*envelope, pa.field("data", pa.struct(payload))])
        self.rejected_schema = arrow.rejected_schema()
        # Tables whose events DuckDB's JSON reader cannot read: their lines are converted here.
        self._read_here = {name for name, table in self.tables.items() if not _duckdb_reads(table)}
        # ... and those no JSON reader in C++ can (their root's other members, OTHER_MEMBERS, are
        # the members no column names): read here in every mode. Per table, the members columns hold.
        self._python_only = {name for name, table in self.tables.items() if table.other}
        self._named = {name: {table.member(c) for c, _ in table.payload if c != OTHER_MEMBERS}
                       for name, table in self.tables.items()}
        self.lines_dir: str | None = None  # set by the DuckDB sink: valid lines go there unread

    def run(self, task: Task) -> Converted:
        """What the Runner calls (stream.py): a task is a byte range of a file, or a block of stdin."""
        if task[0] == "file":
            _, path, start, end = task
            with open(path, "rb") as stream:
                stream.seek(start)
                data = stream.read(end - start)
            nbytes = len(data)
            return self.chunk(strip_bom(data) if start == 0 else data, path, 1, nbytes)
        return self.chunk(task[1], "<stdin>", 1)  # blocks of data only ever come from standard input

    def chunk(self, data: bytes, file: str, first_line: int = 1, nbytes: int | None = None) -> Converted:
        """Every line of `data` (whole lines, `\\n`-separated), as rows of the tables or of
        `rejected`; line numbers count from `first_line`."""
        with collector_paused():  # a line's number and its view, for each valid line, make no cycle
            return self._chunk(data, file, first_line, nbytes)

    def _chunk(self, data: bytes, file: str, first_line: int, nbytes: int | None) -> Converted:
        checked = split_lines(data)  # each line ends with its newline; rows hold lines without it
        result = self.checker.chunk(data, nbytes, checked)
        problems: dict[int, list[Problem]] = {}
        for problem in result.problems:
            problems.setdefault(problem[0], []).append(problem)
        routes = result.routes
        assert routes is not None
        routed = sum(map(len, routes.values()))
        if routed != result.valid:  # a line counted twice or lost: a bug, never bad input
            raise AssertionError(f"{file}: {routed} lines to load, {result.valid} valid")
        rejected = [(first_line + n - 1, checked[n - 1][:-1], found) for n, found in sorted(problems.items())]
        # The fast way for most lines: grouped by the version the Checker validated them against,
        # read by a JSON reader in C++ (Arrow's, or DuckDB's). Lines with a \u escape of a surrogate
        # are parsed here, in Python (what those readers do with a lone surrogate is not what Python does).
        fast: dict[tuple[str, bool], list[int]] = {}
        slow = []
        # Looked for line by line only if anywhere; and anywhere only if there is a backslash at all
        # (memchr), as looking for three bytes costs a microsecond a line.
        escapes = b"\\" in data and _SURROGATE_ESCAPE.search(data) is not None
        unread = self.lines_dir is not None
        long_lines = unread and len(data) > LONGEST_UNREAD
        shift = first_line - 1
        for key, numbers in routes.items():
            # Each version's lines at once; line by line only where one may not go the fast way
            # (almost every line starts `{"`, and so takes the line member: `_takes_line_member`).
            if escapes or long_lines or (unread and any(checked[n - 1][:2] != b'{"' for n in numbers)):
                kept = []
                for n in numbers:
                    raw = checked[n - 1]
                    if ((escapes and _SURROGATE_ESCAPE.search(raw)) or (long_lines and len(raw) > LONGEST_UNREAD)
                            or (unread and not _takes_line_member(raw))):
                        slow.append((shift + n, raw[:-1]))
                    else:
                        kept.append(n)
                numbers = kept
            if numbers:
                fast[key] = numbers
        here = self._read_here if unread else self._python_only
        if here:
            for key in [k for k in fast if self._table_of(self._schema_file(k[0])).name in here]:
                slow += [(shift + n, checked[n - 1][:-1]) for n in fast.pop(key)]
        if unread:
            converted = self._convert(file, sorted(slow), rejected, result)
            converted.unread = {key: (self.unread_file(checked, numbers, shift), len(numbers)) for key, numbers in fast.items()}
            return converted
        groups = {key: [(shift + n, checked[n - 1][:-1]) for n in numbers] for key, numbers in fast.items()}
        return self._convert(file, sorted(slow), rejected, result, groups)

    def unread_file(self, lines: list[bytes], numbers: list[int], shift: int = 0) -> str:
        """The lines `numbers` (from 1; each ends with its newline and starts with `{`, see
        `_takes_line_member`) in a new file of `lines_dir`, each with its number, `shift + N`, as
        its first member: the number rides with the line, whatever order a reader returns them in."""
        assert self.lines_dir is not None
        parts: list[bytes | memoryview] = []
        add = parts.append
        for n in numbers:
            add(_LINE_PREFIX % (shift + n))
            add(memoryview(lines[n - 1])[1:])  # the line after its `{`, copied only into the file
        path = os.path.join(self.lines_dir, f"{uuid.uuid4().hex}.jsonl")
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            # Straight from the lines to the file (no joined copy), as many pieces a call as allowed.
            for start in range(0, len(parts), _PIECES):
                pieces = parts[start:start + _PIECES]
                written = os.writev(out, pieces)
                rest = memoryview(b"".join(pieces))[written:] if written < sum(map(len, pieces)) else b""
                while rest:  # a short write (signals; a full disk raises OSError instead)
                    rest = rest[os.write(out, rest):]
        finally:
            os.close(out)
        return path

    def rows(self, file: str, valid: list[tuple[int, bytes]]) -> Converted:
        """Valid lines converted here, in Python (what a reader in C++ would not read exactly):
        their rows, and as `rejected` those no table can store."""
        return self._convert(file, valid, [], ChunkResult())

    def document(self, raw: bytes, file: str) -> Converted:
        """A `.json` file: one event, possibly over many lines; rejected, it is one row at line 1."""
        result = ChunkResult(lines=1, nbytes=len(raw), events=1)
        kind, found, _, _ = self.checker.check(raw)
        if kind == "valid":
            result.valid = 1
            return self._convert(file, [(1, raw)], [], result)
        setattr(result, kind, 1)
        return self._convert(file, [], [(1, raw, [(0, *p[1:]) for p in found])], result)

    # ---- conversion
    def _convert(self, file: str, valid: list[tuple[int, bytes]], rejected: list[tuple[int, bytes, list[Problem]]],
                 result: ChunkResult, fast: dict[tuple[str, bool], list[tuple[int, bytes]]] | None = None) -> Converted:
        out = Converted(lines=result.lines, nbytes=result.nbytes, events=result.events, invalid=result.invalid,
                        unreadable=result.unreadable)
        batches: dict[str, list[pa.RecordBatch]] = {}
        for (ref, enveloped), group in (fast or {}).items():
            table = self._table_of(self._schema_file(ref))
            try:
                batches.setdefault(table.name, []).append(self._read(file, table, ref, enveloped, group))
            except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, OverflowError):
                valid = valid + group  # whatever Arrow will not read exactly goes the Python way
        rows: dict[str, list[tuple[Any, ...]]] = {}
        unstorable: list[tuple[int, bytes, list[Problem]]] = []
        for line, raw in valid:
            try:
                name, row = self._row(file, line, raw)
            except (UnicodeError, ValueError, OverflowError, TypeError, CatalogueError) as exc:
                unstorable.append((line, raw, [(0, "", UNSTORABLE, f"valid, but cannot be stored: {exc}")]))
                continue
            rows.setdefault(name, []).append(row)
        for name, table_rows in rows.items():
            batch, failed = self._batch(name, table_rows)
            if batch is not None:
                batches.setdefault(name, []).append(batch)
            for row, reason in failed:
                unstorable.append((row[1], _raw_of(valid, row[1]), [(0, "", UNSTORABLE, f"valid, but cannot be stored: {reason}")]))
        for name, parts in batches.items():
            out.tables[name] = parts[0] if len(parts) == 1 else pa.Table.from_batches(parts).combine_chunks().to_batches()[0]
        out.unstorable = len(unstorable)
        everything = sorted(rejected + unstorable, key=lambda r: r[0])
        if everything:
            out.rejected = self._rejected(file, everything)
        return out

    def _row(self, file: str, line: int, raw: bytes) -> tuple[str, tuple[Any, ...]]:
        value = _exact(raw)
        if is_envelope(value):
            schema_file = self.catalogue.by_id(value["dataschema"])
            payload = value["data"]
            attributes = tuple(value.get(name) for name in ENVELOPE_ATTRIBUTES)
            attributes = attributes[:3] + (_timestamp(attributes[3]),) + attributes[4:]
        else:
            schema_file = self.fixed.schema_file if self.fixed else self._schema_file(value["event_type"])
            payload = value
            attributes = (None,) * len(ENVELOPE_ATTRIBUTES)
        table = self._table_of(schema_file)
        values = tuple(_cell(payload.get(table.member(name)), kind) if name != OTHER_MEMBERS else self._others(table, payload)
                       for name, kind in table.payload)
        return table.name, (file, line, schema_file.version, *attributes, *values)

    def _others(self, table: Table, payload: dict[str, Any]) -> str | None:
        """The members of an event no column of its table holds, as JSON (OTHER_MEMBERS)."""
        named = self._named[table.name]
        others = {k: v for k, v in payload.items() if k not in named}
        return _json_text(others) if others else None

    def _read(self, file: str, table: Table, ref: str, enveloped: bool, group: list[tuple[int, bytes]]) -> pa.RecordBatch:
        """Valid lines of one version, read by Arrow's JSON reader into the table's schema."""
        data = b"\n".join(raw for _, raw in group)
        options = pajson.ParseOptions(explicit_schema=self._read_schemas[(table.name, enveloped)],
                                      unexpected_field_behavior="ignore")
        read = pajson.read_json(pa.BufferReader(data), parse_options=options,
                                read_options=pajson.ReadOptions(use_threads=False, block_size=len(data) + 1))
        read = read.combine_chunks()
        n = read.num_rows
        if n != len(group):
            raise ValueError(f"{n} rows read from {len(group)} lines")
        payload = read.column("data").chunk(0) if enveloped else None
        schema = self.schemas[table.name]
        version = self._schema_file(ref).version
        columns: list[Any] = [pa.array([file] * n, pa.string()), pa.array([line for line, _ in group], pa.int64()),
                              pa.array([version] * n, pa.string())]
        for name in ENVELOPE_ATTRIBUTES:
            columns.append(read.column(name).chunk(0) if enveloped else pa.nulls(n, schema.field(name).type))
        for name, kind in table.payload:
            field_type, member = schema.field(name).type, table.member(name)
            if kind == _JSON:
                columns.append(pa.array(_json_texts(group, member, enveloped), field_type))
            elif payload is not None:
                columns.append(payload.field(member))
            else:
                columns.append(read.column(member).chunk(0))
        return pa.RecordBatch.from_arrays(columns, schema=schema)

    def _schema_file(self, ref: str) -> SchemaFile:
        found = self._files.get(ref)
        if found is None:
            found = self._files[ref] = self.catalogue.get(ref)
        return found

    def _table_of(self, schema_file: SchemaFile) -> Table:
        table = self._by_file.get(schema_file.ref)
        if table is None:
            raise CatalogueError(f"no warehouse table for {schema_file.ref}")
        return table

    def _batch(self, name: str, rows: list[tuple[Any, ...]]) -> tuple[pa.RecordBatch | None, list[tuple[Any, str]]]:
        """The rows as one record batch; rows Arrow refuses come back with the reason."""
        schema = self.schemas[name]
        try:
            return _record_batch(schema, rows), []
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, UnicodeError) as exc:
            first = str(exc)
        # Rare: find the rows Arrow refuses, one by one, and keep the others.
        kept, failed = [], []
        for row in rows:
            try:
                _record_batch(schema, [row])
                kept.append(row)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, UnicodeError) as exc:
                failed.append((row, str(exc).splitlines()[0] if str(exc) else first))
        return (_record_batch(schema, kept) if kept else None), failed

    def _rejected(self, file: str, rows: Iterable[tuple[int, bytes, list[Problem]]]) -> pa.RecordBatch:
        columns: list[list[Any]] = [[], [], [], [], []]
        for line, raw, found in rows:
            for column, value in zip(columns, (file, line, self._event_of(raw), _text(raw),
                                               [{"pointer": p, "rule": r, "message": m} for _, p, r, m in found])):
                column.append(value)
        return pa.RecordBatch.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(columns, self.rejected_schema)], schema=self.rejected_schema)

    def _event_of(self, raw: bytes) -> str | None:
        """The event a rejected line meant to be, when it says (envelope `type`, `event_type`, `--event`)."""
        if self.fixed is not None:
            return self.fixed.event
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        named = value.get("type" if is_envelope(value) else "event_type") if isinstance(value, dict) else None
        return named if isinstance(named, str) else None


def _duckdb_reads(table: Table) -> bool:
    """Whether DuckDB's JSON reader can read the table's events. Its names ignore case: it would
    take a member named as the line number or the file column (in any case) for that, and could
    not read two members that differ only in case."""
    members = [table.member(name).lower() for name, _ in table.payload]
    return (not table.other and not {LINE_MEMBER, FILE_COLUMN} & set(members)
            and len(set(members)) == len(members))


def _takes_line_member(raw: bytes) -> bool:
    """Whether a valid line can carry its number as a first member: it starts with the object's
    `{` (nothing before it) and has a member to put it before."""
    return raw[0] == 0x7B and (raw[1] == 0x22 or not _EMPTY_OBJECT.match(raw))  # `{`, then `"` or not `}`


def number_of_unread(record: bytes) -> int:
    """The number an unread file's record carries (`{"#line":N,…`)."""
    return int(record[_LINE_PREFIX.index(b"%d"):record.index(b",")])


def line_of_unread(record: bytes) -> tuple[int, bytes]:
    """An unread file's record back as (its number, the line as it was, without its newline)."""
    rest = record[record.index(b",") + 1:]
    return number_of_unread(record), b"{" + (rest[:-1] if rest.endswith(b"\n") else rest)


def _json_texts(group: list[tuple[int, bytes]], name: str, enveloped: bool) -> list[str | None]:
    """A JSON column of lines read by Arrow, which cannot keep an object as text: the value's
    JSON, parsed from the lines that name the field (an open object: rarely most lines)."""
    key = f'"{name}"'.encode()
    texts: list[str | None] = []
    for _, raw in group:
        value = None
        if key in raw:
            parsed = _exact(raw)
            value = (parsed["data"] if enveloped else parsed).get(name)
        texts.append(None if value is None else _json_text(value))
    return texts


def _exact(raw: bytes) -> Any:
    """A valid line's values, every integer exact (`_LONG_DIGITS`)."""
    return loads_exact(raw) if _LONG_DIGITS.search(raw) else loads(raw)


def _json_text(value: Any) -> str:
    """A value as the JSON text of a JSON column."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits, read exactly: the standard library writes it whole
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _record_batch(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns = list(zip(*rows))
    return pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)


def _cell(value: Any, kind: Any) -> Any:
    """A payload value as its column holds it: JSON columns hold the value's JSON text."""
    if value is None or kind != _JSON:
        return value
    return _json_text(value)


_JSON = Scalar("JSON")


def _timestamp(text: Any) -> dt.datetime | None:
    """An RFC 3339 time (validated already) as an aware datetime; fractions beyond microseconds
    are cut, as the column holds microseconds."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(str(text).upper())


def _text(raw: bytes) -> str:
    # A rejected line keeps every byte: what is not UTF-8 is written as \\xNN escapes.
    return raw.decode("utf-8", errors="backslashreplace")


def _raw_of(valid: list[tuple[int, bytes]], line: int) -> bytes:
    return next(raw for n, raw in valid if n == line)


def with_partitions(batch: pa.RecordBatch, event: str) -> pa.RecordBatch:
    """A table's rows with the Parquet layout's partition columns: `event`, and `date`, the UTC
    day of the envelope's `time` (NULL for bare payloads: Hive's default partition)."""
    day = pc.strftime(batch.column("time"), format="%Y-%m-%d")
    return (batch.append_column("event", pa.array([event] * batch.num_rows, pa.string()))
            .append_column("date", day.cast(pa.string())))

