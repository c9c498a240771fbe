"""Findings in the formats CI systems read: GitHub workflow annotations, SARIF 2.1.0, JUnit XML, JSON.

Every command that reports findings (check, validate, diff, report) hands them here, so a finding
reads the same everywhere: file, line, JSON pointer, rule, message and fix.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .findings import Finding

FORMATS = ("github", "sarif", "junit")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://contracts.multi-workflow.dev/contributing/"


def tool_version() -> str:
    try:
        return version("multi-workflow-contracts")
    except PackageNotFoundError:
        return "0.0.0"


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: %, CR and LF in the message; also , and : in properties.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: list[Finding], level: str = "error") -> str:
    """One `::error file=…,line=…,title=…::message` workflow command per finding."""
    lines = []
    for f in findings:
        message = f"{f.pointer or '/'}: {f.message}" + (f" (fix: {f.fix})" if f.fix else "")
        lines.append(f"::{level} file={_escape_property(f.file)},line={f.line},"
                     f"title={_escape_property(f.rule)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(findings: list[Finding], command: str) -> str:
    """A SARIF 2.1.0 log with one run of `contracts <command>`."""
    rules = sorted({f.rule for f in findings})
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": rules.index(f.rule),
            "level": "error",
            "message": {"text": f"{f.pointer or '/'}: {f.message}" + (f" Fix: {f.fix}" if f.fix else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                                                "region": {"startLine": max(f.line, 1)}},
                           "logicalLocations": [{"fullyQualifiedName": f.pointer or "/", "kind": "element"}]}],
        }
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "contracts", "version": tool_version(), "informationUri": INFORMATION_URI,
                                "rules": [{"id": r, "shortDescription": {"text": r}} for r in rules]}},
            "invocations": [{"commandLine": f"contracts {command}", "executionSuccessful": True}],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def junit(findings: list[Finding], command: str, checked: list[str] | None = None) -> str:
    """A JUnit XML report: one test case per file checked (or per finding's file), failed by its findings."""
    by_file: dict[str, list[Finding]] = {name: [] for name in checked or []}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    if not by_file:
        by_file["contract"] = []
    suite = ET.Element("testsuite", name=f"contracts {command}", tests=str(len(by_file)),
                       failures=str(sum(1 for v in by_file.values() if v)), errors="0")
    for name, found in by_file.items():
        case = ET.SubElement(suite, "testcase", classname=f"contracts.{command}", name=name)
        for f in found:
            failure = ET.SubElement(case, "failure", message=f"{f.message} [{f.rule}]", type=f.rule)
            failure.text = str(f)
    root = ET.Element("testsuites", name="contracts")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def as_json(findings: list[Finding], **extra: Any) -> str:
    return json.dumps({**extra, "findings": [
        {"file": f.file, "line": f.line, "pointer": f.pointer, "rule": f.rule, "message": f.message, "fix": f.fix}
        for f in findings]}, indent=2, ensure_ascii=False) + "\n"


def render(findings: list[Finding], fmt: str, command: str, checked: list[str] | None = None) -> str:
    if fmt == "github":
        return github(findings)
    if fmt == "sarif":
        return sarif(findings, command)
    if fmt == "junit":
        return junit(findings, command, checked)
    return as_json(findings)
