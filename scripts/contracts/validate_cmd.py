"""`contracts validate`: check event files and streams against the schemas and contract rules.

`.json` files hold one event; any other file (`.jsonl`, `.ndjson`, `-` for standard input)
holds one event per line and is read in chunks of whole lines (stream.py), so memory stays
bounded whatever the size; `--jobs` spreads the chunks over processes, and violations still come
out in line order. A line that is not JSON is reported with its number and counted as
unreadable; validation goes on with the next. `--correlate` pairs each execution_summary with
its plan_created across every input (correlate.py).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError
from multi_workflow_telemetry.fast import strip_bom

from .findings import Finding, Unusable, printable
from .interrupt import interruptible
from .json_findings import as_json
from .locate import lines_of
from .stream import CHUNK, Checker, ChunkResult, Task, default_jobs, file_tasks, stream_tasks
from .supervise import Runner

if TYPE_CHECKING:
    from .correlate import Correlator
    from .deprecated import EndedScan


class UnusableInput(Unusable):
    """An input that cannot be validated at all (exit 2)."""


class Report(Protocol):
    """Where a run's findings go as they are found (a CI format's writer, or the JSON report):
    memory holds none of them, whatever their number."""

    def add(self, finding: Finding) -> None: ...
    def correlation(self, finding: Finding) -> None: ...


@dataclass
class Summary:
    events: int = 0
    valid: int = 0
    invalid: int = 0
    unreadable: int = 0
    not_validated: int = 0  # events of chunks whose worker died (each range is in `unusable`)
    blank_lines: int = 0
    violations: int = 0
    unusable: list[str] = field(default_factory=list)
    correlated: bool = False
    correlation_count: int = 0
    plans_without_summary: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The counts and the rest: the violations and correlation problems went to the report."""
        report: dict[str, Any] = {
            "events": self.events,
            "valid": self.valid,
            "invalid": self.invalid,
            "unreadable": self.unreadable,
            "not_validated": self.not_validated,
            "blank_lines": self.blank_lines,
            "unusable": self.unusable,
        }
        if self.correlated:
            report["correlation"] = {"plans_without_summary": [as_json(f) for f in self.plans_without_summary]}
        return report

    def line(self) -> str:
        text = (
            f"{self.events} events: {self.valid} valid, {self.invalid} invalid, {self.unreadable} unreadable"
            + (f", {self.not_validated} not validated" if self.not_validated else "")
            + f"; {self.violations} violations"
        )
        if self.correlated:
            open_plans = len(self.plans_without_summary)
            text += (f"; correlation: {self.correlation_count} problems, "
                     f"{open_plans} plan{'s' if open_plans != 1 else ''} without a summary")
        return text


