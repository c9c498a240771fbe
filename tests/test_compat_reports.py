"""What `contracts diff` reports on every pair of the public corpora, pinned: verdicts, the kind,
path and words of each change, and its witness.

test_compat_corpora.py scores the verdicts; this holds the rest of the report, which a reviewer
reads (and mutation testing showed nothing else held). A deliberate change to the checker's
output is accepted by regenerating the file: `UPDATE_REPORTS=1 pytest tests/test_compat_reports.py`,
then reading its diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from contracts.compat import diff
from contracts.compat.conformance import load

DATA = Path(__file__).resolve().parent / "data"
PINNED = DATA / "compat-reports.json"
pytestmark = pytest.mark.xdist_group("corpora")  # beside the scoring, on one worker


def reports() -> dict[str, Any]:
    out = {}
    for corpus in ("apicurio", "jsoncompat"):
        for case in load(corpus, DATA / "compat-corpora"):
            out[f"{corpus}/{case.id}"] = diff(case.old, case.new).to_dict()
    return out


def test_reports_on_the_corpora_are_as_pinned() -> None:
    now = json.loads(json.dumps(reports(), sort_keys=True))
    if os.environ.get("UPDATE_REPORTS"):
        PINNED.write_text(json.dumps(now, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert sorted(now) == sorted(pinned)
    for key in sorted(now):
        assert now[key] == pinned[key], key
