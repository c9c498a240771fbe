"""Witness instances: concrete values one schema accepts and the other rejects.

Candidates come from the schemas themselves (bounds, enum values, required properties, one more
item, one more property, ...). A candidate becomes a witness only after the real validators of both
sides agree it is one; a candidate they do not confirm is dropped.
"""

from __future__ import annotations

import copy
import math
import re
import time
from functools import lru_cache
from typing import Any

from . import regular
from .context import Node, Side, Undecidable
from .facts import Facts, RegexUnsupported, int_lower, int_upper
from .finite import finite_values
from .normalise import canonical
from .subschema import NO_HINT, Failure, Prover

MAX_PER_NODE = 40
MAX_DEPTH = 7
SAMPLED_PATTERN = 4096  # characters of a pattern sample_regex still parses
FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00Z", "email": "a@example.com",
    "uuid": "00000000-0000-0000-0000-000000000000", "uri": "https://example.com/", "hostname": "example.com",
    "ipv4": "127.0.0.1", "ipv6": "::1",
}
GENERIC = [None, True, False, 0, 1, -1, 0.5, "", "a", "A", "0", [], {}, [1], {"a": 1}]
# The work one direction's search may do, in candidate sets built and instances validated, for
# every pair whatever its size. A few kilobytes of nested anyOf/allOf multiply into thousands of
# candidate sets (3 x 8 branches: 3,000 sets and 36,000 validations, 16 s); the clock bounds only
# large pairs, since a clock makes answers depend on the machine's load. A count does not: the
# same pair always gets the same witnesses. The corpora's searches take at most 658 (measured when
# this bound came in), the repository's fewer; a search cut short shows no witness, never a verdict.
SEARCH_WORK = 5_000


def _unique(values: list[Any], limit: int | None = None) -> list[Any]:
    seen: set[str] = set()
    out = []
    for v in values:
        if limit is not None and len(out) >= limit:
            break  # canonical texts of large candidates cost: stop once there are enough
        try:
            key = canonical(v) + type(v).__name__
        except (TypeError, ValueError):
            continue
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


@lru_cache(maxsize=1024)
def sample_regex(pattern: str) -> str | None:
    """A short string `re.search(pattern, ...)` may match, for simple patterns (None: gave up)."""
    if len(pattern) > SAMPLED_PATTERN:
        return None  # parsing it costs more than a heuristic sample is worth
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def one_of(items: Any) -> str | None:
        negate = any(op is c.NEGATE for op, _ in items)
        allowed: list[str] = []
        for op, av in items:
            if op is c.LITERAL:
                allowed.append(chr(av))
            elif op is c.RANGE:
                allowed.append(chr(av[0]))
            elif op is c.CATEGORY:
                allowed.append({c.CATEGORY_DIGIT: "0", c.CATEGORY_WORD: "a", c.CATEGORY_SPACE: " "}.get(av, ""))
        if not negate:
            return next((a for a in allowed if a), None)
        # A candidate the negated class leaves out: one no literal, range or category of it matches
        # ([^\w] must not give "0"). A category not known here matches every candidate: give up.
        classes = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_NOT_DIGIT: r"\D", c.CATEGORY_WORD: r"\w",
                   c.CATEGORY_NOT_WORD: r"\W", c.CATEGORY_SPACE: r"\s", c.CATEGORY_NOT_SPACE: r"\S"}

        def excluded(ch: str, op: Any, av: Any) -> bool:
            if op is c.LITERAL:
                return ord(ch) == av
            if op is c.RANGE:
                return bool(av[0] <= ord(ch) <= av[1])
            if op is c.CATEGORY:
                return av not in classes or re.fullmatch(classes[av], ch) is not None
            return False

        return next((ch for ch in "a0_ x-" if not any(excluded(ch, op, av) for op, av in items)), None)

    def walk(parsed: Any) -> str | None:
        out = []
        for op, av in parsed:
            if op is c.LITERAL:
                out.append(chr(av))
            elif op is c.NOT_LITERAL:
                out.append("a" if chr(av) != "a" else "b")
            elif op is c.ANY:
                out.append("a")
            elif op is c.IN:
                ch = one_of(av)
                if ch is None:
                    return None
                out.append(ch)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                low, _high, sub = av
                piece = walk(sub)
                if piece is None:
                    return None
                out.append(piece * low)
            elif op is c.SUBPATTERN:
                piece = walk(av[-1])
                if piece is None:
                    return None
                out.append(piece)
            elif op is c.BRANCH:
                piece = walk(av[1][0])
                if piece is None:
                    return None
                out.append(piece)
            elif op is c.AT:
                continue
            else:
                return None
        return "".join(out)

    try:
        return walk(_parser.parse(pattern))
    except Exception:  # noqa: BLE001 - an unusual pattern: no sample, not an error
        return None


