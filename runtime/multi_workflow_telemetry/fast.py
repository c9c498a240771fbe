"""The fast path: a compiled schema validator, a fast JSON parser and the contract rules fused.

`jsonschema` stays the reference (see `validation.py`); this module only answers "certainly
valid" quickly. Anything it is not sure about goes to the reference, which also writes every
message, so a fast answer and a reference answer can never disagree in what they report:

- Schemas are compiled once with jsonschema-rs, from the catalogue only: its retriever refuses
  every URI, so a `$ref` the catalogue cannot resolve fails at compile time and never reaches
  the network.
- jsonschema-rs is more lenient than the reference with Python values that JSON cannot produce
  (it takes a tuple as an array and a `Decimal` as an integer), so a "valid" from it is trusted
  only for exact JSON types. The fused rule checks below confirm the types they read; other
  events are walked (`exact_json`).
- Lines are parsed with orjson, which turns integers beyond 64 bits into floats: the fused
  checks accept only `int` counts, so such a line takes the careful path, parsed again by the
  standard library (`loads_exact`), where integers are exact.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from math import isfinite
from operator import lt
from typing import Any

import jsonschema_rs
import orjson

from msgspec import UNSET

from .catalogue import Catalogue, SchemaFile
from .rules import BATCH_METRICS, EXECUTION_SUMMARY, PLAN_CREATED, rules_for

Fused = Callable[[Any], bool]

# What jsonschema-rs raises for values it cannot convert (a `str` subclass, a `set`, an int key,
# a recursion too deep): the payload then goes to the reference, which decides.
FAST_ERRORS = (ValueError, TypeError, OverflowError, RecursionError)


class NotJSON(ValueError):
    """A line the contract's parser refuses although the standard library would read it.

    Like `json.JSONDecodeError`, it says where: `lineno` (from 1) of the refused number or repeated
    key in `doc`, the text `loads_exact` read. The parser's hooks are not told where they are, so
    the place is found when asked (`locate`), by a walk over the text up to it; 1 when the text is
    one line, or the place cannot be found."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg
        self.doc = ""  # set by loads_exact
        self._pos: int | None = -1  # -1: not looked for yet

    @property
    def pos(self) -> int | None:
        """The index in `doc` of what was refused, or None when it cannot be told."""
        if self._pos == -1:
            self._pos = locate(self.doc, self.msg)
        return self._pos

    @property
    def lineno(self) -> int:
        if "\n" not in self.doc:
            return 1  # one line: no need to look
        pos = self.pos
        return 1 if pos is None else self.doc.count("\n", 0, pos) + 1


def _no_constant(name: str) -> Any:
    raise NotJSON(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotJSON(f"number {text} is out of range")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise NotJSON(f"duplicate key {key!r} in one object")
            seen.add(key)
    return out


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        # Python converts at most sys.get_int_max_str_digits() digits (4300 by default): beyond,
        # the conversion takes time quadratic in the length, a denial of service. No contract
        # field holds such a number (D20 bounds them to 2^53 - 1), so the line is refused.
        digits = len(text.lstrip("-"))
        raise NotJSON(f"an integer of {digits} digits is more than can be read ({sys.get_int_max_str_digits()} at most)") from None


# Duplicate keys are refused: parsers disagree on which value wins, so the event is ambiguous.
_STRICT = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite, parse_int=_integer,
                           object_pairs_hook=_no_duplicates)


# The tokens of JSON text, for `locate`, each after the whitespace before it: a string, a number (as
# the standard library's scanner reads one: ASCII digits), a constant Python's parser reads (NaN,
# Infinity), a literal, a structural character.
_TOKEN = re.compile(r"""
    [ \t\n\r]*
    (?: (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
  | (?P<number>-?(?:0|[1-9][0-9]*)(?P<real>(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))
  | (?P<constant>NaN|Infinity|-Infinity)
  | (?P<literal>true|false|null)
  | (?P<char>[{}\[\]:,]) )
""", re.VERBOSE | re.DOTALL)


