"""The check's outcome for people (a table) and for tools (JSON, SARIF 2.1.0, JUnit XML)."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from visiobook_scaffold import __version__
from visiobook_scaffold.check.model import Report, RuleResult, Severity, Status

INFORMATION_URI = "https://github.com/visiobook/visiobook-scaffold"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
STATUS_LABELS = {
    Status.PASSED: "pass",
    Status.FAILED: "FAIL",
    Status.WAIVED: "waived",
    Status.SKIPPED: "skip",
}


def rule_catalogue() -> str:
    """Every rule: id, severity, guidelines section, where it applies, and what it checks."""
    from visiobook_scaffold.check.registry import all_rules
    from visiobook_scaffold.template import embedded_template_root, load_config

    stacks = load_config(embedded_template_root()).available_stacks()
    rows = []
    for rule in all_rules():
        scope = [stack.key for stack in stacks if rule.applies_to(stack.key, stack.kind)]
        shown = "all" if len(scope) == len(stacks) else ", ".join(scope)
        rows.append((rule.id, rule.severity.value, rule.spec, shown, rule.title))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + f"  {row[4]}"
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    counts = dict.fromkeys(Status, 0)
    for result in report.results:
        counts[result.status] += 1
    errors = sum(1 for r in report.failed if r.rule.severity is Severity.ERROR)
    warnings = len(report.failed) - errors
    passing = counts[Status.PASSED] + counts[Status.WAIVED]
    extra = [f"{counts[s]} {s.value}" for s in (Status.WAIVED, Status.SKIPPED) if counts[s]]
    return (
        f"Score {report.score}%: {passing} of {report.judged} rules pass"
        + (f" ({', '.join(extra)})" if extra else "")
        + f"; {errors} error(s), {warnings} warning(s)."
    )


def text(report: Report) -> str:
    width = max(len(result.rule.id) for result in report.results)
    lines = [f"visiobook check: {report.root} ({report.stack})"]
    for category, results in groupby(report.results, key=lambda r: r.rule.category):
        lines.append("")
        lines.append(category)
        for result in results:
            rule = result.rule
            lines.append(
                f"  {STATUS_LABELS[result.status]:<6}  {rule.id:<{width}}  {rule.severity.value:<7}"
                f"  {rule.spec:<4}  {rule.title}"
            )
            if result.status in (Status.FAILED, Status.WAIVED):
                for finding in result.findings:
                    where = f"{finding.location()}: " if finding.path else ""
                    lines.append(f"          {where}{finding.message}")
            if result.status is Status.FAILED:
                lines.append(f"          fix: {rule.fix}")
            if result.note:
                lines.append(f"          {result.note}")
    lines += ["", summary(report)]
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return json.dumps(_json_document(report), indent=2) + "\n"


def as_json_all(reports: list[Report]) -> str:
    """`check --all`: a list of the services' documents, in path order."""
    return json.dumps([_json_document(report) for report in reports], indent=2) + "\n"


def _json_document(report: Report) -> dict[str, Any]:
    return {
        "tool": "visiobook check",
        "version": __version__,
        "path": report.root,
        "stack": report.stack,
        "score": report.score,
        "ok": not report.has_errors,
        "rules": [
            {
                "id": r.rule.id,
                "category": r.rule.category,
                "severity": r.rule.severity.value,
                "spec": r.rule.spec,
                "title": r.rule.title,
                "fix": r.rule.fix,
                "status": r.status.value,
                "note": r.note or None,
                "findings": [
                    {"message": f.message, "path": f.path, "line": f.line} for f in r.findings
                ],
            }
            for r in report.results
        ],
    }


def sarif(report: Report) -> str:
    """SARIF 2.1.0, as GitHub code scanning takes it: a rule per check, a result per finding
    (GitHub wants a file for each: a finding about the service as a whole is anchored at its
    manifest); waived findings are results with an external suppression. Paths are relative to
    the repository root (%SRCROOT%), also for a service in a subfolder of a monorepo."""
    return _sarif_log([_sarif_run(report)])


def sarif_all(reports: list[Report]) -> str:
    """`check --all`: one log, one run per service, each with its own category
    (automationDetails) so code scanning keeps each service's alerts apart."""
    runs = []
    for report in reports:
        run = _sarif_run(report)
        run["automationDetails"] = {"id": f"visiobook-check/{service_label(report)}/"}
        runs.append(run)
    return _sarif_log(runs)


def _sarif_log(runs: list[dict[str, Any]]) -> str:
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}
    return json.dumps(log, indent=2) + "\n"


