"""The warehouse: the contract's events as tables (DuckDB, Arrow and Parquet, BigQuery).

- columns.py       the tables, derived from the event schemas (one per event and major)
- duckdb_ddl.py, arrow.py, bigquery.py   each target's schema, written under generated/warehouse/
- rows.py          the per-chunk function: validate JSON lines, return Arrow rows and rejected lines
- duckdb_sink.py, parquet_sink.py        where `contracts load` writes them
- load.py          `contracts load`
- views/           the views that answer the draft's questions (SQL, applied by the loader)
- spark_job.py     the same per-chunk function inside Spark (`mapInArrow`)
"""
