"""One contract over every renderer: every finding present, hostile names inert, no values.

The sample carries a cookie named `<script>alert(1)</script>`, a page URL with
`"><img src=x onerror=alert(1)>`, a storage key that a spreadsheet would run as
a formula, plus here a subject with Markdown table syntax and control characters.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from scanner.errors import UserError
from scanner.models import ACCEPT, Finding
from scanner.report import FORMATS, build_report, render
from scanner.report.csv_report import COLUMNS
from tests.support.report_sample import (
    FORMULA_KEY, IMG_URL, SCRIPT_COOKIE, VALUE_HASHES, sample_declared, sample_findings, sample_judgement, sample_scan,
)

PIPE_SUBJECT = "a|b`c`*d*"
CONTROL_SUBJECT = "ctl\x1b[31mred\x07\x00"


def findings() -> list[Finding]:
    return sample_findings() + [
        Finding(kind="undeclared_cookie", severity="low", subject=PIPE_SUBJECT, message=f"pipe {PIPE_SUBJECT} here",
                phase=ACCEPT, page_url=IMG_URL, fingerprint="fp-pipe"),
        Finding(kind="undeclared_cookie", severity="medium", subject=CONTROL_SUBJECT, message="control characters",
                phase=ACCEPT, fingerprint="fp-control"),
        # The review kinds of issue 13 go through every renderer like any finding.
        Finding(kind="unclassified_before_consent", severity="low", subject="opaque_id",
                message="cookie opaque_id (category unknown) is set before any consent: to review, declare it or "
                        "classify it", phase="before_consent", classification="unknown",
                classification_source="unknown", fingerprint="fp-review"),
    ]


def model(show_values=False, fail_on=None):
    return build_report(sample_scan(), sample_judgement(findings=findings(), declared=sample_declared()),
                        show_values=show_values, fail_on=fail_on)


class Cells(HTMLParser):
    """Rows of the findings table and every text node, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.fingerprints, self.rows, self.tags, self.text = [], [], [], []
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
        if tag == "tr" and self._table == "findings" and "data-fingerprint" in attrs:
            self.fingerprints.append(attrs["data-fingerprint"])
            self.rows.append([])
        if tag == "td" and self._table == "findings" and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_registry_names_every_format():
    assert set(FORMATS) == {"html", "json", "csv", "md", "sarif", "junit", "terminal"}
    with pytest.raises(UserError, match="unknown report format 'pdf'"):
        render("pdf", model())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_finding_present(fmt):
    m = model()
    out = render(fmt, m)
    expected = [f.fingerprint for f in m.findings]
    if fmt == "json":
        assert [f["fingerprint"] for f in json.loads(out)["findings"]] == expected
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert [r["partialFingerprints"]["cookiescanFinding/v1"] for r in results] == expected
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["fingerprint"] for r in rows] == expected
    elif fmt == "junit":
        cases = {(c.get("classname"), c.get("name")) for c in ET.fromstring(out).iter("testcase")
                 if c.get("classname") != "phase"}
        assert cases == {(f.kind, printable_xml(f.subject)) for f in m.findings}
    elif fmt == "html":
        parsed = Cells()
        parsed.feed(out)
        assert parsed.fingerprints == expected
        assert [row[2] for row in parsed.rows] == [f.subject for f in m.findings]
    elif fmt == "md":
        section = out.split("## Findings", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| severity")]
        assert len(rows) == len(expected)
        for row, f in zip(rows, m.findings):
            assert row.startswith(f"| {f.severity} | {f.kind.replace('_', chr(92) + '_')} |")
    else:  # terminal: each finding under its subject, with its fingerprint
        shown = re.findall(r"fingerprint (\S+)", out)
        health = [f.fingerprint for f in m.health]
        assert set(shown) | set(health) == set(expected)
        assert f"Findings by vendor ({len(expected)})" in out


def printable_xml(text):
    from scanner.report.model import printable
    return printable(text)


def test_html_escapes_what_pages_control():
    out = render("html", model())
    assert SCRIPT_COOKIE not in out and "<img src=x" not in out and '"><img' not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    parsed = Cells()
    parsed.feed(out)
    assert [t for t, _ in parsed.tags].count("script") == 0
    assert all(not name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert SCRIPT_COOKIE in "".join(parsed.text) and IMG_URL in "".join(parsed.text)  # shown, as text
    assert "Content-Security-Policy" in out and "default-src 'none'" in out


def test_markdown_escapes_html_pipes_and_backticks():
    out = render("md", model())
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "a\\|b\\`c\\`\\*d\\*" in out
    # every row of the findings table has as many cell separators as its header
    section = out.split("## Findings", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")]
    counts = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert counts == {9}
    assert "\x1b" not in out and "\x00" not in out


def test_csv_defuses_formulas():
    rows = list(csv.reader(io.StringIO(render("csv", model()))))
    assert tuple(rows[0]) == COLUMNS
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    subjects = [row[COLUMNS.index("subject")] for row in rows[1:]]
    assert "'" + FORMULA_KEY in subjects
    assert SCRIPT_COOKIE in subjects  # CSV is data: the name is kept exact, a spreadsheet shows it as text


def test_sarif_fingerprint_stands_in_when_missing():
    bare = Finding(kind="undeclared_cookie", severity="high", subject="x", message="x")
    m = build_report(sample_scan(), sample_judgement(findings=[bare]))
    first = json.loads(render("sarif", m))["runs"][0]["results"][0]["partialFingerprints"]["cookiescanFinding/v1"]
    again = json.loads(render("sarif", m))["runs"][0]["results"][0]["partialFingerprints"]["cookiescanFinding/v1"]
    assert first == again and len(first) == 32


def test_junit_fails_at_threshold():
    root = ET.fromstring(render("junit", model(fail_on="medium")))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert cases[("undeclared_cookie", SCRIPT_COOKIE)].find("failure") is not None
    assert cases[("undeclared_cookie", PIPE_SUBJECT)].find("failure") is None  # low < medium
    assert cases[("stale_declaration", "didomi_token")].find("system-out") is not None
    assert cases[("phase", "reject")].find("error") is None
    failures = sum(1 for c in root.iter("testcase") if c.find("failure") is not None)
    assert root.get("failures") == str(failures)
    default = ET.fromstring(render("junit", model()))  # default threshold "low": the two low cases fail too
    assert sum(1 for c in default.iter("testcase") if c.find("failure") is not None) == failures + 2
    review = {(c.get("classname"), c.get("name")): c for c in default.iter("testcase")}[
        ("unclassified_before_consent", "opaque_id")]
    assert review.find("failure") is None and review.find("system-out") is not None  # to review, never a failure


def test_junit_phase_that_could_not_run_is_an_error():
    scan = sample_scan()
    broken = dataclasses.replace(scan, phases=scan.phases[:2] + (
        dataclasses.replace(scan.phases[2], error="browser failed to start"),))
    root = ET.fromstring(render("junit", build_report(broken, sample_judgement(broken, findings=[]))))
    errors = [c.get("name") for c in root.iter("testcase") if c.find("error") is not None]
    assert errors == ["reject"] and root.get("errors") == "1"


def test_terminal_is_plain_text_without_control_characters():
    out = render("terminal", model())
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert SCRIPT_COOKIE in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_cookie_values_unless_show_values(fmt):
    hidden = render(fmt, model())
    for value_hash in VALUE_HASHES:
        assert value_hash not in hidden
    if fmt in ("html", "json", "md", "terminal"):
        shown = render(fmt, model(show_values=True))
        assert all(h in shown for h in VALUE_HASHES)
