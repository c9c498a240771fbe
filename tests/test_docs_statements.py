"""What the docs site states about fields and versions, held to the schemas and the golden fixtures:
presence words on every page, the field registry, the draft's notes the contract overrides, the
plain-language history, and the bundled schemas that must work alone."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from conftest import REPO
from contracts.project import Project
from contracts.reference import pages
from contracts.site import decided, presence
from contracts.site.fields import fields
from multi_workflow_telemetry import validate
from multi_workflow_telemetry.fixtures import load_all

PROJECT = Project(REPO)
CATALOGUE = PROJECT.catalogue
GENERATED = pages(PROJECT)
FIXTURES = list(load_all(REPO / "fixtures"))
VERSIONS = [(f.name, f.version) for e in CATALOGUE.events() for f in CATALOGUE.versions(e)]
SPAN = re.compile(r'data-event="([^"]+)" data-version="([^"]+)" data-field="([^"]+)" data-presence="([^"]+)"')


# --- presence: what the schema and the rules make of a field, found by experiment -------------------


def _drop(node: Any, parts: list[str]) -> tuple[Any, bool]:
    """`node` without the field at `parts` (`["stages", "[]", "index"]`), and whether it had it."""
    if not parts:
        return node, False
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if not isinstance(node, list):
            return node, False
        results = [_drop(item, rest) for item in node]
        return [r for r, _ in results], any(had for _, had in results)
    if not isinstance(node, dict) or head not in node:
        return node, False
    if not rest:
        return {k: v for k, v in node.items() if k != head}, True
    inner, had = _drop(node[head], rest)
    return {**node, head: inner}, had


def _objects(node: Any, parts: list[str]) -> int:
    """How many objects sit at `parts` (the parent of a field) in `node`."""
    if not parts:
        return int(isinstance(node, dict))
    head, rest = parts[0], parts[1:]
    if head == "[]":
        return sum(_objects(item, rest) for item in node) if isinstance(node, list) else 0
    return _objects(node[head], rest) if isinstance(node, dict) and head in node else 0


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("[]", ".[].").split(".") if p]


def accepted_by(event: str, version: str) -> list[Any]:
    """Every valid golden payload of the event that this version accepts: its own fixtures and,
    as every MINOR accepts its predecessors' events, theirs."""
    ref = f"{event}@{version}"
    return [fx.payload for fx in FIXTURES if fx.event == event and fx.valid and not validate(ref, fx.payload)]


def observed_presence(event: str, version: str, path: str) -> str:
    """The presence the schema and rules give `path`, found on the fixtures: dropped from each
    payload that has it, is the payload still valid?"""
    ref = f"{event}@{version}"
    carrying, broken = 0, 0
    # Only payloads holding the field's parent count: `errors[].error` says nothing about a
    # payload without `errors`.
    payloads = [p for p in accepted_by(event, version) if _objects(p, _parts(path)[:-1])]
    for payload in payloads:
        without, had = _drop(copy.deepcopy(payload), _parts(path))
        if had:
            carrying += 1
            broken += bool(validate(ref, without))
    if broken and broken == carrying == len(payloads):
        return "required"
    return "required when" if broken else "optional"


def _presence_claims() -> list[tuple[str, str, str, str, str]]:
    """(page, event, version, field, word) for every presence word the generated pages state."""
    claims = []
    for page, text in GENERATED.items():
        for event, versions, field, word in SPAN.findall(text):
            claims += [(page, event, version, field, word) for version in versions.split()]
    return claims


def test_every_presence_word_on_every_generated_page_is_what_the_schema_gives() -> None:
    claims = _presence_claims()
    pages_with_claims = {c[0] for c in claims}
    assert {"docs/fields.md", "docs/changelog.md"} <= pages_with_claims
    assert all(f"docs/events/{e}/{v}.md" in pages_with_claims for e, v in VERSIONS)
    observed: dict[tuple[str, str, str], str] = {}
    wrong = []
    for page, event, version, field, word in claims:
        key = (event, version, field)
        if key not in observed:
            observed[key] = observed_presence(event, version, field)
        if observed[key] != word:
            wrong.append(f"{page}: {event}@{version} {field} is stated {word!r}, the schema gives {observed[key]!r}")
    assert not wrong, "\n".join(wrong)
    # Every field of every version is stated on its page, so the check above covers them all.
    for event, version in VERSIONS:
        stated = {c[3] for c in claims if c[0] == f"docs/events/{event}/{version}.md" and c[2] == version}
        assert stated == {f.name for f in fields(CATALOGUE.get(f"{event}@{version}"), CATALOGUE.registry)}


def test_the_experiment_tells_the_three_presences_apart() -> None:
    # The check above is only as good as this: each presence is observed where the schema gives it.
    summary = "multi_workflow.execution_summary"
    assert observed_presence(summary, "1.0.0", "plan_id") == "required"
    assert observed_presence(summary, "1.0.0", "stage_runs[].workflows[].status") == "required"
    assert observed_presence(summary, "1.0.0", "skip_reason") == "required when"  # if/then
    assert observed_presence(summary, "1.0.0", "errors") == "required when"  # MW009
    assert observed_presence(summary, "1.0.0", "selection_message") == "optional"
    assert observed_presence("multi_workflow.plan_created", "1.0.0", "batch_id") == "optional"


