"""Issue 16: the false-alarm kinds, each on fresh examples, proved compatible where they are.

Every case is a pair the checker used to call breaking. Each says which directions hold; where a
direction breaks, the reported witness is checked here with jsonschema (patterns matched as
ECMA-262 says), and where it holds, jsonschema is run on instances drawn from both schemas as a
spot check of the proof. Timing: `contracts diff` on a large pair and a catastrophic pattern.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import children_cpu_seconds, run_contracts

from contracts.compat import diff
from contracts.compat.context import Side
from contracts.compat.ecma import VALIDATORS
from contracts.compat.witness import Candidates

REPO = Path(__file__).resolve().parents[1]
D7 = "http://json-schema.org/draft-07/schema#"


def _validator(schema: Any, dialect: str = "2020-12") -> Any:
    if isinstance(schema, dict) and "draft-07" in str(schema.get("$schema", "")):
        dialect = "draft7"
    return VALIDATORS[dialect](schema)


def verdict(old: Any, new: Any, backward: bool, forward: bool, **options: Any) -> None:
    report = diff(old, new, **options)
    assert (report.backward, report.forward) == (backward, forward), report.to_text()
    dialect = "draft7" if options.get("default_dialect") == "draft7" else "2020-12"
    v = {"old": _validator(old, dialect), "new": _validator(new, dialect)}
    for change in report.changes:  # a breaking direction carries a witness jsonschema confirms
        assert change.has_witness, change
        other = "new" if change.witness_accepted_by == "old" else "old"
        assert v[change.witness_accepted_by].is_valid(change.witness), change
        assert not v[other].is_valid(change.witness), change
    # A proof is spot-checked: no instance generated from either schema tells them apart.
    sides = [Side.build(n, s, None, options.get("default_dialect", "2020-12")) for n, s in (("old", old), ("new", new))]
    gen = Candidates()
    for instance in gen.of([sides[0].root_node()]) + gen.of([sides[1].root_node()]):
        in_old, in_new = v["old"].is_valid(instance), v["new"].is_valid(instance)
        assert not (backward and in_old and not in_new), instance
        assert not (forward and in_new and not in_old), instance


# -- regular expressions ----------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "backward", "forward"), [
    ({"pattern": "^ev_[0-9]{4}$"}, {"pattern": "^ev_"}, True, False),        # a prefix contains the full form
    ({"pattern": "^[0-9]+$"}, {"pattern": "[0-9]"}, True, False),           # anchors removed: a widening
    ({"pattern": "^[xyz_]+$"}, {"pattern": "^[_zyx]+$"}, True, True),       # a class reordered: no change
    ({"pattern": "^(?:red|blue)$"}, {"pattern": "^(blue|red)$"}, True, True),
    ({"pattern": "^\\d{3}$"}, {"pattern": "^[0-9][0-9][0-9]$"}, True, True),  # \d is ASCII in ECMA-262
    ({"type": "string", "pattern": "^[a-f]{2,6}$"}, {"type": "string", "maxLength": 6}, True, False),
    ({"type": "string", "pattern": "^[a-f]{2,6}$", "minLength": 2}, {"type": "string", "pattern": "^[a-f]{2,6}$"},
     True, True),                                                             # the pattern already bounds length
])
def test_regular_languages_are_decided(old: Any, new: Any, backward: bool, forward: bool) -> None:
    verdict({"type": "string", **old}, {"type": "string", **new}, backward, forward)


def test_pattern_properties_that_admit_every_key() -> None:
    old = {"type": "object", "additionalProperties": {"type": "integer"}}
    new = {"type": "object", "patternProperties": {"": {"type": "integer"}}, "additionalProperties": False}
    verdict(old, new, True, True)
    tagged = {"type": "object", "patternProperties": {"^tag_[a-z]+$": {"type": "string"}},
              "additionalProperties": False}
    verdict(tagged, {"type": "object", "patternProperties": {"^tag_": {"type": "string"}},
                     "additionalProperties": False}, True, False)


def test_a_catastrophic_pattern_is_compared_and_matched_without_backtracking() -> None:
    started = time.process_time()  # CPU: the work done, whatever the machine's neighbours do
    verdict({"type": "string", "pattern": "^(a+)+b$"}, {"type": "string", "pattern": "^a+b$"}, True, True)
    old = {"type": "object", "properties": {"id": {"type": "string", "maxLength": 64}}}
    new = {"type": "object", "properties": {"id": {"type": "string", "maxLength": 64, "pattern": "^(a+)+b$"}}}
    verdict(old, new, False, True)
    assert time.process_time() - started < 10


def test_backreferences_and_lookaround_cannot_be_proved_with_the_reason() -> None:
    report = diff({"type": "string", "pattern": "^(?=x)x+$"}, {"type": "string", "pattern": "^x+$"})
    assert not report.backward and "lookaround" in report.changes[0].message


def _many_hard_patterns(repeat: int, properties: int = 10) -> dict[str, Any]:
    # A subset construction of 2**repeat states: one comparison visits MAX_EXPLORED states.
    hard = {"type": "string", "pattern": f"^(a|b)*a(a|b){{{repeat}}}$"}
    return {"type": "object", "properties": {f"k{i}": hard for i in range(properties)}}


def test_the_pattern_budget_bounds_the_whole_diff_not_each_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten properties, each with a pattern whose comparison gives up after MAX_EXPLORED states: 96 s
    when each question had its own budget and nothing bounded their sum. Counted in the steps the
    automata take (a clock would make the test depend on the machine), with the budgets scaled down."""
    from contracts.compat import regular

    monkeypatch.setattr(regular, "MAX_EXPLORED", 2_000)
    monkeypatch.setattr(regular, "MAX_EXPLORED_TOTAL", 5_000, raising=False)
    steps = [0]
    stepper = regular._stepper

    def counted(auto: Any, atoms: Any) -> Any:
        step = stepper(auto, atoms)

        def step_counted(states: Any, k: int) -> Any:
            steps[0] += 1
            return step(states, k)
        return step_counted

    monkeypatch.setattr(regular, "_stepper", counted)
    report = diff(_many_hard_patterns(15), _many_hard_patterns(14))
    # Each product state visited costs one step per automaton (3 at most here) per atom ({a}, {b},
    # the rest): 9 steps; the budget lets 5,000 states be visited in all, whatever the number of
    # questions (it took 280,000 states, 2.5 million steps, with 2,000 per question).
    assert steps[0] <= 9 * 5_000
    assert (report.backward, report.forward) == (False, False)  # never compatible for lack of time
    patterns = [c for c in report.changes if c.path.endswith("/pattern")]
    assert {c.path for c in patterns} == {f"/properties/k{i}/pattern" for i in range(10)}
    assert all("cannot decide: the patterns are too large to compare" in c.message for c in patterns)


