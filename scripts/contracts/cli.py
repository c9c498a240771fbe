"""The `contracts` command line: one entry point for reviewers, services and pipelines."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from multi_workflow_telemetry.catalogue import CatalogueError

from . import check as checks
from .findings import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE
from .generate import GenerateError, write
from .project import Project
from .validate_cmd import UnusableInput, validate_inputs

EPILOG = """exit codes:
  0  everything is valid / up to date
  1  invalid: an event, fixture or schema breaks the contract
  2  unusable input: unknown event, unreadable file, bad arguments
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        project = Project.find()
        return int(args.run(project, args))
    except (CatalogueError, UnusableInput, GenerateError) as exc:
        print(f"contracts: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("contracts: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, unless asked for the trace
        if os.environ.get("CONTRACTS_DEBUG"):
            raise
        print(f"contracts: internal error: {type(exc).__name__}: {exc} (set CONTRACTS_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_UNUSABLE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contracts",
        description="Check, validate and generate the multi-workflow telemetry contract.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="everything a reviewer needs before merging", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(run=_check)

    p = sub.add_parser("validate", help="validate .json / .jsonl events against the contract", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help=".json (one event), .jsonl (one per line), - for stdin")
    p.add_argument("--event", metavar="NAME[@VERSION]",
                   help="event to validate against (default: each event's own event_type; latest version)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=_validate)

    p = sub.add_parser("generate", help="regenerate generated/ from schemas/, fixtures/ and runtime/")
    p.set_defaults(run=_generate)
    return parser


def _check(project: Project, args: argparse.Namespace) -> int:
    failed = 0
    for name, run in checks.CHECKS:
        started = time.perf_counter()
        findings = list(run(project))
        for finding in findings:
            print(finding)
        status = "ok" if not findings else f"{len(findings)} problem{'s' if len(findings) != 1 else ''}"
        print(f"check {name}: {status} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)
        failed += len(findings)
    if failed:
        print(f"contracts check: {failed} problem{'s' if failed != 1 else ''}", file=sys.stderr)
        return EXIT_INVALID
    print("contracts check: ok", file=sys.stderr)
    return EXIT_OK


def _validate(project: Project, args: argparse.Namespace) -> int:
    summary = validate_inputs(project.catalogue, args.event, args.paths, args.format)
    if args.format == "json":
        print(json.dumps(summary.as_json(), indent=2))
    else:
        for problem in summary.unusable:
            print(f"contracts: error: {problem}", file=sys.stderr)
        print(summary.line(), file=sys.stderr)
    if summary.unusable:
        return EXIT_UNUSABLE
    return EXIT_INVALID if summary.invalid or summary.unreadable else EXIT_OK


def _generate(project: Project, args: argparse.Namespace) -> int:
    target = write(project)
    print(f"generated {project.relative(target)}/", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
