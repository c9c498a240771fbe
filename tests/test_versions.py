"""A pinned major never moves, and the package version is computed, not typed.

The main test adds a synthetic, breaking `2.0.0` of every event to a copy of the repository,
regenerates the package there, and compares what `v1` does on every golden fixture with what the
package did before, byte for byte: builder output, `v1.parse` results and `v1.validate` verdicts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_contracts

EVENTS = ("multi_workflow.batch_metrics", "multi_workflow.execution_summary", "multi_workflow.plan_created")

# Run in a fresh interpreter against one generated package: every v1 behaviour a service relies
# on, on every golden fixture, as canonical text.
PROBE = r'''
import datetime as dt, json, sys
import multi_workflow_telemetry as mwt
from multi_workflow_telemetry import v1, PlannedStage, WorkflowOutcome

def outcome(run):
    if run["status"] == "failed":
        return WorkflowOutcome("failed", message=run.get("message", mwt.ABSENT), error="failed")
    return WorkflowOutcome(run["status"], created_files=run.get("created_files", ()), message=run.get("message", mwt.ABSENT))

def attempt(make):
    try:
        return mwt.to_json(make()).decode()
    except Exception as exc:  # a refusal is an answer too, and must not change either
        return f"{type(exc).__name__}: {exc}"

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
out = {"version": mwt.__version__, "pins": v1.VERSIONS, "cases": {}}
for case in mwt.golden_fixtures():
    p = case.payload
    row = {"validate": [str(v) for v in v1.validate(case.event, p)] if case.event in v1.VERSIONS else None,
           "top_validate": [str(v) for v in mwt.validate(case.event, p)]}
    try:
        row["parse"] = repr(v1.parse(case.event, p))
    except Exception as exc:
        row["parse"] = f"{type(exc).__name__}: {exc}"
    if case.valid and case.event == "multi_workflow.plan_created":
        stages = [PlannedStage(s["run_mode"], s["workflows"], s["blocking_conflicts"]) for s in p["stages"]]
        kw = {k: p[k] for k in ("issue_number", "batch_id", "run_id", "selection_reason", "selection_message") if k in p}
        make = lambda: v1.build_plan_created_event(stages=stages, allow_partial_success=p["allow_partial_success"],
                                                   preview_only=p["preview_only"], plan_id=p["plan_id"], **kw)
        row["build"] = attempt(make)
        row["envelope"] = attempt(lambda: v1.envelope(make(), source="/probe", id="1", time=WHEN))
    if case.valid and case.event == "multi_workflow.execution_summary":
        stages = [PlannedStage(s["run_mode"], s["workflows"], s["blocking_conflicts"]) for s in p["stages"]]
        def make_summary():
            plan = v1.build_plan_created_event(stages=stages, allow_partial_success=p["allow_partial_success"],
                                               preview_only=p["preview_only"], plan_id=p["plan_id"])
            outcomes = {w["workflow_name"]: outcome(w) for r in p["stage_runs"] for w in r["workflows"]}
            return v1.build_execution_summary_event(plan, issue_number=p["issue_number"],
                                                    outcomes=None if p["preview_only"] else outcomes,
                                                    skip_reason=p.get("skip_reason", mwt.ABSENT)
                                                    if not p["preview_only"] else mwt.ABSENT)
        row["build"] = attempt(make_summary)
    out["cases"][case.id] = row
print(json.dumps(out, sort_keys=True))
'''


def _probe(package_src: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(package_src)}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _run_with(repo: Path, code: str) -> str:
    """What `code` prints, run against the package generated in `repo`."""
    env = {**os.environ, "PYTHONPATH": str(repo / "generated" / "python" / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _add_major(repo: Path, event: str) -> None:
    """A breaking 2.0.0 of `event`: a new required field, from its newest 1.x schema."""
    folder = repo / "schemas" / event
    newest = max(folder.glob("1.*.json"), key=lambda p: tuple(int(x) for x in p.stem.split(".")))
    schema = json.loads(newest.read_text(encoding="utf-8"))
    schema["$id"] = schema["$id"].replace(f"/{newest.stem}.json", "/2.0.0.json")
    schema["x-event"]["version"] = "2.0.0"
    schema["properties"]["tenant"] = {"description": "The tenant the event belongs to.", "type": "string", "minLength": 1}
    schema["required"] = [*schema["required"], "tenant"]
    (folder / "2.0.0.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def with_major_2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object], dict[str, object]]:
    import shutil

    repo = tmp_path_factory.mktemp("major2") / "repo"
    for name in ("schemas", "fixtures", "runtime", "templates", "generated", "scripts", "docs"):
        shutil.copytree(REPO / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    for name in ("pyproject.toml", "releases.json"):
        shutil.copy(REPO / name, repo / name)
    before = _probe(repo / "generated" / "python" / "src")
    # Release the tree as it is, so the next version is computed against it.
    released = run_contracts("release", "--no-tag", cwd=repo)
    assert released.returncode == 0, released.stderr
    for event in EVENTS:
        _add_major(repo, event)
    done = run_contracts("generate", cwd=repo)
    assert done.returncode == 0, done.stderr
    after = _probe(repo / "generated" / "python" / "src")
    return repo, before, after


def test_v1_is_unchanged_byte_for_byte_when_every_event_gets_a_2_0_0(with_major_2: tuple[Path, dict, dict]) -> None:
    _, before, after = with_major_2
    assert after["pins"] == before["pins"]
    assert len(before["cases"]) > 100  # every golden fixture, valid and invalid
    changed = [case for case in before["cases"] if before["cases"][case] != after["cases"][case]]
    assert changed == []
    built = [row for row in before["cases"].values() if "build" in row]
    assert sum(1 for row in built if row["build"].startswith("{")) >= 10  # the builders really built


def test_the_release_adding_majors_is_a_minor(with_major_2: tuple[Path, dict, dict]) -> None:
    repo, before, after = with_major_2
    ledger = json.loads((repo / "releases.json").read_text(encoding="utf-8"))
    released = ledger[-1]["version"]
    major, minor, _ = (int(x) for x in released.split("."))
    assert after["version"] == f"{major}.{minor + 1}.0"
    done = run_contracts("version", cwd=repo)
    assert done.stdout.strip() == after["version"]
    assert "v2" in done.stderr and "MINOR" in done.stderr


def test_a_v2_module_appears_beside_v1(with_major_2: tuple[Path, dict, dict]) -> None:
    repo, _, _ = with_major_2
    code = (
        "import multi_workflow_telemetry as m\n"
        "from multi_workflow_telemetry import v2\n"
        "assert set(v2.VERSIONS.values()) == {'2.0.0'}, v2.VERSIONS\n"
        "p = {'batch_id': 'b', 'multi_workflow_count': 1, 'partial_success_count': 0, 'conflict_count': 0}\n"
        "print([v.rule for v in v2.validate('multi_workflow.batch_metrics', p)], m.validate('multi_workflow.batch_metrics', p))\n"
    )
    assert _run_with(repo, code) == "['required'] []"  # v2 needs tenant; the unversioned name stays on 1.x


def test_an_enveloped_v2_event_is_refused_by_the_v1_reader(with_major_2: tuple[Path, dict, dict]) -> None:
    repo, _, _ = with_major_2
    code = (
        "from multi_workflow_telemetry import v1, v2, to_json, ContractViolation\n"
        "e = v2.parse('multi_workflow.batch_metrics', {'batch_id': 'b', 'multi_workflow_count': 1,"
        " 'partial_success_count': 0, 'conflict_count': 0, 'tenant': 't'})\n"
        "wire = to_json(v2.envelope(e, source='/x'))\n"
        "assert v2.read_envelope(wire).event == e\n"
        "try:\n    v1.read_envelope(wire)\nexcept ContractViolation as exc:\n    print(exc.violations[0].message)\n"
    )
    said = _run_with(repo, code)
    assert "multi_workflow.batch_metrics@2.0.0 is major 2" in said and "multi_workflow_telemetry.v2" in said


def _snapshot(schemas: dict[str, str], runtime: str = "r", major: int = 1, version: str = "1.4.2") -> object:
    from contracts.release import Snapshot

    return Snapshot(version, major, schemas, runtime)


@pytest.mark.parametrize(
    ("added", "level"),
    [
        ({"e.x/1.5.0.json": "n"}, "minor"),  # a MINOR of the event: v1 accepts more
        ({"e.x/1.4.1.json": "n"}, "patch"),  # a PATCH of the newest
        ({"e.x/1.3.1.json": "n"}, "patch"),  # not the newest of its major: a new resource only
        ({"e.x/2.0.0.json": "n"}, "minor"),  # a new module v2
        ({"e.y/1.0.0.json": "n"}, "minor"),  # a new event
        ({}, "none"),
    ],
)
def test_required_bump_follows_what_a_service_sees(added: dict[str, str], level: str) -> None:
    from contracts.release import required_bump

    old = {"e.x/1.3.0.json": "a", "e.x/1.4.0.json": "b"}
    assert required_bump(_snapshot(old), _snapshot({**old, **added})).level == level


@pytest.mark.parametrize(
    ("new", "runtime", "major", "level"),
    [
        ({"e.x/1.4.0.json": "b"}, "r", 1, "major"),  # a released file removed
        ({"e.x/1.3.0.json": "EDITED", "e.x/1.4.0.json": "b"}, "r", 1, "major"),  # edited in place
        ({"e.x/1.3.0.json": "a", "e.x/1.4.0.json": "b"}, "r", 2, "major"),  # the default major moves
        ({"e.x/1.3.0.json": "a", "e.x/1.4.0.json": "b"}, "r2", 1, "patch"),  # the runtime changed
    ],
)
def test_changes_to_what_exists_are_at_least(new: dict[str, str], runtime: str, major: int, level: str) -> None:
    from contracts.release import required_bump

    old = {"e.x/1.3.0.json": "a", "e.x/1.4.0.json": "b"}
    assert required_bump(_snapshot(old), _snapshot(new, runtime, major)).level == level


def test_release_refuses_a_version_too_small_and_an_edited_released_file(repo_copy: Path) -> None:
    assert run_contracts("release", "--no-tag", cwd=repo_copy).returncode == 0
    released = json.loads((repo_copy / "releases.json").read_text(encoding="utf-8"))[-1]["version"]
    _add_major(repo_copy, "multi_workflow.plan_created")
    too_small = run_contracts("release", "--no-tag", "--version", released.rsplit(".", 1)[0] + ".9", cwd=repo_copy)
    assert too_small.returncode == 2
    assert "too small" in too_small.stderr and "v2" in too_small.stderr
    released_file = repo_copy / "schemas" / "multi_workflow.plan_created" / "1.0.0.json"
    released_file.write_text(released_file.read_text(encoding="utf-8").replace("\"description\": \"", "\"description\": \"Edited. ", 1), encoding="utf-8")
    edited = run_contracts("release", "--no-tag", cwd=repo_copy)
    assert edited.returncode == 2
    assert "multi_workflow.plan_created/1.0.0.json" in edited.stderr and "has changed" in edited.stderr


def test_the_generated_package_says_the_computed_version() -> None:
    from contracts.project import Project

    computed = Project(REPO).release
    pyproject = (REPO / "generated" / "python" / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{computed}"' in pyproject
    import multi_workflow_telemetry as mwt

    assert mwt.__version__ == computed


def test_release_commits_the_ledger_and_tags_and_a_second_release_needs_a_change(repo_copy: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run([*git, "init", "-q"], cwd=repo_copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo_copy, check=True)
    subprocess.run([*git, "commit", "-qm", "contract"], cwd=repo_copy, check=True)
    expected = run_contracts("version", cwd=repo_copy).stdout.strip()
    done = subprocess.run([str(REPO / ".venv/bin/contracts"), "release"], cwd=repo_copy, capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    tags = subprocess.run(["git", "tag"], cwd=repo_copy, capture_output=True, text=True, check=True).stdout.split()
    assert tags == [f"v{expected}"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo_copy, capture_output=True, text=True).stdout == ""
    again = run_contracts("release", cwd=repo_copy)
    assert again.returncode == 2 and "nothing to release" in again.stderr
    assert run_contracts("version", cwd=repo_copy).stdout.strip() == expected  # the tagged tree is that release


def test_make_release_uses_the_computed_version() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrelease:")[1].split("\n\n")[0]
    assert "$(BIN)/contracts release" in recipe and "--version $(VERSION)" in recipe
    assert recipe.index("contracts release") < recipe.index("wheel")