def _literal(pattern: str) -> str:
    return pattern.strip("^$").replace(".*", "").replace(".+", "x").replace("\\", "")


class Candidates:
    """Generates plausible instances of a subschema, valid or not (the validator decides)."""

    def __init__(self, deadline: float = math.inf, work: int = SEARCH_WORK) -> None:
        self.prover = Prover(budget=10_000)
        self.memo: dict[tuple[Any, ...], list[Any]] = {}
        self.deadline = deadline
        self.work = work  # left to do: candidate sets to build, instances to validate

    def spent(self, cost: int = 0) -> bool:
        """Whether the search is out of work or time, once `cost` more is spent."""
        self.work -= cost
        return self.work < 0 or time.monotonic() > self.deadline

    def of(self, nodes: list[Node], depth: int = 0, cases: int = 0) -> list[Any]:
        """Candidates for the conjunction `nodes`, `depth` levels into the instance.

        `cases` counts the anyOf/oneOf/if cases already taken at this level, to bound recursion
        through a schema that refers to itself without descending into the instance.
        """
        key = (frozenset(n.key for n in nodes), depth, cases)
        if key not in self.memo and self.spent(1):
            return []  # out of work or time: no more candidates, so no witness claimed from them
        if key not in self.memo:
            self.memo[key] = [None, 0, "", [], {}]  # while in progress: a recursive schema ends here
            self.memo[key] = self._of(nodes, depth, cases)
        return self.memo[key]

    def valid_first(self, nodes: list[Node], candidates: list[Any], want: int = 2, tries: int = 12) -> list[Any]:
        """The candidates, a few that every node accepts first (a valid base makes better variants)."""
        def ok(value: Any) -> bool:
            if self.spent(len(nodes)):
                return False
            try:
                return all(n.accepts(value) for n in nodes)
            except Undecidable:
                return False
        good: list[Any] = []
        for c in candidates[:tries]:
            if ok(c):
                good.append(c)
                if len(good) == want:
                    break
        return good + [c for c in candidates if not any(c is g for g in good)]

    def _of(self, nodes: list[Node], depth: int, cases: int) -> list[Any]:
        if depth > MAX_DEPTH:
            return [None, 0, "", [], {}]
        try:
            flat = self.prover.flatten(nodes)
        except Exception:  # noqa: BLE001 - unresolvable: nothing to generate from
            return list(GENERIC)
        if flat is None:
            return []
        facts = Facts(flat)
        out: list[Any] = []
        try:
            values = finite_values(facts)
        except RegexUnsupported:
            values = None
        if values is not None:
            out += values
        for node in flat:
            if isinstance(node.schema, dict):
                out += [e for e in node.schema.get("examples", []) if isinstance(node.schema.get("examples"), list)]
                if "default" in node.schema:
                    out.append(node.schema["default"])
        branches: list[Any] = []
        for node, kw in zip(flat, facts.kws):
            for keys in (("anyOf",), ("oneOf",), ("if", "then", "else")):
                options = kw.get(keys[0]) if keys[0] != "if" else [kw[k] for k in ("then", "else") if k in kw]
                if not isinstance(options, list) or "if" in keys and "if" not in kw:
                    continue
                rest = [n.without(*keys) if n is node else n for n in flat]
                for j, case in enumerate(options):
                    if cases < 3:
                        branches += self.of(rest + [node.child(case, keys[0], j)], depth, cases + 1)[:6]
        for kind in sorted(facts.kinds):
            try:
                out += getattr(self, "_" + kind)(facts, depth)
            except RegexUnsupported:
                pass
        return _unique(branches[:12] + out + branches[12:], MAX_PER_NODE)

    def _null(self, facts: Facts, depth: int) -> list[Any]:
        return [None]

    def _boolean(self, facts: Facts, depth: int) -> list[Any]:
        return [True, False]

    def _integer(self, facts: Facts, depth: int) -> list[Any]:
        out: list[Any] = [0, 1, -1, 10**6, 1.0]
        for m in facts.multiples:
            out += [int(m) if float(m).is_integer() else m, 3 * m]
        if facts.lower:
            low = int_lower(facts.lower)
            out += [low, low - 1, low + 1]
        if facts.upper:
            high = int_upper(facts.upper)
            out += [high, high + 1, high - 1]
        return out

    def _number(self, facts: Facts, depth: int) -> list[Any]:
        out = self._integer(facts, depth) + [0.5, -0.5]
        for bound in (facts.lower, facts.upper):
            if bound:
                out += [bound[0], bound[0] + 0.5, bound[0] - 0.5]
        return out

    def _string(self, facts: Facts, depth: int) -> list[Any]:
        lo, hi = facts.min_length, facts.max_length
        out = ["", "a", "a" * lo, "a" * max(lo - 1, 0), "abc", "ABC", "0"]
        if hi is not None:
            out += ["a" * hi, "a" * (hi + 1)]
        for key in ("format",):
            for f in facts.values_of(key):
                if f in FORMAT_SAMPLES:
                    out.append(FORMAT_SAMPLES[f])
        try:  # a string every pattern here matches, within the lengths, read off the automata
            found = regular.counterexample(facts.string_automata(), None) if facts.values_of("pattern") else None
        except regular.Unprovable:
            found = None
        if found is not None:
            out.insert(0, found)
        for p in facts.values_of("pattern"):
            sample = sample_regex(p)
            if sample is not None:
                out.insert(0, sample)
            lit = _literal(p)
            out += [lit, lit + "a" * lo]
        out += list(FORMAT_SAMPLES.values())[:3]
        return out

    def _array(self, facts: Facts, depth: int) -> list[Any]:
        length = max(facts.min_items, facts.prefix_len)
        per_index = [self.valid_first(facts.item_nodes(i), self.of(facts.item_nodes(i), depth + 1))[:3]
                     if facts.item_nodes(i) else GENERIC[:3] for i in range(length + 1)]
        base = [cands[0] if cands else None for cands in per_index[:length]]
        out: list[Any] = [[], list(base)]
        for i, cands in enumerate(per_index):
            for c in cands[1:] + cands[:1]:
                variant = list(base) + [c] if i >= len(base) else base[:i] + [c] + base[i + 1:]
                out.append(variant)
        if base:
            out.append(base + [base[-1]])
        if per_index[-1]:
            out.append(base + [per_index[-1][0], per_index[-1][0]])
        filler = per_index[-1][0] if per_index[-1] else None
        for n in (1, 2, 3, 6, 11):
            if n > len(base):
                out.append(base + [filler] * (n - len(base)))
        if facts.max_items is not None:
            out.append((base + [filler] * (facts.max_items + 1))[: facts.max_items + 1])
        for node, kw in zip(facts.nodes, facts.kws):
            if "contains" in kw:
                for c in self.of([node.child(kw["contains"], "contains")], depth + 1)[:4]:
                    out += [[c], [c, c], base + [c]]
        return out

    def _object(self, facts: Facts, depth: int) -> list[Any]:
        names = sorted(facts.names_mentioned())
        for kw in facts.kws:
            names += [sample_regex(p) or _literal(p) for p in kw.get("patternProperties", {})]
        for kw in facts.kws:
            for dep in kw.get("dependentSchemas", {}).values():
                if isinstance(dep, dict):
                    names += list(dep.get("properties", {}))
        # A wide object: the properties the other candidates vary are a bounded few (required ones first).
        names = sorted(dict.fromkeys(names), key=lambda n: n not in facts.required)[:MAX_PER_NODE]
        per_name = {n: (self.valid_first(facts.property_nodes(n), self.of(facts.property_nodes(n), depth + 1))[:3]
                        if facts.property_nodes(n) else []) + [None, "x", 1] for n in names}
        base = {r: (per_name.get(r) or [None])[0] for r in sorted(facts.required)}
        out: list[Any] = [{}, dict(base)]
        for n in names:
            for c in per_name.get(n, []):
                out.append({**base, n: c})
        everything = {**{n: per_name[n][0] for n in names}, **base}
        out.append(everything)
        for n in names:
            out.append({k: v for k, v in everything.items() if k != n})
        extras: list[Any] = [1, "x", None, {}]
        for node, kw in zip(facts.nodes, facts.kws):
            if "additionalProperties" in kw:
                additional = node.child(kw["additionalProperties"], "additionalProperties")
                extras = self.of([additional], depth + 1)[:4] + extras
        for extra in ("extra", "x"):
            for c in extras:
                out.append({**base, extra: c})
        for count in (3, 6, 11):
            out.append({**base, **{f"p{i}": extras[0] for i in range(count)}})
        for r in list(base)[:MAX_PER_NODE]:  # each a copy of base: a bounded few, or n required make n^2
            out.append({k: v for k, v in base.items() if k != r})
        return out


