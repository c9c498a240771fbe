"""`contracts validate` on streams: chunks, workers, standard input, progress, counts that add up."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTRACTS, REPO, fixture_payload, run_contracts

from contracts.bench import workload
from contracts.stream import Checker, file_tasks, stream_tasks
from contracts.supervise import Runner
from multi_workflow_telemetry.catalogue import Catalogue

PLAN = "multi_workflow.plan_created"
SUMMARY_LINE = re.compile(r"(\d+) events: (\d+) valid, (\d+) invalid, (\d+) unreadable; (\d+) violations")


def _mixed(path: Path, count: int, seed: int = 3) -> None:
    workload.write_stream(str(path), count, seed)


def _run(*args: str, chunk: int | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if chunk is not None:
        env["CONTRACTS_CHUNK_BYTES"] = str(chunk)
    return subprocess.run([CONTRACTS, *args], cwd=REPO, env=env, input=stdin, capture_output=True, timeout=300)


def _counts(stderr: bytes) -> tuple[int, ...]:
    found = SUMMARY_LINE.search(stderr.decode())
    assert found, stderr
    return tuple(int(n) for n in found.groups())


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "mixed.jsonl"
    _mixed(path, 3000)
    with path.open("ab") as out:  # blank lines and a last line without its newline
        out.write(b'{"plan_id": \n\n   \n' + json.dumps(fixture_payload(PLAN, "valid", "draft-example") | {"event_type": PLAN}).encode())
    return path


def test_workers_give_the_same_output_in_line_order(mixed: Path) -> None:
    one = _run("validate", "--jobs", "1", str(mixed))
    many = _run("validate", "--jobs", "3", str(mixed), chunk=20_000)  # ~60 chunks over 3 processes
    assert one.returncode == many.returncode == 1
    assert one.stdout == many.stdout
    lines = [int(line.split(b":")[1]) for line in many.stdout.splitlines()]
    assert lines == sorted(lines)
    events, valid, invalid, unreadable, violations = _counts(many.stderr)
    assert _counts(one.stderr) == (events, valid, invalid, unreadable, violations)
    assert events == 3002 and events == valid + invalid + unreadable
    assert invalid > 0 and unreadable > 0


def test_line_numbers_survive_chunk_boundaries(tmp_path: Path) -> None:
    plan = fixture_payload(PLAN, "valid", "draft-example")
    lines = [json.dumps(plan if n % 7 else {**plan, "stage_count": 9}) for n in range(1, 400)]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = _run("validate", "--event", PLAN, "--jobs", "2", str(path), chunk=1000)
    reported = [int(line.split(b":")[1]) for line in done.stdout.splitlines()]
    assert reported == [n for n in range(1, 400) if n % 7 == 0]


def test_standard_input_in_blocks_over_workers(mixed: Path) -> None:
    data = mixed.read_bytes()
    from_file = _run("validate", "--jobs", "1", str(mixed))
    from_stdin = _run("validate", "--jobs", "2", "-", chunk=30_000, stdin=data)
    assert _counts(from_stdin.stderr) == _counts(from_file.stderr)
    assert from_stdin.stdout == from_file.stdout.replace(str(mixed).encode(), b"<stdin>")


def test_file_tasks_end_at_line_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b"x" * (n % 13) + b"\n" for n in range(500)) + b"last")
    size = path.stat().st_size
    tasks = list(file_tasks(str(path), size, chunk=64))
    assert tasks[0][2] == 0 and tasks[-1][3] == size
    data = path.read_bytes()
    for (_, _, start, end), (_, _, following, _) in zip(tasks, tasks[1:]):
        assert end == following and data[end - 1:end] == b"\n"
    blocks = [t[1] for t in stream_tasks(io.BytesIO(data), chunk=64)]
    assert b"".join(blocks) == data and all(b.endswith(b"\n") for b in blocks[:-1])


def test_runner_results_come_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    _mixed(path, 600)
    checker = Checker(Catalogue.packaged(), None)
    tasks = list(file_tasks(str(path), path.stat().st_size, chunk=4096))
    runner = Runner(checker, jobs=2)
    try:
        parallel = list(runner.results(iter(tasks)))
    finally:
        runner.close()
    serial = [checker.run(task) for task in tasks]
    assert [(r.lines, r.valid, r.invalid, r.problems) for r in parallel] == [
        (r.lines, r.valid, r.invalid, r.problems) for r in serial
    ]


def test_workers_run_at_the_niceness_they_are_given(tmp_path: Path) -> None:
    # `contracts load` starts its workers nicer than its writer thread (warehouse/load.py).
    from contracts.warehouse.load import WORKER_NICENESS

    checker = Checker(Catalogue.packaged(), None)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    for nice in (0, WORKER_NICENESS):
        runner = Runner(checker, jobs=2, nice=nice)
        try:
            workers = runner.start()
            assert workers is not None
            wanted = [min(19, base + nice)] * 2
            deadline = time.monotonic() + 10  # each worker sets its own niceness as it starts
            while (found := [os.getpriority(os.PRIO_PROCESS, w.process.pid) for w in workers.workers]) != wanted:
                assert time.monotonic() < deadline, found
                time.sleep(0.01)
        finally:
            runner.close()


def test_no_progress_bar_when_piped(mixed: Path) -> None:
    done = _run("validate", str(mixed))
    assert b"events/s" not in done.stderr
    assert done.stderr.decode().strip().splitlines()[-1].startswith("3002 events:")


@pytest.mark.skipif(sys.platform != "linux", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal(mixed: Path) -> None:
    """On a terminal: a bar with events per second, and the same violations and counts."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the terminal
        os.chdir(REPO)
        os.environ["COLUMNS"] = "160"
        os.execv(CONTRACTS, [CONTRACTS, "validate", "--jobs", "2", str(mixed)])
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode(errors="replace")
    assert os.WEXITSTATUS(status) == 1
    assert "events/s" in text
    assert "3002 events:" in text
    piped = _run("validate", "--jobs", "1", str(mixed))
    for line in piped.stdout.decode().splitlines()[:5]:
        assert line in text


