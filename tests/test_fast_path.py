"""The fast path against the reference: the same verdicts and the same violations, always.

`EventValidator.validate` answers from jsonschema-rs and the fused rule checks (fast.py) when it
can; `EventValidator.reference` is `jsonschema` and rules.py. The differential tests run both on
every golden fixture and on generated and mutated events (Hypothesis), as Python values (the
package's `validate`) and as JSON lines (what `contracts validate` reads), and require identical
answers. No timing here: `make bench` measures speed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from decimal import Decimal
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import catalogue_of
from contracts.bench import workload
from contracts.project import Project
from contracts.stream import Checker
from multi_workflow_telemetry import fast
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import packaged
from multi_workflow_telemetry.rules import check_rules
from multi_workflow_telemetry.structs import compile_event
from multi_workflow_telemetry.validation import EventValidator, validate, validator_for

PLAN, SUMMARY, BATCH = workload.PLAN, workload.SUMMARY, workload.BATCH
CASES = list(packaged())
CATALOGUE = Catalogue.packaged()
VALIDATORS = {event: EventValidator(CATALOGUE, CATALOGUE.get(event)) for event in CATALOGUE.events()}
CHECKER = Checker(Project.find().catalogue, None)
# The struct of each event, as the stream's first tier decodes it
STRUCTS = {event: compile_event(CATALOGUE, CATALOGUE.get(event)).struct for event in (PLAN, SUMMARY, BATCH)}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _agree(event: str, payload: Any) -> list[Any]:
    """Assert the fast path and the reference agree on a Python payload; the reference's answer."""
    v = VALIDATORS[event]
    expected = v.reference(payload)
    assert v.validate(payload) == expected
    if v.quick(payload):
        assert expected == [], "the fast path said valid, the reference did not"
    return expected


def _line_verdict(raw: bytes) -> tuple[str, list[tuple[int, str, str, str]]]:
    result = CHECKER.chunk(raw + b"\n")
    kind = "valid" if result.valid else "invalid" if result.invalid else "unreadable" if result.unreadable else "blank"
    return kind, result.problems


def _line_reference(raw: bytes) -> tuple[str, set[tuple[str, str]]]:
    """What the reference says of a line: the stdlib parser (refusing NaN, Infinity and numbers
    out of a float's range, as JSON does), then jsonschema and rules.py."""
    try:
        payload = fast.loads_exact(raw)
    except (ValueError, RecursionError):
        return "unreadable", set()
    event = payload.get("event_type") if isinstance(payload, dict) else None
    if not isinstance(event, str) or event not in VALIDATORS:
        return "invalid", {("/event_type", "event")}
    violations = VALIDATORS[event].reference(payload)
    return ("invalid" if violations else "valid"), {(v.pointer, v.rule) for v in violations}


def _line_agrees(raw: bytes) -> None:
    kind, problems = _line_verdict(raw)
    expected_kind, expected = _line_reference(raw)
    assert kind == expected_kind, raw
    if kind != "unreadable":
        assert {(pointer, rule) for _, pointer, rule, _ in problems} == expected


# -- the golden fixtures ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.ref}/{c.path.parent.name}/{c.path.stem}")
def test_fixture_fast_and_reference_agree(case: Any) -> None:
    v = validator_for(case.ref)
    expected = v.reference(case.payload)
    assert v.validate(case.payload) == expected
    assert v.quick(case.payload) == (expected == [])
    assert not case.mismatch(expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.ref}/{c.path.parent.name}/{c.path.stem}")
def test_fixture_as_a_json_line(case: Any) -> None:
    payload = case.payload
    if not isinstance(payload, dict) or case.ref.split("@")[0] not in VALIDATORS:
        pytest.skip("not an object")
    event = case.ref.split("@")[0]
    line = json.dumps({"event_type": event, **payload} if "event_type" not in payload else payload).encode()
    _line_agrees(line)


# -- generated events ---------------------------------------------------------------------------


