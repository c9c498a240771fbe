"""Worker processes, supervised: each chunk is known to the worker holding it, so a worker that
dies (the OOM killer's SIGKILL, a crash) costs exactly the chunks it held, which are reported as
not validated, and the run goes on with the others.

Why not a pool from the standard library: `multiprocessing.Pool` replaces a dead worker but never
answers for the task it held, so the run waits forever; `concurrent.futures.ProcessPoolExecutor`
notices the death (BrokenProcessPool) but fails every pending chunk at once without saying which
worker held which, and cannot go on. Here each worker has its own pipe, and the main process
waits on the pipes and on each process's sentinel together (`multiprocessing.connection.wait`),
so a death is seen at once and charged to the chunks that worker held.

Workers are forked (they inherit the compiled validators), ignore Ctrl-C (the terminal sends it
to the whole process group; the main process decides and stops them), and exit when their pipe
closes, so even a main process killed outright leaves no worker behind.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from .interrupt import raise_if_signalled
from .stream import Checker, ChunkResult, Task, lost

# Chunks in flight or done and waiting for their turn, per worker: bounds memory. Each worker
# holds one chunk at a time: a second would wait in its pipe, and sending it would block the main
# process until the busy worker reads it (a socket pair buffers ~200 KB, a chunk is 4 MB), so the
# main process keeps the next chunk itself and hands it over the moment a worker is free.
WINDOW = 2


def _serve(conn: Connection, checker: Checker, inherited: list[Connection], nice: int = 0) -> None:
    if nice:
        os.nice(nice)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # the main process's ends of the other workers' pipes
        other.close()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            return
        if task is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", checker.run(task))
        except Exception as exc:  # a bug: the main process raises it
            reply = ("error", exc)
        conn.send(reply)


class _Worker:
    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.held: deque[tuple[int, Task]] = deque()  # (sequence number, chunk), in the order sent


def _death(process: Any) -> str:
    """How a worker ended, in words: `worker process 123 was killed by SIGKILL`."""
    process.join(1)
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"worker process {process.pid} was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"worker process {process.pid} was killed by signal {-code}"
    return f"worker process {process.pid} exited with status {code}"


class Workers:
    """`jobs` forked workers validating chunks; results in chunk order."""

    def __init__(self, checker: Checker, jobs: int, nice: int = 0) -> None:
        self.checker = checker
        self.workers: list[_Worker] = []
        context = multiprocessing.get_context("fork")
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            inherited = [w.conn for w in self.workers] + [mine]
            process = context.Process(target=_serve, args=(theirs, checker, inherited, nice), daemon=True)
            process.start()
            theirs.close()
            self.workers.append(_Worker(process, mine))

    def results(self, tasks: Iterator[Task]) -> Iterator[ChunkResult]:
        done: dict[int, ChunkResult] = {}
        sent = taken = 0
        task: Task | None = None
        more = True
        while True:
            while more and sent - taken < WINDOW * max(1, len(self.workers)):
                if task is None:
                    task = next(tasks, None)
                    if task is None:
                        more = False
                        break
                worker = self._idle()
                if worker is None:  # every worker died: this process validates the rest itself
                    done[sent] = self.checker.run(task)
                elif worker.held:
                    break  # all busy: the chunk waits here for the first one free
                elif not self._send(worker, sent, task):
                    continue  # it was dead: the same chunk goes to another
                sent, task = sent + 1, None
            while taken in done:
                yield done.pop(taken)
                taken += 1
            if not more and taken == sent:
                return
            self._collect(done)

    def _idle(self) -> _Worker | None:
        """A worker holding no chunk if there is one, else a busy one; None when none is left."""
        while self.workers:
            worker = min(self.workers, key=lambda w: len(w.held))
            if worker.held or worker.process.is_alive():
                return worker
            self._bury(worker, {})  # died holding nothing: nothing lost
        return None

    def _send(self, worker: _Worker, number: int, task: Task) -> bool:
        try:
            worker.conn.send(task)
        except OSError:  # died since the last look, holding nothing: this chunk goes to another
            self._bury(worker, {})
            return False
        worker.held.append((number, task))
        return True

    def _collect(self, done: dict[int, ChunkResult]) -> None:
        """Wait for a result or a death, and take every one that is ready."""
        busy = [w for w in self.workers if w.held]
        if not busy:
            return
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        for worker in busy:
            if worker.conn in ready:
                try:
                    while worker.held and worker.conn.poll():
                        kind, value = worker.conn.recv()
                        if kind == "error":
                            raise value
                        done[worker.held.popleft()[0]] = value
                except (EOFError, OSError):
                    self._bury(worker, done)
                    continue
            if worker.process.sentinel in ready and not worker.conn.poll():
                self._bury(worker, done)

    def _bury(self, worker: _Worker, done: dict[int, ChunkResult]) -> None:
        if worker not in self.workers:
            return
        self.workers.remove(worker)
        worker.conn.close()
        why = _death(worker.process)
        for number, task in worker.held:
            done[number] = lost(task, why)
        worker.held.clear()

    def close(self) -> None:
        """Stop every worker now (work in flight is dropped) and wait for them to go."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
        for worker in self.workers:
            worker.process.join(5)
            worker.conn.close()
        self.workers = []


class Runner:
    """Runs chunks in this process or, once a stream proves longer than a chunk, on `jobs`
    supervised worker processes; results come back in the order of the chunks."""

    def __init__(self, checker: Checker, jobs: int, nice: int = 0) -> None:
        self.checker = checker
        self.jobs = max(1, jobs)
        self.nice = nice  # added to the workers' niceness: they yield the cores to this process's threads
        self._workers: Workers | None = None

    def results(self, tasks: Iterator[Task]) -> Iterator[ChunkResult]:
        """Each task's result, in task order; a signal whose exception was lost (interrupt.py)
        stops the run at the next one."""
        for result in self._results(tasks):
            raise_if_signalled()
            yield result

    def _results(self, tasks: Iterator[Task]) -> Iterator[ChunkResult]:
        first = next(tasks, None)
        if first is None:
            return
        second = next(tasks, None)
        if second is None or self.jobs == 1:
            yield self.checker.run(first)
            if second is not None:
                yield self.checker.run(second)
                for task in tasks:
                    yield self.checker.run(task)
            return
        workers = self.start()
        assert workers is not None
        yield from workers.results(itertools.chain((first, second), tasks))

    def start(self) -> Workers | None:
        """Start the workers now (when a stream may need them): forking before any thread of the
        progress bar exists keeps the workers clear of locks those threads might hold."""
        if self._workers is None and self.jobs > 1:
            self._workers = Workers(self.checker, self.jobs, self.nice)
        return self._workers

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
