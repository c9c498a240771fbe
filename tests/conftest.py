from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
DRAFT = REPO.parent / "shared" / "seed" / "multi-workflow-telemetry-contract-draft.md"
CONTRACTS = str(Path(sys.executable).with_name("contracts"))

# `make mutation` (tests/mutation/run.py) runs the tests once per mutant: the same examples every
# time, so a mutant is killed or not by the tests, not by the luck of the draw.
settings.register_profile("mutation", derandomize=True, database=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


def run_contracts(*args: str, cwd: Path = REPO, stdin: str | None = None,
                  runtime: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a user runs it. With `runtime` (a copy's `runtime/`), the CLI imports that
    runtime, as `make build` would install it in that checkout (to test a changed rule)."""
    env = dict(os.environ, PYTHONPATH=str(runtime)) if runtime is not None else None
    return subprocess.run([CONTRACTS, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300,
                          env=env)


def children_cpu_seconds() -> float:
    """CPU-seconds used so far by this process's finished children (their own children included).

    The issue's "within 10 s" bounds are checked as CPU time of the command, not wall time: on a
    2-core machine running the suite's workers side by side, wall time measures the neighbours too,
    while CPU time is the work the command itself does, which is what must stay bounded. A wall
    timeout several times larger still catches a hang."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def git(root: Path, *args: str) -> str:
    """git in `root`, with an identity (a test copy has no configuration of its own)."""
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                          capture_output=True, text=True)
    return done.stdout


def commit_all(root: Path, message: str) -> None:
    """Everything in `root` committed (a repository is made first if needed)."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def edit_json(path: Path, edit: Any) -> None:
    """`path`'s JSON, changed in place by `edit(data)`, written back indented."""
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, indent=2) + "\n")


def child_processes(pid: int) -> list[int]:
    """The live (not zombie) child processes of `pid`, lowest first."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def catalogue_of(root: Path, events: dict[str, dict[str, Any]]) -> Any:
    """A catalogue under `root` of one version (1.0.0) of each event: its schema with `$schema`,
    `$id` and `x-event` filled in."""
    from multi_workflow_telemetry.catalogue import Catalogue

    for name, schema in events.items():
        folder = root / "schemas" / name
        folder.mkdir(parents=True)
        (folder / "1.0.0.json").write_text(json.dumps({
            "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"https://example.invalid/{name}/1.0.0.json",
            "x-event": {"name": name}, **schema}))
    return Catalogue(root / "schemas")


def fixture_payload(event: str, kind: str, name: str) -> Any:
    path = REPO / "fixtures" / event / "1.0.0" / kind / f"{name}.json"
    return json.loads(path.read_text())["payload"]


def draft_examples() -> list[Any]:
    """The draft's three example payloads, in order: plan_created, executed, preview skip."""
    if not DRAFT.is_file():
        pytest.skip(f"the draft is not beside the repository ({DRAFT})")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DRAFT.read_text(), re.S)]


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's contract sources, to break without touching the real one."""
    root = tmp_path / "repo"
    for name in ("schemas", "fixtures", "lifecycle", "runtime", "templates", "generated", "scripts", "docs", "speedups"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "releases.json", root / "releases.json")
    return root


# The corpora's conformance lines (tests/test_compat_corpora.py records them as properties, which
# pytest-xdist carries from the workers to here), printed in the summary of every `make test`.
_CONFORMANCE: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _CONFORMANCE.extend(str(value) for key, value in report.user_properties if key == "conformance")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _CONFORMANCE:
        terminalreporter.section("conformance: contracts diff on tests/data/compat-corpora")
        for line in sorted(set(_CONFORMANCE)):
            terminalreporter.write_line(line)
