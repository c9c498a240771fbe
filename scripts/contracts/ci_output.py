"""Findings in the formats CI systems read: GitHub workflow annotations, SARIF 2.1.0, JUnit XML, JSON.

Every command that reports findings (check, validate, diff, report) hands them here, so a finding
reads the same everywhere: file, line, JSON pointer, rule, message and fix. Each format is a
writer that takes findings one at a time as they are found (`add`) and ends the document
(`finish`): `contracts validate` holds none of a stream's findings in memory, whatever their
number; the other commands, with a handful of findings each, go through `render`.
"""

from __future__ import annotations

import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any, Protocol
from xml.sax.saxutils import quoteattr

from .findings import Finding, printable

FORMATS = ("github", "sarif", "junit")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://contracts.multi-workflow.dev/contributing/"


def tool_version() -> str:
    try:
        return version("multi-workflow-contracts")
    except PackageNotFoundError:
        return "0.0.0"


class Writer(Protocol):
    def add(self, finding: Finding) -> None: ...
    def correlation(self, finding: Finding) -> None: ...  # a CI format lists them with the rest

    def finish(self) -> None: ...
    def close(self) -> None: ...


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: %, CR and LF in the message; also , and : in properties.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Annotations:
    """One `::error file=…,line=…,title=…::message` workflow command per finding, one per line."""

    def __init__(self, out: IO[str], level: str = "error") -> None:
        self.out, self.level = out, level

    def add(self, f: Finding) -> None:
        message = f"{f.pointer or '/'}: {f.message}" + (f" (fix: {f.fix})" if f.fix else "")
        self.out.write(f"::{self.level} file={_escape_property(f.file)},line={f.line},"
                       f"title={_escape_property(f.rule)}::{_escape_data(message)}\n")

    correlation = add

    def finish(self) -> None:
        self.out.flush()

    def close(self) -> None:
        pass


class SarifLog:
    """A SARIF 2.1.0 log with one run of `contracts <command>`, its results written as found.

    JSON objects are unordered, so the run's `results` come first and its `tool` (with the rules,
    known only once every result is in) last: SARIF readers (GitHub code scanning, GitLab, the
    SARIF SDK) parse the whole document and do not depend on the order of keys. Each rule's
    index is its place in order of first appearance; the rules are a few ids, whatever the number
    of results.
    """

    def __init__(self, out: IO[str], command: str) -> None:
        self.out, self.command = out, command
        self.rules: dict[str, int] = {}
        self.count = 0
        self.started = False

    def _start(self) -> None:
        if not self.started:
            self.out.write('{\n  "$schema": ' + json.dumps(SARIF_SCHEMA) + ',\n  "version": "2.1.0",\n'
                           '  "runs": [\n    {\n      "results": [')
            self.started = True

    def add(self, f: Finding) -> None:
        self._start()
        result = {
            "ruleId": f.rule,
            "ruleIndex": self.rules.setdefault(f.rule, len(self.rules)),
            "level": "error",
            "message": {"text": f"{f.pointer or '/'}: {f.message}" + (f" Fix: {f.fix}" if f.fix else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                                                "region": {"startLine": max(f.line, 1)}},
                           "logicalLocations": [{"fullyQualifiedName": f.pointer or "/", "kind": "element"}]}],
        }
        self.out.write(("," if self.count else "") + "\n        " + _indented(result, 8))
        self.count += 1

    correlation = add

    def finish(self) -> None:
        self._start()
        tool = {"driver": {"name": "contracts", "version": tool_version(), "informationUri": INFORMATION_URI,
                           "rules": [{"id": r, "shortDescription": {"text": r}} for r in self.rules]}}
        invocations = [{"commandLine": f"contracts {self.command}", "executionSuccessful": True}]
        self.out.write(("\n      ]" if self.count else "]")
                       + ',\n      "tool": ' + _indented(tool, 6)
                       + ',\n      "invocations": ' + _indented(invocations, 6) + "\n    }\n  ]\n}\n")
        self.out.flush()

    def close(self) -> None:
        pass


