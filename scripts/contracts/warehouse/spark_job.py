"""The warehouse beyond one machine: the per-chunk function of `contracts load` inside Apache
Spark (`mapInArrow`), writing the same Parquet layout.

Spark reads the JSON lines (each numbered within its file, so a bare payload keeps its file and
line); each Arrow batch Spark hands over is cut into runs of consecutive lines of one file, and
each run goes through `Converter.chunk`, unchanged. Its rows come back as one struct column per
table (and `_rejected`), the others NULL, and each is written partitioned by event, version and
date, as `contracts load --parquet` writes them.

Run it: `python -m contracts.warehouse.spark_job OUT_DIR INPUT...` (local mode), or submit it to
a cluster with the package and the tooling installed on every executor (docs/querying.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from . import arrow
from .columns import PARTITIONS, Table, tables
from .parquet_sink import REJECTED_DIR
from .rows import Converted, Converter, with_partitions

TARGET = "target"  # which table a row of the job's output belongs to


def output_schema(found: list[Table]) -> pa.Schema:
    """One row of the job's output: the table it is for, and its row under that table's name."""
    fields = [pa.field(TARGET, pa.string())]
    fields += [pa.field(t.name, pa.struct(list(arrow.parquet_schema(arrow.schema(t))))) for t in found]
    fields.append(pa.field(REJECTED_DIR, pa.struct(list(arrow.rejected_schema()))))
    return pa.schema(fields)


def convert_batches(event: str | None, make_catalogue: Callable[[], Any]) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function `mapInArrow` runs on each partition: batches of (file, line, value) in,
    converted rows out. The Converter is built once per Python worker, from `make_catalogue()`."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        converter, schema, events = _prepared(event, make_catalogue)
        for batch in batches:
            files, lines, values = (batch.column(n).to_pylist() for n in ("file", "line", "value"))
            start = 0
            while start < len(values):
                end = start + 1  # the run of consecutive lines of one file starting at `start`
                while end < len(values) and files[end] == files[start] and lines[end] == lines[end - 1] + 1:
                    end += 1
                data = b"".join(v.encode("utf-8", "surrogatepass") + b"\n" for v in values[start:end])
                yield from _rows(converter.chunk(data, files[start], lines[start]), schema, events)
                start = end

    return run


_PREPARED: dict[Any, tuple[Converter, pa.Schema, dict[str, str]]] = {}


def _prepared(event: str | None, make_catalogue: Callable[[], Any]) -> tuple[Converter, pa.Schema, dict[str, str]]:
    """The Converter and schemas, built once per Python worker (Spark reuses its workers across
    tasks; compiling the validators for every partition would cost more than the partition)."""
    key = (event, make_catalogue)
    if key not in _PREPARED:
        catalogue = make_catalogue()
        found = tables(catalogue)
        _PREPARED[key] = (Converter(catalogue, event), output_schema(found), {t.name: t.event for t in found})
    return _PREPARED[key]


def _rows(converted: Converted, schema: pa.Schema, events: dict[str, str]) -> Iterator[pa.RecordBatch]:
    parts = [(name, with_partitions(batch, events[name])) for name, batch in converted.tables.items()]
    if converted.rejected is not None:
        parts.append((REJECTED_DIR, converted.rejected))
    for name, rows in parts:
        n = rows.num_rows
        columns = [pa.array([name] * n, pa.string())]
        for field in list(schema)[1:]:
            if field.name == name:
                columns.append(pa.StructArray.from_arrays(rows.columns, fields=list(field.type)))
            else:
                columns.append(pa.nulls(n, field.type))
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


def lines_of(spark: Any, paths: list[str]) -> Any:
    """A DataFrame of (file, line, value): every line of every input, numbered from 1 in its file."""
    sc = spark.sparkContext
    numbered = [sc.textFile(path).zipWithIndex().map(lambda pair, path=path: (path, pair[1] + 1, pair[0]))
                for path in paths]
    return spark.createDataFrame(sc.union(numbered), "file string, line long, value string")


def load(spark: Any, paths: list[str], out: str, event: str | None = None,
         make_catalogue: Callable[[], Any] | None = None) -> dict[str, int]:
    """Validate and convert every line of `paths` on the cluster into Parquet under `out`;
    the rows written per table (and `_rejected`)."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    if make_catalogue is None:
        make_catalogue = _packaged
    found = tables(make_catalogue())
    schema = output_schema(found)
    # Timestamps as Parquet's TIMESTAMP_MICROS (UTC), as pyarrow writes them, not Spark's legacy INT96.
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    converted = lines_of(spark, paths).mapInArrow(convert_batches(event, make_catalogue), from_arrow_schema(schema))
    converted = converted.persist()  # validated once, written per table
    try:
        written = {row[TARGET]: row["count"] for row in converted.groupBy(TARGET).count().collect()}
        for name in written:
            rows = converted.where(F.col(TARGET) == name).select(f"{name}.*")
            if name == REJECTED_DIR:
                rows.write.mode("append").parquet(f"{out}/{REJECTED_DIR}")
            else:
                rows.write.mode("append").partitionBy(*PARTITIONS).parquet(out)
        return written
    finally:
        converted.unpersist()


def _packaged() -> Any:
    from multi_workflow_telemetry.catalogue import Catalogue

    return Catalogue.packaged()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(prog="python -m contracts.warehouse.spark_job", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", metavar="OUT_DIR", help="Parquet directory (event=/version=/date=, and _rejected/)")
    parser.add_argument("paths", nargs="+", metavar="INPUT", help="JSON lines files (any path Spark reads)")
    parser.add_argument("--event", metavar="NAME[@VERSION]", help="event of bare payloads, as for `contracts load`")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("contracts load (spark)").getOrCreate()
    try:
        written = load(spark, args.paths, args.out, args.event)
    finally:
        spark.stop()
    print(", ".join(f"{n} rows into {name}" for name, n in written.items()) or "no rows", file=sys.stderr)
    return 1 if REJECTED_DIR in written else 0


if __name__ == "__main__":
    sys.exit(main())
