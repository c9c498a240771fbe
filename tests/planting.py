"""Planting a known bug in a copy of a function, to show that a property test catches it.

Mutation testing (`make mutation`) plants many bugs at random; these plant the ones a reviewer
named (issue 14), in every `make test`, so a property that stops catching them fails at once.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def planted(module: ModuleType, owner: Any, name: str, old: str, new: str) -> Callable[..., Any]:
    """A copy of `owner.name` (a function of `module`, or a method of a class in it) with `old`
    replaced by `new` in its source, compiled in the module's namespace."""
    source = textwrap.dedent(inspect.getsource(getattr(owner, name)))
    assert old in source, f"{old!r} is not in {name}: update the planted bug"
    namespace = dict(vars(module))
    exec(compile(source.replace(old, new), inspect.getsourcefile(module) or name, "exec"), namespace)  # noqa: S102
    return namespace[name]  # type: ignore[no-any-return]


def property_fails(strategy: st.SearchStrategy[Any], check: Callable[[Any], None], examples: int = 250) -> bool:
    """Does `check` fail on some example of `strategy` (the same examples every run)?"""
    try:
        settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])(given(strategy)(check))()
    except AssertionError:
        return True
    return False
