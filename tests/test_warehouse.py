"""The warehouse (issue 17): `contracts load` into DuckDB, rejected lines, migrations, idempotency."""

from __future__ import annotations

import json
from datetime import datetime
import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from multi_workflow_telemetry import parse
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import Fixture, load_all

from conftest import REPO, run_contracts
from contracts.warehouse import duckdb_ddl
from contracts.warehouse.columns import sql, table_name, tables
from contracts.warehouse.load import load_inputs
from warehouse_helpers import payload_of, table_rows

CATALOGUE = Catalogue(REPO / "schemas")
TABLES = {t.name: t for t in tables(CATALOGUE)}
FIXTURES = list(load_all(REPO / "fixtures"))
VERSIONS = sorted({(fx.event, fx.version) for fx in FIXTURES})


def _of(event: str, version: str, valid: bool) -> list[Fixture]:
    return [fx for fx in FIXTURES if (fx.event, fx.version, fx.valid) == (event, version, valid)]


def _enveloped(fx: Fixture, n: int) -> dict[str, Any]:
    return {"specversion": "1.0", "type": fx.event, "source": "/tests/warehouse", "id": str(uuid.UUID(int=n)),
            "time": f"2026-06-0{1 + n % 9}T09:30:00.123456Z", "dataschema": CATALOGUE.get(fx.ref).id,
            "datacontenttype": "application/json", "data": fx.payload}


def _write_lines(path: Path, values: list[Any]) -> Path:
    # json, not orjson: some invalid fixtures hold integers beyond 64 bits
    path.write_text("".join(json.dumps(v, separators=(",", ":")) + "\n" for v in values), encoding="utf-8")
    return path


def _load(db: Path, *paths: Path, event: str | None = None, catalogue: Catalogue = CATALOGUE) -> Any:
    summary, _ = load_inputs(catalogue, event, [str(p) for p in paths], db=str(db), jobs=1, progress=False)
    assert not summary.unusable
    assert summary.events == summary.loaded + summary.duplicates + summary.rejected
    return summary


@pytest.mark.parametrize(("event", "version"), VERSIONS, ids=[f"{e}@{v}" for e, v in VERSIONS])
def test_valid_fixtures_read_back_as_parse_reads_them(tmp_path: Path, event: str, version: str) -> None:
    fixtures = _of(event, version, valid=True)
    ref = f"{event}@{version}"
    bare = _write_lines(tmp_path / "bare.jsonl", [fx.payload for fx in fixtures])
    wrapped = _write_lines(tmp_path / "enveloped.jsonl", [_enveloped(fx, n) for n, fx in enumerate(fixtures)])
    summary = _load(tmp_path / "w.duckdb", bare, wrapped, event=ref)
    assert (summary.loaded, summary.rejected) == (2 * len(fixtures), 0)
    table = TABLES[table_name(event, int(version.split(".")[0]))]
    rows = table_rows(tmp_path / "w.duckdb", table.name)
    assert len(rows) == 2 * len(fixtures)
    for row in rows:
        fx = fixtures[row["line"] - 1]
        # A nullable field sent as null reads back left out (D32): the same event to every reader.
        expected = {k: v for k, v in fx.payload.items() if v is not None}
        assert parse(ref, payload_of(row, table)) == parse(ref, expected), fx.path
        assert row["version"] == version
        if row["file"].endswith("enveloped.jsonl"):
            sent = _enveloped(fx, row["line"] - 1)
            assert (row["id"], row["source"], row["type"], row["dataschema"]) == (
                sent["id"], sent["source"], sent["type"], sent["dataschema"])
            assert row["time"].isoformat().replace("+00:00", "Z") == sent["time"]
        else:
            assert row["id"] is row["time"] is row["dataschema"] is None


@pytest.mark.parametrize(("event", "version"), VERSIONS, ids=[f"{e}@{v}" for e, v in VERSIONS])
def test_invalid_fixtures_land_in_rejected_with_their_violations(tmp_path: Path, event: str, version: str) -> None:
    fixtures = _of(event, version, valid=False)
    path = _write_lines(tmp_path / "invalid.jsonl", [fx.payload for fx in fixtures])
    summary = _load(tmp_path / "w.duckdb", path, event=f"{event}@{version}")
    assert (summary.loaded, summary.rejected) == (0, len(fixtures))
    rejected = table_rows(tmp_path / "w.duckdb", "rejected")
    assert [r["line"] for r in rejected] == list(range(1, len(fixtures) + 1))
    for row in rejected:
        fx = fixtures[row["line"] - 1]
        assert {(v["pointer"], v["rule"]) for v in row["violations"]} == set(fx.expect), fx.path
        assert json.loads(row["raw"]) == fx.payload and row["event"] == event


