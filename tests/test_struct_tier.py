"""The stream's first tier (msgspec structs built from the schemas) against the reference.

The tier may only say "certainly valid": every line it accepts must be valid for the reference
(`jsonschema`, rules.py and the strict JSON reader), and every other line goes on to the next
tiers. It must also accept the compact lines real emitters write, or it is dead weight.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import re
from typing import Any

import orjson
import pytest
import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import catalogue_of
from contracts.bench import workload
from multi_workflow_telemetry import fast
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import packaged
from multi_workflow_telemetry.structs import StructTier, Unsupported, compile_event
from test_fast_path import _line_agrees, _line_reference, events, mutated

CATALOGUE = Catalogue.packaged()
TIER = StructTier(CATALOGUE, [CATALOGUE.get(name) for name in CATALOGUE.events()])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _compact(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _tier_agrees(raw: bytes) -> bool:
    """The tier's answer, asserted sound against the reference; and the whole stream agrees."""
    accepted = TIER.check(raw) is not None
    if accepted:
        assert _line_reference(raw)[0] == "valid", raw
    _line_agrees(raw)
    return accepted


def test_every_event_of_the_catalogue_has_a_struct_tier() -> None:
    assert TIER.skipped == {}
    assert sorted(event for _, event in TIER.checks.values()) == CATALOGUE.events()


@pytest.mark.parametrize("case", list(packaged()), ids=lambda c: f"{c.ref}/{c.path.parent.name}/{c.path.stem}")
def test_fixture_lines_compact(case: Any) -> None:
    payload = case.payload
    event = case.ref.split("@")[0]
    if not isinstance(payload, dict) or event not in CATALOGUE.events():
        pytest.skip("not an event object")
    payload = {"event_type": event, **payload}
    accepted = _tier_agrees(_compact(payload))
    latest = case.ref.split("@")[1] == CATALOGUE.get(event).version
    if case.path.parent.name == "valid" and latest:
        assert accepted, "a valid fixture of the latest version, written compactly, must take the first tier"


@SETTINGS
@given(events())
def test_valid_lines_take_the_first_tier_compact_or_as_json_dumps_writes_them(drawn: tuple[str, dict[str, Any]]) -> None:
    event, payload = drawn
    payload = {"event_type": event, **payload}
    assert _tier_agrees(orjson.dumps(payload))
    # `json.dumps`' ", " and ": ": the length proof sets whitespace aside (tests/test_whitespace.py)
    assert _tier_agrees(json.dumps(payload).encode())


@SETTINGS
@given(mutated())
def test_mutated_compact_lines_agree(drawn: tuple[str, Any]) -> None:
    _tier_agrees(_compact(drawn[1]))


# -- duplicate keys: the length proof ----------------------------------------------------------

ESCAPES = ["\\u0041", "\\/", "\\b", "\\f", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\\\", '\\"']


@settings(max_examples=400, deadline=None)
@given(events(), st.data())
def test_a_repeated_key_is_never_accepted(drawn: tuple[str, dict[str, Any]], data: Any) -> None:
    """A key written twice (at the top or inside a stage), compact or spaced, possibly with escapes
    or separators inside a string that a naive count could confuse: no tier accepts the line, the
    strict reader calls it unreadable."""
    event, payload = drawn
    payload = {"event_type": event, **copy.deepcopy(payload)}
    spaced = data.draw(st.booleans())  # as orjson writes it, or as Python's json.dumps does
    colon, comma = (": ", ", ") if spaced else (":", ",")
    raw = json.dumps(payload) if spaced else orjson.dumps(payload).decode()
    inner = data.draw(st.booleans()) and "stages" in payload
    key = data.draw(st.sampled_from(["index", "run_mode"] if inner else [k for k in payload if k != "event_type"]))
    owner = payload["stages"][0] if inner else payload
    member = f'"{key}"{colon}{json.dumps(owner[key], separators=(comma, colon))}'
    assert member in raw
    repeated = data.draw(st.sampled_from([member, f'"{key}"{colon}{json.dumps(data.draw(st.integers(0, 9)))}']))
    raw = raw.replace(member, f"{member}{comma}{repeated}", 1)
    if "selection_message" in payload and data.draw(st.booleans()):
        escapes = "".join(data.draw(st.lists(st.sampled_from(ESCAPES + [", ", ": "]), max_size=6)))
        raw = raw.replace(f'"selection_message"{colon}"', f'"selection_message"{colon}"{escapes}', 1)
    line = raw.encode()
    assert TIER.check(line) is None
    assert _line_reference(line)[0] == "unreadable"
    _line_agrees(line)


def test_floats_in_open_content_take_the_next_tier() -> None:
    # `1e2` re-encodes as `100.0`: longer than written, which could hide a repeated key
    rng = random.Random(3)
    summary = workload._summary(rng, workload._plan(rng))
    for manifest, valid in (({"files": 1}, True), ({"ratio": 1e2}, True), ({"n": 1, "n2": 2.5}, True)):
        line = _compact({**summary, "deliverable_manifest": manifest}).replace(b"100.0", b"1e2")
        assert (TIER.check(line) is not None) == (not any(isinstance(v, float) for v in manifest.values()))
        assert _line_reference(line)[0] == ("valid" if valid else "invalid")
        _line_agrees(line)


# -- what is not compiled ------------------------------------------------------------------------


def _catalogue_with(tmp_path: Any, schema: dict[str, Any]) -> Catalogue:
    folder = tmp_path / "schemas" / "x.event"
    folder.mkdir(parents=True)
    (folder / "1.0.0.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.invalid/x.event/1.0.0.json",
        "x-event": {"name": "x.event"}, "type": "object", "additionalProperties": False,
        **schema, "properties": {"event_type": {"const": "x.event"}, **schema.get("properties", {})},
    }))
    return Catalogue(tmp_path / "schemas")