def test_a_budget_counts_the_states_of_every_question_asked_within_it() -> None:
    from contracts.compat import regular

    left, right = [regular.language("^(a|b)*a(a|b){15}$")], regular.language("^(a|b)*a(a|b){14}$")
    with regular.budget(3_000) as spent:
        for _ in range(3):
            with pytest.raises(regular.Unprovable, match="too large to compare"):
                regular.counterexample(left, right)
    assert 3_000 <= spent.used <= 3_001 and spent.left == 0  # the first question spent it all
    with regular.budget() as fresh:  # a new diff starts afresh
        assert regular.counterexample([regular.language("^a$")], regular.language("a")) is None
    assert 0 < fresh.used < 10


# -- exact rewrites: double negation, a condition always true, `not` of everything ------------------
@pytest.mark.parametrize(("old", "new", "backward", "forward"), [
    ({"not": {"not": {"type": "integer"}}}, {"type": "integer"}, True, True),
    ({"type": "object", "not": {"not": {"required": ["a"]}}}, {"type": "object", "required": ["a"]}, True, True),
    ({"not": {"not": {"type": "integer"}}}, {"type": "number"}, True, False),
    ({"if": True, "then": {"type": "string"}, "else": {"type": "integer"}}, {"type": "string"}, True, True),
    ({"if": {}, "then": {"type": "string"}, "else": {"type": "integer"}}, {"type": "string"}, True, True),
    (False, {"not": {}}, True, True),
    (False, {"not": True}, True, True),
    ({"properties": {"a": False}}, {"properties": {"a": {"not": True}}}, True, True),
    ({"type": "string"}, {"not": {}}, False, True),
])
def test_exact_rewrites_of_not_and_if(old: Any, new: Any, backward: bool, forward: bool) -> None:
    verdict(old, new, backward, forward)


def test_double_negation_leaves_what_unevaluated_properties_sees_alone() -> None:
    """`not` passes on no annotation: properties under `not: {not: ...}` are not evaluated, so
    `unevaluatedProperties: false` beside it still rejects them (the rewrite must not let them in)."""
    inner = {"properties": {"a": True}}
    old = {"not": {"not": inner}, "unevaluatedProperties": False}
    verdict(old, {**inner, "unevaluatedProperties": False}, True, False)
    verdict(old, {"allOf": [inner], "maxProperties": 0}, True, True)
    verdict({"not": {"not": {"type": "object", "unevaluatedProperties": False}}},
            {"type": "object", "maxProperties": 0}, True, True)


