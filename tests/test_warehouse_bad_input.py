"""Damaged input (the rows of docs/bad-input.md) loaded with `contracts load` loses nothing: every
event read is loaded or in `rejected`, at its line, with the rule `contracts validate` names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import fixture_payload, run_contracts
from warehouse_helpers import table_rows

PLAN = "multi_workflow.plan_created"
SUMMARY = re.compile(r"(\d+) events: (\d+) loaded, (\d+) already loaded, (\d+) rejected \((\d+) invalid, (\d+) unreadable")


def _line(**changes: object) -> bytes:
    return json.dumps({**fixture_payload(PLAN, "valid", "draft-example"), **changes}).encode()


# (row of docs/bad-input.md, the line, the rule it is rejected with; None: it loads)
DAMAGED = [
    ("ok", _line(), None),
    ("B01", b'{"plan_id": ', "json"),
    ("B03", b'{"plan_id": "\xff"}', "json"),
    ("B04", b"\xef\xbb\xbf" + _line(), "json"),  # a byte order mark that does not start the file
    ("B06", _line(selection_message="x" * 100_000_000), None),
    ("B07", b"[" * 100_000 + b"]" * 100_000, "json"),
    ("B08", _line(issue_number="NaN").replace(b'"NaN"', b"NaN"), "json"),
    ("B09", _line()[:-1] + b', "plan_id": "multiwf-00000000000000000000000000000000"}', "json"),
    ("B10", _line(issue_number=2**70), "maximum"),
    ("B11", _line(stage_count=2.0, issue_number=482.0), None),
    ("B12", b"[1, 2]", "type"),
    ("B12", b'"plan"', "type"),
    ("B02", _line()[:100], "json"),  # the file's last line, cut off
]


def _counts(stderr: str) -> tuple[int, ...]:
    found = SUMMARY.search(stderr)
    assert found, stderr
    return tuple(map(int, found.groups()))


def test_every_damaged_line_is_loaded_or_rejected(tmp_path: Path) -> None:
    stream = tmp_path / "damaged.jsonl"
    stream.write_bytes(b"\n".join(line for _, line, _ in DAMAGED))  # no newline after the cut-off last line
    db = tmp_path / "w.duckdb"
    done = run_contracts("load", "--event", PLAN, "--db", str(db), str(stream))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    events, loaded, again, rejected, invalid, unreadable = _counts(done.stderr)
    assert events == len(DAMAGED) == loaded + again + rejected
    assert (loaded, again) == (sum(rule is None for *_, rule in DAMAGED), 0)
    rows = {r["line"]: r for r in table_rows(db, "rejected")}
    assert len(rows) == rejected == invalid + unreadable
    for number, (row, line, rule) in enumerate(DAMAGED, 1):
        if rule is None:
            continue
        assert rule in {v["rule"] for v in rows[number]["violations"]}, row
        assert rows[number]["raw"] == line.decode("utf-8", "backslashreplace"), row  # every byte kept
    loaded_rows = table_rows(db, "plan_created_v1")
    assert [r["line"] for r in loaded_rows] == [n for n, (*_, rule) in enumerate(DAMAGED, 1) if rule is None]
    assert len(loaded_rows[1]["selection_message"]) == 100_000_000 and loaded_rows[2]["stage_count"] == 2


def test_b04_b05_b17_files(tmp_path: Path) -> None:
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + _line() + b"\n")
    empty_lines, empty_doc = tmp_path / "empty.jsonl", tmp_path / "empty.json"
    empty_lines.write_bytes(b"")
    empty_doc.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    done = run_contracts("load", "--event", PLAN, "--db", str(db), str(bom), str(empty_lines), str(empty_doc),
                         str(tmp_path / "missing.jsonl"), str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"contracts: error: {tmp_path / 'missing.jsonl'}: cannot read" in done.stderr
    assert f"contracts: error: {tmp_path}: cannot read" in done.stderr
    assert _counts(done.stderr)[:4] == (2, 1, 0, 1)  # the BOM file's event loads; the empty .json is rejected
    (rejected,) = table_rows(db, "rejected")
    assert (rejected["file"], rejected["line"], rejected["violations"][0]["rule"]) == (str(empty_doc), 1, "json")


def test_b13_b16_unusable_catalogue_or_event(repo_copy: Path, tmp_path: Path) -> None:
    events = tmp_path / "a.jsonl"
    events.write_bytes(_line() + b"\n")
    done = run_contracts("load", "--event", f"{PLAN}@../../x", "--db", str(tmp_path / "w.duckdb"), str(events))
    assert done.returncode == 2 and done.stderr.startswith("contracts: error:") and "MAJOR.MINOR.PATCH" in done.stderr
    (repo_copy / f"schemas/{PLAN}/1.0.0.json").write_text("{\n  oops")
    done = run_contracts("load", "--db", str(tmp_path / "w.duckdb"), str(events), cwd=repo_copy)
    assert done.returncode == 2 and "not a JSON document" in done.stderr and "Traceback" not in done.stderr
