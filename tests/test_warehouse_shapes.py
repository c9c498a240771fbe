"""The warehouse on other catalogues' schemas: shapes the contract's own events do not have
(a recursive tree, fields named like the Parquet layout's partitions, integers beyond 64 bits).
Each test failed on the code before its fix: a RecursionError that stopped every load, a
KeyError in `--parquet`, integers stored changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from multi_workflow_telemetry.catalogue import Catalogue

from conftest import catalogue_of
from contracts.warehouse import duckdb_ddl
from contracts.warehouse.columns import sql, tables
from contracts.warehouse.load import load_inputs
from warehouse_helpers import table_rows


def _lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _parquet(root: str, glob: str) -> list[dict[str, Any]]:
    """The rows of the Parquet files under `root` matching `glob`, with their partition columns."""
    with duckdb.connect() as con:
        result = con.execute(f"SELECT * FROM read_parquet('{root}/{glob}', hive_partitioning = true)")
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def _load(catalogue: Catalogue, event: str, path: Path, **sink: str) -> Any:
    summary, _ = load_inputs(catalogue, event, [str(path)], jobs=1, progress=False, **sink)
    assert not summary.unusable
    assert summary.events == summary.loaded + summary.duplicates + summary.rejected
    return summary


TREE = {
    "type": "object", "additionalProperties": False,
    "properties": {"root": {"$ref": "#/$defs/node"}, "up": {"$ref": "#"}},
    "$defs": {"node": {"type": "object", "additionalProperties": False, "properties": {
        "value": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
    }}},
}


def test_a_recursive_shape_is_json_from_where_it_repeats(tmp_path: Path) -> None:
    catalogue = catalogue_of(tmp_path, {"x.tree": TREE})
    (table,) = tables(catalogue)
    kinds = {name: sql(kind) for name, kind in table.payload}
    # The levels above the repeat keep their columns; the repeat (a node's children, the root
    # again) is JSON.
    assert kinds == {"root": "STRUCT(value VARCHAR, children JSON[])", "up": "JSON"}
    assert "root STRUCT" in duckdb_ddl.statements(table, "1.0.0")
    events = [{"root": {"value": "a", "children": [{"value": "b", "children": [{"value": "c"}]}]}},
              {"root": {"value": "z"}, "up": {"root": {"value": "y"}}}]
    path = _lines(tmp_path / "trees.jsonl", [json.dumps(e) for e in events])
    summary = _load(catalogue, "x.tree", path, db=str(tmp_path / "w.duckdb"))
    assert (summary.loaded, summary.rejected) == (2, 0)
    rows = table_rows(tmp_path / "w.duckdb", "tree_v1")
    assert [json.loads(c) for c in rows[0]["root"]["children"]] == events[0]["root"]["children"]
    assert rows[1]["root"] == {"value": "z", "children": None} and json.loads(rows[1]["up"]) == events[1]["up"]


@pytest.mark.parametrize("sink", ["db", "parquet"])
def test_fields_named_like_the_parquet_partitions_load_whole(tmp_path: Path, sink: str) -> None:
    catalogue = catalogue_of(tmp_path, {"x.dated": {
        "type": "object", "additionalProperties": False,
        "properties": {"date": {"type": "string", "format": "date"}, "event": {"type": "string"}, "n": {"type": "integer"}},
    }})
    (table,) = tables(catalogue)
    assert dict(table.renamed) == {"data_date": "date", "data_event": "event"}
    path = _lines(tmp_path / "d.jsonl", [json.dumps({"date": "2024-02-29", "event": "x", "n": n}) for n in range(3)])
    out = str(tmp_path / ("w.duckdb" if sink == "db" else "pq"))
    summary = _load(catalogue, "x.dated", path, **{sink: out})
    assert (summary.loaded, summary.rejected) == (3, 0)
    if sink == "db":
        rows = table_rows(out, "dated_v1")
    else:
        rows = _parquet(out, "event=*/*/*/*.parquet")
        assert {(r["event"], r["version"]) for r in rows} == {("x.dated", "1.0.0")}  # the partitions, beside the fields
    assert sorted((r["data_date"], r["data_event"], r["n"]) for r in rows) == [("2024-02-29", "x", n) for n in range(3)]


BIG = [
    '{"n": -9223372036854775809}',  # one below BIGINT's least: orjson read it as -2**63, stored as such
    '{"n": 9223372036854775808}',
    '{"n": 18446744073709551617}',
    '{"n": 9223372036854775807}',
    '{"j": 12345678901234567890123}',  # a JSON column: kept whole, not as 1.2345678901234568e+22
    '{"j": {"deep": [-123456789012345678901]}}',
    '{"j": 9007199254740993}',
]


@pytest.mark.parametrize("sink", ["db", "parquet"])
def test_integers_a_column_cannot_hold_are_rejected_and_json_keeps_them_whole(tmp_path: Path, sink: str) -> None:
    catalogue = catalogue_of(tmp_path, {"x.numbers": {
        "type": "object", "additionalProperties": False,
        "properties": {"n": {"type": "integer"}, "j": {"type": ["integer", "string", "object"]}},
    }})
    path = _lines(tmp_path / "n.jsonl", BIG)
    out = str(tmp_path / ("w.duckdb" if sink == "db" else "pq"))
    summary = _load(catalogue, "x.numbers", path, **{sink: out})
    assert (summary.loaded, summary.rejected) == (4, 3)
    if sink == "db":
        rows, rejected = table_rows(out, "numbers_v1"), table_rows(out, "rejected")
    else:
        rows, rejected = _parquet(out, "event=*/*/*/*.parquet"), _parquet(out, "_rejected/*.parquet")
    assert sorted((r["line"], r["n"], r["j"]) for r in rows) == [
        (4, 9223372036854775807, None), (5, None, "12345678901234567890123"),
        (6, None, '{"deep":[-123456789012345678901]}'), (7, None, "9007199254740993")]
    assert sorted(r["line"] for r in rejected) == [1, 2, 3]
    assert all(v["rule"] == "warehouse" for r in rejected for v in r["violations"])
    if sink == "db":
        with duckdb.connect(out, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM numbers_v1 WHERE n = -9223372036854775808").fetchone() == (0,)


def _versions(root: Path, event: str, schemas: dict[str, dict[str, Any]]) -> Catalogue:
    folder = root / "schemas" / event
    folder.mkdir(parents=True)
    for version, schema in schemas.items():
        (folder / f"{version}.json").write_text(json.dumps({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://example.invalid/{event}/{version}.json", "x-event": {"name": event}, **schema}))
    return Catalogue(root / "schemas")


def _point(y: bool) -> dict[str, Any]:
    def closed(**properties: Any) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "properties": properties}
    extra_p = {"y": {"type": "number"}} if y else {}
    extra_l = {"b": {"type": "string"}} if y else {}
    return closed(p=closed(x={"type": "number"}, **extra_p),
                  l={"type": "array", "items": closed(a={"type": "integer"}, **extra_l)})


def test_a_minor_that_adds_a_field_inside_an_object_widens_its_struct_column(tmp_path: Path) -> None:
    """A MINOR's new optional field inside an object is a new STRUCT field of the same table
    (`ALTER TABLE … ADD COLUMN p.y`), not a change of type: generate refused it ("a change of
    type needs a new major")."""
    old = _versions(tmp_path / "old", "x.point", {"1.0.0": _point(False)})
    new = _versions(tmp_path / "new", "x.point", {"1.0.0": _point(False), "1.1.0": _point(True)})
    (table,) = tables(new)
    assert {name: sql(kind) for name, kind in table.payload} == {"p": "STRUCT(x DOUBLE, y DOUBLE)",
                                                                 "l": "STRUCT(a BIGINT, b VARCHAR)[]"}
    ddl = duckdb_ddl.statements(table, "1.1.0")
    assert "ALTER TABLE point_v1 ADD COLUMN IF NOT EXISTS p.y DOUBLE;\n" in ddl
    assert "ALTER TABLE point_v1 ADD COLUMN IF NOT EXISTS l.element.b VARCHAR;\n" in ddl
    db = str(tmp_path / "w.duckdb")
    first = _lines(tmp_path / "a.jsonl", [json.dumps({"p": {"x": 1.5}, "l": [{"a": 1}]})])
    assert _load(old, "x.point", first, db=db).loaded == 1  # the tools as they were at 1.0.0
    second = _lines(tmp_path / "b.jsonl", [json.dumps({"p": {"x": 2.5, "y": 3.5}, "l": [{"a": 2, "b": "two"}]})])
    assert _load(new, "x.point@1.1.0", second, db=db).loaded == 1
    rows = table_rows(db, "point_v1")
    assert [(r["version"], r["p"], r["l"]) for r in rows] == [
        ("1.0.0", {"x": 1.5, "y": None}, [{"a": 1, "b": None}]),
        ("1.1.0", {"x": 2.5, "y": 3.5}, [{"a": 2, "b": "two"}])]


def test_a_minor_that_changes_a_fields_type_is_refused_naming_the_file_and_field(tmp_path: Path) -> None:
    changed = _point(False)
    changed["properties"]["p"]["properties"]["x"] = {"type": "string"}
    catalogue = _versions(tmp_path, "x.point", {"1.0.0": _point(False), "1.1.0": changed})
    with pytest.raises(Exception, match=r"x\.point/1\.1\.0\.json: /properties/p: column p of point_v1 changes type "
                                        r"at 1\.1\.0 \(STRUCT\(x DOUBLE\) -> STRUCT\(x VARCHAR\)\)"):
        tables(catalogue)


def test_a_column_the_table_lacks_is_added_not_left_out_of_its_row(tmp_path: Path) -> None:
    # A table another catalogue made, or a column dropped by hand: the field's value was dropped.
    catalogue = catalogue_of(tmp_path, {"x.pair": {
        "type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}})
    (table,) = tables(catalogue)
    db = str(tmp_path / "w.duckdb")
    with duckdb.connect(db) as con:
        con.execute(duckdb_ddl.statements(table, "1.0.0"))
        con.execute("ALTER TABLE pair_v1 DROP COLUMN b")
    path = _lines(tmp_path / "p.jsonl", [json.dumps({"a": "x", "b": "kept"})])
    assert _load(catalogue, "x.pair", path, db=db).loaded == 1
    assert [(r["a"], r["b"]) for r in table_rows(db, "pair_v1")] == [("x", "kept")]


@pytest.mark.parametrize("sink", ["db", "parquet"])
def test_members_an_open_root_admits_are_kept_in_other_members(tmp_path: Path, sink: str) -> None:
    """A root open to other members (`additionalProperties` not false, `patternProperties`): the
    members no property names were dropped, the load saying "1 loaded"."""
    from contracts.warehouse.columns import OTHER_MEMBERS

    catalogue = catalogue_of(tmp_path, {"x.open": {
        "type": "object", "properties": {"kind": {"type": "string"}, "other_members": {"type": "integer"}},
        "patternProperties": {"^x-": {"type": "string"}},
    }})
    (table,) = tables(catalogue)
    assert [name for name, _ in table.payload] == ["kind", "data_other_members", OTHER_MEMBERS]
    events = [{"kind": "a", "extra": {"x": 1}, "note": "kept", "x-tag": "t", "other_members": 3}, {"kind": "b"}]
    path = _lines(tmp_path / "o.jsonl", [json.dumps(e) for e in events])
    out = str(tmp_path / ("w.duckdb" if sink == "db" else "pq"))
    assert _load(catalogue, "x.open", path, **{sink: out}).loaded == 2
    rows = table_rows(out, "open_v1") if sink == "db" else _parquet(out, "event=*/*/*/*.parquet")
    from warehouse_helpers import payload_of

    assert sorted((payload_of(r, table) for r in rows), key=lambda p: p["kind"]) == events
    assert [r[OTHER_MEMBERS] for r in sorted(rows, key=lambda r: r["kind"])][1] is None


def test_a_root_composed_of_shared_schemas_has_their_properties_as_columns(tmp_path: Path) -> None:
    """`allOf` a shared base with `unevaluatedProperties: false`: the base's `tenant` had no
    column, and its value was dropped."""
    catalogue = catalogue_of(tmp_path, {"x.composed": {
        "type": "object", "allOf": [{"$ref": "#/$defs/base"}], "unevaluatedProperties": False,
        "properties": {"own": {"type": "string"}},
        "oneOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                  {"properties": {"b": {"type": "string"}}, "required": ["b"]}],
        "$defs": {"base": {"type": "object", "properties": {"tenant": {"type": "string"}, "own": {}}}},
    }})
    (table,) = tables(catalogue)
    assert {name: sql(kind) for name, kind in table.payload} == {
        "own": "VARCHAR", "tenant": "VARCHAR", "a": "BIGINT", "b": "VARCHAR"}  # closed: no other_members
    events = [{"own": "o", "tenant": "t", "a": 1}, {"own": "p", "b": "x"}]
    path = _lines(tmp_path / "c.jsonl", [json.dumps(e) for e in events])
    assert _load(catalogue, "x.composed", path, db=str(tmp_path / "w.duckdb")).loaded == 2
    from warehouse_helpers import payload_of

    assert [payload_of(r, table) for r in table_rows(tmp_path / "w.duckdb", "composed_v1")] == events


def test_two_events_that_would_share_a_table_are_named_with_the_file(tmp_path: Path) -> None:
    catalogue = catalogue_of(tmp_path, {"a.same": {"type": "object"}, "b.same": {"type": "object"}})
    with pytest.raises(Exception, match=r"b\.same/1\.0\.0\.json: a\.same and b\.same would share the table same_v1"):
        tables(catalogue)


def test_an_event_the_querying_page_reads_removed_from_the_catalogue_is_one_line(repo_copy: Path) -> None:
    """The page's queries read the contract's tables: removing batch_metrics made `contracts
    generate` stop with an internal error (CatalogException)."""
    import shutil

    from conftest import run_contracts

    for folder in ("schemas", "fixtures"):
        shutil.rmtree(repo_copy / folder / "multi_workflow.batch_metrics")
    (repo_copy / "lifecycle" / "multi_workflow.batch_metrics.json").unlink()
    done = run_contracts("generate", cwd=repo_copy)
    assert done.returncode == 2, done.stderr
    assert "docs/querying.md: a query of scripts/contracts/warehouse/views/ reads what the catalogue no longer makes" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