def test_loading_twice_adds_nothing(tmp_path: Path) -> None:
    fixtures = _of("multi_workflow.plan_created", "1.1.0", True) + _of("multi_workflow.plan_created", "1.1.0", False)
    bare = _write_lines(tmp_path / "bare.jsonl", [fx.payload for fx in fixtures])
    wrapped = _write_lines(tmp_path / "enveloped.jsonl", [_enveloped(fx, n) for n, fx in enumerate(fixtures)])
    first = _load(tmp_path / "w.duckdb", bare, wrapped, event="multi_workflow.plan_created")
    again = _load(tmp_path / "w.duckdb", bare, wrapped, event="multi_workflow.plan_created")
    assert first.loaded > 0 and again.loaded == 0 and again.duplicates == first.loaded
    # The same envelope `source` and `id` in another file is the same event: not loaded again.
    copy = shutil.copy(wrapped, tmp_path / "redelivered.jsonl")
    third = _load(tmp_path / "w.duckdb", Path(copy), event="multi_workflow.plan_created")
    assert third.loaded == 0
    # The same `id` from another `source` is another producer's event (CloudEvents keeps the pair
    # unique, not the `id`): loaded (it was dropped as already loaded).
    other = _write_lines(tmp_path / "other-source.jsonl",
                         [{**_enveloped(fx, n), "source": "/tests/other"} for n, fx in enumerate(fixtures)])
    fourth = _load(tmp_path / "w.duckdb", other, event="multi_workflow.plan_created")
    wrapped_valid = len([fx for fx in fixtures if fx.valid])
    assert (fourth.loaded, fourth.duplicates) == (wrapped_valid, 0)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert con.execute("SELECT count(*) FROM plan_created_v1").fetchone()[0] == first.loaded + fourth.loaded
        assert con.execute("SELECT count(*) FROM rejected").fetchone()[0] == first.rejected + third.rejected + fourth.rejected


def test_a_first_load_that_names_a_file_twice_keeps_each_line_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first load skips looking for repeated places when no input is read twice; one that reads a
    # file twice (under two spellings) must still keep each event and rejected line once.
    fixtures = _of("multi_workflow.plan_created", "1.1.0", True) + _of("multi_workflow.plan_created", "1.1.0", False)
    path = _write_lines(tmp_path / "bare.jsonl", [fx.payload for fx in fixtures])
    monkeypatch.chdir(tmp_path)
    twice = _load(tmp_path / "w.duckdb", path, Path("./bare.jsonl"), event="multi_workflow.plan_created")
    once = _load(tmp_path / "once.duckdb", path, event="multi_workflow.plan_created")
    assert (twice.loaded, twice.duplicates, twice.rejected) == (once.loaded, once.loaded, 2 * once.rejected)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert con.execute("SELECT count(*), count(DISTINCT line) FROM plan_created_v1").fetchone() == (once.loaded,) * 2
        assert con.execute("SELECT count(*), count(DISTINCT line) FROM rejected").fetchone() == (once.rejected,) * 2


def _other(fixtures: list[Fixture]) -> list[dict[str, Any]]:
    """Other events of the same shape: each fixture with another issue number."""
    return [{**fx.payload, "issue_number": 90000 + n} for n, fx in enumerate(fixtures)]


