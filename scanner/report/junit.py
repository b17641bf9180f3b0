"""JUnit XML report, for CI systems that show test results.

One test case per (finding kind, subject): it fails when one of its findings
is at or above the threshold (the model's `fail_on`, "low" when unset, so
"info" findings never fail), and passes otherwise with the findings in its
output. A phase that could not run is an errored test case.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from scanner.judge.rules import REVIEW_KINDS
from scanner.report.model import ReportModel, at_or_above, printable, severity_rank

DEFAULT_THRESHOLD = "low"


def _text(value) -> str:
    # XML 1.0 forbids most control characters: make them visible instead.
    return printable(value)


def _line(f) -> str:
    where = " ".join(x for x in (f.phase or "", f.page_url or "") if x)
    return f"[{f.severity}] {f.message}" + (f" ({where})" if where else "") + (f" — {f.evidence}" if f.evidence else "")


def to_element(model: ReportModel) -> ET.Element:
    threshold = model.fail_on or DEFAULT_THRESHOLD
    suite = ET.Element("testsuite", name=_text(f"cookiescan {model.site}"), timestamp=_text(model.started_at))
    tests = failures = errors = 0
    for phase in model.phases:
        case = ET.SubElement(suite, "testcase", classname="phase", name=_text(phase.phase))
        tests += 1
        if phase.error:
            ET.SubElement(case, "error", message=_text(phase.error))
            errors += 1
    by_case = sorted(model.findings, key=lambda f: (f.kind, f.subject))
    for (kind, subject), group in groupby(by_case, key=lambda f: (f.kind, f.subject)):
        group = sorted(group, key=lambda f: -severity_rank(f.severity))
        case = ET.SubElement(suite, "testcase", classname=_text(kind), name=_text(subject))
        tests += 1
        # Review items (unknown category before consent) never fail, as in the gate.
        failing = [f for f in group if at_or_above(f.severity, threshold) and f.kind not in REVIEW_KINDS]
        if failing:
            failures += 1
            failure = ET.SubElement(case, "failure", message=_text(failing[0].message), type=_text(failing[0].severity))
            failure.text = "\n".join(_text(_line(f)) for f in failing)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(_text(_line(f)) for f in group)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    root = ET.Element("testsuites", name="cookiescan", tests=str(tests), failures=str(failures), errors=str(errors))
    root.append(suite)
    return root


def render(model: ReportModel) -> str:
    root = to_element(model)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
