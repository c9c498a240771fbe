"""ECMA-262 patterns as finite automata: inclusion and emptiness decided, never sampled.

A JSON Schema `pattern` is an ECMA-262 regular expression, *searched* (not anchored) in the
string. Most patterns a contract meets are regular languages, so whether every string one
pattern matches is matched by another is decidable: build both automata and look for a string
the first accepts and the second rejects. Comparing by samples would miss a string the samples
do not contain; running a backtracking engine on a witness could hang on a pattern such as
`^(a+)+b$`. An automaton does neither: membership of a string costs one step per character.

Character sets are greenery's `Charclass` (union, negation and intersection over all of
Unicode). The automata are our own: Thompson automata explored lazily, as the product of their
subset constructions, only as far as a question needs. greenery's own `Fsm` minimises after
every operation (Brzozowski's algorithm); measured here, `^[a-z0-9-]{1,200}$` took 36 s to build
that way, and a diff must answer within 10 s.

The pattern text is parsed with Python's own regular-expression parser (its syntax agrees with
ECMA-262 on the common subset), then every construct is given its ECMA-262 meaning here: `\\d`
and `\\w` are ASCII, `\\s` is ECMA's white space and line terminators, `.` excludes the four line
terminators, `$` matches only at the end (Python's `$` also matches before a final newline).
Constructs where the two syntaxes disagree, or that no automaton expresses (backreferences,
lookaround, word boundaries), raise `Unprovable` with the reason, and the prover answers
"cannot prove" for them instead of guessing.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

from greenery import Charclass

MAX_REPEAT = 4096  # copies of a repeated piece (a {m,n} bound); more: not modelled
MAX_STATES = 60_000  # states of one automaton
MAX_EXPLORED = 40_000  # product states one question may visit before giving up
# Product states all the questions of one diff may visit together (`budget`). A question costs up
# to MAX_EXPLORED states (about a second each for `^(a|b)*a(a|b){15}$`), and a diff asks many: one
# per property, per keyword, per direction, and again for witnesses, so ten such properties took
# 96 s. Once spent, every further question is Unprovable, as one question beyond MAX_EXPLORED is.
# The corpora and the repository's schemas visit at most 656 states in a diff (measured).
MAX_EXPLORED_TOTAL = 200_000
TOO_LARGE = "the patterns are too large to compare"
MAX_ALTERNATIVES = 64
MAX_PATTERN = 10_000  # characters; Python's parser takes seconds on a 700 KB alternation

ANY = ~Charclass()
LINE_TERMINATORS = Charclass("\n\r\u2028\u2029")
DIGIT = Charclass((("0", "9"),))
WORD = Charclass((("0", "9"), ("A", "Z"), ("_", "_"), ("a", "z")))
SPACE = Charclass((("\t", "\r"), (" ", " "), ("\u00a0", "\u00a0"), ("\u1680", "\u1680"), ("\u2000", "\u200a"),
                   ("\u2028", "\u2029"), ("\u202f", "\u202f"), ("\u205f", "\u205f"), ("\u3000", "\u3000"),
                   ("\ufeff", "\ufeff")))
CATEGORIES = {c.CATEGORY_DIGIT: DIGIT, c.CATEGORY_NOT_DIGIT: ~DIGIT, c.CATEGORY_WORD: WORD,
              c.CATEGORY_NOT_WORD: ~WORD, c.CATEGORY_SPACE: SPACE, c.CATEGORY_NOT_SPACE: ~SPACE}
# Python syntax that ECMA-262 reads differently (or not at all): never given Python's meaning.
PYTHON_ONLY = re.compile(r"\\[AZNaz]|\(\?[aiLmsux#>P<-]|\{,|[*+?}]\+")
PREFERRED = "a0-_ xAZz.9b1"


class Unprovable(Exception):
    """A question no automaton here answers; the message says why (shown in `cannot-prove`)."""


@dataclass(eq=False)
class Nfa:
    """A Thompson automaton: `moves[s]` are (characters, next state), `eps[s]` free steps."""

    start: int = 0
    accept: int = 0
    moves: list[list[tuple[Charclass, int]]] = field(default_factory=list)
    eps: list[list[int]] = field(default_factory=list)

    def state(self) -> int:
        if len(self.moves) >= MAX_STATES:
            raise Unprovable("the automaton is too large to compare")
        self.moves.append([])
        self.eps.append([])
        return len(self.moves) - 1

    def closure(self, states: frozenset[int] | set[int]) -> frozenset[int]:
        todo, seen = list(states), set(states)
        while todo:
            for t in self.eps[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return frozenset(seen)

    def accepts(self, text: str) -> bool:
        """Membership in one pass over `text`, whatever the pattern (no backtracking)."""
        current = self.closure({self.start})
        for ch in text:
            current = self.closure({t for s in current for cc, t in self.moves[s] if cc.accepts(ch)})
            if not current:
                return False
        return self.accept in current


@dataclass
class Budget:
    """Product states the questions asked within `budget()` may still visit, and those visited."""

    left: int
    used: int = 0

    def charge(self, states: int) -> None:
        self.used += states
        self.left = max(0, self.left - states)


_BUDGET: ContextVar[Budget | None] = ContextVar("regular_budget", default=None)
# Each product state visited, with the state and atom it was reached from (None: the first).
Visited = dict[tuple[frozenset[int], ...], "tuple[tuple[frozenset[int], ...], int] | None"]


@contextmanager
def budget(states: int | None = None) -> Iterator[Budget]:
    """Bound the product states every `counterexample` inside the block visits together
    (default MAX_EXPLORED_TOTAL), so one diff stays within a bounded time however many patterns
    it compares. A count, not a clock: the same pair always gets the same answer."""
    shared = Budget(MAX_EXPLORED_TOTAL if states is None else states)
    token = _BUDGET.set(shared)
    try:
        yield shared
    finally:
        _BUDGET.reset(token)


# -- questions ------------------------------------------------------------------------------------
def language(pattern: str) -> Nfa:
    """Every string in which `pattern` finds a match (Unprovable when not modelled)."""
    nfa = _built(pattern)
    if isinstance(nfa, Unprovable):
        raise nfa
    return nfa


def matches(pattern: str, text: str) -> bool:
    """Whether `pattern` finds a match in `text`, in linear time (Unprovable as `language`)."""
    return language(pattern).accepts(text)


@lru_cache(maxsize=2048)
def _built(pattern: str) -> Nfa | Unprovable:
    # A refusal is remembered too: a 700 KB pattern found too large once is not parsed again
    # each time the prover or the validators meet it.
    try:
        return _language(pattern)
    except Unprovable as exc:
        return exc


def brief(pattern: str) -> str:
    """The pattern as a message shows it: a long one cut, so an error stays one short line."""
    return repr(pattern) if len(pattern) <= 80 else repr(pattern[:60]) + f"... ({len(pattern)} characters)"


def lengths(low: int, high: int | None) -> Nfa:
    """Every string whose length is between `low` and `high` (None: no upper bound)."""
    if low > MAX_REPEAT or (high is not None and high > MAX_REPEAT):
        raise Unprovable("a length bound too large to compare")
    return _lengths(low, high)


def counterexample(left: list[Nfa], right: Nfa | None) -> str | None:
    """A shortest string every `left` automaton accepts and `right` rejects (None: there is none).

    `right=None` asks whether the intersection of `left` is empty. Raises Unprovable when the
    question needs more than MAX_EXPLORED states of the product, or more than the `budget` left.
    """
    shared = _BUDGET.get()
    limit = MAX_EXPLORED if shared is None else min(MAX_EXPLORED, shared.left)
    if limit <= 0:
        raise Unprovable(TOO_LARGE)
    visited: Visited = {}
    try:
        return _search(left, right, limit, visited)
    finally:
        if shared is not None:
            shared.charge(len(visited))


def _search(left: list[Nfa], right: Nfa | None, limit: int, parent: Visited) -> str | None:
    """`counterexample`'s breadth-first walk of the product, recording each state in `parent`."""
    autos = list(left) + ([right] if right is not None else [])
    atoms = _atoms(autos)
    steps = [_stepper(a, atoms) for a in autos]
    n = len(left)
    first = tuple(a.closure({a.start}) for a in autos)
    parent[first] = None
    queue = deque([first])
    while queue:
        state = queue.popleft()
        if all(autos[i].accept in state[i] for i in range(n)) and (
                right is None or right.accept not in state[n]):
            return _spell(state, parent, atoms)
        for k in range(len(atoms)):
            nxt = tuple(steps[i](state[i], k) for i in range(len(autos)))
            if any(not nxt[i] for i in range(n)) or nxt in parent:
                continue
            parent[nxt] = (state, k)
            if len(parent) > limit:
                raise Unprovable(TOO_LARGE)
            queue.append(nxt)
    return None