def locate(text: str, msg: str) -> int | None:
    """Where in `text` the strict reader (`_STRICT`) refused what `msg` says, or None.

    The walk meets the text as the reader does: a number or a constant when it is read, an
    object's repeated key when the object closes (its `object_pairs_hook` sees the keys then),
    inner objects before outer ones; so the first refusal it meets is the one the reader raised,
    and the place is that number's or that repeated key's. Everything the reader read before the
    refusal is valid JSON, so the tokens up to it are exact; any other text gives None."""
    # One frame per open container: None for an array; for an object [keys seen, index of its
    # first repeated key or None, whether a key comes next].
    stack: list[list[Any] | None] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None or kind == "literal":
            continue
        token, start = match.group(kind), match.start(kind)
        try:
            if kind == "number":
                (_finite if match.group("real") else _integer)(token)
            elif kind == "constant":
                _no_constant(token)
        except NotJSON as exc:
            return start if exc.msg == msg else None
        if kind == "string":
            frame = stack[-1] if stack else None
            if frame is not None and frame[2]:  # a key
                key = json.loads(token)
                if key in frame[0] and frame[1] is None:
                    frame[1] = start
                frame[0].add(key)
                frame[2] = False
        elif kind != "char":
            continue
        elif token == "{":
            stack.append([set(), None, True])
        elif token == "[":
            stack.append(None)
        elif token == "," and stack and stack[-1] is not None:
            stack[-1][2] = True
        elif token in "]}":
            if not stack:
                return None
            frame = stack.pop()
            if frame is not None and frame[1] is not None:
                key = json.loads(_TOKEN.match(text, frame[1]).group())  # type: ignore[union-attr]
                return frame[1] if msg == f"duplicate key {key!r} in one object" else None
    return None


# JSON's insignificant whitespace. Inside a string only the space may appear unescaped (a tab, a
# newline or a carriage return there makes the text invalid, and every reader here refuses it), so
# in a line every tab, newline and carriage return is insignificant, and a space may be either.
WHITESPACE = b" \t\n\r"


def same_bytes(payload: Any, raw: bytes | bytearray | str) -> bool:
    """Whether `raw` is what orjson writes for `payload`, up to insignificant whitespace (compact,
    `json.dumps`' ", " and ": ", tabs, newlines inside a document: any spacing). Then orjson's
    reading can be trusted: equal texts have the same tokens, so no key was repeated (orjson keeps
    the last of duplicates silently, and writes one member fewer), and every number was read exactly
    (a float standing for a big integer is written back differently). Otherwise the strict reader
    decides.

    The comparison deletes every whitespace byte from both texts, spaces inside strings included:
    `written` is orjson's writing of `raw`'s own reading, so its strings hold the same spaces, and a
    string that differs otherwise (an escape written in another form) differs in its other bytes.
    The cost is one or two C passes over the line, whatever its spacing."""
    try:
        written = orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return False
    if not isinstance(raw, (bytes, bytearray)):
        raw = raw.encode("utf-8")
    if written == raw:
        return True
    return len(raw) > len(written) and same_text(written, raw)


def python_same_text(written: bytes | bytearray, raw: bytes | bytearray) -> bool:
    """Whether `written` without its spaces is `raw` without its whitespace (`same_bytes`' proof)."""
    return written.translate(None, b" ") == raw.translate(None, WHITESPACE)


def python_same_length(written: bytes | bytearray, raw: bytes | bytearray) -> bool:
    """Whether `written` (a compact re-encoding of `raw`'s reading, which writes no value longer than
    it was read: see structs.py) is as long as `raw` once insignificant whitespace is set aside: the
    struct tier's proof that nothing was dropped, for a line of any spacing. A compact line costs
    one comparison; a spaced one two C passes."""
    if len(written) == len(raw):
        return True
    # Spaces left in `written` are inside strings, where `raw` holds the same ones: both sides
    # drop them, so the lengths compare the tokens alone.
    return len(written) - written.count(b" ") == len(raw.translate(None, WHITESPACE))


