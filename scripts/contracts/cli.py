"""The `contracts` command line: one entry point for reviewers, services and pipelines."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from collections.abc import Sequence
from typing import IO, Any

from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError

from . import interrupt
from .findings import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, Finding, Unusable, printable
from .project import Project

# Each command imports what it needs when it runs: `contracts validate` in a pipeline should not
# pay for loading the compatibility checker or the code generator.

EPILOG = """exit codes:
  0  everything is valid / up to date
  1  invalid: an event, fixture or schema breaks the contract
  2  unusable input: unknown event, unreadable file, bad arguments, lines not validated
  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Without this, SIGTERM ends the process at once: no `finally` runs, so worker processes and
    # temporary files would stay behind.
    interrupt.install()
    try:
        project = Project.find()
        code = int(args.run(project, args))
        interrupt.raise_if_signalled()  # a signal whose exception was lost: the run is not a success
        return code
    except (CatalogueError, Unusable) as exc:
        print(f"contracts: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return _stopped(signal.SIGINT)
    except interrupt.Terminated:
        return _stopped(signal.SIGTERM)
    except Exception as exc:  # a bug, not bad input: still one line, unless asked for the trace
        signum = interrupt.noted()
        if signum is not None:  # what a library made of the signal's exception (DuckDB: "Query interrupted")
            return _stopped(signum)
        if os.environ.get("CONTRACTS_DEBUG"):
            raise
        print(f"contracts: internal error: {type(exc).__name__}: {printable(str(exc))} (set CONTRACTS_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return EXIT_UNUSABLE


def _stopped(signum: int) -> int:
    """The line and exit code of a run a signal stopped: Ctrl-C 130, SIGTERM 143."""
    print("contracts: interrupted" if signum == signal.SIGINT else "contracts: terminated", file=sys.stderr)
    return 128 + signum


class _Version(argparse.Action):
    """`--version`, read from the installed distribution only when asked: importlib.metadata
    costs every other command (`contracts validate` in a pipeline) start-up time."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=str(kwargs.get("help")))

    def __call__(self, parser: argparse.ArgumentParser, namespace: object, values: object,
                 option_string: str | None = None) -> None:
        from .ci_output import tool_version

        print(f"contracts {tool_version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contracts",
        description="Check, validate and generate the multi-workflow telemetry contract.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="show program's version number and exit")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="everything a reviewer needs before merging", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--against", metavar="REF",
                   help="also fail when a schema file committed at git REF (e.g. origin/main) has changed "
                        "(the last release is compared against without it)")
    _outputs(p, ["text", "json", "github", "sarif", "junit"])
    p.set_defaults(run=_check)

    p = sub.add_parser("diff", help="compatibility of two schema versions, with witnesses", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", metavar="OLD", help="schema file, or EVENT@VERSION from schemas/")
    p.add_argument("new", metavar="NEW", help="schema file, or EVENT@VERSION from schemas/")
    p.add_argument("--mode", choices=["backward", "forward", "full"], default="backward",
                   help="which compatibility decides the exit code (default: backward)")
    _outputs(p, ["text", "json", "markdown", "github", "sarif", "junit"])
    p.add_argument("--default-dialect", choices=["draft-07", "2020-12"], default="2020-12",
                   help="the dialect of a schema without $schema (default: 2020-12)")
    p.add_argument("--format-assertion", action="store_true",
                   help="treat `format` as an assertion, in the proof and in the validators that check "
                        "witnesses (default: an annotation, as the repository's validators treat it)")
    p.set_defaults(run=_diff)

    p = sub.add_parser("report", help="the markdown a reviewer reads on a pull request", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--against", metavar="REF", required=True, help="git ref of the released contract")
    _outputs(p, ["markdown", "json", "github", "sarif", "junit"])
    p.set_defaults(run=_report)

    p = sub.add_parser("validate", help="validate .json / .jsonl events against the contract", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help=".json (one event), .jsonl (one per line), - for stdin")
    p.add_argument("--event", metavar="NAME[@VERSION]",
                   help="event to validate bare payloads against: NAME (newest of the default major), NAME@MAJOR or "
                        "NAME@VERSION (default: each line's envelope or event_type)")
    _outputs(p, ["text", "json", "github", "sarif", "junit"])
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="processes to validate large inputs with (default: the number of cores)")
    p.add_argument("--default-dialect", choices=["draft-07", "2020-12"], default="2020-12",
                   help="the dialect of a catalogue schema without $schema (default: 2020-12)")
    p.add_argument("--correlate", action="store_true",
                   help="pair each execution_summary with its plan_created across all inputs")
    p.add_argument("--deny-deprecated", action="store_true",
                   help="fail (exit 1) on events of a deprecated or retired version instead of warning")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: only when output is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(run=_validate)

    p = sub.add_parser("load", help="validate events and load them into DuckDB (default) or Parquet",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Valid events become rows of <event>_v<major> (plan_created_v1, ...); invalid "
                                   "and unreadable lines rows of `rejected`. Loading the same input again adds nothing.")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".json (one event), .jsonl (one per line), - for stdin")
    p.add_argument("--event", metavar="NAME[@VERSION]",
                   help="event of bare payloads, as for `contracts validate` (default: each line's envelope or event_type)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="FILE", help="DuckDB database file (default: events.duckdb)")
    where.add_argument("--parquet", metavar="DIR",
                       help="write Parquet instead, partitioned DIR/event=/version=/date= (Hive layout)")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="processes to validate and convert large inputs with (default: the number of cores)")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: only on a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(run=_load)

    p = sub.add_parser("generate", help="regenerate generated/ from schemas/, fixtures/ and runtime/")
    p.set_defaults(run=_generate)

    p = sub.add_parser("new-version", help="scaffold the next version file of an event and its fixture folders",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("event", metavar="EVENT", help="event (or shared file) name, e.g. multi_workflow.plan_created")
    level = p.add_mutually_exclusive_group(required=True)
    for bump in ("patch", "minor", "major"):
        level.add_argument(f"--{bump}", dest="bump", action="store_const", const=bump)
    p.set_defaults(run=_new_version)

    p = sub.add_parser("version", help="the package version the tree would be released as, and why")
    p.set_defaults(run=_version)

    p = sub.add_parser("release", help="record the next release in releases.json, commit it and tag it",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", dest="asked", default="", metavar="X.Y.Z",
                   help="release as this version (refused when smaller than the changes need)")
    p.add_argument("--bump", default="", choices=["", "patch", "minor", "major"],
                   help="at least this bump (for runtime changes the catalogue cannot see)")
    p.add_argument("--no-tag", dest="tag", action="store_false", help="write releases.json only: no commit, no tag")
    p.set_defaults(run=_release)
    return parser


def _outputs(p: argparse.ArgumentParser, formats: list[str]) -> None:
    p.add_argument("--format", choices=formats, default=formats[0],
                   help="github: workflow annotations; sarif: SARIF 2.1.0; junit: JUnit XML (default: %(default)s)")
    p.add_argument("--output", metavar="FILE", help="write the output here instead of standard output")


def _emit(args: argparse.Namespace, text: str) -> None:
    """The command's output, to --output FILE or standard output."""
    if getattr(args, "output", None):
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text, end="")


def _check(project: Project, args: argparse.Namespace) -> int:
    from .ci_output import render

    found: list[Finding] = []
    failed = 0
    from . import check as checks
    from .policy import check_immutable

    steps = list(checks.CHECKS)
    if args.against is not None:  # `--against ""` (an unset $BASE) is refused, never skipped
        steps.insert(2, ("against", lambda p: check_immutable(p, args.against)))
    for name, run in steps:
        started = time.perf_counter()
        findings = list(run(project))
        found += findings
        if args.format == "text" and not args.output:
            for finding in findings:
                print(finding)
        status = "ok" if not findings else f"{len(findings)} problem{'s' if len(findings) != 1 else ''}"
        print(f"check {name}: {status} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)
        failed += len(findings)
    if args.format != "text":
        _emit(args, render(found, args.format, "check"))
    elif args.output:
        _emit(args, "".join(f"{f}\n" for f in found))
    if failed:
        print(f"contracts check: {failed} problem{'s' if failed != 1 else ''}", file=sys.stderr)
        return EXIT_INVALID
    print("contracts check: ok", file=sys.stderr)
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, at least 1 (got {text!r})")
    return jobs


def _validate(project: Project, args: argparse.Namespace) -> int:
    from .deprecated import ended_scan
    from .validate_cmd import validate_inputs

    catalogue = project.catalogue if args.default_dialect == "2020-12" else \
        Catalogue(project.schemas, project.default_major, args.default_dialect)
    ended = 0
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else sys.stdout
        report = _findings_report(args, out, stack)  # None for text: each finding is printed to `out`

        def on_ended(finding: Finding) -> None:  # an event of a deprecated or retired version
            nonlocal ended
            ended += 1
            print(("" if args.deny_deprecated else "warning: ") + str(finding), file=sys.stderr)
            if args.deny_deprecated and report is not None and args.format != "json":
                report.add(finding)

        summary = validate_inputs(catalogue, args.event, args.paths, out=out if report is None else None,
                                  report=report, jobs=args.jobs, progress=args.progress, correlate=args.correlate,
                                  ended=ended_scan(project, catalogue, args.event), on_ended=on_ended)
        if args.format == "json":
            report.finish(summary.as_json())
        elif report is not None:
            # An input not read (or lines not validated) is a finding of CI's formats too: without
            # one, a missing file gave GitHub no annotation and JUnit a passing test case.
            for finding in _unusable_findings(summary.unusable, args.paths):
                report.add(finding)
            report.finish()
        if args.output:
            print(f"wrote {args.output}", file=sys.stderr)
    if args.format != "json":  # (the JSON document carries them, in `unusable`)
        for problem in summary.unusable:
            print(f"contracts: error: {printable(problem)}", file=sys.stderr)
    if args.format != "json":
        print(summary.line(), file=sys.stderr)
    if summary.unusable:
        return EXIT_UNUSABLE
    denied = bool(ended) and args.deny_deprecated
    return EXIT_INVALID if summary.invalid or summary.unreadable or summary.correlation_count or denied else EXIT_OK


def _unusable_findings(problems: list[str], paths: list[str]) -> list[Finding]:
    """Each `PATH: why` (or `PATH:FIRST-LAST: why`, lines not validated) as a finding of its input."""
    found = []
    for problem in problems:
        path = max((p for p in paths if problem.startswith(p + ":")), key=len, default="")
        rest = problem[len(path) + 1:] if path else problem
        lines, _, why = rest.partition(": ") if rest[:1].isdigit() else ("", "", rest.lstrip())
        found.append(Finding(path or "-", int(lines.split("-")[0]) if lines else 1, "", "unusable", why or rest))
    return found


def _findings_report(args: argparse.Namespace, out: IO[str], stack: contextlib.ExitStack) -> Any:
    """The writer `--format` names, each finding written as found (memory bounded whatever their
    number), closed when the run ends however it ends; None for text."""
    if args.format == "text":
        return None
    if args.format == "json":
        from .json_findings import JsonReport

        report: Any = JsonReport(out)
    else:
        from .ci_output import writer

        report = writer(args.format, out, "validate", args.paths)
    stack.callback(report.close)
    return report


def _load(project: Project, args: argparse.Namespace) -> int:
    from .warehouse.load import load_inputs

    summary, target = load_inputs(project.catalogue, args.event, args.paths, db=args.db, parquet=args.parquet,
                                  jobs=args.jobs, progress=args.progress)
    for problem in summary.unusable:
        print(f"contracts: error: {problem}", file=sys.stderr)
    print(summary.line(target), file=sys.stderr)
    if summary.unusable:
        return EXIT_UNUSABLE
    return EXIT_INVALID if summary.rejected else EXIT_OK


def _diff(project: Project, args: argparse.Namespace) -> int:
    from .diff_cmd import compare, render

    old_label, new_label, report = compare(project, args.old, args.new, default_dialect=args.default_dialect,
                                           format_assertion=args.format_assertion)
    if args.format in ("github", "sarif", "junit"):
        from .ci_output import render as ci
        from .diff_cmd import change_findings

        _emit(args, ci(change_findings(project, report, new_label, args.mode), args.format, "diff"))
    else:
        _emit(args, render(report, args.format, old_label, new_label))
    return EXIT_OK if report.compatible(args.mode) else EXIT_INVALID


def _report(project: Project, args: argparse.Namespace) -> int:
    from .diff_cmd import review_report

    markdown, ok, findings = review_report(project, args.against)
    if args.format == "markdown":
        _emit(args, markdown)
    elif args.format == "json":
        _emit(args, json.dumps({"against": args.against, "ok": ok, "markdown": markdown,
                                "findings": [vars(f) for f in findings]}, indent=2, ensure_ascii=False) + "\n")
    else:
        from .ci_output import render

        _emit(args, render(findings, args.format, "report"))
    return EXIT_OK if ok else EXIT_INVALID


def _generate(project: Project, args: argparse.Namespace) -> int:
    from .generate import write

    try:
        target = write(project)
    except OSError as exc:
        raise Unusable(f"cannot write {project.relative(project.generated)}/: {exc.strerror or exc}; "
                       "it is left as it was") from None
    print(f"generated {project.relative(target)}/", file=sys.stderr)
    return EXIT_OK


def _new_version(project: Project, args: argparse.Namespace) -> int:
    from .new_version import scaffold

    for line in scaffold(project, args.event, args.bump):
        print(line)
    return EXIT_OK


def _version(project: Project, args: argparse.Namespace) -> int:
    from .release import ledger, next_version

    version, bump = next_version(project)
    entries = ledger(project)
    last = entries[-1].version if entries else "none"
    print(version)
    print(f"last release {last}; bump {bump.level}", file=sys.stderr)
    for reason in bump.reasons:
        print(f"  {reason}", file=sys.stderr)
    return EXIT_OK


def _release(project: Project, args: argparse.Namespace) -> int:
    from .release import release

    version = release(project, asked=args.asked, level=args.bump, tag=args.tag)
    print(f"release {version}" + (f": committed releases.json, tagged v{version}" if args.tag else ": releases.json written"),
          file=sys.stderr)
    print(version)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