def included(left: list[Nfa], right: Nfa) -> bool:
    """Every string all of `left` accept, `right` accepts (Unprovable as `counterexample`)."""
    return counterexample(left, right) is None


def _atoms(autos: list[Nfa]) -> list[Charclass]:
    """The coarsest split of all characters that every character set of `autos` is a union of."""
    atoms = [ANY]
    seen: set[Charclass] = set()
    for auto in autos:
        for moves in auto.moves:
            for cc, _ in moves:
                if cc in seen:
                    continue
                seen.add(cc)
                split = []
                for atom in atoms:
                    inside, outside = atom & cc, atom & ~cc
                    split += [x for x in (inside, outside) if not x.empty()]
                atoms = split
    return atoms


def _stepper(auto: Nfa, atoms: list[Charclass]) -> object:
    by_class: dict[Charclass, frozenset[int]] = {}
    table: list[dict[int, list[int]]] = []
    for moves in auto.moves:
        row: dict[int, list[int]] = {}
        for cc, t in moves:
            if cc not in by_class:
                by_class[cc] = frozenset(k for k, atom in enumerate(atoms) if not (atom & cc).empty())
            for k in by_class[cc]:
                row.setdefault(k, []).append(t)
        table.append(row)
    memo: dict[tuple[frozenset[int], int], frozenset[int]] = {}

    def step(states: frozenset[int], k: int) -> frozenset[int]:
        key = (states, k)
        if key not in memo:
            memo[key] = auto.closure({t for s in states for t in table[s].get(k, ())})
        return memo[key]

    return step


