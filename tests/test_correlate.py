"""`contracts validate --correlate`: each execution_summary against its plan_created."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from conftest import run_contracts

from contracts.bench import workload
from contracts.correlate import Correlator, PairedPlans
from contracts.stream import Checker

PLAN, SUMMARY = workload.PLAN, workload.SUMMARY


def _pair(seed: int, preview: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = random.Random(seed)
    plan = workload._plan(rng)
    plan["preview_only"] = preview
    return plan, workload._summary(rng, plan)


def _write(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _rules(stdout: str) -> list[tuple[int, str]]:
    return [(int(line.split(":")[1]), line.rsplit("[", 1)[1].rstrip("]")) for line in stdout.splitlines()]


def test_matching_pairs_are_quiet(tmp_path: Path) -> None:
    pairs = [_pair(n) for n in range(5)]
    path = _write(tmp_path / "events.jsonl", [p for p, _ in pairs] + [s for _, s in pairs])
    done = run_contracts("validate", "--correlate", str(path))
    assert done.returncode == 0, done.stdout
    assert done.stdout == ""
    assert "10 events: 10 valid, 0 invalid, 0 unreadable; 0 violations; correlation: 0 problems, 0 plans without a summary" in done.stderr


def test_every_kind_of_problem_is_found(tmp_path: Path) -> None:
    (p1, s1), (p2, s2), (p3, s3), (p4, _), (_, s5) = (_pair(n) for n in range(5))
    s2 = {**s2, "issue_number": s2["issue_number"] + 1}  # disagrees with its plan
    s3_stages = json.loads(json.dumps(s3["stages"]))
    s3_stages[0]["run_mode"] = "sequential" if s3_stages[0]["run_mode"] == "parallel" else "parallel"
    for run in s3["stage_runs"][:1]:
        run["run_mode"] = s3_stages[0]["run_mode"]
    s3 = {**s3, "stages": s3_stages}
    events = [p1, s1, p2, s2, p3, s3, s1, p1, p4, s5]
    path = _write(tmp_path / "events.jsonl", events)
    done = run_contracts("validate", "--correlate", str(path))
    assert done.returncode == 1
    assert _rules(done.stdout) == [
        (4, "plan-mismatch"), (6, "plan-mismatch"), (7, "executed-twice"), (8, "planned-twice"),
        (10, "no-plan"), (9, "no-summary"),
    ]
    assert "/issue_number: issue_number is" in done.stdout and "/stages: stages differ" in done.stdout
    assert "correlation: 5 problems, 1 plan without a summary" in done.stderr
    assert "10 events: 10 valid" in done.stderr


def test_pairs_across_files_in_any_order(tmp_path: Path) -> None:
    pairs = [_pair(n) for n in range(4)]
    summaries = _write(tmp_path / "summaries.jsonl", [s for _, s in pairs])
    plans = _write(tmp_path / "plans.jsonl", [p for p, _ in pairs])
    done = run_contracts("validate", "--correlate", str(summaries), str(plans))
    assert done.returncode == 0, done.stdout
    assert "correlation: 0 problems, 0 plans without a summary" in done.stderr


def test_invalid_events_do_not_take_part(tmp_path: Path) -> None:
    plan, summary = _pair(1)
    path = _write(tmp_path / "events.jsonl", [{**plan, "stage_count": 0}, summary])
    done = run_contracts("validate", "--correlate", str(path))
    assert _rules(done.stdout) == [(1, "minimum"), (2, "no-plan")]


def test_json_format_and_workers(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CONTRACTS_CHUNK_BYTES", "20000")  # many chunks, so the workers take part
    path = tmp_path / "mixed.jsonl"
    workload.write_stream(str(path), 2000, seed=11)
    one = run_contracts("validate", "--correlate", "--format", "json", "--jobs", "1", str(path))
    many = run_contracts("validate", "--correlate", "--format", "json", "--jobs", "2", str(path))
    assert json.loads(one.stdout) == json.loads(many.stdout)
    report = json.loads(many.stdout)["correlation"]
    assert report["plans_without_summary"]  # the workload leaves some plans running
    assert {p["rule"] for p in report["problems"]} <= {"no-plan", "plan-mismatch", "executed-twice", "planned-twice"}


def test_memory_grows_with_open_plans_not_with_the_stream() -> None:
    correlator = Correlator(spill=50)
    rng = random.Random(5)
    checker_pairing = Checker.pairing
    largest = 0
    for n in range(2000):
        plan = workload._plan(rng)
        summary = workload._summary(rng, plan)
        assert not list(correlator.feed("f", 2 * n + 1, checker_pairing(1, PLAN, plan)))  # type: ignore[arg-type]
        assert not list(correlator.feed("f", 2 * n + 2, checker_pairing(2, SUMMARY, summary)))  # type: ignore[arg-type]
        largest = max(largest, len(correlator.plans) + len(correlator.summaries) + len(correlator.paired._recent))
    assert largest <= 51
    again = list(correlator.feed("f", 9999, checker_pairing(1, SUMMARY, summary)))  # type: ignore[arg-type]
    assert [f.rule for f in again] == ["executed-twice"]  # remembered, from disk
    correlator.finish()


def test_paired_plans_spill_to_disk() -> None:
    paired = PairedPlans(spill=3)
    ids = [f"multiwf-{n:032x}" for n in range(10)]
    for plan_id in ids:
        paired.add(plan_id)
    assert len(paired._recent) < 3
    assert all(plan_id in paired for plan_id in ids)
    assert f"multiwf-{99:032x}" not in paired
    paired.close()
