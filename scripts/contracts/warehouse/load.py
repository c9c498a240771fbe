"""`contracts load`: validated events into the warehouse, the rest into `rejected`.

The inputs are read as `contracts validate` reads them (`.json`: one event; any other file, or
`-`: one per line, in chunks of whole lines on `--jobs` processes, stream.py) and validated by
the same Checker; each chunk is converted where it is validated (rows.py), and the rows are
written in line order by one writer: a DuckDB file (default) or Parquet (`--parquet DIR`).
Every event read is loaded, already loaded (the same `id`, or the same file and line), or
rejected: the summary's counts add up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError

from ..stream import CHUNK, ChunkResult, Task, default_jobs
from ..supervise import Runner
from ..validate_cmd import UnusableInput, _Progress, read_input, show_progress
from .rows import Converted, Converter

DEFAULT_DB = "events.duckdb"
WORKER_NICENESS = 10  # added to the workers' niceness (Linux: a weight of about a tenth of the writer's)


@dataclass
class LoadSummary:
    events: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    invalid: int = 0
    unreadable: int = 0
    unstorable: int = 0
    not_loaded: int = 0  # events of chunks whose worker died (each range is in `unusable`)
    blank_lines: int = 0
    unusable: list[str] = field(default_factory=list)

    def line(self, target: str) -> str:
        return (f"{self.events} events: {self.loaded} loaded, {self.duplicates} already loaded, {self.rejected} rejected "
                f"({self.invalid} invalid, {self.unreadable} unreadable, {self.unstorable} not storable)"
                + (f", {self.not_loaded} not loaded" if self.not_loaded else "") + f" into {target}")


class Load:
    """One run of `contracts load` over any number of inputs, into one sink."""

    def __init__(self, catalogue: Catalogue, event: str | None, sink: Any, jobs: int, progress: bool) -> None:
        try:
            self.converter = Converter(catalogue, event)
        except CatalogueError as exc:
            raise UnusableInput(str(exc)) from None
        self.sink = sink
        self.summary = LoadSummary()
        # The workers yield to the writer thread: it is the slower stage, and every second it waits
        # for a core is a second more at the end (1,000,000 events: 7.8s against 8.2-8.7s, make bench).
        self._runner = Runner(self.converter, jobs, WORKER_NICENESS)  # type: ignore[arg-type]  # any object with run(task)
        self._progress = _Progress() if progress else None
        self._names: set[str] = set()

    def run(self, path: str) -> None:
        name = input_name(path)  # the rows' `file`; messages and the progress bar say the path as given
        if name in self._names:  # its lines are at the same places again: the sink looks for repeats
            self.sink.inputs_repeat = True
        self._names.add(name)
        problem = read_input(path, lambda shown, raw: self._add(shown, name, 0, self.converter.document(raw, name)),
                             lambda shown, tasks, size: self._stream(shown, name, tasks, size))
        if problem:
            self.summary.unusable.append(problem)

    def _stream(self, shown: str, name: str, tasks: Iterator[Task], size: int | None) -> None:
        offset = 0
        if self._progress is not None and (size is None or size > CHUNK):
            self._runner.start()
        bar = self._progress.start(shown, size) if self._progress else None
        try:
            for converted in self._runner.results(tasks):
                self._add(shown, name, offset, converted)
                offset += converted.lines
                if bar is not None:
                    bar.advance(converted.nbytes, converted.events)
        finally:
            if bar is not None:
                bar.stop()

    def _add(self, shown: str, name: str, offset: int, converted: Converted | ChunkResult) -> None:
        """One chunk of input `name` (`shown` in messages), in line order: its rows written, its
        counts added."""
        if isinstance(converted, ChunkResult):
            # A worker died holding this chunk (supervise.py): none of it is loaded, the run goes
            # on, and the range is reported as `contracts validate` reports it (exit 2).
            self.summary.events += converted.events
            self.summary.not_loaded += converted.not_validated
            self.summary.blank_lines += converted.blank_lines
            self.summary.unusable.append(f"{shown}:{offset + 1}-{offset + converted.lines}: not loaded: {converted.lost}")
            return
        converted = converted.placed(name, offset)
        self.sink.write(converted, name, offset + 1)
        s = self.summary
        s.events += converted.events
        s.invalid += converted.invalid
        s.unreadable += converted.unreadable
        s.unstorable += converted.unstorable
        s.rejected += converted.invalid + converted.unreadable + converted.unstorable
        s.blank_lines += converted.lines - converted.events

    def finish(self) -> LoadSummary:
        try:
            self._runner.close()
        finally:  # a signal while the workers stop: the sink's writer thread must still be stopped
            self.sink.close()
        s = self.summary
        unstorable = getattr(self.sink, "unstorable", 0)  # found by the sink's reader (duckdb_sink.py)
        s.unstorable += unstorable
        s.rejected += unstorable
        s.loaded = self.sink.inserted
        s.duplicates = s.events - s.rejected - s.loaded - s.not_loaded
        return s



def input_name(path: str) -> str:
    """An input as its rows name it (`file`), which is also the key of an event without an `id`
    (duckdb_sink.py): a regular file by its real path, so that `x.jsonl`, `./x.jsonl`, its
    absolute path and a symlink to it are one input wherever the load runs from; standard input
    `<stdin>`; anything else (a FIFO, /dev/fd/N) as given."""
    if path == "-":
        return "<stdin>"
    return os.path.realpath(path) if os.path.isfile(path) else path


def load_inputs(catalogue: Catalogue, event: str | None, paths: list[str], *, db: str | None = None,
                parquet: str | None = None, jobs: int | None = None, progress: bool | None = False) -> tuple[LoadSummary, str]:
    """Load every input into the DuckDB file `db` (default) or the Parquet directory `parquet`;
    the summary and what was written to."""
    from .columns import tables

    if event is not None:
        try:
            catalogue.event(event)  # an unknown event (or a shared definition) is refused before any file is created
        except CatalogueError as exc:
            raise UnusableInput(str(exc)) from None
    by_name = {t.name: t for t in tables(catalogue)}
    if parquet is not None:
        from .parquet_sink import ParquetSink

        sink: Any = ParquetSink(parquet, by_name)
        target = parquet
    else:
        from .duckdb_sink import DuckDBSink

        target = db or DEFAULT_DB
        sink = DuckDBSink(target, by_name)
    run = Load(catalogue, event, sink, default_jobs() if jobs is None else jobs, show_progress(progress))
    if parquet is None:
        sink.reads_lines(run.converter)  # before the workers fork: they inherit where to write
    try:
        for path in paths:
            run.run(path)
    finally:
        summary = run.finish()
    return summary, target
