"""Schemas `contracts diff` cannot compare: refused as unusable input (exit 2), in one line that
names the file, the line, the JSON pointer and the rule, never compared and never a traceback.

An invalid regex (`pattern`, a `patternProperties` name), a number that is not finite (`1e400`,
which Python reads as infinity) and the `NaN`/`Infinity` words (not JSON, though Python reads them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import run_contracts

from contracts.compat import SchemaError, diff

S = "https://json-schema.org/draft/2020-12/schema"
D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
REGEX_RULE = "is not an ECMA-262 regular expression (format 'regex')"


def _diff(tmp_path: Path, old: str, new: str, *extra: str) -> tuple[int, str, str]:
    (tmp_path / "old.json").write_text(old)
    (tmp_path / "new.json").write_text(new)
    done = run_contracts("diff", *extra, str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout, done.stderr


def _text(schema: Any) -> str:
    return json.dumps({"$schema": S, **schema}, indent=2)


# -- an invalid regex ---------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["bad-old", "bad-new"])
def test_an_invalid_pattern_is_refused_whichever_side_holds_it(tmp_path: Path, order: str) -> None:
    bad, good = _text({"type": "string", "pattern": "(["}), _text({"type": "string"})
    old, new = (bad, good) if order == "bad-old" else (good, bad)
    code, out, err = _diff(tmp_path, old, new)
    where = "old" if order == "bad-old" else "new"
    assert (code, out) == (2, "")
    assert err == f"contracts: error: {tmp_path}/{where}.json:4: #/pattern: not a valid 2020-12 schema: '([' {REGEX_RULE}\n"


@pytest.mark.parametrize(("schema", "pointer"), [
    ({"patternProperties": {"^a": {}, "([": {"type": "integer"}}}, "/patternProperties"),
    ({"properties": {"a": {"items": {"pattern": "a{2,1}"}}}}, "/properties/a/items/pattern"),
    ({"$defs": {"x": {"propertyNames": {"pattern": "[\\d-z]"}}}}, "/$defs/x/propertyNames/pattern"),
    ({"$schema": D7, "patternProperties": {"a**": {}}}, "/patternProperties"),
    # Draft-04's metaschema never says these names are regexes; they are all the same.
    ({"$schema": D4, "patternProperties": {"(": {}}}, "/patternProperties"),
])
def test_every_regex_valued_keyword_is_checked_as_ecma_262(schema: dict[str, Any], pointer: str) -> None:
    with pytest.raises(SchemaError) as caught:
        diff({"type": "object"}, {"$schema": S, **schema})
    assert (caught.value.side, caught.value.pointer) == ("new", pointer)
    assert re.fullmatch(rf"new #{re.escape(pointer)}: not a valid [-\w]+ schema: '.+' {re.escape(REGEX_RULE)}",
                        str(caught.value))


def test_ecma_262_patterns_python_cannot_read_are_schemas_and_data_is_not_a_pattern() -> None:
    """`\\p{L}` and named groups are ECMA-262 (Python's `re` refuses them); an object in `enum` is
    data, not a schema. Neither is refused, while a bad pattern beside them is."""
    fine = {"type": "object", "enum": [{"pattern": "(["}],
            "properties": {"a": {"pattern": "^\\p{L}+$"}, "b": {"pattern": "^(?<y>\\d{4})$"}}}
    assert diff(fine, fine).backward
    with pytest.raises(SchemaError, match="/properties/c/pattern"):
        diff(fine, {**fine, "properties": {**fine["properties"], "c": {"pattern": "(?<y>"}}})


# -- numbers that are not finite -----------------------------------------------------------------
@pytest.mark.parametrize("order", ["inf-old", "inf-new"])
def test_a_bound_beyond_the_float_range_is_refused(tmp_path: Path, order: str) -> None:
    """`1e400` is valid JSON text that Python reads as infinity: the diff crashed on it
    (`OverflowError: cannot convert float infinity to integer`)."""
    inf = '{\n  "$schema": "%s",\n  "type": "number",\n  "maximum": 1e400\n}' % S
    old, new = (inf, _text({"type": "number"})) if order == "inf-old" else (_text({"type": "number"}), inf)
    code, out, err = _diff(tmp_path, old, new)
    where = "old" if order == "inf-old" else "new"
    assert (code, out) == (2, "")
    assert err == (f"contracts: error: {tmp_path}/{where}.json:4: #/maximum: not a usable schema: Infinity is not "
                   "a JSON number (a number beyond the float range reads as one); write a finite number\n")


@pytest.mark.parametrize(("schema", "pointer", "word"), [
    ({"type": "integer", "minimum": float("-inf")}, "/minimum", "-Infinity"),
    ({"const": float("nan")}, "/const", "NaN"),
    ({"anyOf": [{"type": "string"}, {"enum": [1, float("inf")]}]}, "/anyOf/1/enum/1", "Infinity"),
])
def test_the_library_refuses_a_number_that_is_not_finite_at_its_place(schema: dict[str, Any], pointer: str,
                                                                      word: str) -> None:
    with pytest.raises(SchemaError) as caught:
        diff({"type": "number"}, schema)
    assert (caught.value.side, caught.value.pointer) == ("new", pointer)
    assert str(caught.value).startswith(f"new #{pointer}: not a usable schema: {word} is not a JSON number")


# -- NaN and Infinity as words ---------------------------------------------------------------------
@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_nan_and_infinity_words_are_not_json(tmp_path: Path, word: str, fmt: str) -> None:
    """Python's reader takes them; the diff then printed `"witness": NaN`, which is not JSON either.
    A string holding the word is text, not the word: the line named is the word's own."""
    new = '{\n  "$schema": "%s",\n  "description": "not NaN here",\n  "const": %s\n}' % (S, word)
    code, out, err = _diff(tmp_path, _text({"type": "number"}), new, "--format", fmt)
    assert (code, out) == (2, "")
    assert err == f"contracts: error: {tmp_path}/new.json:4: not JSON: {word} is not a JSON number\n"
