"""What the prover's modules share: a failure to prove, and the calls rule modules make back.

Rules for each kind of keyword live in their own module (`scalars`, `arrays`, `objects`,
`disjoint`) as mixins of `Prover`; `ProverAPI` names what they may call on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .context import Node
from .facts import Facts

OLD_DRAFTS = ("draft4", "draft6", "draft7")
NO_HINT: Any = object()
SAMPLES: dict[str, Any] = {"null": None, "boolean": False, "object": {}, "array": [], "string": "",
                           "number": 0.5, "integer": 0}


@dataclass
class Failure:
    """One reason an inclusion could not be proved.

    `kinds` names the change for each reading: (left is OLD, i.e. backward; left is NEW, i.e.
    forward). Messages say {A} for the left schema and {B} for the right one.
    """

    kinds: tuple[str, str]
    a_path: str
    b_path: str
    message: str
    ipath: tuple[Any, ...] | None = ()
    hint: Any = field(default=NO_HINT, repr=False)
    path: str | None = None  # where to report it, when not the right side's keyword
    left: list[Node] | None = field(default=None, repr=False)  # the left side there, to build witnesses


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def cannot(a: Node | None, b: Node, why: str, ipath: tuple[Any, ...] | None = ()) -> Failure:
    return Failure(("cannot-prove", "cannot-prove"), a.path if a else b.path, b.path,
                   f"could not prove {{B}} accepts every {{A}} instance: {why}", ipath)


def dedupe(fails: list[Failure]) -> list[Failure]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in fails:
        key = (f.kinds, f.a_path, f.b_path, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out



class ProverAPI:
    """The prover operations rule mixins use (implemented by `Prover`)."""

    def sub(self, left: list[Node], right: Node, depth: int, ipath: tuple[Any, ...] | None) -> list[Failure]:
        raise NotImplementedError

    def proved(self, left: list[Node], right: Node, depth: int) -> bool:
        raise NotImplementedError

    def flatten(self, nodes: list[Node]) -> list[Node] | None:
        raise NotImplementedError

    def distribute(self, nodes: list[Node]) -> list[list[Node]] | None:
        raise NotImplementedError

    def disjoint(self, left: list[Node], right: list[Node], depth: int) -> bool:
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError

    def arrays(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
               ipath: Any) -> list[Failure]:
        raise NotImplementedError

    def objects(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
                ipath: Any) -> list[Failure]:
        raise NotImplementedError

    @staticmethod
    def true_like(node: Node) -> Node:
        return Node(True, node.resolver, node.dialect, node.path, node.side)
