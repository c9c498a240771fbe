"""`make fuzz`: coverage-guided fuzzing (atheris) of every target, time shared between them.

    python tests/fuzz/run.py --seconds 600 [TARGET ...]

Crashes are written to build/fuzz/<target>/; copy each into tests/fuzz/regressions/<target>/
so `make test` replays it from then on. Exit 1 when any target crashed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from targets import TARGETS, seeds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=f"default: all of {', '.join(TARGETS)}")
    parser.add_argument("--seconds", type=int, default=600, help="total budget, shared by the targets")
    args = parser.parse_args()
    args.targets = args.targets or list(TARGETS)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    share = max(10, args.seconds // len(args.targets))
    failed = []
    for target in args.targets:
        corpus = REPO / "build" / "fuzz" / target / "corpus"
        crashes = REPO / "build" / "fuzz" / target / "crashes"
        corpus.mkdir(parents=True, exist_ok=True)
        crashes.mkdir(parents=True, exist_ok=True)
        for i, seed in enumerate(seeds(target)):
            (corpus / f"seed-{i:04d}").write_bytes(seed)
        print(f"fuzz {target}: {share}s", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / "atheris_main.py"), target, str(corpus),
             f"-max_total_time={share}", f"-artifact_prefix={crashes}/", "-timeout=20", "-rss_limit_mb=4096",
             "-print_final_stats=1"],
            cwd=REPO, check=False,
        )
        found = sorted(crashes.iterdir())
        if done.returncode != 0 or found:
            failed.append(target)
            print(f"fuzz {target}: FOUND {len(found)} crash(es) in {crashes}", flush=True)
        else:
            print(f"fuzz {target}: nothing found", flush=True)
    print("fuzz: " + (f"crashes in {', '.join(failed)}" if failed else "nothing new found"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