# Presence claims in hand-written prose: "`errors` is optional", "`batch_id` is **conditional**".
PROSE_CLAIM = re.compile(r"`([a-z_]+(?:\[\]\.[a-z_]+)*)` (?:is|stays|becomes|are) \*{0,2}(required|optional|conditional)\b")


def _hand_written_claims() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted((REPO / "docs").rglob("*.md")):
        rel = str(path.relative_to(REPO))
        if rel in GENERATED and "BEGIN GENERATED" not in GENERATED[rel]:
            continue  # a whole generated page: its words are checked through the spans above
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split(" | ")
            if rel == "docs/decisions.md" and len(cells) > 2:
                line = " | ".join(cells[:1] + cells[2:])  # the "The draft says" column quotes the draft
            out += [(rel, field, word) for field, word in PROSE_CLAIM.findall(line)]
    return out


def test_hand_written_pages_state_no_presence_the_schema_does_not_give() -> None:
    words = {}
    for event, version in VERSIONS:
        for f in fields(CATALOGUE.get(f"{event}@{version}"), CATALOGUE.registry):
            words.setdefault(f.name, set()).add(f.requirement)
    wrong = [f"{page}: `{field}` is stated {word}, the schemas give {sorted(words.get(field, []))}"
             for page, field, word in _hand_written_claims() if word not in words.get(field, set())]
    assert not wrong, "\n".join(wrong)


def test_the_prose_check_sees_a_wrong_claim() -> None:
    assert PROSE_CLAIM.findall("`batch_id` is **conditional** here, `errors` is optional") == [
        ("batch_id", "conditional"), ("errors", "optional")]


def test_rule_made_presences_hold_on_the_rule() -> None:
    """Each RULE_PRESENCE entry: dropping the field where the condition holds makes its rule fire."""
    for (event, path), (rule, _) in presence.RULE_PRESENCE.items():
        latest = CATALOGUE.versions(event)[-1]
        fired = []
        for payload in accepted_by(event, latest.version):
            without, had = _drop(copy.deepcopy(payload), _parts(path))
            if had:
                fired += [v.rule for v in validate(f"{event}@{latest.version}", without)]
        assert rule in fired, f"{event} {path}: dropping it never fires {rule}"


# --- the draft's notes, the registry, the values ----------------------------------------------------


def test_every_decided_entry_names_a_field_and_a_decision_with_an_anchor() -> None:
    decisions = (REPO / "docs/decisions.md").read_text()
    names = {(e, f.name) for e, v in VERSIONS for f in fields(CATALOGUE.get(f"{e}@{v}"), CATALOGUE.registry)}
    for (event, field), d in decided.FIELDS.items():
        assert (event, field) in names, f"{event} {field}: no such field"
        assert f"{{ #{d.decision.lower()} }}" in decisions
        page = GENERATED[f"docs/events/{event}/{CATALOGUE.versions(event)[-1].version}.md"]
        assert f"; the contract decided {d.said('../../')[1]} ([{d.decision}](../../decisions.md#{d.decision.lower()}))." in page
    for (event, key), d in decided.EVENT.items():
        assert key in CATALOGUE.versions(event)[-1].meta and f"{{ #{d.decision.lower()} }}" in decisions


def test_the_contradictions_of_the_issue_are_gone() -> None:
    plan = GENERATED["docs/events/multi_workflow.plan_created/1.1.1.md"]
    summary = GENERATED["docs/events/multi_workflow.execution_summary/1.1.0.md"]
    batch = GENERATED["docs/events/multi_workflow.batch_metrics/1.0.0.md"]
    # The draft's notes appear only as what the draft said.
    for text, note in ((plan, "Currently unused."), (summary, "Present when one or more workflows fail."),
                       (plan, "Once per issue whenever"), (batch, "per-issue identifiers")):
        for line in text.splitlines():
            if note in line:
                assert line.count(note) == line.count(f"The draft said “") and "the contract decided" in line, line[:120]
    assert "correlated with plans by `batch_id` only" in batch
    assert "Once per plan" in plan and "(D19)" not in plan  # linked, not bare
    for page in ("docs/index.md", "docs/events/index.md"):
        assert "per-issue identifiers" not in GENERATED[page]
    assert "conditional" not in "".join(re.findall(r'data-presence="([^"]+)"', "".join(GENERATED.values())))


def test_every_allowed_value_has_a_meaning() -> None:
    missing = [f"{e}@{v} {f.name} = {value!r}" for e, v in VERSIONS
               for f in fields(CATALOGUE.get(f"{e}@{v}"), CATALOGUE.registry) for value in f.values
               if not decided.value_meaning(f.name, value)]
    assert not missing, f"write their meaning in scripts/contracts/site/decided.py (VALUES): {missing}"


