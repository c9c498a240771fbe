"""`make mutation`: mutation testing (mutmut) of the three areas where a wrong `<` costs most.

    python tests/mutation/run.py [AREA ...]      # default: every area, one after the other

Each area is mutated in its own staging folder, build/mutation/<area>/, laid out as mutmut expects
(`src/<package>`): the generated package (the runtime services pin) and the tooling's `contracts`,
with the tests and the data they read. Only the area's modules are mutated, and only the area's
test files run against each mutant. Prints the score per area; survivors are listed in
build/mutation/<area>/survivors.txt (and explained in docs/mutation.md). Exit 1 when an area
scores under the floor.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "generated" / "python" / "src" / "multi_workflow_telemetry"
FLOOR = 0.90
# A test failed, the mutant hung (timeout) or crashed the interpreter (segfault): each is caught.
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


@dataclass(frozen=True)
class Area:
    modules: tuple[str, ...]  # paths under the staging folder's src/
    tests: tuple[str, ...]  # test files run against every mutant (in-process ones only: a
    # subprocess imports the unmutated package, so it could never kill a mutant)


AREAS = {
    "rules": Area(
        ("multi_workflow_telemetry/rules.py",),
        ("tests/test_rule_boundaries.py", "tests/test_rule_messages.py", "tests/test_rejections.py", "tests/test_fixtures.py"),
    ),
    "fast": Area(
        tuple(f"multi_workflow_telemetry/{name}.py" for name in ("fast", "structs", "residual", "explain", "wording")),
        ("tests/test_rule_boundaries.py", "tests/test_fast_path.py", "tests/test_struct_tier.py",
         "tests/test_explain.py", "tests/test_rejections.py", "tests/test_fixtures.py", "tests/test_struct_tier_schemas.py",
         "tests/test_whitespace.py", "tests/test_speedups.py"),
    ),
    "compat": Area(
        tuple(f"contracts/compat/{name}.py" for name in ("arrays", "base", "context", "disjoint", "facts", "finite",
                                                          "normalise", "objects", "scalars", "subschema", "witness")),
        ("tests/test_compat_boundaries.py", "tests/test_compat.py", "tests/test_compat_corpora.py",
         "tests/test_compat_reports.py", "tests/test_compat_witness.py", "tests/test_compat_locations.py",
         "tests/test_compat_proofs.py", "tests/test_compat_keywords.py"),
    ),
}
# Tests in those files that run `contracts` in a subprocess (the unmutated package: they cannot
# kill a mutant) or time it (a mutant's slower code would fail them for the wrong reason).
OUT_OF_PROCESS = (
    "test_compat_proofs.py::test_cli_default_dialect_and_format_assertion",
    "test_compat_proofs.py::test_a_large_pair_is_compared_within_ten_seconds",
    "test_compat_proofs.py::test_contracts_check_on_a_version_with_a_catastrophic_pattern",
)
# What the tests read beside themselves (REPO-relative paths in conftest.py and the tests).
DATA = ("fixtures", "schemas", "releases.json")


def undecorate(source: str, decorator: str) -> str:
    """`@rule(...)` above a function, rewritten as `f = rule(...)(f)` below it: the same registry in
    the same order, but a function mutmut mutates (it leaves decorated functions alone)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef)), key=lambda n: -n.lineno):
        calls = [d for d in node.decorator_list if isinstance(d, ast.Call) and getattr(d.func, "id", "") == decorator]
        if len(calls) != 1 or len(node.decorator_list) != 1:
            continue
        call = calls[0]
        text = ast.get_source_segment(source, call)
        first, end = call.lineno - 1, node.end_lineno or node.lineno
        body = lines[first + (call.end_lineno or call.lineno) - call.lineno + 1 : end]
        lines[first:end] = [*body, f"{node.name} = {text}({node.name})\n"]
    return "".join(lines)


