"""Supply chain: the docs site builds to the same bytes twice (the wheel: test_package.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.xdist_group("wheel")  # wheels and the site are built one at a time


def _site(out: Path) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "--quiet", "--site-dir", str(out)],
                   cwd=REPO, env=env, check=True, capture_output=True, timeout=600)
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(out)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_site_builds_to_the_same_bytes_twice(tmp_path: Path) -> None:
    assert _site(tmp_path / "a") == _site(tmp_path / "b")


def test_lock_file_pins_every_package_with_hashes() -> None:
    lock = (REPO / "requirements.lock").read_text()
    pins = [line for line in lock.splitlines() if line and not line.startswith((" ", "#"))]
    assert pins and all("==" in line for line in pins)
    assert lock.count("--hash=sha256:") >= len(pins)
    assert "--require-hashes" in (REPO / "Makefile").read_text()