def test_other_events_at_the_same_place_are_loaded_and_one_file_under_any_name_is_one_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An event without an `id` is keyed by its file, line and content: a file written anew under
    the same name, or another stream on standard input, is loaded, not taken for the first
    (they were "already loaded" and dropped when the key was the place alone); the same file as
    `x.jsonl`, `./x.jsonl`, its absolute path or a symlink is one input."""
    valid = _of("multi_workflow.plan_created", "1.1.0", True)
    invalid = _of("multi_workflow.plan_created", "1.1.0", False)
    first = [fx.payload for fx in valid] + [fx.payload for fx in invalid]
    second = _other(valid) + [{**fx.payload, "issue_number": -1} for fx in invalid]
    db, path = tmp_path / "w.duckdb", tmp_path / "events.jsonl"
    _write_lines(path, first)
    one = _load(db, path, event="multi_workflow.plan_created")
    _write_lines(path, second)  # the same name, other events on the same lines
    two = _load(db, path, event="multi_workflow.plan_created")
    assert (two.loaded, two.duplicates, two.rejected) == (one.loaded, 0, one.rejected) == (len(valid), 0, len(invalid))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.jsonl").symlink_to(path)
    for name in ("events.jsonl", "./events.jsonl", "link.jsonl", str(path)):
        again = _load(db, Path(name), event="multi_workflow.plan_created")
        assert (again.loaded, again.duplicates) == (0, len(valid)), name
    rows = table_rows(db, "plan_created_v1", order="issue_number")
    assert {r["file"] for r in rows} == {str(path)}
    assert sorted(r["issue_number"] for r in rows) == sorted(e["issue_number"] for e in first[:len(valid)] + second[:len(valid)])
    rejected = table_rows(db, "rejected")
    assert len(rejected) == 2 * len(invalid)  # the second file's invalid lines are other lines too
    # Standard input is one name for every stream: what it holds tells them apart.
    for values, loaded in ((first, len(valid)), (_other(valid[:1]), 1), (first, 0)):
        done = run_contracts("load", "--no-progress", "--event", "multi_workflow.plan_created", "--db", str(tmp_path / "stdin.duckdb"),
                             "-", stdin="".join(json.dumps(v) + "\n" for v in values))
        assert f" {loaded} loaded," in done.stderr, done.stderr


def test_parquet_keeps_other_events_at_the_same_place_and_rewrites_the_same_ones(tmp_path: Path) -> None:
    """Parquet files are named by input, first line and content: other events under the same name
    get files of their own (the first ones were overwritten, and lost), the same ones the same files,
    and the summary says they were loaded already (it said loaded again)."""
    valid = _of("multi_workflow.plan_created", "1.1.0", True)
    lake, path = tmp_path / "lake", tmp_path / "events.jsonl"

    def load(values: list[Any], loaded: int) -> set[Path]:
        _write_lines(path, values)
        summary, _ = load_inputs(CATALOGUE, "multi_workflow.plan_created", [str(path)], parquet=str(lake), jobs=1,
                                 progress=False)
        assert (summary.loaded, summary.duplicates) == (loaded, len(values) - loaded)
        return set(lake.rglob("*.parquet"))

    first = load([fx.payload for fx in valid], len(valid))
    second = load(_other(valid), len(valid))
    assert first < second
    # The first events again: their own files, rewritten, and counted as already loaded.
    assert load([fx.payload for fx in valid], 0) == second
    with duckdb.connect() as con:
        found = con.execute(f"SELECT issue_number FROM read_parquet('{lake}/event=*/*/*/*.parquet', hive_partitioning = true)").fetchall()
    assert sorted(n for (n,) in found) == sorted([fx.payload["issue_number"] for fx in valid] + [e["issue_number"] for e in _other(valid)])


def test_migration_from_1_0_0_to_1_1_0_keeps_one_table(tmp_path: Path) -> None:
    # The tools as they were at 1.0.0: a catalogue without the later schemas.
    old = tmp_path / "schemas-1.0.0"
    shutil.copytree(REPO / "schemas", old, ignore=shutil.ignore_patterns("1.1.*.json", "1.0.1.json"))
    db = tmp_path / "w.duckdb"
    plans_1_0 = _write_lines(tmp_path / "plans-1.0.0.jsonl", [fx.payload for fx in _of("multi_workflow.plan_created", "1.0.0", True)])
    _load(db, plans_1_0, event="multi_workflow.plan_created@1.0.0", catalogue=Catalogue(old))
    with duckdb.connect(str(db)) as con:
        assert "run_id" not in {r[0] for r in con.execute("DESCRIBE plan_created_v1").fetchall()}
        # The generated migration, as a team applies it.
        con.execute((REPO / "generated/warehouse/duckdb/plan_created_v1/1.1.0.sql").read_text())
    plans_1_1 = _write_lines(tmp_path / "plans-1.1.0.jsonl", [fx.payload for fx in _of("multi_workflow.plan_created", "1.1.0", True)])
    _load(db, plans_1_1, event="multi_workflow.plan_created@1.1.0")
    rows = table_rows(db, "plan_created_v1")
    old_rows = [r for r in rows if r["version"] == "1.0.0"]
    new_rows = [r for r in rows if r["version"] == "1.1.0"]
    assert len(old_rows) == len(_of("multi_workflow.plan_created", "1.0.0", True)) and new_rows
    assert all(r["run_id"] is None for r in old_rows)
    assert {r["run_id"] for r in new_rows} == {fx.payload.get("run_id") for fx in _of("multi_workflow.plan_created", "1.1.0", True)}
    with duckdb.connect(str(db)) as con:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert not any(n.startswith("plan_created") and n != "plan_created_v1" for n in names)


def test_generated_ddl_is_what_the_loader_creates(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "ddl.duckdb")) as con:
        for table in TABLES.values():
            for version in table.versions:
                con.execute((REPO / f"generated/warehouse/duckdb/{table.name}/{version}.sql").read_text())
        con.execute((REPO / "generated/warehouse/duckdb/rejected.sql").read_text())
        con.execute((REPO / "generated/warehouse/duckdb/views.sql").read_text())
        from_ddl = {t: con.execute(f"DESCRIBE {t}").fetchall() for t in [*TABLES, "rejected"]}
    _load(tmp_path / "w.duckdb", _write_lines(tmp_path / "none.jsonl", []))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert {t: con.execute(f"DESCRIBE {t}").fetchall() for t in [*TABLES, "rejected"]} == from_ddl


def test_cli_exit_codes_and_summary(tmp_path: Path) -> None:
    good = _write_lines(tmp_path / "good.jsonl", [fx.payload for fx in _of("multi_workflow.batch_metrics", "1.0.0", True)])
    done = run_contracts("load", "--event", "multi_workflow.batch_metrics", "--db", str(tmp_path / "w.duckdb"), str(good))
    assert done.returncode == 0, done.stderr
    n = len(_of("multi_workflow.batch_metrics", "1.0.0", True))
    assert done.stderr.strip() == f"{n} events: {n} loaded, 0 already loaded, 0 rejected (0 invalid, 0 unreadable, 0 not storable) into {tmp_path / 'w.duckdb'}"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"{\n")
    done = run_contracts("load", "--event", "multi_workflow.batch_metrics", "--db", str(tmp_path / "w.duckdb"), str(bad))
    assert done.returncode == 1 and "1 rejected (0 invalid, 1 unreadable" in done.stderr
    done = run_contracts("load", "--event", "multi_workflow.nope", "--db", str(tmp_path / "x.duckdb"), str(good))
    assert done.returncode == 2 and done.stderr.startswith("contracts: error: unknown event") and "Traceback" not in done.stderr
    assert not (tmp_path / "x.duckdb").exists()
    done = run_contracts("load", "--db", str(tmp_path / "w.duckdb"), str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2 and "missing.jsonl: cannot read" in done.stderr


def test_mixed_stream_from_stdin_with_event_type_and_envelopes(tmp_path: Path) -> None:
    plan = _of("multi_workflow.plan_created", "1.1.0", True)[0]
    batch = _of("multi_workflow.batch_metrics", "1.0.0", True)[0]
    lines = [{"event_type": plan.event, **plan.payload}, _enveloped(batch, 1), {"no": "event"}]
    text = "".join(json.dumps(v) + "\n" for v in lines)
    done = run_contracts("load", "--db", str(tmp_path / "w.duckdb"), "-", stdin=text)
    assert done.returncode == 1 and done.stderr.startswith("3 events: 2 loaded, 0 already loaded, 1 rejected")
    (rejected,) = table_rows(tmp_path / "w.duckdb", "rejected")
    assert (rejected["file"], rejected["line"], rejected["violations"][0]["rule"]) == ("<stdin>", 3, "event")
    assert table_rows(tmp_path / "w.duckdb", "batch_metrics_v1")[0]["type"] == batch.event


def test_many_chunks_on_workers_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny chunks over two processes: rows still carry the line they were read from.
    fixtures = _of("multi_workflow.execution_summary", "1.1.0", True) + _of("multi_workflow.execution_summary", "1.1.0", False)
    monkeypatch.setenv("CONTRACTS_CHUNK_BYTES", "4096")
    values = [fixtures[n % len(fixtures)].payload for n in range(400)]
    path = _write_lines(tmp_path / "s.jsonl", values)
    done = run_contracts("load", "--event", "multi_workflow.execution_summary", "--jobs", "2", "--db",
                         str(tmp_path / "w.duckdb"), str(path))
    assert done.returncode == 1
    loaded = table_rows(tmp_path / "w.duckdb", "execution_summary_v1")
    rejected = table_rows(tmp_path / "w.duckdb", "rejected")
    assert sorted([r["line"] for r in loaded] + [r["line"] for r in rejected]) == list(range(1, 401))
    table = TABLES["execution_summary_v1"]
    for row in loaded:
        expected = {k: v for k, v in values[row["line"] - 1].items() if v is not None}
        assert payload_of(row, table) == expected


def test_envelope_times_with_offsets_are_the_same_instants(tmp_path: Path) -> None:
    fx = _of("multi_workflow.batch_metrics", "1.0.0", True)[0]
    times = ["2026-06-03T09:30:00+02:00", "2026-06-03T23:30:00.123456789-05:00", "2026-06-03t09:30:00z"]
    lines = [{**_enveloped(fx, n), "time": when} for n, when in enumerate(times)]
    _load(tmp_path / "w.duckdb", _write_lines(tmp_path / "t.jsonl", lines))
    got = [r["time"] for r in table_rows(tmp_path / "w.duckdb", "batch_metrics_v1")]
    # Microseconds, as the column holds them: a nanosecond fraction is cut, never rounded up.
    expected = [datetime.fromisoformat(when.upper().replace("123456789", "123456")) for when in times]
    assert got == expected


def test_a_value_duckdbs_reader_refuses_is_converted_in_python_and_nothing_is_lost(tmp_path: Path) -> None:
    # No valid event of today's schemas holds such a value (every integer is at most 2^53), so the
    # refused line is handed to the sink as the Converter would hand it, unread, beside good ones.
    from contracts.stream import ChunkResult
    from contracts.warehouse.duckdb_sink import DuckDBSink
    from contracts.warehouse.rows import Converter

    fx = _of("multi_workflow.batch_metrics", "1.0.0", True)[0]
    good = {"event_type": fx.event, **fx.payload}
    lines = [good, {**good, "multi_workflow_count": 2**63}, good]
    data = "".join(json.dumps(v, separators=(",", ":")) + "\n" for v in lines).encode()
    converter = Converter(CATALOGUE, None)
    sink = DuckDBSink(str(tmp_path / "w.duckdb"), TABLES)
    sink.reads_lines(converter)
    converted = converter.rows("in.jsonl", [])  # an empty chunk, to carry the unread file
    converted.unread = {(fx.ref, False): (converter.unread_file(data.splitlines(keepends=True), [1, 2, 3]), 3)}
    sink.write(converted, "in.jsonl", 11)
    sink.close()
    assert (sink.inserted, sink.rejected_inserted, sink.unstorable) == (2, 1, 1)
    assert [r["line"] for r in table_rows(tmp_path / "w.duckdb", "batch_metrics_v1")] == [11, 13]
    (refused,) = table_rows(tmp_path / "w.duckdb", "rejected")
    assert (refused["line"], refused["event"], refused["raw"]) == (12, fx.event, data.splitlines()[1].decode())
    assert [v["rule"] for v in refused["violations"]] == ["warehouse"]
    assert sink.lines_dir is not None and not Path(sink.lines_dir).exists()  # the unread files are gone


def _sink_load(tmp_path: Path, db: str, chunks: list[bytes], row_group: int | None = None) -> tuple[Any, list[tuple[str, int]]]:
    """`chunks` of one input, through the Converter and the sink as `contracts load` hands them over
    (in one process), committing `row_group` rows at a time; the sink, and (table, rows) of each
    insert made before the end."""
    from contracts.warehouse import duckdb_sink
    from contracts.warehouse.rows import Converter

    converter = Converter(CATALOGUE, None)
    sink = duckdb_sink.DuckDBSink(str(tmp_path / db), TABLES)
    sink.reads_lines(converter)
    sink.row_group = row_group or sink.row_group
    writes: list[tuple[str, int]] = []
    write_table = sink._write_table

    def recorded(name: str, rows: int | None = None) -> None:
        writes.append((name, rows if rows is not None else -1))
        write_table(name, rows)

    sink._write_table = recorded  # type: ignore[method-assign]
    first = 1
    for data in chunks:
        converted = converter.chunk(data, "in.jsonl", 1).placed("in.jsonl", first - 1)  # as Load._add hands it over
        sink.write(converted, "in.jsonl", first)
        first += data.count(b"\n")
    sink.close()
    return sink, writes


def test_row_groups_end_within_a_file_and_every_line_lands_once(tmp_path: Path) -> None:
    # Row groups of 7 rows over chunks of 40 lines: most inserts stop inside a file of unread lines
    # and the next one starts there. Bare and enveloped lines, three versions, invalid lines between.
    kinds = [(e, v) for e, v in VERSIONS if e != "multi_workflow.batch_metrics"]
    valid = [fx for e, v in kinds for fx in _of(e, v, True)]
    invalid = [fx for e, v in kinds for fx in _of(e, v, False)][:3]
    values: list[Any] = []
    for n in range(400):
        fx = valid[n % len(valid)]
        values.append(_enveloped(fx, n) if n % 3 == 0 else {"event_type": fx.event, **fx.payload})
        if n % 37 == 5:
            bad = invalid[n % len(invalid)]
            values.append({"event_type": bad.event, **bad.payload})
    lines = [json.dumps(v, separators=(",", ":")).encode() + b"\n" for v in values]
    chunks = [b"".join(lines[k:k + 40]) for k in range(0, len(lines), 40)]

    whole, _ = _sink_load(tmp_path, "whole.duckdb", chunks)  # every table in one insert, at the end
    cut, writes = _sink_load(tmp_path, "cut.duckdb", chunks, row_group=7)
    during = [rows for _, rows in writes if rows != -1]
    assert len(during) >= 20 and all(rows % 7 == 0 for rows in during)
    assert (cut.inserted, cut.rejected_inserted) == (whole.inserted, whole.rejected_inserted)
    assert sum(cut._appended.values()) == cut.inserted + cut.rejected_inserted  # none inserted twice, then dropped
    assert whole.inserted + whole.rejected_inserted == len(values)
    for table in [*TABLES, "rejected"]:
        assert table_rows(tmp_path / "cut.duckdb", table) == table_rows(tmp_path / "whole.duckdb", table)
    lines_loaded = [r["line"] for t in TABLES for r in table_rows(tmp_path / "cut.duckdb", t)]
    lines_rejected = [r["line"] for r in table_rows(tmp_path / "cut.duckdb", "rejected")]
    assert sorted(lines_loaded + lines_rejected) == list(range(1, len(values) + 1))
    for row in table_rows(tmp_path / "cut.duckdb", "plan_created_v1"):
        value = values[row["line"] - 1]
        payload = value["data"] if "data" in value else value
        assert payload_of(row, TABLES["plan_created_v1"]) == {k: v for k, v in payload.items() if v is not None}


def test_a_refused_value_in_a_file_cut_at_a_row_group_loses_nothing(tmp_path: Path) -> None:
    from contracts.warehouse import duckdb_sink
    from contracts.warehouse.rows import Converter

    fx = _of("multi_workflow.batch_metrics", "1.0.0", True)[0]
    good = {"event_type": fx.event, **fx.payload}
    values = [good] * 3 + [{**good, "multi_workflow_count": 2**63}] + [good] * 6  # 10 lines: 9 before the cut
    data = "".join(json.dumps(v, separators=(",", ":")) + "\n" for v in values).encode()
    converter = Converter(CATALOGUE, None)
    sink = duckdb_sink.DuckDBSink(str(tmp_path / "w.duckdb"), TABLES)
    sink.reads_lines(converter)
    sink.row_group = 3
    converted = converter.rows("in.jsonl", [])
    converted.unread = {(fx.ref, False): (converter.unread_file(data.splitlines(keepends=True), list(range(1, 11))), 10)}
    sink.write(converted, "in.jsonl", 21)
    sink.close()
    assert (sink.inserted, sink.rejected_inserted, sink.unstorable) == (9, 1, 1)
    assert [r["line"] for r in table_rows(tmp_path / "w.duckdb", "batch_metrics_v1")] == [21, 22, 23, *range(25, 31)]
    assert [r["line"] for r in table_rows(tmp_path / "w.duckdb", "rejected")] == [24]


def test_a_row_group_duckdb_runs_out_of_memory_on_is_done_again_with_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB's JSON reader alone asks for 32 MB: a limit of 4 MB fails every insert until doubled.
    from contracts.warehouse import duckdb_sink

    fx = _of("multi_workflow.execution_summary", "1.1.0", True)
    lines = [{"event_type": f.event, **f.payload} for f in fx] * 20
    path = _write_lines(tmp_path / "s.jsonl", lines)
    monkeypatch.setattr(duckdb_sink, "MEMORY_LIMIT", 4 << 20)
    limits: list[int] = []
    close = duckdb_sink.DuckDBSink.close

    def recorded(self: Any, keep_open: bool = False) -> None:
        close(self, keep_open)
        limits.append(self._limit)

    monkeypatch.setattr(duckdb_sink.DuckDBSink, "close", recorded)
    summary = _load(tmp_path / "w.duckdb", path)
    assert (summary.loaded, summary.rejected) == (len(lines), 0)
    assert limits and 4 << 20 < limits[0] <= duckdb_sink.MEMORY_CEILING
    assert sorted(r["line"] for r in table_rows(tmp_path / "w.duckdb", "execution_summary_v1")) == list(range(1, len(lines) + 1))


def test_an_event_with_a_member_named_like_the_line_number_keeps_both(tmp_path: Path) -> None:
    # The unread lines carry their number as `#line`; an event that has such a member of its own is
    # converted in Python instead, and keeps its value beside the line it was read from.
    from conftest import catalogue_of
    from contracts.warehouse.rows import LINE_MEMBER

    catalogue = catalogue_of(tmp_path, {"x.odd": {
        "type": "object", "additionalProperties": False, "required": [LINE_MEMBER],
        "properties": {LINE_MEMBER: {"type": "integer"}, "a": {"type": "string"}},
    }})
    path = _write_lines(tmp_path / "odd.jsonl", [{LINE_MEMBER: 100 + n, "a": str(n)} for n in range(5)])
    summary = _load(tmp_path / "w.duckdb", path, event="x.odd", catalogue=catalogue)
    assert (summary.loaded, summary.rejected) == (5, 0)
    rows = table_rows(tmp_path / "w.duckdb", "odd_v1")
    # `#line` is no name for a column of every engine: the field's column is `data__line`.
    assert [(r["line"], r["data__line"], r["a"]) for r in rows] == [(n + 1, 100 + n, str(n)) for n in range(5)]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:  # the contract's views need its tables
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)


@pytest.mark.parametrize("enveloped", [False, True], ids=["bare", "enveloped"])
def test_fields_named_like_the_tables_own_columns_or_sql_keywords_load_whole(tmp_path: Path, enveloped: bool) -> None:
    """Another catalogue's event may name its fields `id`, `time`, `version`, `file` or `line`, as
    the lineage and envelope columns are named, or `Name` beside `name` (DuckDB's and BigQuery's
    names ignore case), or `a.b`, `we"ird`, `user-agent` (not names every engine takes), or
    `select`: each field gets a column of its own (`data_id`, `data_a_b`, …; a keyword is
    quoted) and the row reads back as the event (the load raised a KeyError)."""
    fields: dict[str, Any] = {
        "id": {"type": "string"}, "time": {"type": "string"}, "version": {"type": "integer"}, "file": {"type": "string"},
        "LINE": {"type": "integer"}, "Name": {"type": "string"}, "name": {"type": "string"}, "data_name": {"type": "string"},
        "select": {"type": "string"}, "a.b": {"type": "number"}, 'we"ird': {"type": "boolean"},
        "nested": {"type": "object", "additionalProperties": False, "properties": {"Key": {"type": "string"}, "key": {"type": "integer"}}},
        "stages": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {"order": {"type": "integer"}}}},
        "user-agent": {"type": "string"},
        "headers": {"type": "object", "additionalProperties": False, "properties": {"content-type": {"type": "string"}}},
    }
    # The schema under the contract's own base URI, beside the contract's envelope: the envelope
    # names its `dataschema` there.
    folder = tmp_path / "schemas" / "x.clash"
    folder.mkdir(parents=True)
    (folder / "1.0.0.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "x-event": {"name": "x.clash"},
        "$id": "https://contracts.multi-workflow.dev/schemas/x.clash/1.0.0.json",
        "type": "object", "additionalProperties": False, "properties": fields}))
    shutil.copytree(REPO / "schemas" / "multi_workflow.envelope", tmp_path / "schemas" / "multi_workflow.envelope")
    catalogue = Catalogue(tmp_path / "schemas")
    (table,) = tables(catalogue)
    assert dict(table.renamed) == {"data_id": "id", "data_time": "time", "data_version": "version", "data_file": "file",
                                   "data_LINE": "LINE", "data_name": "name", "data_data_name": "data_name",
                                   "data_a_b": "a.b", "data_we_ird": 'we"ird', "data_user_agent": "user-agent"}
    ddl = duckdb_ddl.statements(table, "1.0.0")
    assert "    data_id VARCHAR, -- the event's `id`\n" in ddl and '    "select" VARCHAR,\n' in ddl
    kinds = dict(table.payload)
    assert sql(kinds["nested"]) == sql(kinds["headers"]) == "JSON"  # members only case, or a `-`, tells apart
    assert sql(kinds["stages"]) == 'STRUCT("order" BIGINT)[]'
    events = [{"id": f"e{n}", "time": "noon", "version": n, "file": "f.txt", "LINE": 7, "Name": "N", "name": "n",
               "data_name": "d", "select": "s", "a.b": 1.5, 'we"ird': True, "nested": {"Key": "K", "key": n},
               "stages": [{"order": n}], "user-agent": "curl", "headers": {"content-type": "text/plain"}} for n in range(4)]
    if enveloped:
        events = [{"specversion": "1.0", "type": "x.clash", "source": "/t", "id": str(uuid.UUID(int=n)),
                   "time": "2026-06-01T09:30:00Z", "dataschema": catalogue.get("x.clash@1.0.0").id,
                   "datacontenttype": "application/json", "data": e} for n, e in enumerate(events)]
    path = _write_lines(tmp_path / "clash.jsonl", events)
    summary = _load(tmp_path / "w.duckdb", path, event=None if enveloped else "x.clash", catalogue=catalogue)
    assert (summary.loaded, summary.rejected) == (4, 0)
    rows = table_rows(tmp_path / "w.duckdb", table.name)
    for row in rows:
        sent = events[row["line"] - 1]
        assert payload_of(row, table) == (sent["data"] if enveloped else sent)
        assert row["version"] == "1.0.0" and row["file"] == str(path)
        assert row["id"] == (sent["id"] if enveloped else None)


def test_a_field_named_filename_is_read_by_duckdbs_reader(tmp_path: Path) -> None:
    # DuckDB's reader adds each line's file as a column; named `filename` (its default), it refused
    # an event with such a field ("a column with this name is also in the file"), and the load failed.
    from conftest import catalogue_of
    from contracts.warehouse.rows import Converter

    catalogue = catalogue_of(tmp_path, {"x.files": {
        "type": "object", "additionalProperties": False,
        "properties": {"filename": {"type": "string"}, "a": {"type": "integer"}},
    }})
    assert not Converter(catalogue, "x.files")._read_here  # DuckDB's reader reads these lines
    path = _write_lines(tmp_path / "files.jsonl", [{"filename": f"f{n}.txt", "a": n} for n in range(5)])
    summary = _load(tmp_path / "w.duckdb", path, event="x.files", catalogue=catalogue)
    assert (summary.loaded, summary.rejected) == (5, 0)
    rows = table_rows(tmp_path / "w.duckdb", "files_v1")
    assert [(r["line"], r["filename"], r["a"]) for r in rows] == [(n + 1, f"f{n}.txt", n) for n in range(5)]


def test_converting_a_chunk_never_runs_the_cyclic_collector(tmp_path: Path) -> None:
    # Nothing in a chunk's conversion makes a reference cycle; the collector, set off by the
    # objects made per valid line, cost the workers 1.6 CPU-s in 1,000,000 events.
    import gc

    from contracts.warehouse.rows import Converter

    fx = _of("multi_workflow.plan_created", "1.1.0", True)
    data = "".join(json.dumps({"event_type": f.event, **f.payload}) + "\n" for f in fx * 1000).encode()
    converter = Converter(CATALOGUE, None)
    converter.lines_dir = str(tmp_path)
    collections: list[int] = []
    track = lambda phase, info: collections.append(info["generation"]) if phase == "start" else None  # noqa: E731
    gc.callbacks.append(track)
    try:
        gc.collect()
        collections.clear()
        converted = converter.chunk(data, "in.jsonl")
    finally:
        gc.callbacks.remove(track)
    assert gc.isenabled()
    assert sum(n for _, n in converted.unread.values()) == len(fx) * 1000
    assert collections == []