# The same two proofs in C, one pass over the bytes with no copy, when the optional
# multi-workflow-telemetry-speedups is installed (speedups/ in the contract's repository): on a
# line spaced as `json.dumps` writes it, `translate` and `count` cost a tenth of the line's time.
# Both compute exactly what the Python above computes (tests/test_speedups.py).
Proof = Callable[[bytes | bytearray, bytes | bytearray], bool]
same_length: Proof = python_same_length
same_text: Proof = python_same_text
try:
    import multi_workflow_telemetry_speedups as _speedups  # type: ignore[import-not-found,unused-ignore]  # no stubs
except ImportError:  # the package alone (without its `speedups` extra): the same answers, a little more slowly
    pass
else:  # (a build without one of them leaves that one in Python)
    same_length = getattr(_speedups, "same_length", python_same_length)
    same_text = getattr(_speedups, "same_text", python_same_text)


def judged_as_read(raw: bytes | bytearray | str, *, by_orjson: bool) -> bool:
    """Whether jsonschema-rs judges the reading of the JSON text `raw` as the reference does with
    no exact copy made first (`explain.Copy`). A JSON reader returns exact types only (dict with
    str keys, list, str, int, finite float, bool, None), so two differences remain: a lone
    surrogate, which jsonschema-rs cannot take (orjson refuses one; the standard library reads
    `\\ud800`), and an empty key, which jsonschema-rs leaves out of an error's path. Text without
    `""` has no empty key, and text the standard library read without `\\u` has no surrogate:
    a line with either merely takes the copy."""
    if isinstance(raw, str):
        return '""' not in raw and (by_orjson or "\\u" not in raw)
    return b'""' not in raw and (by_orjson or b"\\u" not in raw)


def loads_exact(raw: bytes | bytearray | str) -> Any:
    """JSON text as exact Python values (integers of any size), with the stdlib's error messages.

    Raises `json.JSONDecodeError`, `UnicodeDecodeError` or `NotJSON` (NaN, Infinity, a number too
    large for a float, a repeated key): JSON has no such values, and orjson refuses them too. Each
    says where, as the line a multi-line document holds it on: `lineno` (`exc.start`, the byte,
    for `UnicodeDecodeError`).
    """
    if isinstance(raw, (bytes, bytearray)):
        # JSON text exchanged between systems is UTF-8 (RFC 8259 §8.1); a byte order mark is
        # refused here, as orjson refuses it: a reader strips the one that may start a file.
        raw = bytes(raw).decode("utf-8")
    try:
        return _STRICT.decode(raw)
    except NotJSON as exc:
        exc.doc = raw  # where it is is looked for only when asked (NotJSON.lineno)
        raise


BOM = b"\xef\xbb\xbf"


def strip_bom(data: bytes) -> bytes:
    """The start of a file or stream without its UTF-8 byte order mark, if it has one."""
    return data[3:] if data.startswith(BOM) else data