class Validation:
    """One run of `contracts validate` over any number of inputs."""

    def __init__(self, catalogue: Catalogue, event: str | None, out: IO[str] | None,
                 jobs: int = 1, progress: bool = False, correlate: bool = False,
                 report: Report | None = None, ended: EndedScan | None = None,
                 on_ended: Callable[[Finding], None] | None = None) -> None:
        self.catalogue = catalogue
        self.checker = Checker(catalogue, event, correlate)
        # Before the workers fork: they inherit it. Each event of an ended version goes to `on_ended`.
        self._on_ended = on_ended if ended is not None else None
        self.checker.ended_scan = ended if on_ended is not None else None
        self.summary = Summary(correlated=correlate)
        self._out = out  # text: each finding printed as found
        self._report = report  # any other format: each finding handed over as found, none kept
        self._runner = Runner(self.checker, jobs)
        self._correlator: Correlator | None = None
        if correlate:  # imported only then: sqlite3 costs every other run start-up time
            from .correlate import Correlator

            self._correlator = Correlator()
        self._progress = _Progress() if progress else None
        self._emit: Callable[[str], None] = self._print

    def run(self, path: str) -> None:
        problem = read_input(path, self._document, self._stream)
        if problem:
            self.summary.unusable.append(problem)

    def finish(self) -> Summary:
        try:
            self._runner.close()
            if self._correlator is not None:
                missing, open_plans = self._correlator.finish()
                for finding in missing:
                    self._correlation(finding)
                self.summary.plans_without_summary = open_plans
                if self._out is not None:
                    for finding in open_plans:
                        print(finding, file=self._out)
        finally:
            self.close()
        return self.summary

    def close(self) -> None:
        """Leave nothing behind: no worker process, no temporary file (also when interrupted)."""
        self._runner.close()
        if self._correlator is not None:
            self._correlator.close()

    def _stream(self, name: str, tasks: Iterator[Task], size: int | None) -> None:
        offset = 0
        if self._progress is not None and (size is None or size > CHUNK):
            self._runner.start()
        bar = self._progress.start(name, size) if self._progress else None
        try:
            if bar is not None and self._out is not None and self._out.isatty():
                self._emit = bar.print  # through the bar, so it is redrawn below the violations
            for result in self._runner.results(tasks):
                self._add(name, offset, result)
                offset += result.lines
                if bar is not None:
                    bar.advance(result.nbytes, result.events)
        finally:
            self._emit = self._print
            if bar is not None:
                bar.stop()

    def _add(self, name: str, offset: int, result: ChunkResult) -> None:
        s = self.summary
        s.events += result.events
        s.valid += result.valid
        s.invalid += result.invalid
        s.unreadable += result.unreadable
        s.blank_lines += result.blank_lines
        if result.lost:
            s.not_validated += result.not_validated
            s.unusable.append(f"{name}:{offset + 1}-{offset + result.lines}: not validated: {result.lost}")
        pairings = iter(result.pairings)
        pairing = next(pairings, None)
        for line, pointer, rule, message in result.problems:
            while self._correlator is not None and pairing is not None and pairing[0] < line:
                self._pair(name, offset, pairing)
                pairing = next(pairings, None)
            self._violation(Finding(name, offset + line, pointer, rule, message))
        while self._correlator is not None and pairing is not None:
            self._pair(name, offset, pairing)
            pairing = next(pairings, None)
        scan = self.checker.ended_scan
        if scan is not None and self._on_ended is not None:
            for line, ref in result.ended:
                self._on_ended(scan.finding(name, offset + line, ref))

    def _pair(self, name: str, offset: int, pairing: Any) -> None:
        assert self._correlator is not None
        for finding in self._correlator.feed(name, offset + pairing[0], pairing):
            self._correlation(finding)

    def _document(self, name: str, raw: bytes) -> None:
        self.summary.events += 1
        scan = self.checker.ended_scan
        if scan is not None and self._on_ended is not None:
            for _, ref in scan.lines([raw]):  # a document is one event, named at its first line
                self._on_ended(scan.finding(name, 1, ref))
        kind, problems, payload, validator = self.checker.check(raw)
        if kind == "valid":
            self.summary.valid += 1
            if self._correlator is not None and validator is not None:
                pairing = self.checker.pairing(1, validator.event, payload)
                if pairing is not None:
                    self._pair(name, 0, pairing)
            return
        setattr(self.summary, kind, getattr(self.summary, kind) + 1)
        text = raw.decode("utf-8", errors="replace")
        lines = [1 + p[0] for p in problems] if kind == "unreadable" else lines_of(text, [p[1] for p in problems])
        for line, (_, pointer, rule, message) in zip(lines, problems):
            self._violation(Finding(name, line, pointer, rule, message))

    def _violation(self, finding: Finding) -> None:
        self.summary.violations += 1
        if self._report is not None:
            self._report.add(finding)
        if self._out is not None:
            self._emit(str(finding))

    def _correlation(self, finding: Finding) -> None:
        self.summary.correlation_count += 1
        if self._report is not None:
            self._report.correlation(finding)
        if self._out is not None:
            self._emit(str(finding))

    def _print(self, text: str) -> None:
        print(text, file=self._out)


