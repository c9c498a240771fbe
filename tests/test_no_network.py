"""The tools and the package never open a socket: their main paths run with sockets disabled."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, fixture_payload, run_contracts

GUARD = textwrap.dedent(
    """
    # Loaded by every Python process of the test (PYTHONPATH): any network use is logged and refused.
    import os, socket

    def _refuse(*args, **kwargs):
        with open(os.environ["NO_NETWORK_LOG"], "a") as log:
            log.write(repr(args[:2]) + "\\n")
        raise OSError("network disabled by test_no_network")

    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
    """
)


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    log.write_text("")
    monkeypatch.setenv("PYTHONPATH", f"{guard}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setenv("NO_NETWORK_LOG", str(log))
    return log


def test_guard_really_refuses(no_network: Path, tmp_path: Path) -> None:
    import subprocess

    probe = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n    print(e)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "network disabled" in done.stdout
    assert no_network.read_text() != ""


def test_check_validate_and_generate_without_network(no_network: Path, repo_copy: Path, tmp_path: Path) -> None:
    assert run_contracts("check", cwd=repo_copy).returncode == 0
    assert run_contracts("generate", cwd=repo_copy).returncode == 0
    events = tmp_path / "events.jsonl"
    plan = fixture_payload("multi_workflow.plan_created", "valid", "draft-example")
    events.write_text(json.dumps({**plan, "event_type": "multi_workflow.plan_created"}) + "\n")
    assert run_contracts("validate", str(events), cwd=repo_copy).returncode == 0
    assert no_network.read_text() == ""


def test_remote_ref_is_refused_without_trying_the_network(no_network: Path, repo_copy: Path) -> None:
    path = repo_copy / "schemas/multi_workflow.plan_created/1.0.0.json"
    schema = json.loads(path.read_text())
    schema["properties"]["batch_id"] = {"description": "x", "$ref": "https://example.com/batch.json"}
    path.write_text(json.dumps(schema, indent=2))
    done = run_contracts("check", cwd=repo_copy)
    assert done.returncode == 1
    assert "[C006]" in done.stdout
    assert no_network.read_text() == ""


def test_package_paths_without_network(no_network: Path, tmp_path: Path) -> None:
    import subprocess

    script = textwrap.dedent(
        """
        import multi_workflow_telemetry as m
        for case in m.golden_fixtures():
            if case.valid:
                obj = m.parse(case.ref, case.payload)
                m.to_json(obj)
                if case.event == "multi_workflow.execution_summary":
                    m.redact(case.ref, obj, b"k" * 16)
            else:
                assert m.validate(case.ref, case.payload)
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.stdout.strip() == "ok", done.stderr
    assert no_network.read_text() == ""