def _sarif_run(report: Report) -> dict[str, Any]:
    rules = [r.rule for r in report.results]
    index = {rule.id: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for result in report.results:
        if result.status not in (Status.FAILED, Status.WAIVED):
            continue
        for finding in result.findings:
            entry: dict[str, Any] = {
                "ruleId": result.rule.id,
                "ruleIndex": index[result.rule.id],
                "level": "error" if result.rule.severity is Severity.ERROR else "warning",
                "message": {"text": f"{finding.message}. Fix: {result.rule.fix}"},
            }
            path = finding.path or report.manifest
            if path:
                uri = posixpath.normpath(posixpath.join(report.folder or ".", path))
                location: dict[str, Any] = {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}
                }
                if finding.line and finding.path:
                    location["region"] = {"startLine": finding.line}
                entry["locations"] = [{"physicalLocation": location}]
            if result.status is Status.WAIVED:
                entry["suppressions"] = [{"kind": "external", "justification": result.note}]
            results.append(entry)
    return {
        "tool": {
            "driver": {
                "name": "visiobook check",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [
                    {
                        "id": rule.id,
                        "name": rule.id,
                        "shortDescription": {"text": rule.title},
                        "help": {"text": rule.fix},
                        "defaultConfiguration": {
                            "level": "error" if rule.severity is Severity.ERROR else "warning"
                        },
                        "properties": {"category": rule.category, "guidelines": rule.spec},
                    }
                    for rule in rules
                ],
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": {"uri": _directory_uri(report.repository_root or report.root)}
        },
        "results": results,
    }


def service_label(report: Report) -> str:
    """How `check --all` names a service: its folder in the repository."""
    return report.folder or Path(report.root).name


def _directory_uri(path: str) -> str:
    return Path(path).as_uri().rstrip("/") + "/"


def junit(report: Report) -> str:
    """JUnit XML: a test suite per category, a test case per rule."""
    return _junit_document([report], prefix=False)


def junit_all(reports: list[Report]) -> str:
    """`check --all`: a test suite per service and category ("backend: docker")."""
    return _junit_document(reports, prefix=True)


def _junit_document(reports: list[Report], *, prefix: bool) -> str:
    suites = ElementTree.Element("testsuites", name="visiobook check")
    for report in reports:
        for category, grouped in groupby(report.results, key=lambda r: r.rule.category):
            results = list(grouped)
            suite = ElementTree.SubElement(
                suites,
                "testsuite",
                name=f"{service_label(report)}: {category}" if prefix else category,
                tests=str(len(results)),
                failures=str(sum(1 for r in results if r.status is Status.FAILED)),
                errors="0",
                skipped=str(sum(1 for r in results if r.status in (Status.SKIPPED, Status.WAIVED))),
            )
            for result in results:
                _testcase(suite, category, result)
    _totals(suites)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _testcase(suite: ElementTree.Element, category: str, result: RuleResult) -> None:
    case = ElementTree.SubElement(
        suite, "testcase", classname=f"visiobook.{category}", name=result.rule.id
    )
    if result.status is Status.FAILED:
        failure = ElementTree.SubElement(
            case,
            "failure",
            type=result.rule.severity.value,
            message=f"{result.rule.title} (guidelines {result.rule.spec})",
        )
        details = [f"{f.location()}: {f.message}" if f.path else f.message for f in result.findings]
        failure.text = "\n".join([*details, f"fix: {result.rule.fix}"])
    elif result.status in (Status.SKIPPED, Status.WAIVED):
        ElementTree.SubElement(case, "skipped", message=result.note)


def _totals(suites: ElementTree.Element) -> None:
    for attribute in ("tests", "failures", "errors", "skipped"):
        suites.set(attribute, str(sum(int(s.get(attribute, "0")) for s in suites)))


def text_all(reports: list[Report]) -> str:
    """`check --all`: each service's table, one after the other, then a line for all."""
    failing = [service_label(report) for report in reports if report.has_errors]
    closing = f"{len(reports)} service(s) checked" + (
        f"; errors in {', '.join(failing)}." if failing else "; no error."
    )
    return "\n".join(text(report) for report in reports) + "\n" + closing + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "junit": junit,
}
ALL_FORMATS: dict[str, Callable[[list[Report]], str]] = {
    "text": text_all,
    "json": as_json_all,
    "sarif": sarif_all,
    "junit": junit_all,
}
"""The same formats for `check --all`: each still one valid document."""
