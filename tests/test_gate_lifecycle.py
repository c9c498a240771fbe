"""Lifecycle outside the immutable files, compatibility modes and evidence, on a repository copy."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, edit_json, run_contracts
from test_gate_released import _copy_fixtures, _findings, _fixture, _new_version

PLAN = "multi_workflow.plan_created"
APPROVAL = {"status": "stable", "date": "2026-12-02", "by": "telemetry-platform-team", "note": "approved"}


def _record(root: Path, event: str = PLAN) -> Path:
    return root / "lifecycle" / f"{event}.json"


def test_approval_is_a_lifecycle_change_with_no_new_version(repo_copy: Path) -> None:
    edit_json(_record(repo_copy), lambda r: r["versions"]["1.1.0"].append(APPROVAL))
    assert run_contracts("generate", cwd=repo_copy).returncode == 0
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (repo_copy / "docs/events" / PLAN / "1.1.0.md").read_text()
    assert 'mw-badge--stable' in page and "telemetry-platform-team" in page
    assert "compatibility mode: [BACKWARD_TRANSITIVE](#version-history)" in page


def test_lifecycle_goes_forward_only_and_names_who_approved(repo_copy: Path) -> None:
    edit_json(_record(repo_copy), lambda r: r["versions"]["1.1.0"].extend(
        [APPROVAL, {"status": "proposed", "date": "2026-12-03", "by": "someone"}, {"status": "deprecated"}]))
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    messages = {f["pointer"]: (f["message"], f["fix"]) for f in _findings(done.stdout, "lifecycle")}
    assert "stable → proposed goes backward" in messages["/versions/1.1.0/2"][0]
    assert "only goes forward" in messages["/versions/1.1.0/2"][1]
    assert "does not say who approved it" in messages["/versions/1.1.0/3"][0]


def test_validate_warns_on_a_deprecated_version_and_deny_fails(repo_copy: Path, tmp_path: Path) -> None:
    edit_json(_record(repo_copy), lambda r: r["versions"]["1.0.0"].append(
        {"status": "deprecated", "date": "2026-12-02", "by": "telemetry-platform-team"}))
    payload = json.loads((REPO / "fixtures" / PLAN / "1.0.0/valid").glob("*.json").__next__().read_text())["payload"]
    events = tmp_path / "plans.jsonl"
    events.write_text(json.dumps(payload) + "\n")
    warned = run_contracts("validate", "--event", f"{PLAN}@1.0.0", str(events), cwd=repo_copy)
    assert warned.returncode == 0, warned.stderr
    assert f"warning: {events}:1: /: an event of {PLAN}@1.0.0, which is deprecated [deprecated]" in warned.stderr
    assert f"move the emitter to {PLAN}@1.1.1" in warned.stderr
    denied = run_contracts("validate", "--deny-deprecated", "--event", f"{PLAN}@1.0.0", str(events), cwd=repo_copy)
    assert denied.returncode == 1
    newest = run_contracts("validate", "--deny-deprecated", "--event", f"{PLAN}@1.1.0", str(events), cwd=repo_copy)
    assert newest.returncode == 0 and "deprecated" not in newest.stderr


def test_deprecated_events_are_found_in_every_input_validate_reads(repo_copy: Path, tmp_path: Path) -> None:
    # The scan runs on each chunk as it is validated: standard input and pipes are read once, and
    # their deprecated events were lost (a --deny-deprecated run of them passed). Envelopes name
    # their version per line; line numbers are validate's own, a lone carriage return inside a
    # line splitting nothing.
    import os
    import threading

    import multi_workflow_telemetry as mwt

    edit_json(_record(repo_copy), lambda r: r["versions"]["1.0.0"].append(
        {"status": "deprecated", "date": "2026-12-02", "by": "telemetry-platform-team"}))
    case = next(f for f in mwt.golden_fixtures() if f.valid and f.ref == f"{PLAN}@1.0.0")
    old = mwt.to_json(mwt.envelope(mwt.parse(case.ref, case.payload), source="/t")).decode()
    new = mwt.to_json(mwt.envelope(mwt.parse(PLAN, case.payload), source="/t")).decode()
    text = "\n".join([new, old.replace(",", ",\r", 1), "", new, old]) + "\n"

    done = run_contracts("validate", "--deny-deprecated", "-", cwd=repo_copy, stdin=text)
    assert done.returncode == 1, done.stderr
    assert [line for line in done.stderr.splitlines() if "[deprecated]" in line] == [
        f"<stdin>:{n}: /: an event of {PLAN}@1.0.0, which is deprecated [deprecated]" for n in (2, 5)], done.stderr

    fifo = tmp_path / "events.pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(text))
    writer.start()
    done = run_contracts("validate", str(fifo), cwd=repo_copy)
    writer.join()
    assert done.returncode == 0, done.stderr  # a warning only, without --deny-deprecated
    assert [line.split(": /:")[0] for line in done.stderr.splitlines() if "[deprecated]" in line] == [
        f"warning: {fifo}:2", f"warning: {fifo}:5"]

    document = tmp_path / "one.json"
    document.write_text(old)
    done = run_contracts("validate", "--deny-deprecated", str(document), cwd=repo_copy)
    assert done.returncode == 1 and f"{document}:1: /: an event of {PLAN}@1.0.0" in done.stderr


def test_forward_mode_rejects_a_new_optional_field_of_a_closed_object(repo_copy: Path) -> None:
    assert run_contracts("check", cwd=repo_copy).returncode == 0  # BACKWARD_TRANSITIVE: the 1.1.0 MINOR holds
    edit_json(_record(repo_copy), lambda r: r.update(compatibility="FORWARD"))
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    (found,) = _findings(done.stdout, "compatibility-mode")
    assert found["file"] == f"schemas/{PLAN}/1.1.0.json"
    assert "is FORWARD but 1.0.0 → 1.1.0 is not forward compatible" in found["message"]
    assert f"lifecycle/{PLAN}.json" in found["fix"]


def test_transitive_mode_checks_every_earlier_version_of_the_major(repo_copy: Path) -> None:
    _new_version(repo_copy, PLAN, "1.1.0", "1.2.0", lambda s: s["properties"]["plan_id"].update(maxLength=39))
    found = {}
    for mode in ("BACKWARD", "BACKWARD_TRANSITIVE", "NONE"):
        edit_json(_record(repo_copy), lambda r, m=mode: r.update(compatibility=m))
        done = run_contracts("check", cwd=repo_copy)
        found[mode] = sorted(f["message"].split(" is not ")[0] for f in _findings(done.stdout, "compatibility-mode"))
    assert found["BACKWARD"] == [f"{PLAN} is BACKWARD but 1.1.1 → 1.2.0"]
    assert found["BACKWARD_TRANSITIVE"] == [f"{PLAN} is BACKWARD_TRANSITIVE but 1.0.0 → 1.2.0",
                                            f"{PLAN} is BACKWARD_TRANSITIVE but 1.1.0 → 1.2.0",
                                            f"{PLAN} is BACKWARD_TRANSITIVE but 1.1.1 → 1.2.0"]
    assert found["NONE"] == []


def test_new_versions_without_fixtures_fail_with_the_evidence_they_need(repo_copy: Path) -> None:
    _new_version(repo_copy, PLAN, "1.1.0", "1.2.0",
                 lambda s: s["properties"].update(note={"type": "string", "description": "A note."}))
    _new_version(repo_copy, PLAN, "1.2.0", "2.0.0", lambda s: s["properties"]["note"].update(maxLength=5))
    run_contracts("generate", cwd=repo_copy)
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    evidence = _findings(done.stdout, "evidence")
    messages = [f["message"] for f in evidence]
    assert f"{PLAN}@1.2.0 has no valid fixture" in messages
    assert f"{PLAN}@2.0.0 has no valid fixture" in messages
    assert any(m.startswith(f"{PLAN}@2.0.0 adds 1 constraint(s)") for m in messages)
    assert any(f"fixtures/{PLAN}/2.0.0/invalid/" in f["fix"] for f in evidence)
    # with the evidence, the same versions pass
    _copy_fixtures(repo_copy, PLAN, "1.1.0", "1.2.0")
    _copy_fixtures(repo_copy, PLAN, "1.1.0", "2.0.0")
    long_note = {**json.loads((repo_copy / "fixtures" / PLAN / "1.1.0/valid").glob("*.json").__next__().read_text())["payload"],
                 "note": "far too long"}
    _fixture(repo_copy, PLAN, "2.0.0", "invalid", "note-too-long", long_note, [{"pointer": "/note", "rule": "maxLength"}])
    run_contracts("generate", cwd=repo_copy)
    again = run_contracts("check", cwd=repo_copy)
    assert again.returncode == 0, again.stdout