def _set_at(instance: Any, ipath: tuple[Any, ...], value: Any) -> Any:
    """`instance` with `value` at the instance path `ipath` (containers created as needed)."""
    if not ipath:
        return copy.deepcopy(value)
    step, rest = ipath[0], ipath[1:]
    if isinstance(step, int):
        items = list(instance) if isinstance(instance, list) else []
        while len(items) <= step:
            items.append(copy.deepcopy(items[-1]) if items else value)
        items[step] = _set_at(items[step], rest, value)
        return items
    obj = dict(instance) if isinstance(instance, dict) else {}
    obj[step] = _set_at(obj.get(step), rest, value)
    return obj


class WitnessFinder:
    """Finds, for a failed inclusion, an instance `accepting` accepts and `rejecting` rejects."""

    def __init__(self, accepting: Side, rejecting: Side, seconds: float = math.inf) -> None:
        self.accepting, self.rejecting = accepting, rejecting
        # A search costs a validation of the whole schema per candidate: on a 1 MB schema it is
        # cut off by the clock, and what it has not found is simply not shown (never a verdict).
        self.deadline = time.monotonic() + seconds
        self.gen = Candidates(self.deadline)
        self._roots: list[Any] | None = None
        self._valid: list[Any] | None = None

    def _accepts(self, side: Side, instance: Any) -> bool | None:
        if self.gen.spent(1):
            return None
        try:
            return side.accepts_root(instance)
        except Undecidable:
            return None

    def is_witness(self, instance: Any) -> bool:
        return self._accepts(self.accepting, instance) is True and self._accepts(self.rejecting, instance) is False

    def roots(self) -> list[Any]:
        if self._roots is None:
            self._roots = self.gen.of([self.accepting.root_node()]) + self.gen.of([self.rejecting.root_node()])
        return self._roots

    def valid_roots(self) -> list[Any]:
        if self._valid is None:
            self._valid = [b for b in self.roots() if self._accepts(self.accepting, b)][:6]
        return self._valid

    def search_root(self) -> tuple[bool, Any]:
        """Any candidate instance of either schema that tells them apart."""
        try:
            for candidate in self.roots():
                if self.is_witness(candidate):
                    return True, copy.deepcopy(candidate)
        except RecursionError:
            pass  # a schema nested too deeply to generate from: no witness, never a verdict
        return False, None

    def for_failure(self, failure: Failure, root_fallback: bool) -> tuple[bool, Any]:
        """A witness for this failure: its hint or local candidates placed where it occurs.

        With `root_fallback`, any witness of the whole pair will do (the failure is the only one).
        """
        try:
            return self._for_failure(failure, root_fallback)
        except RecursionError:
            return False, None

    def _for_failure(self, failure: Failure, root_fallback: bool) -> tuple[bool, Any]:
        locals_: list[Any] = []
        if failure.hint is not NO_HINT:
            locals_.append(failure.hint)
        if failure.left:
            locals_ += self.gen.of(failure.left)
        if failure.ipath is not None and locals_:
            bases = self.valid_roots() or [{}]
            for value in locals_[:30]:
                for base in bases[:6]:
                    candidate = _set_at(copy.deepcopy(base), failure.ipath, value)
                    if self.is_witness(candidate):
                        return True, candidate
        return self.search_root() if root_fallback else (False, None)
