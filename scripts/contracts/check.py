"""`contracts check`: everything a reviewer needs before merging, fastest checks first.

1. metaschema   every schema file is valid draft 2020-12 (check-jsonschema)
   released     every file and rule set of the last release is unchanged (released.py; no flag needed)
2. conventions  naming, descriptions, `$id`s, references, closed objects (C001...)
3. rules        the contract rule catalogue names only known events
4. fixtures     every valid fixture passes; every invalid one fails with exactly its expected error
5. policy       each version's SemVer bump is at least what the compatibility checker requires
   modes        each event's compatibility mode holds within each major (modes.py)
   evidence     each version's fixtures show what it accepts and adds (evidence.py)
   lifecycle    the lifecycle records are well formed and only go forward (lifecycle.py)
6. generated    generated/ and the docs' generated pages are what `contracts generate` writes now
With --against REF, "against" also fails on any edit to a version committed at REF.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from multi_workflow_telemetry.fixtures import FixtureError, load_all
from multi_workflow_telemetry._violation import Violation
from multi_workflow_telemetry.rules import RULES, check_rules
from multi_workflow_telemetry.validation import EventValidator

from .conventions import check_conventions
from .findings import Finding
from .generate import GenerateError, drift
from .warehouse.columns import WarehouseError
from .locate import line_of
from .policy import check_bumps
from .project import Project
from .evidence import check_evidence
from .lifecycle import check_lifecycle
from .modes import check_modes
from .released import check_released


def metaschema(project: Project) -> Iterator[Finding]:
    files = [str(f.path) for f in project.catalogue.files()]
    tool = str(Path(sys.executable).with_name("check-jsonschema"))
    done = subprocess.run(
        [tool, "--check-metaschema", "--output-format", "json", *files], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {}
    errors = report.get("errors", []) + report.get("parse_errors", [])
    for error in errors:
        path = Path(error.get("filename", "schemas/"))
        pointer = _pointer_from_jsonpath(error.get("path", "$"))
        best = error.get("best_deep_match") or error
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        yield Finding(project.relative(path), line_of(text, pointer), pointer, "metaschema", best.get("message", "invalid"),
                      "make the schema valid JSON Schema draft 2020-12")
    if not errors:
        last = (done.stdout + done.stderr).strip().splitlines() or ["check-jsonschema failed"]
        yield Finding("schemas/", 1, "", "metaschema", last[-1], f"run: {tool} --check-metaschema schemas/*/*.json")


def _pointer_from_jsonpath(path: str) -> str:
    """check-jsonschema's `$.a.b[0]` as the JSON pointer `/a/b/0`."""
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]|\['([^']*)'\]", path[1:])
    return "".join("/" + (a or b or c).replace("~", "~0").replace("/", "~1") for a, b, c in parts)


def conventions(project: Project) -> Iterator[Finding]:
    for schema_file in project.catalogue.files():
        yield from check_conventions(project, schema_file)


def rules(project: Project) -> Iterator[Finding]:
    events = set(project.catalogue.events())
    source = project.runtime / "rules.py"
    text = source.read_text(encoding="utf-8")
    for r in RULES:
        line = next((n for n, l in enumerate(text.splitlines(), 1) if f'"{r.id}"' in l), 1)
        for event in r.events:
            if event not in events:
                yield Finding(project.relative(source), line, "", r.id, f"rule applies to unknown event {event!r}",
                              "name an event that has a schema in schemas/")


FIXTURES_SHOWN = 3  # failing fixtures listed per version before the rest are counted