@pytest.mark.parametrize(("prop", "why"), [
    ({"type": "integer", "enum": [1, 2]}, "enum or const on a type other than string"),
    ({"type": ["string", "null"], "enum": ["a"]}, "enum or const on a type other than string"),
    ({"type": "number"}, "type 'number'"),
    ({"type": "array", "items": {"type": "string", "pattern": "^a.b$"}}, "may mean something else in Python's re"),
    ({"type": "array", "uniqueItems": True}, "keyword(s) ['uniqueItems']"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, "must be closed"),
    ({"anyOf": [{"type": "string"}]}, "no type"),
])
def test_schemas_outside_the_mapping_are_not_compiled(tmp_path: Any, prop: dict[str, Any], why: str) -> None:
    catalogue = _catalogue_with(tmp_path, {"properties": {"field": prop}})
    with pytest.raises(Unsupported, match=re.escape(why)):
        compile_event(catalogue, catalogue.get("x.event"))


def test_a_pattern_at_the_top_and_conditions_are_left_to_the_residual_check(tmp_path: Any) -> None:
    catalogue = _catalogue_with(tmp_path, {
        "properties": {"code": {"type": "string", "pattern": "^[a-z]+$"}, "kind": {"type": "string"},
                       "note": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "x"}}, "required": ["kind"]}, "then": {"required": ["note"]},
    })
    tier = StructTier(catalogue, [catalogue.get("x.event")])
    assert tier.skipped == {}

    def accepted(fields: dict[str, Any]) -> bool:
        return tier.check(_compact({"event_type": "x.event", **fields})) is not None

    assert accepted({"code": "abc"}) and accepted({"kind": "x", "note": "n"}) and accepted({"kind": "y"})
    assert not accepted({"code": "abc\n"})  # ECMA-262 `$`: Python's `re` would accept it
    assert not accepted({"kind": "x"})  # then: note is required
    assert not accepted({"code": 1}) and not accepted({"other": 1})


def test_struct_rule_checks_match_the_rules() -> None:
    """On every event the structs accept, the contract rules written for structs (fast.py) hold
    exactly when rules.py finds no violation: neither more lenient nor stricter."""
    from multi_workflow_telemetry.rules import check_rules

    rng = random.Random(11)
    seen = broken = 0
    for _ in range(600):
        plan = workload._plan(rng)
        event, payload = (workload.PLAN, plan) if rng.random() < 0.4 else (workload.SUMMARY, workload._summary(rng, plan))
        payload = copy.deepcopy(payload)
        roll = rng.random()
        if roll < 0.3:
            payload = workload._break_rule(rng, payload)
        elif roll < 0.5 and event == workload.SUMMARY:  # flip a workflow's status: MW009-MW012
            run = rng.choice([r for s in payload["stage_runs"] for r in s["workflows"]])
            run["status"] = rng.choice(["executed", "skipped", "failed"])
        elif roll < 0.6:  # reorder or repeat a stage's workflows: MW004, MW006, MW008
            stage = rng.choice(payload["stages"])
            stage["workflows"] = list(reversed(stage["workflows"])) + rng.choice([[], stage["workflows"][:1]])
        value = TIER.decoder.decode(orjson.dumps({"event_type": event, **payload}))  # type: ignore[union-attr]
        seen += 1
        holds = not check_rules(event, payload)
        broken += not holds
        assert fast.FUSED_STRUCT[event](value) == holds, payload
    assert seen == 600 and 100 < broken < 500