def test_jobs_must_be_a_positive_number(mixed: Path) -> None:
    done = run_contracts("validate", "--jobs", "0", str(mixed))
    assert done.returncode == 2
    assert "--jobs" in done.stderr and "Traceback" not in done.stderr


def test_json_format_counts_with_workers(mixed: Path) -> None:
    done = _run("validate", "--format", "json", "--jobs", "2", str(mixed), chunk=50_000)
    report = json.loads(done.stdout)
    assert report["events"] == report["valid"] + report["invalid"] + report["unreadable"] == 3002
    assert report["blank_lines"] == 2
    lines = [v["line"] for v in report["violations"]]
    assert lines == sorted(lines)


def _careful_lines(data: bytes) -> list[int]:
    """The lines of `data` that reach the careful path (the first of each event also does: it
    builds that event's validators)."""
    checker = Checker(Catalogue.packaged(), None)
    careful: list[int] = []
    reference = checker._careful

    def counted(raw: bytes, number: int, result: Any, *read: Any) -> None:
        careful.append(number)
        reference(raw, number, result, *read)

    checker._careful = counted  # type: ignore[method-assign]
    checker.chunk(data)
    return careful


def test_crlf_line_ends_give_the_same_answers_and_take_the_fast_tiers(mixed: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(mixed.read_bytes().replace(b"\n", b"\r\n"))
    lf, windows = _run("validate", "--jobs", "1", str(mixed)), _run("validate", "--jobs", "1", str(crlf))
    assert lf.stdout.replace(str(mixed).encode(), b"F") == windows.stdout.replace(str(crlf).encode(), b"F")
    assert _counts(lf.stderr) == _counts(windows.stderr)
    invalid_or_unreadable = sum(_counts(lf.stderr)[2:4])
    assert len(_careful_lines(crlf.read_bytes())) <= invalid_or_unreadable + 5  # valid CRLF lines stay fast


def test_lines_written_by_json_dumps_do_not_fall_to_the_careful_path(mixed: Path, tmp_path: Path) -> None:
    # Python's json.dumps puts a space after separators; such lines are proven exact by comparing
    # the text in full (fast.same_bytes), not read again by the strict parser.
    spaced = tmp_path / "spaced.jsonl"
    lines = mixed.read_bytes().split(b"\n")
    spaced.write_bytes(b"\n".join(json.dumps(json.loads(line)).encode() if line.startswith(b"{") and line.endswith(b"}")
                                  else line for line in lines))
    compact, python = _run("validate", "--jobs", "1", str(mixed)), _run("validate", "--jobs", "1", str(spaced))
    assert _counts(compact.stderr) == _counts(python.stderr)
    assert len(_careful_lines(spaced.read_bytes())) <= sum(_counts(compact.stderr)[2:4]) + 5


def _routes(result: Any) -> list[tuple[int, str, bool]]:
    """A chunk's routes as (line, NAME@VERSION, enveloped), in line order."""
    return sorted((n, ref, enveloped) for (ref, enveloped), numbers in result.routes.items() for n in numbers)


def test_lines_only_the_reference_calls_valid_keep_their_place() -> None:
    # The reference path runs after a chunk's fast lines (Checker._lines defers it), so a line
    # only it calls valid (an escaped character, a count written 2.0) must still be routed and
    # paired in line order, and the problems stay in line order: as line by line, one chunk each.
    plan = {"event_type": "multi_workflow.plan_created",
            **fixture_payload("multi_workflow.plan_created", "valid", "draft-example")}
    slow = json.dumps({**plan, "stage_count": float(plan["stage_count"])})  # an integer, to JSON Schema
    escaped = json.dumps(plan).replace('"plan_id"', '"plan\\u005fid"')
    broken = json.dumps({**plan, "stage_count": 9})
    lines = [json.dumps(plan), slow, broken, escaped, json.dumps(plan), "{", slow, json.dumps(plan)]
    checker = Checker(Catalogue.packaged(), None, correlate=True)
    checker.routing = True
    whole = checker.chunk(("\n".join(lines) + "\n").encode())
    one_by_one = [checker.chunk((line + "\n").encode()) for line in lines]
    assert _routes(whole) == [(n, ref, env) for n, r in enumerate(one_by_one, 1) for _, ref, env in _routes(r)]
    assert [p[0] for p in whole.pairings] == [n for n, r in enumerate(one_by_one, 1) for _ in r.pairings]
    assert whole.pairings == [(n, *p[1:]) for n, r in enumerate(one_by_one, 1) for p in r.pairings]
    assert whole.problems == [(n, *p[1:]) for n, r in enumerate(one_by_one, 1) for p in r.problems]
    assert [n for n, _, _ in _routes(whole)] == [1, 2, 4, 5, 7, 8]
    assert all(numbers == sorted(numbers) for numbers in whole.routes.values())  # each version's lines in order
