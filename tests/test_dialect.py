"""`--default-dialect`: a catalogue schema that names no `$schema` is judged in the dialect asked for."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_contracts

# Draft-07 only: `items` as an array with `additionalItems`, `dependencies`, `definitions`.
DRAFT_07 = {
    "$id": "https://contracts.multi-workflow.dev/schemas/x_test.pairs/1.0.0.json",
    "title": "Pairs",
    "x-event": {"name": "x_test.pairs", "version": "1.0.0", "status": "proposed"},
    "type": "object",
    "definitions": {"name": {"type": "string", "minLength": 1}},
    "properties": {
        "pair": {"type": "array", "items": [{"$ref": "#/definitions/name"}, {"type": "integer"}],
                 "additionalItems": False},
        "a": {"type": "string"}, "b": {"type": "string"},
    },
    "dependencies": {"a": ["b"]},
}


def _catalogue_with_draft_07(repo: Path) -> None:
    folder = repo / "schemas" / "x_test.pairs"
    folder.mkdir()
    (folder / "1.0.0.json").write_text(json.dumps(DRAFT_07))


def test_validate_reads_a_schema_without_dollar_schema_as_draft_07_when_asked(repo_copy: Path, tmp_path: Path) -> None:
    _catalogue_with_draft_07(repo_copy)
    lines = [{"pair": ["x", 1]}, {"pair": ["x", 1, "extra"]}, {"pair": ["", 1]}, {"pair": [1, 1]}, {"a": "1"},
             {"a": "1", "b": "2"}]
    events = tmp_path / "pairs.jsonl"
    events.write_text("".join(json.dumps(line) + "\n" for line in lines))
    done = run_contracts("validate", "--default-dialect", "draft-07", "--event", "x_test.pairs", "--format", "json",
                         str(events), cwd=repo_copy)
    report = json.loads(done.stdout)
    found = sorted((v["line"], v["pointer"], v["rule"]) for v in report["violations"])
    assert found == [(2, "/pair", "additionalItems"), (3, "/pair/0", "minLength"), (4, "/pair/0", "type"),
                     (5, "", "dependencies")] or found == [
        (2, "/pair/2", "additionalItems"), (3, "/pair/0", "minLength"), (4, "/pair/0", "type"), (5, "", "dependencies")], found
    assert (report["valid"], report["invalid"]) == (2, 4)


def test_without_the_option_the_same_schema_is_read_as_2020_12(repo_copy: Path, tmp_path: Path) -> None:
    _catalogue_with_draft_07(repo_copy)
    events = tmp_path / "pairs.jsonl"
    events.write_text(json.dumps({"pair": ["x", 1, "extra"], "a": "1"}) + "\n")
    done = run_contracts("validate", "--event", "x_test.pairs", str(events), cwd=repo_copy)
    # In 2020-12 an array is no value for `items`: the schema is refused in one line, naming the way out.
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()[-1:]
    assert "x_test.pairs/1.0.0.json: not a valid https://json-schema.org/draft/2020-12/schema schema" in line
    assert "--default-dialect draft-07" in line and "Traceback" not in done.stderr
