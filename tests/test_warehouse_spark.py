"""The Spark path (issue 17): the per-chunk function of `contracts load` inside `mapInArrow`, in
local mode, gives the same rows as `contracts load` into DuckDB, in the same Parquet layout."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import load_all

from conftest import REPO
from contracts.bench.workload import write_stream
from contracts.warehouse.columns import tables
from contracts.warehouse.load import load_inputs
from contracts.warehouse.parquet_sink import REJECTED_DIR
from contracts.warehouse.spark_job import load as spark_load

CATALOGUE = Catalogue(REPO / "schemas")
TABLES = tables(CATALOGUE)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors run this venv's Python
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("test_warehouse_spark")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("inputs")
    fixtures = root / "fixtures.jsonl"
    lines = []
    for n, fx in enumerate(load_all(REPO / "fixtures")):
        lines.append({"specversion": "1.0", "type": fx.event, "source": "/tests/spark", "id": str(uuid.UUID(int=n)),
                      "time": f"2026-06-{1 + n % 28:02d}T09:30:00Z", "dataschema": CATALOGUE.get(fx.ref).id,
                      "datacontenttype": "application/json", "data": fx.payload})
    fixtures.write_text("".join(json.dumps(v, separators=(",", ":")) + "\n" for v in lines))
    stream = root / "stream.jsonl"
    write_stream(str(stream), 20_000)  # plans, summaries, batch metrics; a few lines broken or cut
    return [fixtures, stream]


def _canonical(rows: list[tuple[Any, ...]]) -> list[str]:
    return sorted(json.dumps(row, default=str, sort_keys=True) for row in rows)


def _rows(con: Any, source: str, columns: list[str]) -> list[str]:
    listed = ", ".join(f'"{c}"' for c in columns)
    return _canonical([tuple(r) for r in con.execute(f"SELECT {listed} FROM {source}").fetchall()])


def _partitions(root: Path) -> set[str]:
    return {str(p.parent.relative_to(root)) for p in root.rglob("*.parquet")}


def test_spark_gives_the_rows_duckdb_gets(spark: Any, inputs: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    summary, _ = load_inputs(CATALOGUE, None, [str(p) for p in inputs], db=str(db), jobs=1, progress=False)
    assert summary.rejected > 0 and summary.loaded > 19_000
    out = tmp_path / "spark"
    written = spark_load(spark, [str(p) for p in inputs], str(out), make_catalogue=lambda: CATALOGUE)
    assert sum(written.values()) == summary.events

    with duckdb.connect(str(db), read_only=True) as con:
        for table in TABLES:
            columns = [name for name, _ in table.columns]
            source = (f"read_parquet('{out}/event={table.event}/*/*/*.parquet', hive_partitioning = true, "
                      "hive_types_autocast = false)")
            expected = _rows(con, table.name, columns)
            assert len(expected) == written.get(table.name, 0)
            assert _rows(con, source, columns) == expected, table.name
        rejected = ["file", "line", "event", "raw", "violations"]
        assert _rows(con, f"read_parquet('{out}/{REJECTED_DIR}/*.parquet')", rejected) == _rows(con, "rejected", rejected)

    # `contracts load --parquet` writes the same layout.
    lake = tmp_path / "lake"
    load_inputs(CATALOGUE, None, [str(p) for p in inputs], parquet=str(lake), jobs=1, progress=False)
    assert _partitions(lake) == _partitions(out)