@settings(max_examples=300, deadline=None)
@given(events(), st.data())
def test_broken_compact_lines_agree(drawn: tuple[str, dict[str, Any]], data: Any) -> None:
    """Compact lines with bytes cut, added or replaced (invalid UTF-8, stray quotes, escapes,
    literals JSON has not): the first tier never accepts what the reference does not."""
    raw = bytearray(_compact({"event_type": drawn[0], **drawn[1]}))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at:at + 1] = data.draw(st.sampled_from([
            b"", b"{", b"]", b",", b'"', b"\xff", b"\xed\xa0\x80", b"\\", b"\\u0041", b" ", b"1e2", b"-0", b"NaN", b"\r",
        ]))
    for line in bytes(raw).split(b"\n"):
        if line.strip():
            _tier_agrees(line)


PATTERNS = ["^multiwf-[0-9a-f]{32}$", "^[a-z]+$", "abc", "^a", "b$", "^[A-Z][a-z0-9_-]{1,3}$", "^x?y*z+$", "[0-9]{2,}"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PATTERNS), st.text(alphabet="abcxyzAZ09_-\n\r\u2028é😀", max_size=12),
       st.sampled_from(["", "\n", "\r\n", "\u2028"]))
def test_python_patterns_mean_what_the_ecma_patterns_mean(pattern: str, text: str, end: str) -> None:
    """The patterns kept in the structs are searched by Python's `re`; for those `python_pattern`
    vouches for, the answer is the ECMA-262 one (regress, as the reference uses), newlines and
    characters beyond the Basic Multilingual Plane included."""
    import regress

    from multi_workflow_telemetry.structs import python_pattern

    translated = python_pattern(pattern)
    assert translated is not None
    for candidate in (text + end, "multiwf-" + "0" * 32 + end, text):
        assert (re.search(translated, candidate) is not None) == (regress.Regex(pattern).find(candidate) is not None)


ECMA_PATTERNS = PATTERNS + ["^a.b$", "^(a|b)$", "^[^a]$", "^\\d+$", "^\\w+$", "^\\s$", "^a+?$", "^x$|^y$", "^.$"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(ECMA_PATTERNS), st.text(alphabet="abcxyzAZ09_-\n\r\u2028\u0663é😀 ", max_size=8),
       st.sampled_from(["", "\n", "\r\n", "\u2028"]))
def test_the_runtime_searches_patterns_as_ecma_262_does(pattern: str, text: str, end: str) -> None:
    """The runtime's patterns are jsonschema-rs's (`fast.ecma_search`); regress, a second ECMA-262
    engine (a test dependency only), must give the same answers: `$` before a final newline,
    `\\d` and `\\w` (ASCII only), `.` and `\\s` (line terminators), characters beyond the BMP.
    (They differ on `\\b` next to a non-ASCII letter, which no contract schema uses.)"""
    import regress

    for candidate in (text + end, "multiwf-" + "0" * 32 + end, text):
        assert fast.ecma_search(pattern)(candidate) == (regress.Regex(pattern).find(candidate) is not None), candidate


def test_patterns_python_does_not_share_are_refused() -> None:
    from multi_workflow_telemetry.structs import python_pattern

    for pattern in ("^a.b$", "^(a|b)$", "^[^a]$", "^\\d+$", "^a+?$", "^x$|^y$", "a{,2}", "[z-a]"):
        assert python_pattern(pattern) is None, pattern


