"""Array keywords on the right of an inclusion: length, uniqueness, items by position, contains."""

from __future__ import annotations

from typing import Any

from .base import OLD_DRAFTS, Failure, ProverAPI
from .context import Node
from .facts import Facts


class ArrayRules(ProverAPI):
    """Rules for the array keywords of the right-hand schema."""

    def arrays(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
               ipath: Any) -> list[Failure]:
        fails: list[Failure] = []
        a0, rp = left[0], right.path
        kinds = ("array-length-narrowed", "array-length-widened")
        if isinstance(kw.get("minItems"), int) and facts.min_items < kw["minItems"]:
            fails.append(Failure(kinds, a0.path, f"{rp}/minItems",
                                 f"{{B}} requires at least {kw['minItems']} items, {{A}} allows fewer", ipath))
        if isinstance(kw.get("maxItems"), int) and (facts.max_items is None or facts.max_items > kw["maxItems"]):
            fails.append(Failure(kinds, a0.path, f"{rp}/maxItems",
                                 f"{{B}} allows at most {kw['maxItems']} items, {{A}} allows more", ipath))
        if kw.get("uniqueItems") is True and not facts.unique and not (
                facts.max_items is not None and facts.max_items <= 1):
            fails.append(Failure(("unique-items-added", "unique-items-removed"), a0.path, f"{rp}/uniqueItems",
                                 "{B} requires unique items, {A} allows duplicates", ipath))
        prefix = kw.get("prefixItems", [])
        prefix_key = "items" if right.dialect in OLD_DRAFTS + ("2019-09",) else "prefixItems"
        rest_key = "additionalItems" if prefix and prefix_key == "items" else "items"
        positions = max(facts.prefix_len, len(prefix)) + 1
        for i in range(positions):
            if facts.max_items is not None and i >= facts.max_items:
                break
            mine = facts.item_nodes(i)
            if any(n.schema is False for n in mine):
                break
            if i < len(prefix):
                theirs = right.child(prefix[i], prefix_key, i)
            elif "items" in kw:
                theirs = right.child(kw["items"], rest_key)
            else:
                continue
            if theirs.schema is False:
                fails.append(Failure(kinds, a0.path, theirs.path,
                                     f"{{B}} allows at most {i} items, {{A}} allows more", ipath))
                break
            sub_ipath = ipath + (i,) if ipath is not None else None
            fails += self.sub(mine or [self.true_like(a0)], theirs, depth + 1, sub_ipath)
        if "contains" in kw:
            fails += self.contains(left, facts, right, kw, depth, ipath)
        return fails

    def contains(self, left: list[Node], facts: Facts, right: Node, kw: dict[str, Any], depth: int,
                 ipath: Any) -> list[Failure]:
        fails = []
        target = right.child(kw["contains"], "contains")
        need = kw.get("minContains", 1) if right.dialect in ("2019-09", "2020-12") else 1
        most = kw.get("maxContains") if right.dialect in ("2019-09", "2020-12") else None
        theirs_kw = [(n, k) for n, k in zip(left, facts.kws) if "contains" in k]
        # An item `contains` matches is still an item: whatever `items`/`prefixItems` say of its
        # position holds of it too, so each possible position is proved with those.
        last = facts.prefix_len if facts.max_items is None else min(facts.prefix_len, facts.max_items)
        positions = [facts.item_nodes(i) for i in range(last + 1)]

        def everywhere(first: list[Node], then: Node) -> bool:
            return all(self.proved(first + at, then, depth + 1) for at in positions)

        if isinstance(need, int) and need > 0:
            ok = any(k.get("minContains", 1) >= need and everywhere([n.child(k["contains"], "contains")], target)
                     for n, k in theirs_kw)
            if not ok and facts.min_items >= need:
                hits = 0
                for i in range(min(facts.min_items, 64)):
                    if self.proved(facts.item_nodes(i) or [self.true_like(left[0])], target, depth + 1):
                        hits += 1
                ok = hits >= need
            if not ok:
                fails.append(Failure(("contains-narrowed", "contains-widened"), left[0].path, right.path + "/contains",
                                     f"{{B}} requires at least {need} item(s) matching its `contains`; "
                                     "{A} is not shown to guarantee that", ipath))
        if isinstance(most, int):
            ok = facts.max_items is not None and facts.max_items <= most
            ok = ok or any(isinstance(k.get("maxContains"), int) and k["maxContains"] <= most
                           and everywhere([target], n.child(k["contains"], "contains"))
                           for n, k in theirs_kw)
            if not ok:
                fails.append(Failure(("max-contains-narrowed", "max-contains-widened"), left[0].path,
                                     right.path + "/maxContains",
                                     f"{{B}} allows at most {most} item(s) matching its `contains`; "
                                     "{A} may have more", ipath))
        return fails

