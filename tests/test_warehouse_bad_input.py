"""Damaged input (the rows of docs/bad-input.md) loaded with `contracts load` loses nothing: every
event read is loaded or in `rejected`, at its line, with the rule `contracts validate` names."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from conftest import CONTRACTS, REPO, child_processes, fixture_payload, run_contracts
from warehouse_helpers import table_rows

from contracts.bench import workload

PLAN = "multi_workflow.plan_created"
SUMMARY = re.compile(r"(\d+) events: (\d+) loaded, (\d+) already loaded, (\d+) rejected \((\d+) invalid, (\d+) unreadable")


def _line(**changes: object) -> bytes:
    return json.dumps({**fixture_payload(PLAN, "valid", "draft-example"), **changes}).encode()


# (row of docs/bad-input.md, the line, the rule it is rejected with; None: it loads)
DAMAGED = [
    ("ok", _line(), None),
    ("B01", b'{"plan_id": ', "json"),
    ("B03", b'{"plan_id": "\xff"}', "json"),
    ("B04", b"\xef\xbb\xbf" + _line(), "json"),  # a byte order mark that does not start the file
    ("B06", _line(selection_message="x" * 100_000_000), None),
    ("B07", b"[" * 100_000 + b"]" * 100_000, "json"),
    ("B08", _line(issue_number="NaN").replace(b'"NaN"', b"NaN"), "json"),
    ("B09", _line()[:-1] + b', "plan_id": "multiwf-00000000000000000000000000000000"}', "json"),
    ("B10", _line(issue_number=2**70), "maximum"),
    ("B11", _line(stage_count=2.0, issue_number=482.0), None),
    ("B12", b"[1, 2]", "type"),
    ("B12", b'"plan"', "type"),
    ("B02", _line()[:100], "json"),  # the file's last line, cut off
]


def _counts(stderr: str) -> tuple[int, ...]:
    found = SUMMARY.search(stderr)
    assert found, stderr
    return tuple(map(int, found.groups()))


def test_every_damaged_line_is_loaded_or_rejected(tmp_path: Path) -> None:
    stream = tmp_path / "damaged.jsonl"
    stream.write_bytes(b"\n".join(line for _, line, _ in DAMAGED))  # no newline after the cut-off last line
    db = tmp_path / "w.duckdb"
    done = run_contracts("load", "--event", PLAN, "--db", str(db), str(stream))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    events, loaded, again, rejected, invalid, unreadable = _counts(done.stderr)
    assert events == len(DAMAGED) == loaded + again + rejected
    assert (loaded, again) == (sum(rule is None for *_, rule in DAMAGED), 0)
    rows = {r["line"]: r for r in table_rows(db, "rejected")}
    assert len(rows) == rejected == invalid + unreadable
    for number, (row, line, rule) in enumerate(DAMAGED, 1):
        if rule is None:
            continue
        assert rule in {v["rule"] for v in rows[number]["violations"]}, row
        assert rows[number]["raw"] == line.decode("utf-8", "backslashreplace"), row  # every byte kept
    loaded_rows = table_rows(db, "plan_created_v1")
    assert [r["line"] for r in loaded_rows] == [n for n, (*_, rule) in enumerate(DAMAGED, 1) if rule is None]
    assert len(loaded_rows[1]["selection_message"]) == 100_000_000 and loaded_rows[2]["stage_count"] == 2


def test_b04_b05_b17_files(tmp_path: Path) -> None:
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + _line() + b"\n")
    empty_lines, empty_doc = tmp_path / "empty.jsonl", tmp_path / "empty.json"
    empty_lines.write_bytes(b"")
    empty_doc.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    done = run_contracts("load", "--event", PLAN, "--db", str(db), str(bom), str(empty_lines), str(empty_doc),
                         str(tmp_path / "missing.jsonl"), str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"contracts: error: {tmp_path / 'missing.jsonl'}: cannot read" in done.stderr
    assert f"contracts: error: {tmp_path}: cannot read" in done.stderr
    assert _counts(done.stderr)[:4] == (2, 1, 0, 1)  # the BOM file's event loads; the empty .json is rejected
    (rejected,) = table_rows(db, "rejected")
    assert (rejected["file"], rejected["line"], rejected["violations"][0]["rule"]) == (str(empty_doc), 1, "json")


def test_b13_b16_unusable_catalogue_or_event(repo_copy: Path, tmp_path: Path) -> None:
    events = tmp_path / "a.jsonl"
    events.write_bytes(_line() + b"\n")
    done = run_contracts("load", "--event", f"{PLAN}@../../x", "--db", str(tmp_path / "w.duckdb"), str(events))
    assert done.returncode == 2 and done.stderr.startswith("contracts: error:") and "MAJOR.MINOR.PATCH" in done.stderr
    (repo_copy / f"schemas/{PLAN}/1.0.0.json").write_text("{\n  oops")
    done = run_contracts("load", "--db", str(tmp_path / "w.duckdb"), str(events), cwd=repo_copy)
    assert done.returncode == 2 and "not a JSON document" in done.stderr and "Traceback" not in done.stderr


def test_b18_a_fifo_and_a_pipe_are_loaded_to_their_end(tmp_path: Path) -> None:
    """`contracts load` reads its inputs as `contracts validate` does (one function): a FIFO or a
    pipe reports a size of 0 and is still read to its end, in chunks, on the workers."""
    events = tmp_path / "mixed.jsonl"
    workload.write_stream(str(events), 3000, 5)
    env = {**os.environ, "CONTRACTS_CHUNK_BYTES": "20000"}

    def load(path: str, db: str, stdin: bytes | None = None) -> tuple[int, ...]:
        done = subprocess.run([CONTRACTS, "load", "--jobs", "2", "--db", str(tmp_path / db), path], cwd=REPO, env=env,
                              input=stdin, capture_output=True, timeout=300, text=stdin is None)
        err = done.stderr if isinstance(done.stderr, str) else done.stderr.decode()
        assert done.returncode == 1 and "Traceback" not in err
        return _counts(err)

    named = load(str(events), "named.duckdb")
    assert named[0] == 3000
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(events.read_bytes(),))
    writer.start()
    assert load(str(fifo), "fifo.duckdb") == named
    writer.join()
    assert load("-", "stdin.duckdb", stdin=events.read_bytes()) == named


def _waiting_on_workers(pid: int) -> bool:
    """Whether `pid` waits in poll() (on its workers), not in read() (on its input), and still
    does a moment later (it polls in passing too)."""
    for _ in range(5):
        if "poll" not in (Path("/proc") / str(pid) / "wchan").read_text():
            return False
        time.sleep(0.05)
    return True


def test_b22_a_worker_killed_while_loading(tmp_path: Path) -> None:
    """A converting worker that dies costs the chunk it held, reported as a range not loaded
    (exit 2); every other line is loaded or rejected, as in a run where no worker died."""
    events = tmp_path / "mixed.jsonl"
    workload.write_stream(str(events), 4000, 7)
    data = events.read_bytes()
    run = subprocess.Popen([CONTRACTS, "load", "--jobs", "2", "--db", str(tmp_path / "w.duckdb"), "-"], cwd=REPO,
                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=(tmp_path / "err").open("wb"),
                           env={**os.environ, "CONTRACTS_CHUNK_BYTES": "5000"}, start_new_session=True)
    assert run.stdin is not None
    try:
        run.stdin.write(data[:12_000])  # two chunks: the workers start
        run.stdin.flush()
        deadline = time.monotonic() + 60
        while len(child_processes(run.pid)) < 2:
            assert time.monotonic() < deadline, "no workers"
            time.sleep(0.05)
        victim, other = child_processes(run.pid)
        for pid in (victim, other):
            os.kill(pid, signal.SIGSTOP)
        # More than the stopped workers may hold (a chunk each), less than a pipe holds: each gets
        # a chunk, then the main process waits on them (in poll, not in read).
        run.stdin.write(data[12_000:60_000])
        run.stdin.flush()
        while not _waiting_on_workers(run.pid):
            assert time.monotonic() < deadline, "no wait on the workers"
            time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)
        os.kill(other, signal.SIGCONT)
        writer = threading.Thread(target=lambda: (run.stdin.write(data[60_000:]), run.stdin.close()))  # type: ignore[union-attr]
        writer.start()
        run.wait(timeout=120)
        writer.join()
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.wait()
    err = (tmp_path / "err").read_text()
    assert run.returncode == 2 and "Traceback" not in err, err
    lost = re.findall(rf"contracts: error: <stdin>:(\d+)-(\d+): not loaded: worker process {victim} was killed by SIGKILL",
                      err)
    missing = {n for first, last in lost for n in range(int(first), int(last) + 1)}
    m = re.search(r"(\d+) events: (\d+) loaded, (\d+) already loaded, (\d+) rejected .*, (\d+) not loaded", err)
    assert len(lost) == 1 and m, err
    total, loaded, again, rejected, not_loaded = map(int, m.groups())
    assert total == 4000 == loaded + again + rejected + not_loaded and not_loaded == len(missing) and again == 0
    rows = {r["line"] for r in table_rows(tmp_path / "w.duckdb", "rejected")}
    for table in ("plan_created_v1", "execution_summary_v1", "batch_metrics_v1"):
        rows |= {r["line"] for r in table_rows(tmp_path / "w.duckdb", table)}
    assert rows == set(range(1, 4001)) - missing


def _ok_line(tmp_path: Path) -> Path:
    path = tmp_path / "ok.jsonl"
    path.write_bytes(_line() + b"\n")
    return path


def test_a_db_that_is_another_kind_of_file_is_refused_not_loaded_into_memory(tmp_path: Path) -> None:
    # DuckDB opened an existing `.json` (or `.csv`, `.parquet`, the input itself) as a database in
    # memory: `1 loaded`, exit 0, and the row was nowhere.
    target = tmp_path / "target.json"
    target.write_text("{}\n")
    done = run_contracts("load", "--no-progress", "--db", str(target), str(_ok_line(tmp_path)))
    assert done.returncode == 2, done.stderr
    assert f"{target}: cannot open the DuckDB database" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text() == "{}\n"


def test_a_database_this_load_cannot_use_is_one_line_naming_it(tmp_path: Path) -> None:
    # A `rejected` of another shape, a view named as a table: each was an "internal error".
    import duckdb

    for n, statement in enumerate(["CREATE TABLE rejected (a INTEGER)", "CREATE VIEW plan_created_v1 AS SELECT 1 AS a"]):
        db = tmp_path / f"odd{n}.duckdb"
        with duckdb.connect(str(db)) as con:
            con.execute(statement)
        lines = tmp_path / "mixed.jsonl"
        lines.write_bytes(_line() + b"\n{broken\n")
        done = run_contracts("load", "--no-progress", "--db", str(db), str(lines))
        assert done.returncode == 2, done.stderr
        assert f"{db}: cannot use the DuckDB database: " in done.stderr, done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_parquet_that_cannot_be_written_names_the_directory_not_the_input(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "event=multi_workflow.plan_created").write_text("a file where a directory goes\n")
    ok = _ok_line(tmp_path)
    done = run_contracts("load", "--no-progress", "--event", PLAN, "--parquet", str(lake), str(ok))
    assert done.returncode == 2, done.stderr
    assert f"{lake}: cannot write Parquet here" in done.stderr and f"{ok}: cannot read" not in done.stderr


def test_repeats_a_stopped_load_left_are_removed_by_the_next(tmp_path: Path) -> None:
    """A load stopped after committing row groups, before dropping its repeats (Ctrl-C during a
    re-load), left every row twice, and later loads never removed them (`rowid >= start` only)."""
    from contracts.warehouse import duckdb_sink
    from contracts.warehouse.load import load_inputs
    from multi_workflow_telemetry.catalogue import Catalogue

    catalogue = Catalogue(REPO / "schemas")
    path = tmp_path / "plans.jsonl"
    path.write_bytes(b"".join(_line(issue_number=n) + b"\n" for n in range(1, 41)) + b"{broken\n")
    db = str(tmp_path / "w.duckdb")

    def load() -> tuple[int, int, int]:
        summary, _ = load_inputs(catalogue, PLAN, [str(path)], db=db, jobs=1)
        return summary.loaded, summary.duplicates, summary.rejected

    assert load() == (40, 0, 1)
    stopped = duckdb_sink.DuckDBSink._drop_repeats

    def stop(self: object, name: str) -> int:
        raise KeyboardInterrupt

    duckdb_sink.DuckDBSink._drop_repeats = stop  # type: ignore[method-assign]
    try:
        for _ in range(2):
            try:
                load()
            except KeyboardInterrupt:
                pass
    finally:
        duckdb_sink.DuckDBSink._drop_repeats = stopped  # type: ignore[method-assign]
    assert len(table_rows(db, "plan_created_v1")) == 120  # three copies of each line: the stopped loads' repeats
    assert load() == (0, 40, 1)
    assert sorted(r["line"] for r in table_rows(db, "plan_created_v1")) == list(range(1, 41))
    assert [r["line"] for r in table_rows(db, "rejected")] == [41]