def test_with_a_known_event_lines_may_leave_event_type_out() -> None:
    # `contracts validate --event NAME`: the struct is untagged, `event_type` optional as in the schema
    plan = CATALOGUE.get(workload.PLAN)
    untagged = StructTier(CATALOGUE, [plan], tagged=False)
    payload = workload._plan(random.Random(5))
    payload.pop("event_type", None)
    assert untagged.check(_compact(payload)) is not None
    assert untagged.check(_compact({"event_type": workload.PLAN, **payload})) is not None
    assert untagged.check(_compact({"event_type": workload.SUMMARY, **payload})) is None
    # without a known event, a line must say which it is: the tagged tier refuses it
    assert TIER.check(_compact(payload)) is None
    with pytest.raises(ValueError, match="one event version"):
        StructTier(CATALOGUE, [plan, CATALOGUE.get(workload.SUMMARY)], tagged=False)


# -- a tier built inside the test ------------------------------------------------------------------
# TIER above is built at import, once: these build theirs while the test runs, so a change to how
# a tier is built shows here.


def _catalogue_of(tmp_path: Any, events: dict[str, dict[str, Any]]) -> Catalogue:
    """Closed events tagged by `event_type`, as the contract's are."""
    return catalogue_of(tmp_path, {name: {
        "type": "object", "additionalProperties": False, **schema,
        "properties": {"event_type": {"const": name}, **schema.get("properties", {})},
    } for name, schema in events.items()})


def test_a_tier_of_several_events_reads_each_and_leaves_out_what_it_cannot_compile(tmp_path: Any) -> None:
    catalogue = _catalogue_of(tmp_path, {
        "x.first": {"properties": {"n": {"type": "number"}}},  # a float field: no struct form
        "x.second": {"properties": {"s": {"type": "string", "maxLength": 2}}, "required": ["s"]},
        "x.third": {"properties": {"k": {"type": "integer", "minimum": 0}}},
    })
    tier = StructTier(catalogue, [catalogue.get(name) for name in ("x.first", "x.second", "x.third")])
    assert tier.skipped == {"x.first@1.0.0": "x.first/properties/n: type 'number'"}
    assert sorted(event for _, event in tier.checks.values()) == ["x.second", "x.third"]
    assert tier.check(b'{"event_type":"x.second","s":"ab"}')[1] == "x.second"  # type: ignore[index]
    assert tier.check(b'{"event_type":"x.third","k":0}')[1] == "x.third"  # type: ignore[index]
    for line in (b'{"event_type":"x.second","s":"abc"}', b'{"event_type":"x.third","k":-1}', b'{"s":"ab"}',
                 b'{"event_type":"x.first","n":1}', b'{"event_type":"x.second","s":"ab","s":"ab"}'):
        assert tier.check(line) is None, line  # invalid, untagged, not compiled, or a key repeated
    untagged = StructTier(catalogue, [catalogue.get("x.second")], tagged=False)
    assert untagged.check(b'{"s":"ab"}') is not None
    nothing = StructTier(catalogue, [catalogue.get("x.first")])
    assert nothing.decoder is None and nothing.check(b'{"event_type":"x.first","n":1}') is None


