"""The service-facing package's dependency set: five direct dependencies, none of them the
reference validator, and a wheel that works in a fresh environment holding only those."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.xdist_group("wheel")  # wheels are built from generated/python one at a time

DIRECT = {"cloudevents", "jsonschema-rs", "msgspec", "orjson", "rfc8785"}


def _name(requirement: str) -> str:
    return re.split(r"[ ;<>=!~\[(]", requirement.strip())[0].lower().replace("_", "-")


@pytest.mark.package
def test_the_installed_package_declares_five_direct_dependencies() -> None:
    requires = metadata.requires("multi-workflow-telemetry") or []
    direct = {_name(r) for r in requires if "extra ==" not in r}
    assert direct == DIRECT
    # Markers are written with either quote, depending on the build backend.
    assert {_name(r) for r in requires if re.search(r"extra\s*==\s*['\"]reference['\"]", r)} == {"jsonschema", "referencing"}


@pytest.mark.package
def test_cloudevents_offers_what_the_envelope_imports() -> None:
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent

    assert callable(JSONFormat) and callable(CloudEvent)


@pytest.mark.tooling
def test_the_wheel_works_in_a_fresh_venv_without_the_reference(tmp_path: Path) -> None:
    """The built wheel, in a new venv holding only the lowest lock's packages (hash-checked):
    at most five direct dependencies, pip finds them satisfied, and validate works there with
    jsonschema, referencing and regress absent."""
    out = tmp_path / "dist"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                    str(REPO / "generated/python")], check=True, capture_output=True, env=env, timeout=300)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
    requires = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("Requires-Dist:")]
    assert len([r for r in requires if "extra ==" not in r]) <= 5
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(REPO / "requirements/lowest.lock")],
                   check=True, capture_output=True, timeout=600)
    subprocess.run([*pip, "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout
    probe = (
        "import importlib.util, multi_workflow_telemetry as m\n"
        "print([n for n in ('jsonschema', 'referencing', 'regress') if importlib.util.find_spec(n)])\n"
        "print(m.validate('multi_workflow.plan_created', {'plan_id': 'multiwf-1'})[0].rule)\n"
        "print(sum((not m.validate(c.ref, c.payload)) != c.valid for c in m.golden_fixtures()))\n"
    )
    done = subprocess.run([python, "-I", "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    missing, first_rule, disagreements = done.stdout.split()
    assert missing == "[]" and disagreements == "0", done.stdout
    assert first_rule in {"pattern", "required", "maxLength"}