def _indented(value: Any, depth: int) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * depth)


class JunitReport:
    """A JUnit XML report: one test case per file checked (or per finding's file), failed by its findings.

    `<testsuite tests=… failures=…>` opens the document, but its counts are known only at the
    end, and the readers (Jenkins' JUnit plugin, GitLab's test reports, GitHub test-report
    actions) expect them there and the failures grouped in their file's test case. So the
    failures go, as found, to a temporary SQLite database on disk, keyed by file then order
    (SQLite unlinks the file as it opens it, so nothing is left behind, even after SIGKILL; its
    page cache, about 2 MB, is all the memory it takes), and the document is written in one pass
    at the end. Memory holds one count per file, never the findings.
    """

    def __init__(self, out: IO[str], command: str, checked: list[str] | None = None) -> None:
        self.out, self.command = out, command
        self.files: dict[str, list[int]] = {}  # file -> [its number, its failures]
        for name in checked or []:
            self._file(name)
        self.spool: sqlite3.Connection | None = None

    def _file(self, name: str) -> list[int]:
        return self.files.setdefault(name, [len(self.files), 0])

    def add(self, f: Finding) -> None:
        if self.spool is None:
            self.spool = sqlite3.connect("")  # "": a private temporary database on disk
            self.spool.execute("CREATE TABLE failure (file INTEGER, seq INTEGER, xml TEXT, PRIMARY KEY (file, seq))"
                               " WITHOUT ROWID")
        entry = self._file(f.file)
        element = ET.Element("failure", message=printable(f"{f.message} [{f.rule}]"), type=printable(f.rule))
        element.text = str(f)
        self.spool.execute("INSERT INTO failure VALUES (?, ?, ?)", (entry[0], entry[1], ET.tostring(element, "unicode")))
        entry[1] += 1

    correlation = add

    def finish(self) -> None:
        if not self.files:
            self._file("contract")
        failed = sum(1 for _, count in self.files.values() if count)
        write = self.out.write
        write("<?xml version='1.0' encoding='utf-8'?>\n<testsuites name=\"contracts\">\n")
        write(f"  <testsuite name={quoteattr(f'contracts {self.command}')} tests=\"{len(self.files)}\""
              f" failures=\"{failed}\" errors=\"0\">\n")
        classname = quoteattr(f"contracts.{self.command}")
        for name, (number, count) in self.files.items():
            case = f"    <testcase classname={classname} name={quoteattr(printable(name))}"
            if not count:
                write(case + " />\n")
                continue
            write(case + ">\n")
            assert self.spool is not None
            for (xml,) in self.spool.execute("SELECT xml FROM failure WHERE file = ? ORDER BY seq", (number,)):
                write(f"      {xml}\n")
            write("    </testcase>\n")
        write("  </testsuite>\n</testsuites>\n")
        self.out.flush()

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None


def writer(fmt: str, out: IO[str], command: str, checked: list[str] | None = None) -> Writer:
    """The writer of `fmt` (github, sarif or junit) onto `out`."""
    if fmt == "github":
        return Annotations(out)
    if fmt == "sarif":
        return SarifLog(out, command)
    return JunitReport(out, command, checked)


def as_json(findings: list[Finding], **extra: Any) -> str:
    return json.dumps({**extra, "findings": [
        {"file": f.file, "line": f.line, "pointer": f.pointer, "rule": f.rule, "message": f.message, "fix": f.fix}
        for f in findings]}, indent=2, ensure_ascii=False) + "\n"


def render(findings: list[Finding], fmt: str, command: str, checked: list[str] | None = None) -> str:
    """The whole document of `findings` in `fmt`, as the writers stream it."""
    if fmt not in FORMATS:
        return as_json(findings)
    out = io.StringIO()
    w = writer(fmt, out, command, checked)
    try:
        for f in findings:
            w.add(f)
        w.finish()
    finally:
        w.close()
    return out.getvalue()