def _spell(state: tuple[frozenset[int], ...], parent: dict, atoms: list[Charclass]) -> str:
    out = []
    while parent[state] is not None:
        state, k = parent[state]
        out.append(_pick(atoms[k]))
    return "".join(reversed(out))


def _pick(atom: Charclass) -> str:
    for ch in PREFERRED:
        if atom.accepts(ch):
            return ch
    if not atom.negated:
        return chr(atom.ord_ranges[0][0])
    u = 0x20
    while not atom.accepts(chr(u)):
        u += 1
    return chr(u)


# -- from Python's parse tree to automata, with ECMA-262 meanings ---------------------------------
def _language(pattern: str) -> Nfa:
    if len(pattern) > MAX_PATTERN:
        raise Unprovable(f"pattern {brief(pattern)} is too long to compare (more than {MAX_PATTERN} characters)")
    if PYTHON_ONLY.search(pattern):
        raise Unprovable(f"pattern {brief(pattern)} uses syntax whose ECMA-262 meaning is not modelled")
    try:
        parsed = list(_parser.parse(pattern))
    except (re.error, RecursionError, OverflowError) as exc:
        raise Unprovable(f"pattern {brief(pattern)} is not understood ({exc})") from None
    nfa = Nfa()
    nfa.start, nfa.accept = nfa.state(), nfa.state()
    for alt in _expand(parsed, pattern):
        start = 0
        while start < len(alt) and alt[start] == (c.AT, c.AT_BEGINNING):
            start += 1
        end = len(alt)
        while end > start and alt[end - 1] == (c.AT, c.AT_END):
            end -= 1
        body = alt[start:end]
        if any(op is c.AT for op, _ in body):
            raise Unprovable(f"pattern {brief(pattern)} uses an assertion (`\\b`, `\\B`, or an anchor mid-pattern)")
        a, b = _seq(nfa, body, pattern)
        head, tail = nfa.state(), nfa.state()
        nfa.eps[nfa.start].append(head)
        nfa.eps[head].append(a)
        nfa.eps[b].append(tail)
        nfa.eps[tail].append(nfa.accept)
        if not start:  # searched: anything may come before the match
            nfa.moves[head].append((ANY, head))
        if end == len(alt):  # and after it
            nfa.moves[tail].append((ANY, tail))
    return nfa


@lru_cache(maxsize=256)
def _lengths(low: int, high: int | None) -> Nfa:
    nfa = Nfa()
    top = low if high is None else high
    states = [nfa.state() for _ in range(top + 1)]
    for i in range(top):
        nfa.moves[states[i]].append((ANY, states[i + 1]))
    if high is None:
        nfa.moves[states[top]].append((ANY, states[top]))
    nfa.start, nfa.accept = states[0], nfa.state()
    for i in range(low, top + 1):
        nfa.eps[states[i]].append(nfa.accept)
    return nfa


def _has_anchor(items: list) -> bool:
    for op, av in items:
        if op is c.AT:
            return True
        if op is c.SUBPATTERN and _has_anchor(list(av[3])):
            return True
        if op is c.BRANCH and any(_has_anchor(list(b)) for b in av[1]):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and _has_anchor(list(av[2])):
            return True
    return False