def stage(name: str, area: Area) -> Path:
    root = REPO / "build" / "mutation" / name
    shutil.rmtree(root, ignore_errors=True)
    src = root / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PACKAGE, src / "multi_workflow_telemetry", ignore=ignore)
    shutil.copytree(REPO / "scripts" / "contracts", src / "contracts", ignore=ignore)
    shutil.copytree(REPO / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__", "browser", "fuzz", "mutation"))
    for data in DATA:
        (shutil.copytree if (REPO / data).is_dir() else shutil.copy)(REPO / data, root / data)
    rules = src / "multi_workflow_telemetry" / "rules.py"
    rules.write_text(undecorate(rules.read_text(), "rule"))
    config = {
        "source_paths": ["src"],
        "only_mutate": [f"src/{m}" for m in area.modules],
        "also_copy": list(DATA),
        # The tests that plant a bug themselves (planting.py) read the code's source: under mutmut
        # that is a trampoline, and planting is what mutmut does anyway.
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-p", "no:xdist", "-q",
                                "-k", "not the_property_catches and not the_property_passes",
                                *(f"--deselect=tests/{test}" for test in OUT_OF_PROCESS)],
        "pytest_add_cli_args_test_selection": list(area.tests),
        # A mutant that loops is killed by the timeout; the tests' own times vary a lot on a shared machine.
        "timeout_multiplier": 20.0,
        "timeout_constant": 10.0,
    }
    # The repository's pyproject (the tests read [tool.contracts]; pytest its options) and mutmut's part.
    (root / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text() + "\n[tool.mutmut]\n"
                                         + "".join(f"{k} = {json.dumps(v)}\n" for k, v in config.items()))
    return root


def results(root: Path) -> dict[str, str]:
    """mutant name -> status, as `mutmut results --all true` prints them."""
    out = subprocess.run([str(Path(sys.executable).with_name("mutmut")), "results", "--all", "true"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    statuses = {}
    for line in out.splitlines():
        mutant, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in mutant:
            statuses[mutant] = status.strip()
    return statuses


def change(root: Path, mutant: str) -> str:
    """The lines a mutant changes (`mutmut show`), indented, for survivors.txt."""
    shown = subprocess.run([str(Path(sys.executable).with_name("mutmut")), "show", mutant],
                           cwd=root, capture_output=True, text=True, check=False).stdout
    return "".join(f"    {line}\n" for line in shown.splitlines() if line[:2] in ("- ", "+ "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("areas", nargs="*", metavar="AREA", help=f"default: all of {', '.join(AREAS)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--again", action="store_true",
                        help="run only the last run's survivors again (after new tests), keeping its other verdicts")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="test N mutants per area, drawn the same way every run (an estimate; default: all)")
    args = parser.parse_args()
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s): {', '.join(unknown)}")
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation"}
    scores = {}
    for name in args.areas or list(AREAS):
        last = REPO / "build" / "mutation" / f"{name}.json"  # kept outside the staging folder
        before: dict[str, str] = json.loads(last.read_text()) if args.again and last.is_file() else {}
        root = stage(name, AREAS[name])
        print(f"mutation {name}: {', '.join(AREAS[name].modules)}", flush=True)
        mutmut = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(args.jobs)]
        chosen: list[str] = []
        if before:
            chosen = sorted(m for m, s in before.items() if s not in KILLED)
            print(f"mutation {name}: the last run's {len(chosen)} survivors again, of {len(before)}", flush=True)
        elif args.sample:
            # A name no mutant has: mutmut writes the mutants, then stops (saying nothing matched).
            subprocess.run([*mutmut, "none.x_none__mutmut_0"], cwd=root, env=env, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            every = sorted(results(root))
            chosen = sorted(random.Random(14).sample(every, min(args.sample, len(every))))
            print(f"mutation {name}: a sample of {len(chosen)} of {len(every)} mutants", flush=True)
        run = subprocess.run([*mutmut, *chosen], cwd=root, env=env, check=False, stdout=subprocess.DEVNULL)
        statuses = results(root)
        if chosen:
            statuses = {m: s for m, s in statuses.items() if m in set(chosen)}
        if statuses and all(s == "not checked" for s in statuses.values()):
            # mutmut stops before the first mutant when a test fails on the code as it is: no score.
            print(f"mutation {name}: no mutant was tested (mutmut exited {run.returncode}); do the area's tests "
                  "pass on the unmutated code, under mutmut?", file=sys.stderr)
            return 2
        statuses = {**before, **statuses}
        last.write_text(json.dumps(statuses, indent=0, sort_keys=True))
        killed = [m for m, s in statuses.items() if s in KILLED]
        survivors = sorted(m for m in statuses if m not in killed)
        (root / "survivors.txt").write_text("".join(f"{m}: {statuses[m]}\n{change(root, m)}" for m in survivors))
        scores[name] = len(killed) / len(statuses) if statuses else 0.0
        print(f"mutation {name}: {len(killed)}/{len(statuses)} mutants killed ({scores[name]:.1%}); "
              f"survivors in {root.relative_to(REPO)}/survivors.txt", flush=True)
    low = [n for n, s in scores.items() if s < FLOOR]
    print("mutation: " + "; ".join(f"{n} {s:.1%}" for n, s in scores.items())
          + (f" (under {FLOOR:.0%}: {', '.join(low)})" if low else f" (each at least {FLOOR:.0%})"))
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
