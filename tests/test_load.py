"""Load: a large stream through a pipe while workers are killed at random (as the OOM killer
would). Whatever dies, the run ends, the counts add up, the lines not validated are named, and
every other line gets the answer it gets when nothing dies. 200,000 lines here; the
million-line run is marked `slow` (`make slow`), which `make test` leaves out."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import CONTRACTS, REPO, child_processes

from contracts.bench import workload

SUMMARY = re.compile(r"(\d+) events: (\d+) valid, (\d+) invalid, (\d+) unreadable(?:, (\d+) not validated)?")
LOST = re.compile(r"contracts: error: <stdin>:(\d+)-(\d+): not validated: worker process \d+ was killed by SIGKILL")


def _kill_at_random(pid: int, seed: int, stop: threading.Event, kills: list[int], most: int) -> None:
    rng = random.Random(seed)
    while not stop.wait(rng.uniform(0.1, 0.5)) and len(kills) < most:
        workers = child_processes(pid)
        if workers:
            victim = rng.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
                kills.append(victim)
            except ProcessLookupError:
                pass


def _load(tmp_path: Path, lines: int, seed: int) -> None:
    events = tmp_path / "load.jsonl"
    workload.write_stream(str(events), lines, seed)
    env = {**os.environ, "CONTRACTS_CHUNK_BYTES": "200000"}
    reference = subprocess.run([CONTRACTS, "validate", "--jobs", "2", str(events)], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=1200)
    cat = subprocess.Popen(["cat", str(events)], stdout=subprocess.PIPE)
    run = subprocess.Popen([CONTRACTS, "validate", "--jobs", "4", "-"], cwd=REPO, env=env, stdin=cat.stdout,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert cat.stdout is not None
    cat.stdout.close()
    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_kill_at_random, args=(run.pid, seed, stop, kills, 3))
    killer.start()
    try:
        out, err = run.communicate(timeout=1200)
    finally:
        stop.set()
        killer.join()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        cat.wait()
    assert "Traceback" not in err and kills
    print(f"{len(kills)} workers killed:", err)
    summary = SUMMARY.search(err)
    assert summary, err
    total, valid, invalid, unreadable = map(int, summary.groups()[:4])
    not_validated = int(summary.group(5) or 0)
    assert total == lines == valid + invalid + unreadable + not_validated
    lost = [(int(a), int(b)) for a, b in LOST.findall(err)]
    missing = {n for first, last in lost for n in range(first, last + 1)}
    assert len(missing) == sum(last - first + 1 for first, last in lost) == not_validated
    assert run.returncode == (2 if lost else 1)
    assert len(err.strip().splitlines()) == len(lost) + 1  # nothing else went wrong
    expected = [line.replace(str(events), "<stdin>", 1) for line in reference.stdout.splitlines()
                if int(line.split(":")[1]) not in missing]
    assert out.splitlines() == expected


def test_200k_lines_through_a_pipe_with_workers_killed_at_random(tmp_path: Path) -> None:
    _load(tmp_path, 200_000, 11)


@pytest.mark.slow
def test_a_million_lines_through_a_pipe_with_workers_killed_at_random(tmp_path: Path) -> None:
    _load(tmp_path, 1_000_000, 12)
