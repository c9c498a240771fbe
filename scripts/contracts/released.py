"""Immutability without a flag: what the last release fixed stays fixed.

`contracts check` runs this on its own (no `--against` needed): every schema file the last release
recorded must be byte for byte as released, and every released event version must keep the rule
set it was released with. The baseline is found by baseline.py (releases.json, and git's tag or
merge base for the released bytes). Each finding says what to do instead: a new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from multi_workflow_telemetry.catalogue import CatalogueError, SchemaFile
from multi_workflow_telemetry.fixtures import FixtureError, load_all
from multi_workflow_telemetry.rules import RULES
from multi_workflow_telemetry.validation import EventValidator

from .baseline import Baseline, _merge_base, git_bytes, in_checkout, last_release
from .findings import Finding
from .locate import line_of
from .project import Project
from .release import LEDGER, ReleaseError, Snapshot, ledger, parse_ledger
from .rule_sets import RuleChange, rule_changes, rule_sets


def check_released(project: Project) -> Iterator[Finding]:
    baseline = last_release(project)
    # The ledger is what the checks below trust: its released entries must be the ones git holds
    # (at the release's tag and at the merge base), or an edit to a released schema or rule, with
    # its digest or fingerprint rewritten to match, would pass unseen.
    refs = [baseline.ref] if baseline is not None and baseline.ref else []
    if in_checkout(project.root):
        refs.append(_merge_base(project.root))
    seen: set[str] = set()
    for ref in dict.fromkeys(r for r in refs if r):
        for finding in ledger_edits(project, ref):
            if finding.message not in seen:
                seen.add(finding.message)
                yield finding
    if baseline is None:
        return
    yield from _schemas(project, baseline)
    yield from _rules(project, baseline)


def ledger_edits(project: Project, ref: str) -> Iterator[Finding]:
    """Every release recorded in releases.json as committed at git `ref` that the ledger now
    lacks or records otherwise: a release's record is written once, by `contracts release`."""
    data = git_bytes(project.root, ref, LEDGER)
    if data is None:
        return
    try:
        before = parse_ledger(data.decode("utf-8"))
    except (ReleaseError, UnicodeDecodeError):
        return  # not a ledger at `ref`: nothing recorded there to keep
    now = ledger(project)  # an unreadable ledger now is refused by the checks that read it
    path = project.root / LEDGER
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    shown = ref if len(ref) < 40 else ref[:12]
    fix = (f"restore it (git checkout {shown} -- {LEDGER}): a release's record is written once, by "
           "`contracts release`; a change to a released schema or rule is a new version")
    for old in before:
        index = next((i for i, e in enumerate(now) if e.version == old.version), None)
        if index is None:
            yield Finding(LEDGER, 1, "", "released-ledger",
                          f"release {old.version}, recorded at {shown}, has been removed from {LEDGER}", fix)
            continue
        changed = _changed(old, now[index])
        if changed:
            yield Finding(LEDGER, line_of(text, f"/{index}"), f"/{index}", "released-ledger",
                          f"the record of release {old.version} has been edited since {shown}: {', '.join(changed)}",
                          fix)


def _changed(old: Snapshot, new: Snapshot) -> list[str]:
    a, b = old.as_json(), new.as_json()
    out = [key for key in ("version", "date", "default_major", "runtime") if a[key] != b[key]]
    for key in ("schemas", "rules"):
        out += [f"{key} of {name}" for name in sorted(a[key].keys() | b[key].keys()) if a[key].get(name) != b[key].get(name)]
    return out


def _schemas(project: Project, baseline: Baseline) -> Iterator[Finding]:
    for rel, sha in sorted(baseline.schemas.items()):
        path = project.schemas / rel
        where = f"schemas/{rel}"
        if not path.is_file():
            yield Finding(where, 1, "", "released-immutable", f"released in {baseline.label} and now deleted",
                          f"restore it{_restore(baseline, where)}: released versions stay, retire them in lifecycle/")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            continue
        name, version = path.parent.name, path.stem
        yield Finding(where, 1, "", "released-immutable",
                      f"{name}@{version} was released in {baseline.label} and has been edited in place",
                      _new_version_advice(project, baseline, where, name, version))


def _restore(baseline: Baseline, rel: str) -> str:
    return f" (git checkout {baseline.ref} -- {rel})" if baseline.ref and baseline.read(rel) is not None else ""


