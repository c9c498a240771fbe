"""`make bench` (`python -m contracts.bench`): the fast path against the reference, in one run.

Every figure is a ratio of two times (or memories) measured in the same run on the same
machine, so a shared, noisy machine moves both sides together. Printed with its target and
PASS/FAIL, and written to docs/performance.md with a description of the machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.validation import EventValidator, validate

from ..project import Project
from ..stream import Checker, default_jobs
from . import catalogue as big_catalogue
from . import workload

CONTRACTS = str(Path(sys.executable).with_name("contracts"))
SUMMARY_LINE = re.compile(r"(\d+) events: (\d+) valid, (\d+) invalid, (\d+) unreadable")
# The floor: one process reading the file and parsing every line with orjson, nothing else.
FLOOR = """
import sys, orjson
loads, error = orjson.loads, orjson.JSONDecodeError
with open(sys.argv[1], "rb") as f:
    for line in f:
        try:
            loads(line)
        except error:
            pass
"""
# Peak resident memory of the largest process a command starts (the CLI or one of its workers).
PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@dataclass
class Result:
    name: str
    value: float
    shown: str
    target: str
    ok: bool
    note: str = ""
    section: str = ""
    when: str = ""
    # How many processes each side of the ratio uses: a two-process figure is never silently set
    # against a one-process one.
    processes: str = ""

    @property
    def verdict(self) -> str:
        return "PASS" if self.ok else "FAIL"


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    try:
        memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        memory = "unknown"
    versions = {}
    for package in ("jsonschema", "jsonschema_rs", "msgspec", "orjson"):
        try:
            from importlib.metadata import version

            versions[package] = version(package.replace("_", "-"))
        except Exception:
            versions[package] = "?"
    return {
        "nproc": str(default_jobs()),
        "CPU": model,
        "memory": memory,
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": f"{platform.system()} {platform.release()}",
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall(cmd: list[str], cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    return time.perf_counter() - started, done


def _timed(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds and CPU seconds (every process it started) of a command."""
    cpu = _cpu()
    wall, done = _wall(cmd)
    return wall, _cpu() - cpu, done