@st.composite
def events(draw: Any) -> tuple[str, dict[str, Any]]:
    """A realistic valid event (the bench's generator, driven by Hypothesis' randomness)."""
    rng = draw(st.randoms(use_true_random=False))
    kind = draw(st.sampled_from((PLAN, SUMMARY, SUMMARY, BATCH)))
    if kind == BATCH:
        return kind, workload._batch(rng)
    plan = workload._plan(rng)
    if kind == PLAN:
        if draw(st.booleans()):
            plan.pop("event_type")
        return kind, plan
    return kind, workload._summary(rng, plan)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.sampled_from([0, 1, 2, -1, 2**63, 2**64 + 1]),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1.0, 2.0, 0.5, 1e20, -0.0]),
    st.text(max_size=12), st.sampled_from(["", "executed", "skipped", "failed", "parallel", "sequential",
                                            "multiwf-" + "a" * 32, "multiwf-" + "a" * 32 + "\n", "preview_only_guard"]),
)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, here + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, here + (index,))
    return out


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def mutated(draw: Any, python_only: bool = False) -> tuple[str, Any]:
    """A valid event with a few things changed: values replaced, fields removed or added, lists
    reordered, duplicated or emptied, counts shifted; Python-only values when asked."""
    event, payload = draw(events())
    payload = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(payload)
        path = draw(st.sampled_from(paths))
        target = _at(payload, path)
        op = draw(st.sampled_from(["replace", "remove", "add", "list", "count", "status", "python"]))
        if op == "replace" and path:
            _at(payload, path[:-1])[path[-1]] = draw(JSON_VALUES)
        elif op == "remove" and path:
            parent = _at(payload, path[:-1])
            del parent[path[-1]]
        elif op == "add" and isinstance(target, dict):
            target[draw(st.sampled_from(["extra", "index", "status", "errors", "skip_reason", "created_files"]))] = draw(JSON_VALUES)
        elif op == "list" and isinstance(target, list) and target:
            how = draw(st.sampled_from(["dup", "reverse", "clear", "drop"]))
            if how == "dup":
                target.append(copy.deepcopy(target[0]))
            elif how == "reverse":
                target.reverse()
            elif how == "clear":
                target.clear()
            else:
                target.pop()
        elif op == "count" and isinstance(target, int) and not isinstance(target, bool) and path:
            _at(payload, path[:-1])[path[-1]] = target + draw(st.sampled_from([-1, 1, 0.0, 2**64]))
        elif op == "status":
            stage_runs = payload.get("stage_runs") if isinstance(payload, dict) else None
            runs = [r for s in stage_runs if isinstance(s, dict) and isinstance(s.get("workflows"), list)
                    for r in s["workflows"] if isinstance(r, dict)] if isinstance(stage_runs, list) else []
            if runs:
                draw(st.randoms()).choice(runs)["status"] = draw(st.sampled_from(["executed", "skipped", "failed"]))
        elif op == "python" and python_only and path:
            parent = _at(payload, path[:-1])
            if isinstance(target, list):
                parent[path[-1]] = draw(st.sampled_from([tuple, set, _List]))(target) if all(
                    isinstance(x, str) for x in target) else tuple(target)
            elif isinstance(target, int) and not isinstance(target, bool):
                parent[path[-1]] = draw(st.sampled_from([Decimal(target), float(target), Decimal(target) + Decimal("0.5"),
                                                         _Int(target), float("nan"), float("inf"), 2**64 + target]))
            elif isinstance(target, str):
                parent[path[-1]] = draw(st.sampled_from([_Str(target), target + "\ud800", target.encode("utf-8", "surrogatepass")]))
            elif isinstance(target, dict):
                target[draw(st.sampled_from([1, None, ("a",), _Str("extra")]))] = draw(JSON_VALUES)
    return event, payload


class _Str(str):
    """A str subclass (a str enum, say): a string to the reference."""


class _Int(int):
    """An int subclass (an IntEnum, say): an integer to the reference."""


class _List(list):  # type: ignore[type-arg]
    """A list subclass: an array to the reference."""


@SETTINGS
@given(events())
def test_generated_valid_events_take_the_fast_path(drawn: tuple[str, dict[str, Any]]) -> None:
    event, payload = drawn
    assert _agree(event, payload) == []
    assert VALIDATORS[event].quick(payload)


@SETTINGS
@given(mutated(python_only=True))
def test_mutated_python_values_agree(drawn: tuple[str, Any]) -> None:
    _agree(*drawn)


@SETTINGS
@given(mutated())
def test_mutated_json_lines_agree(drawn: tuple[str, Any]) -> None:
    event, payload = drawn
    _agree(event, payload)
    _line_agrees(json.dumps(payload).encode())