def _new_version_advice(project: Project, baseline: Baseline, rel: str, name: str, version: str) -> str:
    from .policy import next_version, required_bump

    restore = f"restore it{_restore(baseline, rel)}"
    released = baseline.read(rel)
    latest = project.catalogue.versions(name)[-1].version
    if released is None:  # no git copy of the released bytes: the size of the change is unknown
        return f"{restore} and put the change in a new version file, schemas/{name}/<next version>.json"
    try:
        now = project.catalogue.get(f"{name}@{version}")
        if "x-shared" in now.schema:
            from .users import describe, edit_impacts, largest

            impacts = edit_impacts(project, now, released)
            return (f"{restore} and add schemas/{name}/{next_version(latest, largest(impacts))}.json with the change; "
                    f"its users then need new versions: {describe(project, impacts)}")
        from .compat import diff

        report = diff(json.loads(released), now.schema, registry=project.catalogue.registry)
        return f"{restore} and add schemas/{name}/{next_version(latest, required_bump(report))}.json with the change instead"
    except Exception:  # noqa: BLE001 - the edit may not even be a schema (reported elsewhere): the restore stands
        return f"{restore} and put the change in a new version file"


def _rules(project: Project, baseline: Baseline) -> Iterator[Finding]:
    now = rule_sets(project.catalogue)
    for key, released in sorted(baseline.rules.items()):
        if key not in now:
            continue  # the version itself is gone: reported with the schema files
        name, version = key.split("/")
        for change in rule_changes(released, now[key], name, version):
            yield _rule_finding(project, baseline, change)


def _rule_finding(project: Project, baseline: Baseline, change: RuleChange) -> Finding:
    from .policy import next_version

    source = project.runtime / "rules.py"
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    line = next((n for n, l in enumerate(text.splitlines(), 1) if f'"{change.rule}"' in l), 1)
    ref = f"{change.event}@{change.version}"
    latest = project.catalogue.versions(change.event)[-1].version
    major = next_version(latest, "major")
    scope = f'`@rule("{change.rule}", ..., since="{major}")` and add schemas/{change.event}/{major}.json'
    if change.kind == "removed":
        return Finding(project.relative(source), line, "", "released-rules",
                       f"rule {change.rule} no longer applies to {ref}, released with it in {baseline.label}",
                       f"keep it for the released versions: end it with `until=` a new version instead of removing it")
    example = _example(project, change)
    shown = f"; e.g. this event is valid under the released {ref} and {change.rule} rejects it: {example}" \
        if example is not None else ""
    if change.kind == "added":
        return Finding(project.relative(source), line, "", "released-rules",
                       f"rule {change.rule} now applies to {ref}, released without it in {baseline.label}: it rejects "
                       f"events that version accepts{shown}",
                       f"rules belong to versions: scope it to a new version, {scope} (a new rule is a MAJOR)")
    free = f"MW{max(int(r.id[2:]) for r in RULES) + 1:03d}"
    return Finding(project.relative(source), line, "", "released-rules",
                   f"rule {change.rule} of {ref} has changed meaning since {baseline.label}{shown}",
                   f"a rule that changes meaning is a new rule: restore {change.rule} (ending it with `until=\"{major}\"`) "
                   f"and add the new meaning as {free} with `since=\"{major}\"` in schemas/{change.event}/{major}.json")


def _example(project: Project, change: RuleChange) -> str | None:
    """A fixture payload the released version accepts but for this rule (compact JSON), if any."""
    try:
        schema_file: SchemaFile = project.catalogue.get(f"{change.event}@{change.version}")
        validator = EventValidator(project.catalogue, schema_file)
        cases = [c for c in load_all(project.fixtures) if c.event == change.event]
    except (CatalogueError, FixtureError):
        return None
    # Invalid fixtures naming the rule first: they were written to break it.
    cases.sort(key=lambda c: (change.rule not in {r for _, r in c.expect}, c.valid, str(c.path)))
    from .check import rules_verdict

    for case in cases:
        if change.kind == "changed" and change.rule in {r for _, r in case.expect}:
            continue  # the released rule rejects it too (the fixture says so): no example of the change
        found = validator.validate(case.payload) or rules_verdict(validator, case.payload)
        if found and all(v.rule == change.rule for v in found):
            return f"{_compact(case.payload)} ({project.relative(case.path)})"
    return None


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
