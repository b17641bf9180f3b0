"""CSV report: one row per finding, for spreadsheets.

Cells a spreadsheet would read as a formula (starting with = + - @, tab or
carriage return) are prefixed with a quote, so a cookie named
`=HYPERLINK(...)` stays text (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io

from scanner.report.model import ReportModel, printable

COLUMNS = ("severity", "kind", "subject", "phase", "page_url", "message", "evidence", "declared_ref",
           "classification", "classification_source", "vendor", "fingerprint")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES):
        text = "'" + text
    return printable(text)


def render(model: ReportModel) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in model.findings:
        writer.writerow([safe_cell(getattr(f, column)) for column in COLUMNS])
    return out.getvalue()
