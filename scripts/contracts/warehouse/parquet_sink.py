"""Rows into Parquet files any engine reads, in the Hive layout
`DIR/event=<event>/version=<version>/date=<YYYY-MM-DD>/part-….parquet` (bare payloads, which carry
no time, under `date=__HIVE_DEFAULT_PARTITION__`), and `DIR/_rejected/part-….parquet` (a name engines skip when
they discover the partitions of `DIR`).

The Spark job writes the same layout. Idempotent per input: a file's name comes from the input,
the chunk's first line and a digest of the chunk's rows, so loading the same input again rewrites
the same files (their events counted as already loaded), and other lines at the same place (a
file written anew under the same name, another stream on standard input) get files of their own
instead of overwriting the first ones.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from ..findings import Unusable
from .columns import PARTITIONS, Table
from .rows import Converted, with_partitions

REJECTED_DIR = "_rejected"


class ParquetSink:
    def __init__(self, directory: str, tables: dict[str, Table]) -> None:
        self.root = Path(directory)
        self.tables = tables
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Unusable(f"{directory}: cannot write Parquet here: {exc.strerror}") from None
        self.inserted = 0
        self.rejected_inserted = 0
        # The chunks written before: written again (that completes one an interrupted load left
        # part-written) but not counted as loaded, so the summary says they were already loaded.
        self._written = {path.name.split("-")[1] for path in self.root.rglob("part-*.parquet")}

    def write(self, converted: Converted, name: str, first_line: int) -> None:
        try:
            self._write(converted, name, first_line)
        except (OSError, pa.ArrowException) as exc:
            # The output's fault, not the input's: said of the directory (as an OSError it was
            # reported as the input's, "cannot read").
            reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
            raise Unusable(f"{self.root}: cannot write Parquet here: {reason}") from None

    def _write(self, converted: Converted, name: str, first_line: int) -> None:
        stem = _stem(converted, name, first_line)
        new = stem not in self._written
        self._written.add(stem)
        for table_name, batch in converted.tables.items():
            rows = pa.Table.from_batches([with_partitions(batch, self.tables[table_name].event)])
            partitioning = ds.partitioning(pa.schema([rows.schema.field(p) for p in PARTITIONS]), flavor="hive")
            ds.write_dataset(rows, self.root, format="parquet", partitioning=partitioning,
                             basename_template=f"part-{stem}-{table_name}-{{i}}.parquet",
                             existing_data_behavior="overwrite_or_ignore")
            self.inserted += rows.num_rows if new else 0
        if converted.rejected is not None:
            ds.write_dataset(pa.Table.from_batches([converted.rejected]), self.root / REJECTED_DIR, format="parquet",
                             basename_template=f"part-{stem}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore")
            self.rejected_inserted += converted.rejected.num_rows if new else 0

    def close(self) -> None:
        pass


def _stem(converted: Converted, name: str, first_line: int) -> str:
    """The name shared by a chunk's files: its input and first line, and what its rows hold (their
    Arrow buffers: the same lines convert to the same buffers)."""
    digest = hashlib.sha256(f"{name}\0{first_line}\0".encode())
    batches = [converted.tables[t] for t in sorted(converted.tables)]
    for batch in batches + ([converted.rejected] if converted.rejected is not None else []):
        for column in batch.columns:
            for buffer in column.buffers():
                if buffer is not None:
                    digest.update(buffer)
    return digest.hexdigest()[:24]
