"""`contracts validate` as a pipeline uses it: files, streams, stdin, exit codes, counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import fixture_payload, run_contracts

PLAN, SUMMARY = "multi_workflow.plan_created", "multi_workflow.execution_summary"


def _plan() -> dict:
    return fixture_payload(PLAN, "valid", "draft-example")


def test_jsonl_goes_on_after_a_malformed_line(tmp_path: Path) -> None:
    bad = {**_plan(), "stage_count": 5}
    lines = [json.dumps(_plan()), '{"plan_id": ', json.dumps(bad), "", json.dumps(_plan())]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = run_contracts("validate", "--event", PLAN, str(path))
    assert done.returncode == 1
    out = done.stdout.splitlines()
    assert out[0].startswith(f"{path}:2: /: not valid JSON") and out[0].endswith("[json]")
    assert out[1] == f"{path}:3: /stage_count: stage_count is 5 but stages has 2 entries [MW001]"
    assert len(out) == 2
    assert "4 events: 2 valid, 1 invalid, 1 unreadable; 2 violations" in done.stderr


def test_json_format_summary(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(_plan()) + "\n" + json.dumps({**_plan(), "run": 1}) + "\n")
    done = run_contracts("validate", "--event", PLAN, "--format", "json", str(path))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert (report["events"], report["valid"], report["invalid"], report["unreadable"]) == (2, 1, 1, 0)
    assert report["violations"] == [
        {"path": str(path), "line": 2, "pointer": "/run", "rule": "additionalProperties",
         "message": "run is not a field of this event"}
    ]


def test_stdin_and_event_inferred_from_event_type() -> None:
    summary = fixture_payload(SUMMARY, "valid", "draft-executed-corrected")
    lines = [
        json.dumps({**_plan(), "event_type": PLAN}),
        json.dumps({**summary, "event_type": SUMMARY}),
        json.dumps(_plan()),  # no event_type and no --event: cannot be told, reported
    ]
    done = run_contracts("validate", "-", stdin="\n".join(lines) + "\n")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "<stdin>:3: /event_type: cannot tell which event this is: no event_type and no CloudEvents envelope; pass --event NAME [event]"
    ]
    assert "3 events: 2 valid, 1 invalid, 0 unreadable" in done.stderr


def test_json_file_violation_names_the_line_of_the_field(tmp_path: Path) -> None:
    plan = _plan()
    plan["stages"][1]["run_mode"] = "serial"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    done = run_contracts("validate", "--event", PLAN, str(path))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"serial"' in text)
    assert done.stdout.startswith(f"{path}:{line}: /stages/1/run_mode: ")


def test_unknown_event_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan()))
    done = run_contracts("validate", "--event", "multi_workflow.nope", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith("contracts: error: unknown event 'multi_workflow.nope'")
    assert "Traceback" not in done.stderr


def test_empty_event_is_unusable(tmp_path: Path) -> None:
    # An empty name is a name the catalogue refuses, as `contracts load --event ''` says: not the
    # absence of --event (it validated each line by its event_type, and passed).
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({**_plan(), "event_type": PLAN}) + "\n")
    for command in ("validate", "load"):
        extra = ["--db", str(tmp_path / "x.duckdb")] if command == "load" else []
        done = run_contracts(command, *extra, "--event", "", str(path))
        assert done.returncode == 2, command
        assert done.stderr.strip().splitlines() == [
            "contracts: error: '' is not an event name (expected e.g. multi_workflow.plan_created[@1.0.0])"
        ], command
    assert not (tmp_path / "x.duckdb").exists()


def test_unreadable_file_is_unusable_but_others_are_validated(tmp_path: Path) -> None:
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(_plan()))
    done = run_contracts("validate", "--event", PLAN, str(tmp_path / "missing.jsonl"), str(good))
    assert done.returncode == 2
    assert "missing.jsonl: cannot read" in done.stderr
    assert "1 events: 1 valid" in done.stderr


def test_invalid_utf8_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(json.dumps(_plan()).encode() + b"\n\xff\xfe\n")
    done = run_contracts("validate", "--event", PLAN, str(path))
    assert done.returncode == 1
    assert done.stdout.startswith(f"{path}:2: /: not valid JSON") or "not UTF-8" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_an_input_not_read_is_in_every_ci_format(tmp_path: Path, fmt: str) -> None:
    """A missing file gave GitHub no annotation, SARIF no result and JUnit a passing test case:
    only the exit code (2) said anything was wrong."""
    missing = tmp_path / "missing.jsonl"
    done = run_contracts("validate", "--format", fmt, "--no-progress", str(missing))
    assert done.returncode == 2
    assert f"contracts: error: {missing}: cannot read: No such file or directory" in done.stderr
    expected = {"github": f"::error file={missing},line=1,title=unusable::/: cannot read: No such file or directory",
                "sarif": '"ruleId": "unusable"', "junit": 'failures="1"'}[fmt]
    assert expected in done.stdout and str(missing) in done.stdout