@SETTINGS
@given(mutated(), st.sampled_from(["", "\ud800", "\ud83d\ude00", "a\u0000"]), st.booleans())
def test_a_reading_judged_as_read_gets_the_same_violations(drawn: tuple[str, Any], text: str, as_key: bool) -> None:
    """Invalid lines skip the exact copy of their payload (`validate_read`) where jsonschema-rs
    judges the reading as it stands: the same violations, word for word, as `validate`; an empty
    key or a lone surrogate (which only the standard library reads) takes the copy."""
    event, payload = drawn
    if isinstance(payload, dict):
        if as_key:
            payload[text] = 1
        else:
            payload["selection_message"] = text
    raw = json.dumps(payload)
    v = VALIDATORS[event]
    exact = fast.loads_exact(raw)
    expected = v.validate(exact)
    assert v.validate_read(exact, fast.judged_as_read(raw, by_orjson=False)) == expected
    try:
        read = orjson.loads(raw)
    except orjson.JSONDecodeError:  # a lone surrogate: only the standard library reads it
        read = None
    if read is not None and fast.same_bytes(read, raw):  # orjson's reading is used only when exact
        as_read = fast.judged_as_read(raw.encode(), by_orjson=True)
        assert v.validate_read(read, as_read) == expected
        schema_check, fused_check = v.quick_checks() or (None, None)
        schema_valid = bool(schema_check(read))
        if not (schema_valid and fused_check(read)):  # what the stream's second tier passes on
            assert v.validate_read(read, as_read, schema_valid) == expected
        assert CHECKER.check(raw.encode(), read)[:2] == CHECKER.check(raw.encode())[:2]
    if '""' in raw or "\\ud800" in raw:
        assert not fast.judged_as_read(raw, by_orjson=False)


@settings(max_examples=200, deadline=None)
@given(events(), st.data())
def test_lines_read_the_same_whichever_parser_reads_them(drawn: tuple[str, dict[str, Any]], data: Any) -> None:
    """orjson reads most lines, the standard library the rest: a line's verdict must not depend on
    which. Big integers (orjson rounds them to floats), 2.0, NaN, lone surrogates, a BOM, ..."""
    event, payload = drawn
    line = json.dumps(payload)
    key = data.draw(st.sampled_from(["stage_count", "workflow_count", "issue_number", "multi_workflow_count",
                                     "partial_success_count", "selection_message", "batch_id"]))
    if key in payload:
        literal = data.draw(st.sampled_from([
            "18446744073709551617", "-9223372036854775809", "123456789012345678901234567890", "2.0", "1e400",
            "NaN", "Infinity", "-Infinity", '"\\ud800"', '"a\\u0000b"', "1E2", "-0", "0.0",
        ]))
        line = line.replace(f'"{key}": {json.dumps(payload[key])}', f'"{key}": {literal}', 1)
    raw = line.encode()
    if data.draw(st.booleans()):
        raw = data.draw(st.sampled_from([b"\xef\xbb\xbf", b" ", b""])) + raw + data.draw(st.sampled_from([b"\r", b" ", b""]))
    _line_agrees(raw)


@settings(max_examples=200, deadline=None)
@given(events(), st.data())
def test_broken_lines_are_unreadable_on_both_paths(drawn: tuple[str, dict[str, Any]], data: Any) -> None:
    raw = bytearray(json.dumps(drawn[1]).encode())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at:at + 1] = data.draw(st.sampled_from([b"", b"{", b"]", b",", b'"', b"\xff", b"\\", b"\n"]))
    for line in bytes(raw).split(b"\n"):
        if line.strip():
            _line_agrees(line)


def test_big_integers_are_read_exactly() -> None:
    # orjson reads 2**70 + 1 as a float (2**70): the message must still name the number written
    big = 2**70
    line = (f'{{"event_type": "{BATCH}", "batch_id": "b", "multi_workflow_count": {big}, '
            f'"partial_success_count": {big + 1}, "conflict_count": 0}}').encode()
    kind, problems = _line_verdict(line)
    assert kind == "invalid"
    assert any(str(big + 1) in message for _, _, _, message in problems)
    _line_agrees(line)


def test_python_values_json_cannot_hold_go_to_the_reference() -> None:
    plan = workload._plan(random.Random(1))
    v = VALIDATORS[PLAN]
    as_tuple = {**plan, "stages": tuple(plan["stages"])}
    assert [x.rule for x in v.validate(as_tuple)] == ["type"]  # jsonschema-rs alone would accept it
    assert [x.rule for x in v.validate({**plan, "stage_count": Decimal(plan["stage_count"])})] == ["type"]
    assert v.validate({**plan, "stage_count": float(plan["stage_count"])}) == []  # 2.0 is an integer
    assert v.validate({**plan, "stage_count": float(plan["stage_count"] + 1)})[0].rule == "MW001"


def test_validate_function_uses_the_same_answers() -> None:
    for case in CASES:
        assert validate(case.ref, case.payload) == validator_for(case.ref).reference(case.payload)


