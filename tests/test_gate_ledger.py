"""Blind spots of the review gate around what it trusts: the release ledger (releases.json), the
fast path's copy of the contract rules, and an empty `--against`. Each replayed on a copy."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import CONTRACTS, REPO, commit_all, run_contracts
from test_gate_released import _findings

BATCH = "multi_workflow.batch_metrics"
RULES = "runtime/multi_workflow_telemetry/rules.py"
MW013 = 'if p["partial_success_count"] > p["multi_workflow_count"]:'
MW013_NARROWED = 'if p["partial_success_count"] >= p["multi_workflow_count"]:'


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI of this repository's scripts/, importing the copy's runtime/ (its changed rules)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "runtime"), str(REPO / "scripts")]))
    return subprocess.run([CONTRACTS, *args], cwd=root, capture_output=True, text=True, timeout=300, env=env)


def _narrow_mw013(root: Path) -> None:
    rules = root / RULES
    text = rules.read_text()
    assert MW013 in text
    rules.write_text(text.replace(MW013, MW013_NARROWED))


def test_a_released_rule_changed_with_its_ledger_fingerprint_rewritten_fails_check_and_report(repo_copy: Path) -> None:
    commit_all(repo_copy, "main")  # the merge base holds the ledger as released
    _narrow_mw013(repo_copy)
    fingerprint = subprocess.run(
        [str(Path(CONTRACTS).with_name("python")), "-c",
         "from multi_workflow_telemetry.rules import RULES; from contracts.rule_sets import fingerprint; "
         "print(next(fingerprint(r) for r in RULES if r.id == 'MW013'))"],
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(repo_copy / "runtime"), str(REPO / "scripts")])),
        capture_output=True, text=True, check=True).stdout.strip()
    ledger = json.loads((repo_copy / "releases.json").read_text())
    ledger[-1]["rules"][f"{BATCH}/1.0.0"]["MW013"] = fingerprint
    (repo_copy / "releases.json").write_text(json.dumps(ledger, indent=2) + "\n")
    # The rule change itself is no longer seen against the rewritten ledger: the ledger must be.
    done = _run(repo_copy, "check")
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = _findings(done.stdout, "released-ledger")
    assert found["file"] == "releases.json"
    assert f"the record of release 1.1.0 has been edited" in found["message"]
    assert f"rules of {BATCH}/1.0.0" in found["message"]
    assert "git checkout" in found["fix"] and "-- releases.json" in found["fix"]
    report = _run(repo_copy, "report", "--against", "main")
    assert report.returncode == 1, report.stdout
    assert "[released-ledger]" in report.stdout and "No schema version added or changed" not in report.stdout


def test_a_released_schema_edited_with_its_digest_rewritten_fails_plain_check(repo_copy: Path) -> None:
    commit_all(repo_copy, "main")
    path = repo_copy / "schemas" / BATCH / "1.0.0.json"
    schema = json.loads(path.read_text())
    schema["properties"]["batch_id"]["minLength"] = 2
    path.write_text(json.dumps(schema, indent=2) + "\n")
    ledger = json.loads((repo_copy / "releases.json").read_text())
    import hashlib

    ledger[-1]["schemas"][f"{BATCH}/1.0.0.json"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (repo_copy / "releases.json").write_text(json.dumps(ledger, indent=2) + "\n")
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = _findings(done.stdout, "released-ledger")
    assert f"schemas of {BATCH}/1.0.0.json" in found["message"]


def test_a_release_appended_by_contracts_release_is_no_ledger_edit(repo_copy: Path) -> None:
    commit_all(repo_copy, "main")
    assert run_contracts("release", "--no-tag", cwd=repo_copy).returncode == 0
    done = run_contracts("check", "--against", "main", cwd=repo_copy)
    assert not _findings(done.stdout, "released-ledger"), done.stdout


def test_a_rule_changed_in_rules_py_alone_fails_the_fixtures_the_fast_path_still_accepts(repo_copy: Path) -> None:
    # fast.py's fused check for batch_metrics is a copy of MW013: validate() kept calling the
    # valid fixture 4/4 valid, so `check fixtures` said ok while rules.py now rejects it.
    _narrow_mw013(repo_copy)
    done = _run(repo_copy, "check")
    assert done.returncode == 1
    fixtures = {f["file"]: f for f in _findings(done.stdout, "fixture")}
    equal = fixtures[f"fixtures/{BATCH}/1.0.0/valid/partial-equal-to-multi.json"]
    assert "expected no violation, got /partial_success_count [MW013]" in equal["message"]
    assert "fast path" in equal["message"]
    # The example of the changed rule is one the released rule accepts, never an invalid fixture
    # written to break MW013 (the released MW013 rejects that one too).
    (changed,) = _findings(done.stdout, "released-rules")
    assert "has changed meaning" in changed["message"]
    assert "partial-success-exceeds-multi.json" not in changed["message"]
    assert "/valid/" in changed["message"]


def test_check_against_an_empty_ref_is_refused_not_skipped(repo_copy: Path) -> None:
    commit_all(repo_copy, "main")
    done = run_contracts("check", "--against", "", cwd=repo_copy)
    assert done.returncode == 2, done.stderr
    assert "cannot read '' from git" in done.stderr


def test_a_minor_changing_a_column_type_is_a_finding_of_check_not_unusable_input(repo_copy: Path) -> None:
    # integer -> number is backward compatible (a MINOR by the policy), but batch_metrics_v1's
    # column is BIGINT: check stopped at `generated` with exit 2 (unusable input) and one bare line.
    path = repo_copy / "schemas" / BATCH / "1.1.0.json"
    schema = json.loads((repo_copy / "schemas" / BATCH / "1.0.0.json").read_text())
    schema["$id"] = schema["$id"].replace("/1.0.0.json", "/1.1.0.json")
    schema["x-event"]["version"] = "1.1.0"
    schema["properties"]["conflict_count"]["type"] = "number"
    path.write_text(json.dumps(schema, indent=2) + "\n")
    valid = repo_copy / "fixtures" / BATCH / "1.0.0" / "valid"
    (repo_copy / "fixtures" / BATCH / "1.1.0").mkdir()
    import shutil

    shutil.copytree(valid, repo_copy / "fixtures" / BATCH / "1.1.0" / "valid")
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = _findings(done.stdout, "warehouse")
    assert found["file"] == f"schemas/{BATCH}/1.1.0.json" and found["pointer"] == "/properties/conflict_count"
    assert "changes type at 1.1.0 (BIGINT -> DOUBLE)" in found["message"] and "new major" in found["fix"]
