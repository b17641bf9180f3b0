"""JSON report: the report model as a versioned document, for machines.

Screenshots are referenced by path, not embedded (the HTML report embeds them).
"""
from __future__ import annotations

import dataclasses
import json

from scanner.report.model import ReportModel

REPORT_FORMAT = "cookiescan-report"
REPORT_VERSION = 1


def to_document(model: ReportModel) -> dict:
    data = dataclasses.asdict(model)
    for phase in data["phases"]:
        for shot in phase["screenshots"]:
            shot.pop("data_uri")
        if not model.show_values:
            for row in phase["inventory"]:
                row.pop("value_hash")
    for group in data["groups"]:  # the findings are listed once, under "findings"; rows name them
        for row in group["rows"]:
            row["fingerprints"] = [f["fingerprint"] for f in row.pop("findings")]
    data["health"] = [f["fingerprint"] for f in data["health"]]
    data["severity_counts"] = dict(model.severity_counts)
    return {"format": REPORT_FORMAT, "report_version": REPORT_VERSION, "notice": model.notice, **data}


def render(model: ReportModel) -> str:
    # ensure_ascii=False keeps names readable; JSON string escaping keeps them inert.
    return json.dumps(to_document(model), indent=2, ensure_ascii=False) + "\n"