def reference_per_event(path: Path, sample: int, total: int, repeat: int = 3) -> tuple[float, float, float]:
    """Seconds per event of the reference (json.loads + jsonschema + rules.py, one process) and of
    the fast path in one process, on the same `sample` lines spread evenly over the stream. Both
    are warmed the same way (one untimed pass: imports, compiled validators, caches), then the best
    of `repeat` passes is kept. Returns the reference's wall and CPU seconds, and the fast path's."""
    import json as stdlib_json

    step = max(1, total // sample)
    lines = []
    with path.open("rb") as f:
        for n, line in enumerate(f):
            if n % step == 0:
                lines.append(line)
    cat = Catalogue.packaged()
    reference = {e: EventValidator(cat, cat.get(e), fast=False) for e in cat.events()}

    def run_reference() -> None:
        for raw in lines:
            try:
                payload = stdlib_json.loads(raw)
            except ValueError:
                continue
            event = payload.get("event_type") if isinstance(payload, dict) else None
            if isinstance(event, str) and event in reference:
                reference[event].reference(payload)

    run_reference()  # warm up, as the fast path is below
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run_reference()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    ref, ref_cpu = min(walls) / len(lines), min(cpus) / len(lines)
    checker = Checker(cat, None)
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    checker.chunk(data)  # compile and warm up
    fast = min(timeit.repeat(lambda: checker.chunk(data), number=1, repeat=repeat)) / len(lines)
    return ref, ref_cpu, fast


def _cli_against_floor(path: Path, repeat: int) -> tuple[float, float, float, float, tuple[int, ...]]:
    """`contracts validate` (default jobs) and orjson's one-process parse of the same file, run
    interleaved `repeat` times: best wall and CPU seconds of each, and the CLI's summary counts."""
    floors, floor_cpus, clis, cpus = [], [], [], []
    counts: tuple[int, ...] = ()
    for _ in range(repeat):
        floor, floor_cpu, _ = _timed([sys.executable, "-c", FLOOR, str(path)])
        cli, cpu, done = _timed([CONTRACTS, "validate", "--no-progress", str(path)])
        floors.append(floor)
        floor_cpus.append(floor_cpu)
        clis.append(cli)
        cpus.append(cpu)
        found = SUMMARY_LINE.search(done.stderr)
        if done.returncode not in (0, 1) or not found:
            raise SystemExit(f"contracts validate failed: {done.stderr.strip()[-500:]}")
        counts = tuple(int(n) for n in found.groups())
    return min(clis), min(cpus), min(floors), min(floor_cpus), counts


# The lines emitters really write (issue 18): each against orjson's parse of the same file.
WORKLOADS = (("compact", "compact", None), ("json.dumps default", "json.dumps", None), ("pretty, tabs", "tabs", None),
             ("compact, 5% invalid", "compact", 0.05))


def workloads_bench(args: argparse.Namespace, work: Path, results: list[Result], facts: dict[str, Any]) -> None:
    jobs = default_jobs()
    for name, style, broken in WORKLOADS:
        path = work / f"workload-{style}-{broken}.jsonl"
        workload.write_stream(str(path), args.workload_events, style=style, broken=broken)
        ref_event, ref_cpu, _ = reference_per_event(path, args.sample, args.workload_events)
        cli, cpu, floor, floor_cpu, counts = _cli_against_floor(path, args.repeat)
        path.unlink()
        events, valid, invalid, unreadable = counts
        reference_total = ref_event * args.workload_events
        print(f"  {name}: validate {cli:.2f}s ({cpu:.2f} CPU-s), parse {floor:.2f}s ({floor_cpu:.2f} CPU-s); "
              f"{valid:,} valid, {invalid:,} invalid, {unreadable:,} unreadable", flush=True)
        facts[f"workload {name}"] = {"cli": cli, "cpu": cpu, "floor": floor, "floor_cpu": floor_cpu,
                                     "reference_us": ref_event * 1e6, "counts": counts}
        results.append(Result(
            f"{name}, {args.workload_events:,} events: contracts validate / orjson parse of the same file",
            cli / floor, f"{cli / floor:.2f}× ({cpu / floor_cpu:.2f}× per core)", "≤ 1.5×", cli / floor <= 1.5,
            f"validate {cli:.2f}s wall, {cpu:.2f} CPU-s; parse {floor:.2f}s wall, {floor_cpu:.2f} CPU-s; "
            f"{events:,} = {valid:,} + {invalid:,} + {unreadable:,}",
            processes=f"validate {jobs} (--jobs {jobs}), parse 1",
        ))
        results.append(Result(
            f"{name}: reference time / contracts validate time", reference_total / cli,
            f"{reference_total / cli:,.0f}× ({ref_cpu * args.workload_events / cpu:,.0f}× per core)", "≥ 100×",
            reference_total / cli >= 100,
            f"reference {reference_total:,.0f}s (extrapolated from {args.sample:,} events, warmed)",
            processes=f"validate {jobs} (--jobs {jobs}), reference 1",
        ))


def stream_bench(args: argparse.Namespace, work: Path, results: list[Result], facts: dict[str, Any]) -> None:
    path = work / "stream.jsonl"
    started = time.perf_counter()
    size = workload.write_stream(str(path), args.events)
    print(f"  generated {args.events:,} events ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s", flush=True)
    ref_event, ref_cpu, fast_event = reference_per_event(path, args.sample, args.events)
    reference_total = ref_event * args.events
    print(f"  reference: {ref_event * 1e6:,.0f} µs/event on a sample of {args.sample:,} events "
          f"-> {reference_total:,.0f}s estimated for the stream", flush=True)
    one_line = work / "one.jsonl"
    with path.open("rb") as f:
        one_line.write_bytes(f.readline())
    startup = min(_wall([CONTRACTS, "validate", "--no-progress", str(one_line)])[0] for _ in range(3))
    cli, cpus, floor, floor_cpus, counts = _cli_against_floor(path, args.repeat)
    assert counts is not None
    events, valid, invalid, unreadable = counts
    adds_up = events == valid + invalid + unreadable == args.events
    print(f"  contracts validate (--jobs {default_jobs()}): {cli:.2f}s, {args.events / cli:,.0f} events/s; "
          f"orjson parse floor {floor:.2f}s (best of {args.repeat})", flush=True)
    facts.update(events=args.events, sample=args.sample, repeat=args.repeat, jobs=default_jobs(),
                 stream_bytes=size, reference_us=ref_event * 1e6, reference_cpu_us=ref_cpu * 1e6, fast_us=fast_event * 1e6,
                 reference_total=reference_total, cli_seconds=cli, cli_cpu=cpus, floor_seconds=floor,
                 startup_seconds=startup, floor_cpu=floor_cpus, load=_load())
    jobs = default_jobs()
    # Per core: CPU-seconds over all the CLI's processes against the one-process side's CPU-seconds.
    per_core = ref_cpu * args.events / cpus
    results.append(Result(
        f"contracts validate, {args.events:,} events: reference time / fast time", reference_total / cli,
        f"{reference_total / cli:,.0f}× ({per_core:,.0f}× per core)", "≥ 100×", reference_total / cli >= 100,
        f"reference {reference_total:,.0f}s (extrapolated from {args.sample:,} events, warmed), fast {cli:.2f}s wall, "
        f"{cpus:.2f} CPU-s",
        processes=f"fast {jobs} (--jobs {jobs}), reference 1",
    ))
    results.append(Result(
        f"contracts validate ({jobs} processes) / orjson parse of the same file (1 process)", cli / floor,
        f"{cli / floor:.2f}× ({cpus / floor_cpus:.2f}× per core)", "≤ 1.5×", cli / floor <= 1.5,
        f"fast {cli:.2f}s wall, {cpus:.2f} CPU-s; parse alone {floor:.2f}s wall, {floor_cpus:.2f} CPU-s",
        processes=f"fast {jobs} (--jobs {jobs}), parse 1",
    ))
    results.append(Result(
        "summary counts add up (events = valid + invalid + unreadable)", float(adds_up),
        f"{events:,} = {valid:,} + {invalid:,} + {unreadable:,}", "equal", adds_up,
        processes=f"fast {jobs} (--jobs {jobs})",
    ))
    facts["stream_path"] = str(path)


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        return "unknown"


def validate_bench(args: argparse.Namespace, results: list[Result], facts: dict[str, Any]) -> None:
    project = Project.find()
    example = project.fixtures / "multi_workflow.plan_created" / "1.0.0" / "valid" / "draft-example.json"
    payload = json.loads(example.read_text())["payload"]
    event = "multi_workflow.plan_created"
    cat = Catalogue.packaged()
    reference = EventValidator(cat, cat.get(event), fast=False)
    assert validate(event, payload) == reference.reference(payload) == []  # also warms both up
    fast = min(timeit.repeat(lambda: validate(event, payload), number=20_000, repeat=5)) / 20_000
    ref = min(timeit.repeat(lambda: reference.reference(payload), number=200, repeat=3)) / 200
    facts.update(validate_fast_us=fast * 1e6, validate_reference_us=ref * 1e6)
    print(f"  validate(): {fast * 1e6:.2f} µs/call; reference {ref * 1e6:,.0f} µs/call", flush=True)
    results.append(Result(
        "validate() on the draft's plan_created example: reference / fast, per call", ref / fast,
        f"{ref / fast:,.0f}×", "≥ 100×", ref / fast >= 100, f"fast {fast * 1e6:.2f} µs, reference {ref * 1e6:,.0f} µs",
        processes="1 each (this process)",
    ))


def _peak_rss(path: Path, *command: str) -> int:
    """Peak resident KB of the largest process of `contracts COMMAND... PATH` (validate by default)."""
    command = command or ("validate", "--no-progress")
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, CONTRACTS, *command, str(path)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def memory_bench(args: argparse.Namespace, work: Path, results: list[Result], facts: dict[str, Any]) -> None:
    small = Path(facts["stream_path"])
    large = work / "large.jsonl"
    copies = max(1, args.memory_events // args.events)
    with small.open("rb") as source, large.open("wb") as out:
        for _ in range(copies):
            source.seek(0)
            shutil.copyfileobj(source, out, 16 << 20)
    events = copies * args.events
    started = time.perf_counter()
    large_kb = _peak_rss(large)
    seconds = time.perf_counter() - started
    small_kb = _peak_rss(small)
    large.unlink()
    facts.update(rss_small_kb=small_kb, rss_large_kb=large_kb, large_events=events, large_seconds=seconds,
                 memory_small_events=args.events)
    print(f"  peak RSS: {small_kb / 1024:.0f} MB for {args.events:,} events, {large_kb / 1024:.0f} MB for {events:,} "
          f"({seconds:.1f}s)", flush=True)
    results.append(Result(
        f"peak memory, {events:,} events / {args.events:,} events", large_kb / small_kb, f"{large_kb / small_kb:.2f}×",
        "≤ 1.2×", large_kb / small_kb <= 1.2,
        f"{large_kb / 1024:.0f} MB / {small_kb / 1024:.0f} MB (largest process; the large file is the stream {copies}× over)",
        processes=f"fast {default_jobs()} (--jobs {default_jobs()}); the largest one counts",
    ))


LOAD_LINE = re.compile(r"(\d+) events: (\d+) loaded, (\d+) already loaded, (\d+) rejected")
# DuckDB alone: the events of each table (already split into one file per table, untimed) read by
# DuckDB's own JSON reader into the same tables, on every core, nothing validated. What any
# `contracts load` that stores these columns in DuckDB must spend beside validating.
DUCKDB_ALONE = """
import sys, duckdb
from multi_workflow_telemetry.catalogue import Catalogue
from contracts.warehouse import duckdb_ddl
from contracts.warehouse.columns import quote, sql, tables
db = duckdb.connect(sys.argv[1])
db.execute("SET preserve_insertion_order = false")
for table in tables(Catalogue.packaged()):
    for version in table.versions:
        db.execute(duckdb_ddl.statements(table, version))
    columns = ", ".join(quote(c) for c, _ in table.payload)
    kinds = ", ".join(f"'{c}': '{sql(k).replace(chr(39), chr(39) * 2)}'" for c, k in table.payload)
    path = f"{sys.argv[2]}/{table.name}.jsonl"
    db.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM read_ndjson(?, columns = {{{kinds}}}, "
               "ignore_errors = true)", [path])
db.execute("CHECKPOINT")
"""


def warehouse_bench(args: argparse.Namespace, work: Path, results: list[Result], facts: dict[str, Any]) -> None:
    """`contracts load` into a new DuckDB file against `contracts validate` of the same file, in the
    same run (best of `--repeat-load` each, interleaved), by wall time and by CPU-seconds; peak
    memory of loading the large file against loading the small one."""
    path, small = work / "warehouse.jsonl", work / "warehouse-small.jsonl"
    started = time.perf_counter()
    size = workload.write_stream(str(path), args.warehouse_events)
    workload.write_stream(str(small), args.warehouse_small)
    print(f"  generated {args.warehouse_events:,} events ({size / 1e6:.0f} MB) and {args.warehouse_small:,} "
          f"in {time.perf_counter() - started:.1f}s", flush=True)
    validates, loads = [], []
    counts = None
    for n in range(args.repeat_load):
        wall, cpu, _ = _timed([CONTRACTS, "validate", "--no-progress", str(path)])
        validates.append((wall, cpu))
        db = work / f"load-{n}.duckdb"
        wall, cpu, done = _timed([CONTRACTS, "load", "--no-progress", "--db", str(db), str(path)])
        found = LOAD_LINE.search(done.stderr)
        if done.returncode not in (0, 1) or not found:
            raise SystemExit(f"contracts load failed: {done.stderr.strip()[-500:]}")
        counts = tuple(int(x) for x in found.groups())
        loads.append((wall, cpu))
        for leftover in work.glob(f"load-{n}.duckdb*"):
            leftover.unlink()
    (validate, validate_cpu), (load, load_cpu) = min(validates), min(loads)
    assert counts is not None
    events, loaded, again, rejected = counts
    print(f"  contracts load: {load:.2f}s ({load_cpu:.2f} CPU-s); contracts validate: {validate:.2f}s "
          f"({validate_cpu:.2f} CPU-s) (best of {args.repeat_load})", flush=True)
    alone, alone_cpu = _duckdb_alone(path, work)
    print(f"  DuckDB alone (its JSON reader into the same tables, nothing validated): {alone:.2f}s ({alone_cpu:.2f} CPU-s)",
          flush=True)
    large_kb = _peak_rss(path, "load", "--no-progress", "--db", str(work / "rss-large.duckdb"))
    small_kb = _peak_rss(small, "load", "--no-progress", "--db", str(work / "rss-small.duckdb"))
    print(f"  peak RSS of contracts load: {small_kb / 1024:.0f} MB for {args.warehouse_small:,} events, "
          f"{large_kb / 1024:.0f} MB for {args.warehouse_events:,}", flush=True)
    for leftover in [*work.glob("rss-*.duckdb*"), path, small]:
        leftover.unlink()
    jobs = default_jobs()
    facts.update(warehouse_events=args.warehouse_events, warehouse_small=args.warehouse_small, load_seconds=load,
                 load_cpu=load_cpu, load_validate_seconds=validate, load_validate_cpu=validate_cpu,
                 load_rss_small_kb=small_kb, load_rss_large_kb=large_kb, load_jobs=jobs, load_load=_load())
    # Both commands spread the file over the same `--jobs` workers; load's main process also writes DuckDB.
    processes = f"load {jobs} workers + 1 writer (--jobs {jobs}), validate {jobs} (--jobs {jobs})"
    # However the work is shared, the cores cannot do validate's CPU-seconds and DuckDB's own in less
    # wall time than their sum over the cores: the least any load storing these tables can take.
    least = (validate_cpu + alone_cpu) / jobs
    results.append(Result(
        f"contracts load into DuckDB, {args.warehouse_events:,} events / contracts validate of the same file",
        load / validate, f"{load / validate:.2f}× ({load_cpu / validate_cpu:.2f}× in CPU-s)", "≤ 2×", load / validate <= 2,
        f"load {load:.2f}s wall, {load_cpu:.2f} CPU-s; validate {validate:.2f}s wall, {validate_cpu:.2f} CPU-s; "
        f"{loaded:,} loaded + {rejected:,} rejected = {events:,} events; DuckDB alone reads the same events into "
        f"the same tables in {alone:.2f}s, {alone_cpu:.2f} CPU-s: with validate's, at least {least:.2f}s on "
        f"{jobs} cores, {least / validate:.2f}× validate",
        processes=processes,
    ))
    results.append(Result(
        f"contracts load peak memory, {args.warehouse_events:,} events / {args.warehouse_small:,} events",
        large_kb / small_kb, f"{large_kb / small_kb:.2f}×", "≤ 1.2×", large_kb / small_kb <= 1.2,
        f"{large_kb / 1024:.0f} MB / {small_kb / 1024:.0f} MB (largest process: the writer or one of the workers)",
        processes=f"{jobs} workers + 1 writer (--jobs {jobs}); the largest one counts",
    ))
    results.append(Result(
        "contracts load counts add up (events = loaded + already loaded + rejected)",
        float(events == loaded + again + rejected == args.warehouse_events),
        f"{events:,} = {loaded:,} + {again:,} + {rejected:,}", "equal", events == loaded + again + rejected == args.warehouse_events,
        processes=processes,
    ))


def _duckdb_alone(path: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds of DuckDB's own JSON reader storing `path`'s events in the warehouse
    tables (DUCKDB_ALONE); the lines are first split by table, untimed."""
    import orjson
    from contracts.warehouse.columns import tables

    cat = Catalogue.packaged()
    by_event = {name: t.name for t in tables(cat) for name in {f.name for f in t.files}}
    split = work / "alone"
    split.mkdir(exist_ok=True)
    outs = {name: (split / f"{name}.jsonl").open("wb") for name in set(by_event.values())}
    with path.open("rb") as lines:
        for line in lines:
            try:
                table = by_event.get(orjson.loads(line).get("event_type"))
            except (orjson.JSONDecodeError, AttributeError):
                continue
            if table is not None:
                outs[table].write(line)
    for out in outs.values():
        out.close()
    db = work / "alone.duckdb"
    wall, cpu, done = _timed([sys.executable, "-c", DUCKDB_ALONE, str(db), str(split)])
    if done.returncode != 0:
        raise SystemExit(f"DuckDB alone failed: {done.stderr.strip()[-500:]}")
    shutil.rmtree(split)
    for leftover in work.glob("alone.duckdb*"):
        leftover.unlink()
    return wall, cpu


def _check_seconds(work: Path, events: int, versions: int) -> tuple[float, str]:
    """Seconds `contracts check` takes on a generated catalogue, and its last line."""
    root = big_catalogue.make_project(Project.find().root, work / f"catalogue-{events}", events, versions)
    # The tools run from the copy, so work going on in the checkout meanwhile cannot change them
    # between `generate` and `check` (which would show as drift).
    env = {**os.environ, "PYTHONPATH": str(root / "scripts")}
    done = subprocess.run([CONTRACTS, "generate"], cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"contracts generate failed on the generated catalogue: {done.stderr.strip()[-500:]}")
    started = time.perf_counter()
    done = subprocess.run([CONTRACTS, "check"], cwd=root, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"contracts check could not run on the generated catalogue: {done.stderr.strip()[-800:]}")
    shutil.rmtree(root)
    return seconds, (done.stderr.strip().splitlines() or ["no output"])[-1]


def catalogue_bench(args: argparse.Namespace, work: Path, results: list[Result], facts: dict[str, Any]) -> None:
    base = len(Catalogue(Project.find().schemas).files())
    small_n = args.catalogue_small * args.versions
    large_n = args.catalogue_events * args.versions
    small, small_said = _check_seconds(work, args.catalogue_small, args.versions)
    print(f"  contracts check: {small:.1f}s with {small_n:,} more event-versions ({small_said})", flush=True)
    large, large_said = _check_seconds(work, args.catalogue_events, args.versions)
    print(f"  contracts check: {large:.1f}s with {large_n:,} more event-versions ({large_said})", flush=True)
    per_small, per_large = small / (small_n + base), large / (large_n + base)
    growth = per_large / per_small
    slope = (large - small) / (large_n - small_n)
    facts.update(check_small=small, check_large=large, check_slope=slope, catalogue_small=args.catalogue_small,
                 catalogue_events=args.catalogue_events, versions=args.versions)
    results.append(Result(
        f"contracts check, {args.catalogue_events} events × {args.versions} versions: s per event-version, "
        f"vs {args.catalogue_small} × {args.versions}", growth, f"{growth:.2f}× ({per_large * 1000:.0f} ms vs "
        f"{per_small * 1000:.0f} ms)", "finishes; ≤ 1.25× (linear)", growth <= 1.25,
        f"{large:.0f}s for {large_n + base:,} schema files ({large_said}), {small:.0f}s for {small_n + base:,} "
        f"({small_said}); {slope * 1000:.0f} ms per added event-version",
        processes="1 each (contracts check)",
    ))


SECTIONS = ("stream", "workloads", "validate", "memory", "warehouse", "catalogue")
KEPT_PROCESSES = {"validate": "1 each (this process)", "memory": "fast 2 (--jobs 2); the largest one counts",
                  "catalogue": "1 each (contracts check)"}
DATA = re.compile(r"<!-- bench-data (.*?) -->", re.S)


def render(results: list[Result], facts: dict[str, Any], info: dict[str, str]) -> str:
    rows = "\n".join(f"| {r.name} | {r.shown} | {r.target} | **{r.verdict}** | {r.processes or '?'} | {r.note} ({r.when}) |"
                     for r in results)
    host = "\n".join(f"| {k} | {v} |" for k, v in info.items())
    f = facts
    details = []
    if "reference_us" in f:
        details.append(
            f"- Stream: {f['events']:,} events, {f['stream_bytes'] / 1e6:.0f} MB: plans, their summaries a few "
            f"events later, batch metrics; {workload.SCHEMA_BROKEN / 1e4:.2f} % of lines break the schema, "
            f"{workload.RULE_BROKEN / 1e4:.2f} % a contract rule, {workload.UNREADABLE / 1e4:.2f} % are truncated.\n"
            f"- Reference: {f['reference_us']:,.0f} µs per event (json.loads + jsonschema + rules.py), measured on "
            f"{f['sample']:,} events spread over the stream and extrapolated: {f['reference_total']:,.0f}s for "
            f"the whole stream.\n"
            f"- Fast path in one process, on the same sample: {f['fast_us']:.1f} µs per event "
            f"({f['reference_us'] / f['fast_us']:,.0f}× the reference on one core).\n"
            f"- `contracts validate` with its default `--jobs` ({f['jobs']}): {f['cli_seconds']:.2f}s wall "
            f"({f['events'] / f['cli_seconds']:,.0f} events/s; {f['cli_cpu']:.2f} CPU-seconds over all its "
            f"processes), of which start-up (imports, catalogue, a one-line file) is {f['startup_seconds']:.2f}s. "
            f"One process only parsing the file with orjson: {f['floor_seconds']:.2f}s. Best of {f['repeat']} "
            f"each, interleaved.\n"
            f"- Per event on one core the fast path costs {f['fast_us']:.1f} µs against "
            f"{f['floor_seconds'] / f['events'] * 1e6:.1f} µs to read and parse with orjson alone: msgspec parses "
            "the line into structs built from the schemas, checking the structure as it parses; the struct is "
            "encoded again to prove no key was repeated; the root's conditions and the contract rules run in "
            "Python. Two cores halve that; start-up adds its fixed cost.\n"
            f"- Load average when the stream was measured: {f['load']}. The machine is shared: a parallel run "
            "suffers more than a single process when other work takes a core."
        )
    if "validate_fast_us" in f:
        details.append(f"- `validate()` on the draft's plan_created example: {f['validate_fast_us']:.2f} µs per call; "
                       f"the reference: {f['validate_reference_us']:,.0f} µs.")
    if "rss_small_kb" in f:
        details.append(f"- Peak RSS (largest process: the CLI or one of its workers): "
                       f"{f['rss_small_kb'] / 1024:.0f} MB for {f['memory_small_events']:,} events, "
                       f"{f['rss_large_kb'] / 1024:.0f} MB for {f['large_events']:,} ({f['large_seconds']:.1f}s).")
    if "load_cpu" in f:
        details.append(f"- `contracts load` into a new DuckDB file: {f['load_seconds']:.2f}s wall ({f['load_cpu']:.2f} "
                       f"CPU-seconds over all its processes) for {f['warehouse_events']:,} events; `contracts validate` "
                       f"of the same file {f['load_validate_seconds']:.2f}s ({f['load_validate_cpu']:.2f} CPU-seconds). "
                       f"Peak RSS {f['load_rss_large_kb'] / 1024:.0f} MB, against {f['load_rss_small_kb'] / 1024:.0f} MB "
                       f"for {f['warehouse_small']:,} events. Load average then: {f['load_load']}.")
    if "check_large" in f:
        details.append(f"- `contracts check`: {f['check_small']:.1f}s with {f['catalogue_small']} × {f['versions']} "
                       f"generated event-versions added, {f['check_large']:.1f}s with {f['catalogue_events']} × "
                       f"{f['versions']}; {f['check_slope'] * 1000:.0f} ms per added event-version.")
    data = json.dumps({"results": [r.__dict__ for r in results], "facts": facts}, sort_keys=True)
    return f"""<!-- Generated by `make bench` (scripts/contracts/bench/). DO NOT EDIT: run `make bench`. -->
# Performance

Validation at telemetry volume, measured by `make bench`. Every figure is a ratio of two
measurements taken in the same run on the same machine; the targets are those of issue 6 (issue 17 for `contracts load`).

| measure | result | target | | processes | how (when) |
|---|---|---|---|---|---|
{rows}

## Machine

| | |
|---|---|
{host}

## Details

{chr(10).join(details)}

## How it is measured

- The reference is what validation cost before the fast path: `json.loads`, `jsonschema`
  (draft 2020-12, ECMA-262 patterns) and the contract rules of `rules.py` in plain Python. It is too
  slow to run on the whole stream in a bench, so its per-event cost is measured on a sample spread
  evenly over the stream and multiplied by the number of events. It is warmed as the fast path is
  (one untimed pass first: imports, compiled validators, caches), then the best of three is kept.
- The `processes` column says how many processes each side of a ratio uses. `contracts validate`
  spreads a file over `--jobs` processes (default: the cores); where the other side has one, the
  row also gives the ratio per core: CPU-seconds over all the CLI's processes against the other's.
- The fast path is `contracts validate` as a user runs it (a new process, start-up included),
  with its default `--jobs`. A line goes through up to three tiers, each of which may only say
  "certainly valid": msgspec structs built from the schemas, the root's conditions and the contract
  rules (`structs.py`, `residual.py`, `fast.py`), for lines of any spacing; then orjson, jsonschema-rs and
  the same rules on parsed values; then the careful path, where the line is read exactly (orjson's
  reading when it writes back the same tokens, else the standard library's) and jsonschema-rs's
  errors are worded as the reference words them (`jsonschema` itself for any kind of error not
  worded so), followed by `rules.py`. `tests/test_fast_path.py` and `tests/test_struct_tier.py`
  hold every tier to the reference.
- The floor is one process reading the file and parsing each line with orjson, nothing else: what
  any validator that parses must pay.
- Memory is the peak resident set of the largest process, from `getrusage(RUSAGE_CHILDREN)` in a
  child that runs the command; the large file is the stream repeated.
- `contracts load` is timed as a user runs it, into a new DuckDB file, against `contracts validate`
  of the same file in the same run (best of `--repeat-load` each, interleaved). Both spread the file
  over the same `--jobs` worker processes; load's main process also writes DuckDB, with one thread,
  and its workers run at niceness +10 so that this writer, the slower stage, always has a core.
  In the workers a chunk is validated (the same Checker) and its valid lines, each with its number
  as a first member, are written to files (in /dev/shm when it has room) that DuckDB's JSON reader
  reads straight into the table's columns: reading them into Arrow first and copying the Arrow into
  DuckDB cost about twice as much. Each table is written whole row groups at a time (of 61,440
  rows, one commit): a commit that leaves a row group part-filled has the next one compress it
  again. DuckDB has 256 MB while the chunks stream in and 128 MB for what is done over whole tables
  at the end: at 128 MB throughout it gave back and took again each row group's blocks, 1.3-2
  CPU-seconds more for 1,000,000 events. What load costs beyond validate is mostly DuckDB's:
  parsing, building the nested columns, compressing and writing them, on the writer's one thread;
  the rows still waiting when the workers finish are written after them.
- `contracts check` runs on a copy of the repository with generated events added (each the
  plan_created schema under another name, in several versions), after `contracts generate`.
- Rerun: `make bench`; `BENCH_ARGS="--sections stream,validate"` reruns some sections and keeps the
  others' last figures (each row says when it was measured); `--help` lists the sizes.

<!-- bench-data {data} -->
"""


def _previous(out: Path | None) -> tuple[list[Result], dict[str, Any]]:
    if out is None or not out.is_file():
        return [], {}
    found = DATA.search(out.read_text(encoding="utf-8"))
    if not found:
        return [], {}
    try:
        data = json.loads(found.group(1))
        kept = [Result(**r) for r in data["results"]]
        for r in kept:  # rows measured before the column existed: what those sections always ran
            r.processes = r.processes or KEPT_PROCESSES.get(r.section, "")
        return kept, dict(data["facts"])
    except (ValueError, TypeError, KeyError):
        return [], {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000, help="events in the generated stream")
    parser.add_argument("--sample", type=int, default=1_000, help="events the reference is timed on")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the CLI and of the floor, interleaved (the best of each is kept)")
    parser.add_argument("--workload-events", type=int, default=200_000, help="events of each emitter workload")
    parser.add_argument("--memory-events", type=int, default=2_000_000, help="events of the memory run")
    parser.add_argument("--warehouse-events", type=int, default=1_000_000, help="events `contracts load` is timed on")
    parser.add_argument("--warehouse-small", type=int, default=100_000, help="events of the small load (memory)")
    parser.add_argument("--repeat-load", type=int, default=2, help="runs of load and validate in the warehouse section")
    parser.add_argument("--catalogue-events", type=int, default=500, help="events of the large catalogue")
    parser.add_argument("--catalogue-small", type=int, default=50, help="events of the small catalogue")
    parser.add_argument("--versions", type=int, default=3, help="versions of each catalogue event")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"what to measure, of {', '.join(SECTIONS)} (the page keeps the others' last figures)")
    parser.add_argument("--output", default="docs/performance.md", help="page to write ('-': none)")
    args = parser.parse_args(argv)
    sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if "memory" in sections and "stream" not in sections:
        parser.error("the memory section needs the stream section")
    info = machine()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    out = Project.find().root / args.output if args.output != "-" else None
    facts: dict[str, Any] = {}
    results: list[Result] = []
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    def save() -> None:  # after every section, so a long run leaves its figures so far
        if out is None:
            return
        ran = {r.section for r in results}
        kept, kept_facts = _previous(out)  # read again: another run may have measured other sections
        merged = {**kept_facts, **facts}
        rows = [r for section in SECTIONS for r in (results if section in ran else kept) if r.section == section]
        out.write_text(render(rows, merged, info), encoding="utf-8")

    def measure(section: str, run: Any) -> None:
        print(f"{section}:", flush=True)
        before = len(results)
        run()
        for r in results[before:]:
            r.section, r.when = section, when
        save()

    with tempfile.TemporaryDirectory(prefix="contracts-bench-") as tmp:
        work = Path(tmp)
        if "stream" in sections:
            measure("stream", lambda: stream_bench(args, work, results, facts))
        if "workloads" in sections:
            measure("workloads", lambda: workloads_bench(args, work, results, facts))
        if "validate" in sections:
            measure("validate", lambda: validate_bench(args, results, facts))
        if "memory" in sections:
            measure("memory", lambda: memory_bench(args, work, results, facts))
        if "warehouse" in sections:
            measure("warehouse", lambda: warehouse_bench(args, work, results, facts))
        if "catalogue" in sections:
            measure("catalogue", lambda: catalogue_bench(args, work, results, facts))
    facts.pop("stream_path", None)
    save()
    print()
    width = max((len(r.name) for r in results), default=0)
    for r in results:
        print(f"{r.verdict}  {r.name:<{width}}  {r.shown}  (target {r.target})")
    if out is not None:
        print(f"\nwrote {args.output}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