def fixtures(project: Project) -> Iterator[Finding]:
    validators: dict[str, EventValidator] = {}
    try:
        cases = list(load_all(project.fixtures))
    except FixtureError as exc:
        path, _, message = str(exc).partition(": ")
        yield Finding(project.relative(Path(path)), 1, "", "fixture", message, "see docs/contributing.md")
        return
    broken: set[str] = set()
    failing: dict[str, int] = {}
    for case in cases:
        rel = project.relative(case.path)
        if case.ref in broken:
            continue
        try:
            if case.ref not in validators:
                validators[case.ref] = EventValidator(project.catalogue, project.catalogue.get(case.ref))
            validator = validators[case.ref]
            found = validator.validate(case.payload)
            ruled = [] if found else rules_verdict(validator, case.payload)
            problem = case.mismatch(found or ruled)
        except Exception as exc:  # a broken schema (reported above) or an unknown event: once per version
            broken.add(case.ref)
            yield Finding(rel, 1, "", "fixture", f"cannot validate fixtures of {case.ref}: {exc}",
                          "fix the schema problems above, or put the fixture under an event and version of schemas/")
            continue
        if ruled and not problem:  # the fixture says what rules.py says, the package's fast path does not
            problem = "expected violations that validate() does not report: " + _fast_path_stale(ruled)
        elif ruled:
            problem += "; " + _fast_path_stale(ruled)
        if problem:
            failing[case.ref] = failing.get(case.ref, 0) + 1
            if failing[case.ref] > FIXTURES_SHOWN:
                continue
            text = case.path.read_text(encoding="utf-8")
            yield Finding(rel, line_of(text, "/payload"), "/payload", "fixture", problem,
                          "fix the schema or rule, or correct the fixture's `expect`")


    for ref, count in sorted(failing.items()):
        if count > FIXTURES_SHOWN:
            # One edit to a shared shape can break every fixture of every version: the first few
            # say what broke, a count says how far it reaches.
            yield Finding(f"fixtures/{ref.replace('@', '/')}/", 1, "", "fixture",
                          f"and {count - FIXTURES_SHOWN} more fixtures of {ref} fail", "fix the cause named above")


def rules_verdict(validator: EventValidator, payload: object) -> list[Violation]:
    """What rules.py says of a payload `validator.validate` calls valid (so its schema accepts it).

    `validate` answers "valid" from the fast path, whose fused checks (fast.py) are a copy of the
    contract rules: a rule changed in rules.py alone changes nothing there, and a fixture the
    changed rule rejects would still pass. Asking rules.py as well sees the change, and the copy
    left behind."""
    return check_rules(validator.event, payload, validator.schema_file.version)  # type: ignore[arg-type]


def _fast_path_stale(ruled: list[Violation]) -> str:
    names = ", ".join(sorted({v.rule for v in ruled}))
    return (f"rules.py's {names} rejects it ({', '.join(f'{v.pointer} [{v.rule}]' for v in ruled)}) but the fast path "
            "(fast.py's fused check) calls it valid: a rule changed in rules.py must change there too")


def policy(project: Project) -> Iterator[Finding]:
    yield from check_bumps(project)


def generated(project: Project) -> Iterator[Finding]:
    try:
        paths = drift(project)
    except WarehouseError as exc:
        # A schema the warehouse cannot hold (a column changing type within a major) is a finding
        # of that schema, exit 1, after every other check has run: not unusable input (exit 2).
        m = re.match(r"(?P<file>.+?): (?P<pointer>/\S*): (?P<message>.*?)(?: \[warehouse\])?$", str(exc))
        path = Path(m["file"]) if m else None
        if m and path is not None and path.is_file():
            yield Finding(project.relative(path), line_of(path.read_text(encoding="utf-8"), m["pointer"]), m["pointer"],
                          "warehouse", m["message"],
                          "start a new major (a new table), or keep the field's type within this major")
        else:
            yield Finding("generated/warehouse/", 1, "", "warehouse", str(exc), "change the schema or the views with the catalogue")
        return
    except GenerateError as exc:
        yield Finding("generated/", 1, "", "generated", f"cannot regenerate: {exc}", "fix the schema problems above")
        return
    for path in paths:
        yield Finding(path.split(" ")[0], 1, "", "generated", f"out of date: {path}",
                      "run `make generate` (or `.venv/bin/contracts generate`) and commit the result")


CHECKS: list[tuple[str, Callable[[Project], Iterator[Finding]]]] = [
    ("metaschema", metaschema),
    ("released", check_released),
    ("conventions", conventions),
    ("rules", rules),
    ("fixtures", fixtures),
    ("policy", policy),
    ("modes", check_modes),
    ("evidence", check_evidence),
    ("lifecycle", check_lifecycle),
    ("generated", generated),
]