def read_input(path: str, document: Callable[[str, bytes], None],
               stream: Callable[[str, Iterator[Task], int | None], None]) -> str | None:
    """Hand one input over as `contracts validate` and `contracts load` both read it: a `.json`
    file whole to `document`, anything else (or `-`, standard input) as chunks of lines to
    `stream`. None, or the one line saying why the path cannot be read."""
    if path == "-":
        # Closed (`<&-`, a daemon's missing descriptor 0): Python then has no sys.stdin at all.
        if sys.stdin is None:
            return f"{path}: cannot read: standard input is closed"
        try:
            with interruptible(sys.stdin.buffer) as stdin:  # Ctrl-C heard while it waits for input
                stream("<stdin>", stream_tasks(stdin), None)
        except OSError as exc:  # open, but not for reading (`0>file`), or an I/O error: as for a path
            return f"{path}: cannot read: {exc.strerror or exc}"
        return None
    try:
        # Opened once, then judged by what it is, not by its name or reported size: a pipe, a
        # FIFO, /dev/stdin, a process substitution or a /proc file reports a size of 0 (or
        # none) and is read to its end as a stream; only a regular file with a size is cut
        # into byte ranges (which workers read themselves).
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            if Path(path).suffix == ".json":
                document(path, strip_bom(handle.read()))
            elif stat.S_ISREG(info.st_mode) and info.st_size > 0:
                stream(path, file_tasks(path, info.st_size), info.st_size)
            else:
                with interruptible(handle) as readable:
                    stream(path, stream_tasks(readable), None)
    except OSError as exc:
        # Any path that cannot be read (missing, a directory, no permission, a symlink loop,
        # a name too long, an I/O error) is one line and exit 2; the other inputs go on.
        return f"{path}: cannot read: {exc.strerror or exc}"
    return None


class _Progress:
    """A progress bar on standard error: bytes read, events and events per second."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
            TextColumn("{task.fields[events]:,} events"), TextColumn("{task.fields[rate]:,.0f} events/s"),
            TimeElapsedColumn(), console=self.console, transient=False,
        )

    def start(self, name: str, size: int | None) -> _Bar:
        return _Bar(self, name, size)


class _Bar:
    def __init__(self, owner: _Progress, name: str, size: int | None) -> None:
        self.progress = owner.progress
        self.started = time.perf_counter()
        self.events = 0
        self.task = self.progress.add_task(printable(name), total=size, events=0, rate=0.0)
        self.progress.start()

    def advance(self, nbytes: int, events: int) -> None:
        self.events += events
        rate = self.events / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=nbytes, events=self.events, rate=rate)

    def print(self, text: str) -> None:
        self.progress.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        self.progress.update(self.task, total=self.progress.tasks[self.task].completed)
        self.progress.stop()


def show_progress(choice: bool | None) -> bool:
    """The bar shows on a terminal only: never when the output or the bar would go down a pipe."""
    if choice is not None:
        return choice
    return sys.stderr.isatty() and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def validate_inputs(catalogue: Catalogue, event: str | None, paths: list[str], *, out: IO[str] | None = None,
                    report: Report | None = None, jobs: int | None = None, progress: bool | None = False,
                    correlate: bool = False, ended: EndedScan | None = None,
                    on_ended: Callable[[Finding], None] | None = None) -> Summary:
    """Validate every input; raise UnusableInput when the event itself is unknown.

    Each finding is printed to `out` (text) and handed to `report` (any other format) as it is
    found, and none is kept: the caller finishes the report with the summary. With `ended`
    (deprecated.ended_scan), each event of a deprecated or retired version goes to `on_ended`.
    """
    try:
        run = Validation(catalogue, event, out=out, jobs=default_jobs() if jobs is None else jobs,
                         progress=show_progress(progress), correlate=correlate, report=report,
                         ended=ended, on_ended=on_ended)
    except CatalogueError as exc:
        raise UnusableInput(str(exc)) from None
    try:
        for path in paths:
            run.run(path)
    except BaseException:  # interrupted (Ctrl-C, SIGTERM) or a bug: clean up, report nothing more
        run.close()
        raise
    return run.finish()