def test_a_version_before_a_rule_keeps_its_struct_tier_and_one_with_an_unwritten_rule_does_not(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule `since` a later version: the versions before it have no rules to check, and a
    version whose rule set differs from the fused check's has no struct form until one is written."""
    from multi_workflow_telemetry import rules

    later = rules.Rule("MW900", ("x.event", workload.PLAN), "a rule of a later version", lambda p: [], since="2.0.0")
    monkeypatch.setattr(rules, "RULES", [*rules.RULES, later])
    catalogue = _catalogue_of(tmp_path, {"x.event": {"properties": {"k": {"type": "integer"}}}})
    tier = StructTier(catalogue, [catalogue.get("x.event")])
    assert tier.skipped == {} and tier.check(b'{"event_type":"x.event","k":1}') is not None
    plan = CATALOGUE.get(workload.PLAN)
    assert fast.fused_check(plan) is fast.FUSED[workload.PLAN][0]  # 1.1.0: before the rule
    assert fast.fused_check(plan, structs=True) is fast.FUSED_STRUCT[workload.PLAN]
    monkeypatch.setattr(rules, "RULES", [*rules.RULES, rules.Rule("MW901", (workload.PLAN,), "a new rule", lambda p: [])])
    assert fast.fused_check(plan) is None
    assert StructTier(CATALOGUE, [plan]).skipped == {plan.ref: "no struct form of its contract rules"}


def test_the_tier_checks_the_rules_after_the_residual_conditions(tmp_path: Any) -> None:
    catalogue = _catalogue_of(tmp_path, {"x.event": {
        # the conditions read an enum (a Literal) and a bounded string (an Annotated str): scalars both
        "properties": {"kind": {"type": "string", "enum": ["x", "y"]}, "note": {"type": "string", "maxLength": 5}},
        "if": {"properties": {"kind": {"const": "x"}}, "required": ["kind"]}, "then": {"required": ["note"]},
    }})
    seen: list[Any] = []
    for rules_hold in (True, False):
        event = compile_event(catalogue, catalogue.get("x.event"), then=lambda p: seen.append(p) or rules_hold)
        value = msgspec.json.decode(b'{"event_type":"x.event","kind":"y"}', type=event.struct)
        assert event.check(value) is rules_hold and seen[-1] is value
        broken = msgspec.json.decode(b'{"event_type":"x.event","kind":"x"}', type=event.struct)
        assert event.check(broken) is False  # the conditions fail: the rules are not asked
    assert len(seen) == 2


@pytest.mark.parametrize(("schema", "why"), [
    ({"not": {"required": ["a"]}}, "root keyword(s) ['not']"),
    ({"properties": {"event_type": {"const": "x.other"}}}, "event_type must be a property whose const is the event's name"),
    ({"properties": {"event_type": {"const": "x.event", "maxLength": 9}}}, "event_type must be a property whose const"),
    ({"properties": {"tags": {"type": "array", "items": {"type": "string"}}},
      "if": {"required": ["tags"]}, "then": False}, "the conditions read 'tags', which is not a scalar field of the event"),
    ({"properties": {"a": {"type": "string"}}, "dependentSchemas": {"a": {"required": ["ghost"]}}},
     "the conditions read 'ghost', which is not a scalar field of the event"),
    ({"properties": {"class": {"type": "string"}}}, "x.event: field name 'class'"),
    ({"properties": {"_private": {"type": "string"}}}, "x.event: field name '_private'"),
    ({"properties": {"a": {"type": "object", "additionalProperties": {"type": "string"}}}},
     "x.event/properties/a: an object with properties must be closed"),
])
def test_events_outside_the_mapping_say_why(tmp_path: Any, schema: dict[str, Any], why: str) -> None:
    catalogue = _catalogue_of(tmp_path, {"x.event": schema})
    if "event_type" in schema.get("properties", {}):
        folder = tmp_path / "schemas" / "x.event" / "1.0.0.json"
        root = json.loads(folder.read_text())
        root["properties"]["event_type"] = schema["properties"]["event_type"]
        folder.write_text(json.dumps(root))
        catalogue = Catalogue(tmp_path / "schemas")
    with pytest.raises(Unsupported) as raised:
        compile_event(catalogue, catalogue.get("x.event"))
    assert str(raised.value).startswith(why), str(raised.value)


def test_annotations_on_the_tag_and_patterns_reached_by_ref_are_compiled(tmp_path: Any) -> None:
    """`x-` keywords annotate (the tag may carry them); a top-level field reached by `$ref` whose
    pattern Python cannot say moves that pattern to the residual check, as a field written inline."""
    catalogue = _catalogue_of(tmp_path, {"x.event": {
        "$defs": {"code": {"type": "string", "pattern": "^a.b$"}},
        "properties": {"event_type": {"const": "x.event", "x-note": "the tag", "description": "d"},
                       "code": {"$ref": "#/$defs/code"}},
    }})
    root_file = tmp_path / "schemas" / "x.event" / "1.0.0.json"
    root = json.loads(root_file.read_text())
    root["properties"]["event_type"] = {"const": "x.event", "x-note": "the tag", "description": "d"}
    root_file.write_text(json.dumps(root))
    catalogue = Catalogue(tmp_path / "schemas")
    tier = StructTier(catalogue, [catalogue.get("x.event")])
    assert tier.skipped == {}
    assert tier.check(_compact({"event_type": "x.event", "code": "a-b"})) is not None
    for code in ("ab", "a-b\n", "a\nb"):  # ECMA-262 `.` takes no line terminator, `$` none after it
        assert tier.check(_compact({"event_type": "x.event", "code": code})) is None, code


def test_shapes_get_distinct_struct_names_that_say_where_they_come_from() -> None:
    from multi_workflow_telemetry.structs import _struct_name

    taken: set[str] = set()
    names = [_struct_name(where, taken) for where in (
        "https://example.invalid/x.event/1.0.0.json#/$defs/stage_run", "x.event/properties/stage_run",
        "other/stage_run", "x.event/properties/a-b", "1/2")]
    # the last three identifiers of the location, title-cased; "Shape" when it has none
    assert names == ["EventJsonStageRun", "EventPropertiesStageRun", "OtherStageRun", "XEventProperties", "Shape"]
    assert [_struct_name("a/b_c", taken) for _ in range(3)] == ["ABC", "ABC2", "ABC3"]


def test_open_objects_and_an_enum_with_a_const_are_compiled(tmp_path: Any) -> None:
    """Shapes the struct tier maps exactly, so it must not leave them to the next tier: an object
    with no properties and no `additionalProperties` (open content) and `enum` beside `const`."""
    catalogue = _catalogue_of(tmp_path, {"x.event": {"properties": {
        "meta": {"type": "object"}, "kind": {"type": "string", "enum": ["x", "y"], "const": "x"}}}})
    tier = StructTier(catalogue, [catalogue.get("x.event")])
    assert tier.skipped == {}
    assert tier.check(b'{"event_type":"x.event","meta":{"a":[1]},"kind":"x"}') is not None
    assert tier.check(b'{"event_type":"x.event","kind":"y"}') is None
    assert tier.check(b'{"event_type":"x.event","meta":[]}') is None


@pytest.mark.parametrize(("field", "defs", "why"), [
    (True, {}, "x.event/properties/field: boolean schemas are not compiled"),
    ({"type": []}, {}, "x.event/properties/field: type []"),
    ({"type": ["string", "string"]}, {}, "x.event/properties/field: type ['string', 'string']"),
    ({"type": "string", "enum": ["a", 1]}, {}, "x.event/properties/field: enum or const of other than strings"),
    ({"$ref": "#/$defs/code", "maxLength": 3}, {"code": {"type": "string"}},
     "x.event/properties/field: $ref beside other keywords"),
    ({"$ref": "#/$defs/inner"}, {"inner": {"$id": "https://example.invalid/inner.json", "type": "string"}},
     "x.event/properties/field: $ref into a resource with its own $id"),
    ({"$ref": "#/$defs/node"}, {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}},
                                         "additionalProperties": False}},
     "https://example.invalid/x.event/1.0.0.json#/$defs/node/properties/next: recursive $ref"),
])
def test_fields_outside_the_mapping_say_where_and_why(tmp_path: Any, field: Any, defs: dict[str, Any], why: str) -> None:
    catalogue = _catalogue_of(tmp_path, {"x.event": {"$defs": defs, "properties": {"field": field}}})
    with pytest.raises(Unsupported) as raised:
        compile_event(catalogue, catalogue.get("x.event"))
    assert str(raised.value) == why


