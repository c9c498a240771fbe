"""Outputs for CI (github, sarif, junit, json, --output), witnesses as whole events, new-version,
and `make release` tagging, on a copy of the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from conftest import REPO, commit_all, edit_json, git, run_contracts
from multi_workflow_telemetry import catalogue as catalogue_module
from multi_workflow_telemetry.validation import EventValidator

SARIF_SCHEMA = REPO / "tests/data/sarif/sarif-schema-2.1.0.json"
PLAN = "multi_workflow.plan_created"
SUMMARY = "multi_workflow.execution_summary"


def _break_a_schema(root: Path) -> None:
    edit_json(root / "schemas" / SUMMARY / "1.0.0.json",
              lambda s: s["properties"]["stage_count"].update(minimum="one"))


def test_sarif_from_check_on_a_broken_schema_validates_against_sarif_2_1_0(repo_copy: Path, tmp_path: Path) -> None:
    _break_a_schema(repo_copy)
    out = tmp_path / "check.sarif"
    done = run_contracts("check", "--format", "sarif", "--output", str(out), cwd=repo_copy)
    assert done.returncode == 1
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    results = log["runs"][0]["results"]
    meta = [r for r in results if r["ruleId"] == "metaschema"]
    assert meta and meta[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        f"schemas/{SUMMARY}/1.0.0.json"
    assert meta[0]["locations"][0]["physicalLocation"]["region"]["startLine"] > 1


def test_github_annotations_carry_file_and_line(repo_copy: Path, tmp_path: Path) -> None:
    _break_a_schema(repo_copy)
    done = run_contracts("check", "--format", "github", cwd=repo_copy)
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if "title=metaschema" in line]
    assert lines and lines[0].startswith(f"::error file=schemas/{SUMMARY}/1.0.0.json,line=")
    line = int(lines[0].split("line=")[1].split(",")[0])
    assert '"minimum": "one"' in (repo_copy / "schemas" / SUMMARY / "1.0.0.json").read_text().splitlines()[line - 1]
    events = tmp_path / "e.jsonl"
    events.write_text('{"plan_id": "nope"}\n')
    validated = run_contracts("validate", "--event", PLAN, "--format", "github", str(events))
    assert validated.returncode == 1
    assert validated.stdout.startswith(f"::error file={events},line=1,title=")


def test_junit_and_json_outputs(repo_copy: Path, tmp_path: Path) -> None:
    _break_a_schema(repo_copy)
    done = run_contracts("check", "--format", "junit", cwd=repo_copy)
    suite = ET.fromstring(done.stdout).find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1
    as_json = json.loads(run_contracts("check", "--format", "json", cwd=repo_copy).stdout)
    assert any(f["rule"] == "metaschema" and f["line"] > 1 for f in as_json["findings"])
    diff = run_contracts("diff", f"{PLAN}@1.1.0", f"{PLAN}@1.0.0", "--format", "sarif")
    assert diff.returncode == 1
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(json.loads(diff.stdout))
    version = run_contracts("--version")
    assert version.returncode == 0 and version.stdout.startswith("contracts ")


def test_validate_ci_formats_written_as_found_stay_valid_documents(tmp_path: Path) -> None:
    # Findings of two files, and a file without any: SARIF against its schema, with each result's
    # ruleIndex naming its rule; JUnit with the counts in <testsuite> and each file's failures in
    # its own test case, whatever order they were found in.
    (tmp_path / "a.jsonl").write_text('{"plan_id": "nope"}\n{}\n')
    (tmp_path / "b.jsonl").write_text("{}\n")
    plans = json.loads(next((REPO / "fixtures" / PLAN / "1.0.0/valid").glob("*.json")).read_text())["payload"]
    (tmp_path / "ok.jsonl").write_text(json.dumps(plans) + "\n")
    paths = [str(tmp_path / name) for name in ("a.jsonl", "b.jsonl", "ok.jsonl")]
    text = run_contracts("validate", "--event", PLAN, *paths)
    expected = [line.split(": ", 1)[0] for line in text.stdout.splitlines()]  # FILE:LINE of each finding
    sarif = run_contracts("validate", "--event", PLAN, "--format", "sarif", *paths)
    assert sarif.returncode == 1
    log = json.loads(sarif.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(set(rules)) == len(rules)
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert [f'{r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]}:'
            f'{r["locations"][0]["physicalLocation"]["region"]["startLine"]}' for r in run["results"]] == expected
    junit = run_contracts("validate", "--event", PLAN, "--format", "junit", *paths)
    suite = ET.fromstring(junit.stdout).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "2")
    cases = {case.get("name"): [f.text.split(": ", 1)[0] for f in case.findall("failure")] for case in suite}
    assert cases == {path: [e for e in expected if e.startswith(path + ":")] for path in paths}
    github = run_contracts("validate", "--event", PLAN, "--format", "github", *paths)
    assert [line.split(",title=")[0] for line in github.stdout.splitlines()] == [
        f"::error file={e.rsplit(':', 1)[0]},line={e.rsplit(':', 1)[1]}" for e in expected]


def test_witnesses_are_whole_events_of_the_source_version(repo_copy: Path) -> None:
    # 1.2.0 no longer allows a failed workflow: the checker's raw witness is a run with a failed
    # workflow, which the contract rules (MW009, MW011) only accept inside a whole, coherent event.
    path = repo_copy / "schemas" / SUMMARY / "1.2.0.json"
    schema = json.loads((repo_copy / "schemas" / SUMMARY / "1.1.0.json").read_text())
    schema["$id"] = schema["$id"].replace("1.1.0", "1.2.0")
    schema["x-event"]["version"] = "1.2.0"
    schema["properties"]["issue_number"]["maximum"] = 1000
    path.write_text(json.dumps(schema, indent=2))
    shutil.copytree(repo_copy / "fixtures" / SUMMARY / "1.1.0", repo_copy / "fixtures" / SUMMARY / "1.2.0")
    done = run_contracts("diff", f"{SUMMARY}@1.1.0", f"{SUMMARY}@1.2.0", "--format", "json", cwd=repo_copy)
    report = json.loads(done.stdout)
    witnesses = [c for c in report["changes"] if c["witness_accepted_by"]]
    assert witnesses
    catalogue = catalogue_module.Catalogue(repo_copy / "schemas")
    for change in witnesses:
        source = "1.1.0" if change["witness_accepted_by"] == "old" else "1.2.0"
        other = "1.2.0" if source == "1.1.0" else "1.1.0"
        assert EventValidator(catalogue, catalogue.get(f"{SUMMARY}@{source}")).validate(change["witness"]) == []
        assert EventValidator(catalogue, catalogue.get(f"{SUMMARY}@{other}")).validate(change["witness"]) != []
    text = run_contracts("diff", f"{SUMMARY}@1.1.0", f"{SUMMARY}@1.2.0", cwd=repo_copy).stdout
    line = next(l for l in text.splitlines() if "witness" in l)
    assert "valid under old only: /issue_number = " in line  # the part that differs, first
    assert "whole event: {" in line and not line.endswith("...")
    assert '"stage_runs":' in line  # the whole event, not a prefix


def test_new_version_scaffolds_the_file_and_the_fixture_folders(repo_copy: Path) -> None:
    done = run_contracts("new-version", PLAN, "--minor", cwd=repo_copy)
    assert done.returncode == 0, done.stderr
    schema = json.loads((repo_copy / "schemas" / PLAN / "1.2.0.json").read_text())
    assert schema["$id"].endswith(f"/{PLAN}/1.2.0.json") and schema["x-event"]["version"] == "1.2.0"
    assert list((repo_copy / "fixtures" / PLAN / "1.2.0/valid").glob("*.json"))
    assert (repo_copy / "fixtures" / PLAN / "1.2.0/invalid").is_dir()
    assert "next:" in done.stdout and "invalid fixture" in done.stdout
    assert run_contracts("new-version", "multi_workflow.nope", "--minor", cwd=repo_copy).returncode == 2
    run_contracts("generate", cwd=repo_copy)
    assert run_contracts("check", cwd=repo_copy).returncode == 0


def _make(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # make runs with this checkout's venv as it is (NO_SETUP): it must never install the copy into
    # it, which would leave every later test importing a deleted temporary folder.
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["make", "--no-print-directory", f"VENV={REPO / '.venv'}", "NO_SETUP=1", *args], cwd=root,
                          capture_output=True, text=True, env=env, timeout=900)


def test_make_release_tags_and_refuses_an_edited_released_file(repo_copy: Path) -> None:
    for name in ("Makefile", "mkdocs.yml", "README.md", ".gitignore", "requirements.lock"):
        shutil.copy(REPO / name, repo_copy / name)
    shutil.copytree(REPO / "requirements", repo_copy / "requirements")
    edit_json(repo_copy / "lifecycle" / f"{PLAN}.json", lambda r: r["versions"]["1.1.0"].append(
        {"status": "stable", "date": "2026-12-02", "by": "telemetry-platform-team"}))
    run_contracts("generate", cwd=repo_copy)
    commit_all(repo_copy, "ready")
    computed = run_contracts("version", cwd=repo_copy).stdout.strip()
    first = _make(repo_copy, "release")
    assert first.returncode == 0, first.stdout + first.stderr
    tags = git(repo_copy, "tag", "--list", "v*").split()
    assert tags == [f"v{computed}"], tags
    assert json.loads((repo_copy / "releases.json").read_text())[-1]["version"] == computed
    edit_json(repo_copy / "schemas" / PLAN / "1.0.0.json",
              lambda s: s["properties"].update(note={"type": "string", "description": "A note."}))
    run_contracts("generate", cwd=repo_copy)
    commit_all(repo_copy, "edit a released file")
    second = _make(repo_copy, "release", "BUMP=patch")
    assert second.returncode != 0
    assert f"released in release {computed} and has been edited in place" in second.stdout + second.stderr
    assert git(repo_copy, "tag", "--list", "v*").split() == [f"v{computed}"]


def test_make_in_a_copy_leaves_this_checkouts_venv_alone(repo_copy: Path) -> None:
    shutil.copy(REPO / "Makefile", repo_copy / "Makefile")
    (repo_copy / "requirements.lock").write_text("")  # newer than the venv's install stamp
    done = _make(repo_copy, "setup")
    assert done.returncode == 0, done.stderr
    probe = subprocess.run([str(REPO / ".venv/bin/python"), "-c", "import contracts; print(contracts.__file__)"],
                           capture_output=True, text=True, cwd="/", check=True)
    assert probe.stdout.startswith(str(REPO / "scripts"))