def test_the_registry_defines_each_field_once_and_links_every_version_row() -> None:
    page = GENERATED["docs/fields.md"]
    headings = re.findall(r"^### `([^`]+)` \{ #(field-[^ ]+) \}$", page, re.M)
    names = [n for n, _ in headings]
    assert len(names) == len(set(names))
    for event, version in VERSIONS:
        for f in fields(CATALOGUE.get(f"{event}@{version}"), CATALOGUE.registry):
            assert f.name in names
            assert f"[{version}](events/{event}/{version}.md#{f.anchor})" in page, (event, version, f.name)
    status = page.split("### `status`", 1)[1].split("### ", 1)[0]
    assert "| `executed` | the plan ran" in status and "| `skipped` | nothing ran" in status
    for word in ("presence", "lifecycle", "sensitive"):
        assert f'<span id="{word}"></span>' in page


def test_the_tracking_plan_lists_every_event() -> None:
    page = GENERATED["docs/events/index.md"]
    plan = page.split("## Tracking plan", 1)[1].split("## ", 1)[0]
    for event in CATALOGUE.events():
        assert f"| [`{event}`]({event}/" in plan


# --- versions ---------------------------------------------------------------------------------------


def test_version_pages_switch_banner_and_scenarios() -> None:
    for event in CATALOGUE.events():
        versions = CATALOGUE.versions(event)
        for f in versions:
            page = GENERATED[f"docs/events/{event}/{f.version}.md"]
            switcher = page.split('<div class="mw-versions" markdown>', 1)[1].split("</div>", 1)[0]
            for other in versions:
                assert (f"**{other.version}" if other is f else f"[{other.version}") in switcher
            superseded = f is not versions[-1]
            assert ("!!! warning \"Superseded:" in page) == superseded
            assert ("## Scenarios" in page) == (not superseded)
    current = GENERATED["docs/events/multi_workflow.execution_summary/1.1.1.md"]
    for title in ("Executed", "Preview skip", "Failure", "Partial success"):
        assert f'example "{title}' in current
    assert 'example "Plan made in a batch run"' in GENERATED["docs/events/multi_workflow.plan_created/1.1.1.md"]
    nav = (REPO / "mkdocs.yml").read_text()
    assert "- multi_workflow.plan_created 1.1.1: events/multi_workflow.plan_created/1.1.1.md" in nav
    assert "- multi_workflow.plan_created 1.1.0 (superseded): events/multi_workflow.plan_created/1.1.0.md" in nav


def test_changes_are_said_in_words_dated_with_who_upgrades_first() -> None:
    log = GENERATED["docs/changelog.md"]
    released = {e["version"]: e["date"] for e in json.loads((REPO / "releases.json").read_text())}
    assert released
    for event in CATALOGUE.events():
        for f in CATALOGUE.versions(event):
            assert f"### [{event} {f.version}](events/{event}/{f.version}.md)" in log
    entry = log.split("### [multi_workflow.plan_created 1.1.0]", 1)[1].split("\n### ", 1)[0]
    assert "Released: 2026-11-25." in entry
    assert "- Adds `run_id` (<span" in entry and ">optional</span>, `string`)" in entry
    mode = json.loads((REPO / "lifecycle" / "multi_workflow.plan_created.json").read_text())["compatibility"]
    assert mode.startswith("BACKWARD")  # consumers first under BACKWARD and BACKWARD_TRANSITIVE alike
    assert "**Consumers first.**" in entry and f"mode **{mode}**" in entry
    assert '??? info "Checker details"' in entry and "    | `new#/properties/run_id` | `property-added-closed`" in entry
    assert "property-added-closed" not in entry.split('??? info "Checker details"')[0]  # jargon only folded


# --- bundled schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize(("event", "version"), VERSIONS, ids=[f"{e}@{v}" for e, v in VERSIONS])
def test_each_bundled_schema_validates_its_fixtures_alone(tmp_path: Path, event: str, version: str) -> None:
    published = GENERATED[f"docs/schemas/{event}/{version}.bundle.json"]
    (tmp_path / "bundle.json").write_text(published)  # the only file there
    schema = json.loads((tmp_path / "bundle.json").read_text())
    assert not [r for r in re.findall(r'"\$ref": "([^"#]+)', published) if not r.startswith("#")] or "$defs" in schema
    # An empty registry: any `$ref` that leaves the file is Unresolvable, never fetched.
    validator = Draft202012Validator(schema, registry=Registry())
    mine = [fx for fx in FIXTURES if fx.event == event and fx.version == version]
    assert any(fx.valid for fx in mine)
    for fx in mine:
        errors = list(validator.iter_errors(fx.payload))
        if fx.valid:
            assert not errors, f"{fx.id}: {errors[0].message}"
        elif all(not rule.startswith("MW") for _, rule in fx.expect):
            assert errors, f"{fx.id}: accepted by the bundle"