# -- unevaluated ------------------------------------------------------------------------------------
def test_what_then_evaluates_is_not_unevaluated() -> None:
    old = {"type": "object", "properties": {"kind": {"const": "card"}, "last4": {"type": "string"}},
           "required": ["kind"], "additionalProperties": False}
    new = {"type": "object", "properties": {"kind": {"const": "card"}}, "required": ["kind"],
           "if": {"properties": {"kind": {"const": "card"}}}, "then": {"properties": {"last4": {"type": "string"}}},
           "unevaluatedProperties": False}
    verdict(old, new, True, True)


def test_what_dependent_schemas_and_any_of_branches_evaluate() -> None:
    old = {"type": "object", "properties": {"unit": {"type": "string"}, "qty": {"type": "integer"}},
           "additionalProperties": False}
    new = {"type": "object", "anyOf": [{"properties": {"unit": {"type": "string"}}},
                                       {"properties": {"qty": {"type": "integer"}}}],
           "unevaluatedProperties": False}
    verdict(old, new, True, True)
    dep_old = {"type": "object", "properties": {"card": {"type": "string"}}, "additionalProperties": False}
    dep_new = {"type": "object", "properties": {"card": {"type": "string"}},
               "dependentSchemas": {"card": {"properties": {"cvv": {"type": "string"}}}},
               "unevaluatedProperties": False}
    verdict(dep_old, dep_new, True, False)  # NEW allows cvv beside a card


def test_what_contains_evaluates_is_not_unevaluated_items() -> None:
    old = {"type": "array", "items": {"type": "integer"}, "minItems": 1}
    new = {"type": "array", "contains": {"type": "integer"}, "unevaluatedItems": False}
    verdict(old, new, True, True)
    # 2019-09: `contains` evaluates nothing, so unevaluatedItems rejects every item
    d2019 = {"$schema": "https://json-schema.org/draft/2019-09/schema", **new}
    verdict(d2019, {"type": "array", "maxItems": 0, "contains": {"type": "integer"}}, True, True)


# -- arithmetic -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "backward", "forward"), [
    ({"multipleOf": 0.5}, {"multipleOf": 0.25}, True, False),
    ({"allOf": [{"multipleOf": 4}, {"multipleOf": 6}]}, {"multipleOf": 12}, True, True),
    ({"multipleOf": 3, "minimum": 1, "maximum": 10}, {"minimum": 3, "maximum": 9}, True, False),
    ({"type": "integer", "multipleOf": 0.125}, {"type": "integer"}, True, True),
    ({"type": "integer", "multipleOf": 5, "exclusiveMinimum": 5}, {"minimum": 10}, True, False),
    ({"multipleOf": 0.1}, {"multipleOf": 0.1}, True, True),
])
def test_exact_arithmetic(old: Any, new: Any, backward: bool, forward: bool) -> None:
    verdict({"type": "number", **old}, {"type": "number", **new}, backward, forward)


# -- implied constraints ----------------------------------------------------------------------------
def test_dependent_required_closure() -> None:
    chain = {"type": "object", "dependentRequired": {"street": ["city"], "city": ["country"]}}
    verdict(chain, {**chain, "dependentRequired": {**chain["dependentRequired"], "street": ["city", "country"]}},
            True, True)


def test_draft07_dependencies_forms() -> None:
    array = {"$schema": D7, "type": "object", "dependencies": {"refund": ["reason"]}}
    schema = {"$schema": D7, "type": "object", "dependencies": {"refund": {"required": ["reason"]}}}
    verdict(array, schema, True, True)


def test_unique_items_over_few_values_caps_the_length() -> None:
    old = {"type": "array", "items": {"enum": ["on", "off"]}, "uniqueItems": True}
    verdict(old, {**old, "maxItems": 2}, True, True)
    verdict({**old, "items": {"type": "boolean"}}, {**old, "items": {"type": "boolean"}, "maxItems": 3}, True, True)


def test_items_reduce_two_contains_to_the_same() -> None:
    old = {"type": "array", "items": {"type": "integer", "minimum": 0}, "contains": {"minimum": 10}}
    new = {"type": "array", "items": {"type": "integer", "minimum": 0}, "contains": {"type": "integer", "minimum": 10}}
    verdict(old, new, True, True)


# -- format -----------------------------------------------------------------------------------------
def test_format_follows_the_validators_and_the_option() -> None:
    verdict({"type": "string", "format": "email"}, {"type": "string", "format": "uuid"}, True, True)
    report = diff({"type": "string", "format": "date"}, {"type": "string"}, format_assertion=True)
    assert (report.backward, report.forward) == (True, False)
    assert report.changes[0].has_witness  # confirmed by jsonschema with its format checker


