"""`contracts diff`, the version policy in `contracts check`, and `contracts report`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import run_contracts

PLAN = "multi_workflow.plan_created"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _commit_all(root: Path, message: str) -> None:
    if not (root / ".git").exists():
        _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def test_diff_minor_is_backward_not_forward() -> None:
    done = run_contracts("diff", f"{PLAN}@1.0.0", f"{PLAN}@1.1.0", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["backward"], report["forward"]) == (True, False)
    assert [c["kind"] for c in report["changes"]] == ["property-added-closed"]
    assert run_contracts("diff", f"{PLAN}@1.0.0", f"{PLAN}@1.1.0", "--mode", "full").returncode == 1
    assert run_contracts("diff", f"{PLAN}@1.1.0", f"{PLAN}@1.0.0").returncode == 1


def test_diff_markdown_is_a_table() -> None:
    done = run_contracts("diff", f"{PLAN}@1.1.0", f"{PLAN}@1.0.0", "--format", "markdown")
    assert "| Path | Change | Breaks | Explanation | Witness |" in done.stdout


def test_diff_same_schema_is_no_change() -> None:
    done = run_contracts("diff", f"{PLAN}@1.0.0", f"{PLAN}@1.0.0", "--mode", "full", "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["changes"] == []


def test_diff_unusable_inputs(tmp_path: Path) -> None:
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    for args in ([f"{PLAN}@../../x", f"{PLAN}@1.0.0"], [str(tmp_path / "missing.json"), f"{PLAN}@1.0.0"],
                 [str(not_json), f"{PLAN}@1.0.0"], ["multi_workflow.nope@1.0.0", f"{PLAN}@1.0.0"]):
        done = run_contracts("diff", *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("contracts: error: ") and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def _rename_version(root: Path, event: str, old: str, new: str) -> None:
    folder = root / "schemas" / event
    schema = json.loads((folder / f"{old}.json").read_text())
    schema["$id"] = schema["$id"].replace(f"{old}.json", f"{new}.json")
    schema["x-event"]["version"] = new
    (folder / f"{old}.json").unlink()
    (folder / f"{new}.json").write_text(json.dumps(schema, indent=2) + "\n")
    shutil.move(str(root / "fixtures" / event / old), str(root / "fixtures" / event / new))


def test_wrong_bump_fails_check_with_the_required_version(repo_copy: Path) -> None:
    _rename_version(repo_copy, PLAN, "1.1.0", "1.0.1")  # adding a field is not a PATCH
    run_contracts("generate", cwd=repo_copy)
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    line = next(l for l in done.stdout.splitlines() if "[policy-bump]" in l)
    assert line.startswith(f"schemas/{PLAN}/1.0.1.json:")
    assert "a MINOR is required (1.1.0)" in line
    assert "rename the file to 1.1.0.json" in done.stdout


def test_edit_to_a_released_file_fails_check_against_ref(repo_copy: Path) -> None:
    _commit_all(repo_copy, "released")
    path = repo_copy / "schemas" / PLAN / "1.0.0.json"
    schema = json.loads(path.read_text())
    schema["properties"]["note"] = {"type": "string", "description": "An optional note."}
    path.write_text(json.dumps(schema, indent=2) + "\n")
    done = run_contracts("check", "--against", "HEAD", cwd=repo_copy)
    assert done.returncode == 1
    line = next(l for l in done.stdout.splitlines() if "[released-immutable]" in l and "at HEAD" in l)
    assert f"{PLAN}@1.0.0 was released at HEAD and has changed" in line
    assert f"add schemas/{PLAN}/1.2.0.json with the change instead" in done.stdout
    assert run_contracts("check", "--against", "no-such-ref", cwd=repo_copy).returncode == 2


def test_report_shows_the_added_minor(repo_copy: Path) -> None:
    moved = repo_copy.parent / "held"
    moved.mkdir()
    shutil.move(str(repo_copy / "schemas" / PLAN / "1.1.0.json"), str(moved / "1.1.0.json"))
    _commit_all(repo_copy, "before 1.1.0")
    shutil.move(str(moved / "1.1.0.json"), str(repo_copy / "schemas" / PLAN / "1.1.0.json"))
    done = run_contracts("report", "--against", "HEAD", cwd=repo_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"### `{PLAN}`" in done.stdout
    assert "**1.0.0 → 1.1.0**: declared MINOR, required MINOR: ✅ passes the version policy." in done.stdout
    assert "property-added-closed" in done.stdout