def test_fused_checks_match_the_rules_on_schema_valid_payloads() -> None:
    rng = random.Random(7)
    seen = 0
    for _ in range(400):
        plan = workload._plan(rng)
        event, payload = (PLAN, plan) if rng.random() < 0.5 else (SUMMARY, workload._summary(rng, plan))
        payload = workload._break_rule(rng, dict(payload)) if rng.random() < 0.3 else payload
        v = VALIDATORS[event]
        if v.quick_checks()[0](payload):  # type: ignore[index]
            seen += 1
            assert v.quick(payload) == (check_rules(event, payload) == [])
    assert seen > 300


def test_remote_references_are_refused(tmp_path: Any) -> None:
    catalogue = catalogue_of(tmp_path, {"x.remote": {"$ref": "https://example.invalid/elsewhere.json"}})
    assert fast.compile_schema(catalogue, catalogue.get("x.remote")) is None
    with pytest.raises(Exception, match="does not resolve"):
        EventValidator(catalogue, catalogue.get("x.remote")).validate({})


def test_validate_json_reads_exactly_when_it_matters() -> None:
    v = VALIDATORS[BATCH]
    payload, violations = v.validate_json('{"batch_id": "b", "multi_workflow_count": 2, "partial_success_count": 1, '
                                          '"conflict_count": 0}')
    assert violations == [] and payload["multi_workflow_count"] == 2
    big = 2**70
    text = f'{{"batch_id": "b", "multi_workflow_count": {big}, "partial_success_count": {big + 1}, "conflict_count": 0}}'
    payload, violations = v.validate_json(text.encode())
    assert payload["partial_success_count"] == big + 1
    assert violations == VALIDATORS[BATCH].reference(json.loads(text))
    for bad in ("{", '{"batch_id": NaN}', "[1e400]"):
        with pytest.raises(ValueError):
            v.validate_json(bad)


def test_an_unknown_shape_takes_the_generic_path(tmp_path: Any) -> None:
    """An event no fused check was written for: jsonschema-rs, then an exact-type walk."""
    catalogue = catalogue_of(tmp_path, {"x.counts": {
        "type": "object", "properties": {"counts": {"type": "array", "items": {"type": "integer"}}},
    }})
    v = EventValidator(catalogue, catalogue.get("x.counts"))
    assert v.quick({"counts": [1, 2]}) and v.validate({"counts": [1, 2]}) == []
    assert not v.quick({"counts": (1, 2)}) and [x.rule for x in v.validate({"counts": (1, 2)})] == ["type"]
    assert not v.quick({"counts": [2.0]}) and v.validate({"counts": [2.0]}) == []
    assert [x.rule for x in v.validate({"counts": [Decimal(2)]})] == ["type"]


def test_invalid_fixtures_are_worded_by_jsonschema_rs_as_by_the_reference() -> None:
    """Schema violations are found by jsonschema-rs and worded as the reference words them
    (`explain.py`), so an invalid event costs microseconds; the wording must be identical."""
    from multi_workflow_telemetry import explain

    explained = 0
    for case in CASES:
        v = validator_for(case.ref)
        if case.valid or not fast.exact_json(case.payload) or v._compiled.is_valid(case.payload):  # type: ignore[union-attr]
            continue
        words = explain.violations(v._compiled.iter_errors(case.payload), case.payload,  # type: ignore[union-attr]
                                   v.schema_file.schema, v._keyword_value)
        assert sorted(words) == v.reference(case.payload), case.path
        explained += 1
    assert explained >= 100


# -- the fused checks and the compiled schemas, asked directly ------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["absent", "empty", "one", "two"]))
def test_no_failed_run_means_no_errors_in_both_fused_checks(rng: random.Random, errors: str) -> None:
    """MW009's first half on the fused checks themselves: with no failed run, `errors` must be
    absent or empty; a boundary the edits of test_rule_boundaries.py reach seldom."""
    summary = workload._summary(rng, workload._plan(rng))
    runs = [run for stage_run in summary["stage_runs"] for run in stage_run["workflows"]]
    for run in runs:
        if run["status"] == "failed":
            run["status"] = "executed"
    summary.pop("errors", None)
    if errors != "absent":
        names = [run["workflow_name"] for run in runs][: {"empty": 0, "one": 1, "two": 2}[errors]]
        summary["errors"] = [{"workflow_name": name, "error": "E"} for name in names]
    found = {v.rule for v in check_rules(SUMMARY, summary)}
    assert ("MW009" in found) == (errors in ("one", "two") and bool(runs))
    holds = not found
    assert fast._execution_summary_ok(summary) == holds
    struct = msgspec.json.decode(orjson.dumps({"event_type": SUMMARY, **summary}), type=STRUCTS[SUMMARY])
    assert fast._execution_summary_struct_ok(struct) == holds
    _agree(SUMMARY, summary)