def loads(raw: bytes) -> Any:
    """JSON text as Python values: orjson when it can, the standard library when it cannot.

    Both accept the same documents (orjson refuses lone surrogates, which the standard library
    reads); integers beyond 64 bits come back as floats from orjson, see `loads_exact`.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return loads_exact(raw)


def rs_str(text: str) -> str:
    """`text` as an exact str jsonschema-rs can take: a lone surrogate (which JSON text can
    escape, and UTF-8 cannot encode) becomes U+FFFF, a noncharacter no schema names, so lengths
    stay and no enum, const or pattern matches by accident."""
    text = str.__str__(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\uffff" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


@lru_cache(maxsize=None)
def ecma_search(pattern: str) -> Callable[[str], bool]:
    """Whether a string matches the JSON Schema `pattern` (an ECMA-262 regular expression,
    searched, not anchored). jsonschema-rs implements ECMA-262, where Python's `re` differs: its
    `$` also matches before a trailing newline, so `re` would accept "multiwf-<32 hex>\\n".
    Raises ValueError when `pattern` is not a regular expression."""
    try:
        return jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid
    except jsonschema_rs.ValidationError as exc:
        raise ValueError(f"{pattern!r} is not an ECMA-262 regular expression") from exc


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri} is not in the catalogue; nothing is fetched from the network")


_REGISTRIES: dict[int, tuple[Catalogue, Any]] = {}


def _registry(catalogue: Catalogue) -> Any:
    held = _REGISTRIES.get(id(catalogue))
    if held is None or held[0] is not catalogue:
        resources = list(catalogue.documents.items())
        held = (catalogue, jsonschema_rs.Registry(resources, retriever=_refuse))
        _REGISTRIES[id(catalogue)] = held
    return held[1]


def _validator(catalogue: Catalogue, schema_file: SchemaFile) -> Any:
    # The registry holds every document of the catalogue and resolves every `$ref` through
    # `_refuse`: a `$ref` outside the catalogue fails here, whichever document it is in.
    return jsonschema_rs.Draft202012Validator(schema_file.schema, registry=_registry(catalogue),
                                              base_uri=schema_file.id or None)


def compile_schema(catalogue: Catalogue, schema_file: SchemaFile) -> Any | None:
    """The compiled validator of one schema, or None when jsonschema-rs cannot compile it
    (the reference then reports the problem, as it always has)."""
    try:
        return _validator(catalogue, schema_file)
    except Exception:  # a broken or unresolvable schema: the reference path says what is wrong
        return None


def compile_problem(catalogue: Catalogue, schema_file: SchemaFile) -> str:
    """Why jsonschema-rs cannot compile a schema, in one line (for when the reference is absent)."""
    try:
        _validator(catalogue, schema_file)
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        message = str(exc).strip()
        reason = message.partition("\n")[0] or type(exc).__name__
        if "nothing is fetched" in message:  # jsonschema-rs quotes `_refuse`'s refusal
            return f"a $ref does not resolve in the catalogue ({reason})"
        return f"not a usable schema ({reason})"
    return "jsonschema-rs compiles it"


def exact_json(value: Any) -> bool:
    """Whether `value` is made only of dict, list, str, int, finite float, bool and None (exact
    types). jsonschema-rs reads NaN and infinity as null, where the reference sees numbers."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and exact_json(v) for k, v in value.items())
    if kind is list:
        return all(exact_json(v) for v in value)
    return kind is str or kind is int or (kind is float and isfinite(value)) or kind is bool or value is None