def _expand(seq: list, pattern: str) -> list[list]:
    """Alternatives in which anchors appear only as top-level items (the branches holding them split out)."""
    outs: list[list] = [[]]
    for op, av in seq:
        if not _has_anchor([(op, av)]):
            outs = [o + [(op, av)] for o in outs]
            continue
        if op is c.SUBPATTERN:
            _no_flags(av, pattern)
            subs = _expand(list(av[3]), pattern)
        elif op is c.BRANCH:
            subs = [x for b in av[1] for x in _expand(list(b), pattern)]
        elif op is c.AT:
            subs = [[(op, av)]]
        else:
            raise Unprovable(f"pattern {brief(pattern)} repeats an anchor")
        outs = [o + s for o in outs for s in subs]
        if len(outs) > MAX_ALTERNATIVES:
            raise Unprovable(f"pattern {brief(pattern)} has too many anchored alternatives")
    return outs


def _no_flags(av: tuple, pattern: str) -> None:
    if av[1] or av[2]:
        raise Unprovable(f"pattern {brief(pattern)} sets inline flags, which ECMA-262 does not have")


def _seq(nfa: Nfa, items: list, pattern: str) -> tuple[int, int]:
    start = end = nfa.state()
    for op, av in items:
        a, b = _item(nfa, op, av, pattern)
        nfa.eps[end].append(a)
        end = b
    return start, end


def _item(nfa: Nfa, op: object, av: object, pattern: str) -> tuple[int, int]:
    if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
        a, b = nfa.state(), nfa.state()
        nfa.moves[a].append((_one(op, av, pattern), b))
        return a, b
    if op is c.SUBPATTERN:
        _no_flags(av, pattern)  # type: ignore[arg-type]
        return _seq(nfa, list(av[3]), pattern)  # type: ignore[index]
    if op is c.BRANCH:
        a, b = nfa.state(), nfa.state()
        for branch in av[1]:  # type: ignore[index]
            x, y = _seq(nfa, list(branch), pattern)
            nfa.eps[a].append(x)
            nfa.eps[y].append(b)
        return a, b
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):  # lazy or greedy: the same set of matches
        low, high, sub = av  # type: ignore[misc]
        unbounded = high == c.MAXREPEAT
        if low > MAX_REPEAT or (not unbounded and high > MAX_REPEAT):
            raise Unprovable(f"pattern {brief(pattern)} repeats more than {MAX_REPEAT} times")
        start = end = nfa.state()
        for _ in range(low):
            x, y = _seq(nfa, list(sub), pattern)
            nfa.eps[end].append(x)
            end = y
        if unbounded:
            x, y = _seq(nfa, list(sub), pattern)
            loop = nfa.state()
            nfa.eps[end].append(loop)
            nfa.eps[loop].append(x)
            nfa.eps[y].append(loop)
            return start, loop
        out = nfa.state()
        nfa.eps[end].append(out)
        for _ in range(high - low):
            x, y = _seq(nfa, list(sub), pattern)
            nfa.eps[end].append(x)
            nfa.eps[y].append(out)
            end = y
        return start, out
    if op is c.GROUPREF or op is c.GROUPREF_EXISTS:
        raise Unprovable(f"pattern {brief(pattern)} uses a backreference, which no automaton expresses")
    if op in (c.ASSERT, c.ASSERT_NOT):
        raise Unprovable(f"pattern {brief(pattern)} uses lookaround, which no automaton here expresses")
    raise Unprovable(f"pattern {brief(pattern)} uses {str(op).lower()}, which is not modelled")


def _one(op: object, av: object, pattern: str) -> Charclass:
    if op is c.LITERAL:
        return Charclass(chr(av))  # type: ignore[arg-type]
    if op is c.NOT_LITERAL:
        return ~Charclass(chr(av))  # type: ignore[arg-type]
    if op is c.ANY:
        return ~LINE_TERMINATORS
    out = Charclass()
    negated = False
    for kind, value in av:  # type: ignore[attr-defined]
        if kind is c.NEGATE:
            negated = True
        elif kind is c.LITERAL:
            out = out | Charclass(chr(value))
        elif kind is c.RANGE:
            out = out | Charclass(((chr(value[0]), chr(value[1])),))
        elif kind is c.CATEGORY and value in CATEGORIES:
            out = out | CATEGORIES[value]
        else:
            raise Unprovable(f"pattern {brief(pattern)} has a character class that is not modelled")
    return ~out if negated else out
