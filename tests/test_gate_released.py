"""Blind spots of the review gate, replayed on a copy of the repository: in-place edits, rule
changes and shared-definition changes fail `contracts check` with the fix; the valid paths pass."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import commit_all, edit_json, git, run_contracts

PLAN = "multi_workflow.plan_created"
COMMON = "multi_workflow.common"
FINDING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<pointer>\S+): (?P<message>.+) \[(?P<rule>[\w-]+)\]$")

# A plan of four stages: valid under every released version of plan_created (schema and rules).
FOUR_STAGES = {
    "plan_id": "multiwf-6e1f3f6a15c54f3a8366d77ba47cbe1d", "issue_number": 7, "stage_count": 4,
    "workflow_count": 4, "allow_partial_success": True, "preview_only": False,
    "selection_reason": "multi_label_match", "selection_message": "four labels",
    "stages": [{"index": i, "run_mode": "sequential", "workflows": [f"wf-{i}"], "blocking_conflicts": []}
               for i in range(4)],
}
MW014 = '''

@rule("MW014", PLAN_EVENTS, "A plan has at most 3 stages."{scope})
def _at_most_three_stages(p: Payload) -> Iterator[Finding]:
    if len(p["stages"]) > 3:
        yield "/stages", f"a plan has at most 3 stages, this one {{len(p['stages'])}}"
'''


def _findings(stdout: str, rule: str) -> list[dict[str, str]]:
    out = []
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if (m := FINDING.match(line)) and m["rule"] == rule:
            fix = lines[i + 1].removeprefix("  fix: ") if i + 1 < len(lines) and lines[i + 1].startswith("  fix: ") else ""
            out.append({**m.groupdict(), "fix": fix})
    return out


def _add_rule(root: Path, scope: str = "") -> None:
    rules = root / "runtime/multi_workflow_telemetry/rules.py"
    rules.write_text(rules.read_text() + MW014.format(scope=scope))


def _fixture(root: Path, event: str, version: str, kind: str, name: str, payload: object,
             expect: list[dict[str, str]] | None = None) -> None:
    folder = root / "fixtures" / event / version / kind
    folder.mkdir(parents=True, exist_ok=True)
    body: dict[str, object] = {"description": name, "payload": payload}
    if expect is not None:
        body["expect"] = expect
    (folder / f"{name}.json").write_text(json.dumps(body, indent=2) + "\n")


def _new_version(root: Path, event: str, old: str, new: str, edit=None) -> Path:  # type: ignore[no-untyped-def]
    schema = json.loads((root / "schemas" / event / f"{old}.json").read_text())
    schema["$id"] = schema["$id"].replace(f"/{old}.json", f"/{new}.json")
    (schema.get("x-event") or schema["x-shared"])["version"] = new
    if edit:
        edit(schema)
    path = root / "schemas" / event / f"{new}.json"
    path.write_text(json.dumps(schema, indent=2) + "\n")
    return path


def _copy_fixtures(root: Path, event: str, old: str, new: str) -> None:
    shutil.copytree(root / "fixtures" / event / old / "valid", root / "fixtures" / event / new / "valid")


def test_in_place_edit_of_a_released_version_fails_plain_check_without_git(repo_copy: Path) -> None:
    edit_json(repo_copy / "schemas" / PLAN / "1.0.0.json",
              lambda s: s["properties"].update(note={"type": "string", "description": "A note."}))
    done = run_contracts("check", cwd=repo_copy)  # no --against, and the copy is no git checkout
    assert done.returncode == 1
    (found,) = _findings(done.stdout, "released-immutable")
    assert found["file"] == f"schemas/{PLAN}/1.0.0.json"
    assert "released in release 1.1.0 and has been edited in place" in found["message"]
    assert "new version file" in found["fix"]


def test_in_place_edit_of_common_names_its_users_and_never_a_patch(repo_copy: Path) -> None:
    commit_all(repo_copy, "release 1.1.0")
    git(repo_copy, "tag", "v1.1.0")
    edit_json(repo_copy / "schemas" / COMMON / "1.0.0.json",
              lambda s: s["$defs"]["run_mode"].update(enum=["sequential"]))
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    (found,) = _findings(done.stdout, "released-immutable")
    assert found["file"] == f"schemas/{COMMON}/1.0.0.json"
    assert f"git checkout v1.1.0 -- schemas/{COMMON}/1.0.0.json" in found["fix"]
    assert f"add schemas/{COMMON}/2.0.0.json" in found["fix"]
    assert f"{PLAN}@1.0.0, 1.1.0 need a MAJOR (2.0.0)" in found["fix"]
    assert "1.0.1" not in found["fix"]  # never a PATCH
    # the fixtures it breaks are summed up, not listed one by one
    assert len(_findings(done.stdout, "fixture")) < 30


def test_new_rule_on_released_versions_fails_check_with_an_example_and_the_fix(repo_copy: Path) -> None:
    _add_rule(repo_copy)
    _fixture(repo_copy, PLAN, "1.1.0", "invalid", "four-stages", FOUR_STAGES, [{"pointer": "/stages", "rule": "MW014"}])
    done = run_contracts("check", cwd=repo_copy, runtime=repo_copy / "runtime")
    assert done.returncode == 1
    found = {f["message"].split(",")[0]: f for f in _findings(done.stdout, "released-rules")}
    for version in ("1.0.0", "1.1.0"):
        f = found[f"rule MW014 now applies to {PLAN}@{version}"]
        assert f["file"] == "runtime/multi_workflow_telemetry/rules.py"
        assert "rejects events that version accepts; e.g. this event" in f["message"]
        assert '"stage_count":4' in f["message"] and "four-stages.json" in f["message"]
        assert 'since="2.0.0"' in f["fix"] and f"schemas/{PLAN}/2.0.0.json" in f["fix"]


def test_new_rule_scoped_to_a_new_major_passes_and_the_report_lists_it(repo_copy: Path) -> None:
    commit_all(repo_copy, "release 1.1.0")
    git(repo_copy, "tag", "v1.1.0")
    _add_rule(repo_copy, scope=', since="2.0.0"')
    _new_version(repo_copy, PLAN, "1.1.0", "2.0.0")
    _copy_fixtures(repo_copy, PLAN, "1.1.0", "2.0.0")
    _fixture(repo_copy, PLAN, "2.0.0", "invalid", "four-stages", FOUR_STAGES, [{"pointer": "/stages", "rule": "MW014"}])
    runtime = repo_copy / "runtime"
    assert run_contracts("generate", cwd=repo_copy, runtime=runtime).returncode == 0
    done = run_contracts("check", cwd=repo_copy, runtime=runtime)
    assert done.returncode == 0, done.stdout + done.stderr
    report = run_contracts("report", "--against", "v1.1.0", cwd=repo_copy, runtime=runtime)
    assert report.returncode == 0, report.stdout
    assert "**1.1.1 → 2.0.0**: declared MAJOR, required MAJOR: ✅ passes the version policy." in report.stdout
    assert f"| `MW014` | added in {PLAN}@2.0.0 | MAJOR |" in report.stdout


def test_new_rule_in_a_minor_fails_the_policy(repo_copy: Path) -> None:
    _add_rule(repo_copy, scope=', since="1.2.0"')
    _new_version(repo_copy, PLAN, "1.1.0", "1.2.0")
    _copy_fixtures(repo_copy, PLAN, "1.1.0", "1.2.0")
    runtime = repo_copy / "runtime"
    run_contracts("generate", cwd=repo_copy, runtime=runtime)
    done = run_contracts("check", cwd=repo_copy, runtime=runtime)
    assert done.returncode == 1
    (found,) = _findings(done.stdout, "policy-bump")
    assert "rule MW014 added" in found["message"] and "a MAJOR is required (2.0.0)" in found["message"]


def test_narrowing_common_in_a_new_version_is_judged_through_its_users(repo_copy: Path) -> None:
    commit_all(repo_copy, "release 1.1.0")
    _new_version(repo_copy, COMMON, "1.0.1", "1.0.2", lambda s: s["$defs"]["run_mode"].update(enum=["sequential"]))
    run_contracts("generate", cwd=repo_copy)
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    (found,) = _findings(done.stdout, "policy-bump")
    assert found["file"] == f"schemas/{COMMON}/1.0.2.json"
    assert f"{PLAN}@1.1.1 needs a MAJOR (2.0.0)" in found["message"]
    assert "a MAJOR is required (2.0.0)" in found["message"]
    report = run_contracts("report", "--against", "HEAD", cwd=repo_copy)
    assert report.returncode == 1
    assert "required MAJOR: ❌ fails the version policy" in report.stdout
    assert f"| `{PLAN}` | 1.1.1 | MAJOR | 2.0.0 |" in report.stdout
    assert "| `multi_workflow.execution_summary` | 1.1.1 | MAJOR | 2.0.0 |" in report.stdout