def exact_json_ints(value: Any) -> bool:
    """`exact_json`, with no float anywhere: a float may be an integer orjson rounded."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and exact_json_ints(v) for k, v in value.items())
    if kind is list:
        return all(exact_json_ints(v) for v in value)
    return kind is str or kind is int or kind is bool or value is None


# The fused checks: one pass, true only when every contract rule of the event holds (the same
# conditions as rules.py, MW001...) and every value the schema types as an array, object or
# integer has exactly that JSON type. They run only on payloads jsonschema-rs accepted, so the
# shapes are known. False means "not sure": the caller takes the careful path.


def _sorted_unique(values: Any) -> bool:
    # MW004/MW005 hold exactly when each value is greater than the one before it
    n = len(values)
    if n < 3:
        return n < 2 or values[0] < values[1]
    return all(map(lt, values, values[1:]))


def _plan_created_ok(p: Any) -> bool:
    stages = p["stages"]
    issue = p.get("issue_number")
    if type(stages) is not list or not (issue is None or type(issue) is int):
        return False
    names: set[str] = set()
    total = i = 0
    for stage in stages:
        index, workflows, conflicts = stage["index"], stage["workflows"], stage["blocking_conflicts"]
        if index != i or type(index) is not int or type(workflows) is not list or type(conflicts) is not list:
            return False  # MW003
        if not _sorted_unique(workflows) or not _sorted_unique(conflicts):
            return False  # MW004, MW005
        names.update(workflows)
        total += len(workflows)
        i += 1
    count, workflow_count = p["stage_count"], p["workflow_count"]
    return (
        len(names) == total  # MW006: unique within each stage, so a repeat is across stages
        and count == i and type(count) is int  # MW001
        and workflow_count == total and type(workflow_count) is int  # MW002
    )


def _execution_summary_ok(p: Any) -> bool:
    stages, stage_runs, issue = p["stages"], p["stage_runs"], p["issue_number"]
    if type(stages) is not list or type(stage_runs) is not list or type(issue) is not int:
        return False
    if len(stage_runs) != len(stages):  # MW007
        return False
    timeout = p.get("overall_timeout_seconds")
    if not (timeout is None or type(timeout) is int):
        return False
    names: set[str] = set()
    statuses: list[str] = []
    total = i = 0
    for stage, stage_run in zip(stages, stage_runs):
        index, workflows, conflicts = stage["index"], stage["workflows"], stage["blocking_conflicts"]
        if index != i or type(index) is not int or type(workflows) is not list or type(conflicts) is not list:
            return False  # MW003
        if not _sorted_unique(workflows) or not _sorted_unique(conflicts):
            return False  # MW004, MW005 (stage_runs[i].blocking_conflicts equal these: MW008)
        runs, run_index, run_conflicts = stage_run["workflows"], stage_run["index"], stage_run["blocking_conflicts"]
        if (  # MW008
            run_index != i or type(run_index) is not int or type(runs) is not list or type(run_conflicts) is not list
            or run_conflicts != conflicts or stage_run["run_mode"] != stage["run_mode"]
            or [run["workflow_name"] for run in runs] != workflows
        ):
            return False
        for run in runs:
            status = run["status"]
            statuses.append(status)
            if "created_files" in run:
                files = run["created_files"]
                if type(files) is not list or (files and status != "executed"):  # MW010
                    return False
        names.update(workflows)
        total += len(workflows)
        i += 1
    count, workflow_count, status = p["stage_count"], p["workflow_count"], p["status"]
    skipped = statuses.count("skipped")
    if (
        len(names) != total  # MW006
        or count != i or type(count) is not int  # MW001
        or workflow_count != total or type(workflow_count) is not int  # MW002
        or (status == "skipped" and skipped != total)  # MW011
        or (status == "executed" and skipped == total)  # MW012
    ):
        return False
    errors = p.get("errors")
    if "failed" not in statuses:
        return errors is None or (type(errors) is list and not errors)  # MW009
    if type(errors) is not list:
        return False
    failed = {run["workflow_name"] for stage_run in stage_runs for run in stage_run["workflows"]
              if run["status"] == "failed"}
    named = {entry["workflow_name"] for entry in errors}
    return len(named) == len(errors) and named == failed  # MW009


def _batch_metrics_ok(p: Any) -> bool:
    multi, partial, conflicts = p["multi_workflow_count"], p["partial_success_count"], p["conflict_count"]
    return (
        type(multi) is int and type(partial) is int and type(conflicts) is int
        and partial <= multi  # MW013
    )


# The same checks on the msgspec structs of `structs.py`, for the stream's fastest tier. msgspec
# has already checked every type (an int is an int, a list a list), so only the rules remain.


def _stages_ok(stages: Any) -> tuple[bool, int]:
    """MW003-MW006 over `stages`; (holds, number of workflows)."""
    names: set[str] = set()
    total = i = 0
    for stage in stages:
        workflows, conflicts = stage.workflows, stage.blocking_conflicts
        if stage.index != i:  # MW003
            return False, 0
        # MW004, MW005; most lists hold one name or none, which are sorted without a call
        if (len(workflows) > 1 and not _sorted_unique(workflows)) or (conflicts and not _sorted_unique(conflicts)):
            return False, 0
        names.update(workflows)
        total += len(workflows)
        i += 1
    return len(names) == total, total  # MW006


def _plan_created_struct_ok(p: Any) -> bool:
    holds, total = _stages_ok(p.stages)
    return holds and p.stage_count == len(p.stages) and p.workflow_count == total  # MW001, MW002


def _execution_summary_struct_ok(p: Any) -> bool:
    stages, stage_runs = p.stages, p.stage_runs
    if len(stage_runs) != len(stages):  # MW007
        return False
    seen: set[str] = set()
    failed: set[str] = set()
    total = skipped = i = 0
    for stage, stage_run in zip(stages, stage_runs):
        workflows, conflicts, runs = stage.workflows, stage.blocking_conflicts, stage_run.workflows
        n = len(workflows)
        if (
            stage.index != i  # MW003
            or (n > 1 and not _sorted_unique(workflows)) or (conflicts and not _sorted_unique(conflicts))  # MW004, MW005
            or stage_run.index != i or len(runs) != n or stage_run.blocking_conflicts != conflicts  # MW008
            or stage_run.run_mode != stage.run_mode
        ):
            return False
        for name, run in zip(workflows, runs):
            if run.workflow_name != name:  # MW008
                return False
            status = run.status
            if status != "executed":
                if status == "skipped":
                    skipped += 1
                elif status == "failed":
                    failed.add(name)
                if run.created_files:  # MW010 (UNSET is false, as is an empty list)
                    return False
        seen.update(workflows)
        total += n
        i += 1
    status = p.status
    if (
        p.stage_count != i or p.workflow_count != total  # MW001, MW002
        or len(seen) != total  # MW006
        or (status == "skipped" and skipped != total)  # MW011
        or (status == "executed" and skipped == total)  # MW012
    ):
        return False
    errors = p.errors
    if not failed:
        return not errors  # MW009 (absent or empty)
    if not errors:
        return False
    named = {entry.workflow_name for entry in errors}
    return len(named) == len(errors) and named == failed  # MW009


def _batch_metrics_struct_ok(p: Any) -> bool:
    return bool(p.partial_success_count <= p.multi_workflow_count)  # MW013


# Each fused check, with the fields whose types it confirms and the shared shapes it was written
# for. A new schema version may add string or boolean fields (jsonschema-rs is as strict as the
# reference about those); anything else it adds, or a new version of the shared shapes, and the
# event falls back to the generic path (`exact_json_ints` and rules.py) until the check is updated.
_PLAN_FIELDS = {"plan_id", "stages", "issue_number", "stage_count", "workflow_count"}
# The shared shapes the checks were written for: common 1.0.x. A PATCH asserts what the version
# before it asserts (`contracts check` proves each one equivalent), so every 1.0.x holds the same
# checks: 1.0.1 only marks fields `x-sensitive`.
_COMMON = re.compile(r"\.\./multi_workflow\.common/1\.0\.\d+\.json#")
FUSED: dict[str, tuple[Fused, set[str]]] = {
    PLAN_CREATED: (_plan_created_ok, _PLAN_FIELDS),
    EXECUTION_SUMMARY: (_execution_summary_ok, _PLAN_FIELDS | {"stage_runs", "errors", "overall_timeout_seconds",
                                                                 "deliverable_manifest"}),
    BATCH_METRICS: (_batch_metrics_ok, {"multi_workflow_count", "partial_success_count", "conflict_count"}),
}
FUSED_STRUCT: dict[str, Fused] = {
    PLAN_CREATED: _plan_created_struct_ok,
    EXECUTION_SUMMARY: _execution_summary_struct_ok,
    BATCH_METRICS: _batch_metrics_struct_ok,
}


# The contract rules each fused check implements: a version whose rule set differs (a rule added
# `since` a later version) takes the generic path until its check is written.
FUSED_RULES: dict[str, set[str]] = {
    PLAN_CREATED: {f"MW00{n}" for n in range(1, 7)},
    EXECUTION_SUMMARY: {f"MW{n:03d}" for n in range(1, 13)},
    BATCH_METRICS: {"MW013"},
}


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def fused_check(schema_file: SchemaFile, *, structs: bool = False) -> Fused | None:
    """The fused check of this schema version, if one was written for its shape: on parsed JSON
    values, or (`structs`) on the msgspec structs of `structs.py`."""
    entry = FUSED.get(schema_file.name)
    if entry is None:
        return None
    check, confirmed = entry
    if {r.id for r in rules_for(schema_file.name, schema_file.version)} != FUSED_RULES[schema_file.name]:
        return None
    if structs:
        check = FUSED_STRUCT[schema_file.name]
    schema = schema_file.schema
    if any(not _COMMON.match(ref) for ref in _refs(schema)):
        return None
    for name, prop in (schema.get("properties") or {}).items():
        if name not in confirmed and not (isinstance(prop, dict) and prop.get("type") in ("string", "boolean")
                                          or name == "event_type"):
            return None
    return check