def test_the_registry_of_a_catalogue_is_built_once() -> None:
    catalogue = Catalogue.packaged()
    assert fast._registry(catalogue) is fast._registry(catalogue)
    assert fast._registry(catalogue) is not fast._registry(Catalogue.packaged())


def test_a_byte_order_mark_is_stripped_from_the_start_only() -> None:
    assert fast.strip_bom(fast.BOM + b'{"a":1}') == b'{"a":1}'
    assert fast.strip_bom(b'{"a":1}') == b'{"a":1}'
    assert fast.strip_bom(b" " + fast.BOM) == b" " + fast.BOM


@pytest.mark.parametrize(("text", "why"), [
    ('{"a": 1, "a": 2}', "duplicate key 'a' in one object"),
    ('{"a": NaN}', "NaN is not a JSON number"),
    ("[1e400]", "number 1e400 is out of range"),
    ("-" + "9" * 5000, "an integer of 5000 digits is more than can be read (4300 at most)"),
])
def test_what_json_cannot_hold_is_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(fast.NotJSON) as raised:
        fast.loads_exact(text)
    assert str(raised.value) == raised.value.msg == why


def test_an_event_schema_without_id_is_not_compiled(tmp_path: Any) -> None:
    catalogue = _catalogue_of(tmp_path, {"x.event": {"properties": {"k": {"type": "integer"}}}})
    schema_file = catalogue.get("x.event")
    without = dataclasses.replace(schema_file, schema={k: v for k, v in schema_file.schema.items() if k != "$id"})
    with pytest.raises(Unsupported) as raised:
        compile_event(catalogue, without)
    assert str(raised.value) == "an event schema without $id: its references cannot be resolved here"