def _python_values(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload with one integer, or one pair of arrays, as Python values JSON cannot hold:
    jsonschema-rs takes a Decimal as an integer and a tuple as an array; the reference does not."""
    out = []
    for field in ("overall_timeout_seconds", "issue_number", "stage_count", "workflow_count"):
        if field in payload:
            out += [{**payload, field: Decimal(payload[field])}, {**payload, field: float(payload[field])}]
    for lists in ("stages", "stage_runs"):
        if lists in payload:
            out.append({**payload, lists: tuple(payload[lists])})
            for where in ("blocking_conflicts", "workflows"):  # in every stage (or stage run), or in both
                changed = copy.deepcopy(payload)
                for stage in changed[lists]:
                    stage[where] = tuple(stage[where])
                out.append(changed)
                both = copy.deepcopy(changed)
                for stage in both.get("stage_runs", []) if lists == "stages" else []:
                    stage[where] = tuple(stage[where])
                out.append(both)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_python_values_in_the_fields_the_fused_checks_read_get_the_reference_answer(seed: int) -> None:
    rng = random.Random(seed)
    plan = workload._plan(rng)
    summary = {**workload._summary(rng, plan), "overall_timeout_seconds": 60}
    for event, payload in ((PLAN, plan), (SUMMARY, summary)):
        for changed in _python_values(payload):
            _agree(event, changed)


def test_a_fused_check_only_for_the_shape_it_was_written_for() -> None:
    plan = CATALOGUE.get(PLAN)
    props = plan.schema["properties"]
    assert fast.fused_check(plan) is fast.FUSED[PLAN][0]
    for changed, fused in (
        ({**props, "note": {"type": "string"}, "flag": {"type": "boolean"}}, True),  # jsonschema-rs types these exactly
        ({**props, "count": {"type": "integer"}}, False),  # an integer the check does not confirm
        ({**props, "stages": {"$ref": "#/$defs/stages"}}, False),  # a $ref to other than the shared shapes
        ({**props, "stages": {"type": "array", "items": {"$ref": "#/$defs/stage"}}}, False),
        # Any PATCH of the shared shapes asserts what 1.0.0 does (the gate proves it); a MINOR may not.
        ({**props, "plan_id": {"$ref": "../multi_workflow.common/1.0.9.json#/$defs/plan_id"}}, True),
        ({**props, "plan_id": {"$ref": "../multi_workflow.common/1.1.0.json#/$defs/plan_id"}}, False),
        ({**props, "plan_id": {"$ref": "../multi_workflow.common/11.0.0.json#/$defs/plan_id"}}, False),
    ):
        schema_file = dataclasses.replace(plan, schema={**plan.schema, "properties": changed})
        assert (fast.fused_check(schema_file) is not None) == fused, changed
    assert fast.fused_check(CATALOGUE.get("multi_workflow.envelope")) is None  # no fused check written


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "object"}, "jsonschema-rs compiles it"),
    ({"type": 5}, "not a usable schema (5 is not valid under any of the schemas listed in the 'anyOf' keyword)"),
    ({"$ref": "https://example.invalid/elsewhere.json"},
     "a $ref does not resolve in the catalogue (Resource 'https://example.invalid/elsewhere.json' is not present in a "
     "registry and retrieving it failed: ValueError: https://example.invalid/elsewhere.json is not in the catalogue; "
     "nothing is fetched from the network)"),
])
def test_a_schema_jsonschema_rs_cannot_compile_is_explained_in_one_line(tmp_path: Any, schema: dict[str, Any],
                                                                        problem: str) -> None:
    catalogue = catalogue_of(tmp_path, {"x.event": schema})
    assert fast.compile_problem(catalogue, catalogue.get("x.event")) == problem
    assert (fast.compile_schema(catalogue, catalogue.get("x.event")) is None) == (problem != "jsonschema-rs compiles it")


def test_the_catalogue_schemas_compile_with_their_shared_shapes() -> None:
    # compiled inside the test (VALIDATORS above are built at import): each `$ref` to the shared
    # shapes resolves from the catalogue's registry
    catalogue = Catalogue.packaged()
    for event in catalogue.events():
        compiled = fast.compile_schema(catalogue, catalogue.get(event))
        assert compiled is not None, event
        assert fast.compile_problem(catalogue, catalogue.get(event)) == "jsonschema-rs compiles it"
    plan = catalogue.get(PLAN)
    assert not fast.compile_schema(catalogue, plan).is_valid({"plan_id": "nope"})  # type: ignore[union-attr]