# -- dialects ---------------------------------------------------------------------------------------
def test_default_dialect_draft07_reads_tuples_dependencies_and_definitions() -> None:
    old = {"definitions": {"N": {"type": "integer"}}, "type": "array", "items": [{"$ref": "#/definitions/N"}],
           "additionalItems": False}
    new = {"definitions": {"N": {"type": "integer"}}, "type": "array", "items": [{"$ref": "#/definitions/N"}],
           "additionalItems": {"type": "string"}}
    verdict(old, new, True, False, default_dialect="draft7")
    deps = {"type": "object", "dependencies": {"a": ["b"]}}
    verdict(deps, {"type": "object", "dependencies": {"a": {"required": ["b"]}}}, True, True,
            default_dialect="draft7")


def test_cli_default_dialect_and_format_assertion(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"type": "array", "items": [{"type": "integer"}], "additionalItems": False}))
    new.write_text(json.dumps({"type": "array", "items": [{"type": "integer"}]}))
    run = [str(REPO / ".venv" / "bin" / "contracts"), "diff", str(old), str(new), "--format", "json"]
    got = subprocess.run(run + ["--default-dialect", "draft-07"], capture_output=True, text=True, cwd=REPO)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["forward"] is False
    fmt_old, fmt_new = tmp_path / "f1.json", tmp_path / "f2.json"
    fmt_old.write_text(json.dumps({"type": "string", "format": "date"}))
    fmt_new.write_text(json.dumps({"type": "string"}))
    run = [str(REPO / ".venv" / "bin" / "contracts"), "diff", str(fmt_new), str(fmt_old), "--format", "json"]
    assert json.loads(subprocess.run(run, capture_output=True, text=True, cwd=REPO).stdout)["backward"] is True
    asserted = subprocess.run(run + ["--format-assertion"], capture_output=True, text=True, cwd=REPO)
    assert json.loads(asserted.stdout)["backward"] is False


# -- time -------------------------------------------------------------------------------------------
def _big(seed: int, fields: int) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for i in range(fields):
        kind = i % 5
        props[f"field_{i}"] = [
            {"type": "string", "pattern": f"^[a-z]{{1,{8 + i % 7}}}(-[0-9]+)?$", "maxLength": 40},
            {"type": "integer", "minimum": 0, "maximum": 1000 + seed, "multipleOf": 2},
            {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "number"},
                                                                         "y": {"enum": ["a", "b", "c"]}},
                                        "required": ["x"], "additionalProperties": False}, "maxItems": 20},
            {"anyOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
            {"type": "object", "patternProperties": {"^k_": {"type": "boolean"}}, "additionalProperties": False},
        ][kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": props,
            "required": sorted(props)[: fields // 3], "additionalProperties": False}


def test_a_large_pair_is_compared_within_ten_seconds() -> None:
    old = _big(0, 640)
    new = copy.deepcopy(old)
    new["properties"]["field_1"]["maximum"] = 999  # one narrowing among many unchanged fields
    new["properties"]["field_0"]["pattern"] = "^[a-z]{1,9}(-[0-9]+)?$"
    assert 50_000 < len(json.dumps(old)) <= 100_000
    started = time.process_time()
    report = diff(old, new)
    elapsed = time.process_time() - started
    print(f"\nlarge pair ({len(json.dumps(old))} bytes): {elapsed:.2f}s")
    assert (report.backward, report.forward) == (False, False)
    assert elapsed < 10


def test_contracts_check_on_a_version_with_a_catastrophic_pattern(repo_copy: Path) -> None:
    """A new MINOR of plan_created whose new field has `^(a+)+b$`: `contracts check` within 10 s."""
    folder = repo_copy / "schemas" / "multi_workflow.plan_created"
    schema = json.loads((folder / "1.1.0.json").read_text())
    schema["$id"] = schema["$id"].replace("1.1.0.json", "1.2.0.json")
    schema["x-event"]["version"] = "1.2.0"
    schema["properties"]["reviewer_tag"] = {"type": "string", "pattern": "^(a+)+b$", "maxLength": 64,
                                            "description": "A tag whose pattern backtracks catastrophically in `re`."}
    (folder / "1.2.0.json").write_text(json.dumps(schema, indent=2) + "\n")
    fixtures = repo_copy / "fixtures" / "multi_workflow.plan_created"
    shutil.copytree(fixtures / "1.1.0", fixtures / "1.2.0")
    assert run_contracts("generate", cwd=repo_copy).returncode == 0
    started = children_cpu_seconds()
    done = run_contracts("check", cwd=repo_copy)
    elapsed = children_cpu_seconds() - started
    print(f"\ncontracts check with ^(a+)+b$: {elapsed:.2f} CPU-s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert elapsed < 10
