"""SARIF 2.1.0 report, the subset GitHub code scanning accepts.

One rule per finding kind; one result per finding, its level from the
severity, its location the page URL where it was seen (the start URL when a
finding has no page, e.g. a stale declaration), the declared row as a related
location, and `partialFingerprints` from the finding's fingerprint so alerts
keep their identity across nightly runs.
"""
from __future__ import annotations

import hashlib
import json

from scanner.models import Finding
from scanner.report.model import ReportModel

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}

# Known kinds read better with a sentence; others fall back to their name.
RULE_TEXT = {
    "undeclared_cookie": "Cookie or storage key observed but not declared in the cookie policy",
    "over_long_cookie": "Cookie lifetime longer than the declared retention",
    "over_legal_cap": "Cookie lifetime longer than 13 months (CNIL)",
    "before_consent": "Non-essential cookie, storage or third-party request before consent",
    "after_refusal": "Non-essential cookie, storage or third-party request after refusal",
    "undeclared_third_party": "Third party not named in the subprocessor annex",
    "stale_declaration": "Declared cookie never observed",
    "session_mismatch": "Declared session cookie is persistent, or the reverse",
    "consent_not_verified": "Consent click did not take effect; the phase was not judged",
    "login_failed": "Login for the authenticated phase failed",
    "page_failed": "Page could not be scanned",
    "baseline_expired": "Accepted finding in the baseline has expired",
    "fingerprinting": "Script reads a browser fingerprint (canvas, WebGL, audio or fonts)",
    "session_recording": "Session-recording script films the visit",
    "input_leak": "Values typed into a form reach a third party before any submit",
    "sensitive_url_leak": "The page's address (path) reaches a third party",
}


def fingerprint_of(f: Finding) -> str:
    """The finding's own fingerprint; a stable stand-in when reconcile left it empty."""
    if f.fingerprint:
        return f.fingerprint
    key = "|".join((f.kind, f.subject, f.phase or "", f.page_url or "", f.vendor or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule(kind: str, severity: str) -> dict:
    text = RULE_TEXT.get(kind, kind.replace("_", " ").capitalize())
    return {
        "id": kind,
        "name": "".join(part.capitalize() for part in kind.split("_")),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text + "."},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": ["privacy", "cookies"]},
    }


def _declared_location(ref: str) -> dict:
    path, _, line = ref.rpartition(":")
    location = {"artifactLocation": {"uri": path if line.isdigit() and path else ref}}
    if line.isdigit() and path:
        location["region"] = {"startLine": max(1, int(line))}
    return {"id": 1, "physicalLocation": location, "message": {"text": "declared row"}}


def _result(f: Finding, rule_index: int, start_url: str) -> dict:
    result = {
        "ruleId": f.kind,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message or f"{f.kind}: {f.subject}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.page_url or start_url},
                                            "region": {"startLine": 1}}}],
        "partialFingerprints": {"cookiescanFinding/v1": fingerprint_of(f)},
        "properties": {"severity": f.severity, "subject": f.subject, "phase": f.phase,
                       "evidence": f.evidence, "vendor": f.vendor, "classification": f.classification},
    }
    if f.declared_ref:
        result["relatedLocations"] = [_declared_location(f.declared_ref)]
    return result


def to_document(model: ReportModel) -> dict:
    kinds: dict[str, int] = {}
    rules = []
    for f in model.findings:  # highest severity first, so a rule's default level is its worst
        if f.kind not in kinds:
            kinds[f.kind] = len(rules)
            rules.append(_rule(f.kind, f.severity))
    run = {
        "tool": {"driver": {"name": "cookiescan", "version": model.tool_version,
                            "rules": rules}},
        "automationDetails": {"id": f"cookiescan/{model.site}/"},
        "results": [_result(f, kinds[f.kind], model.start_url) for f in model.findings],
        "properties": {"site": model.site, "synthetic": model.synthetic, "startedAt": model.started_at},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(model: ReportModel) -> str:
    return json.dumps(to_document(model), indent=2, ensure_ascii=False) + "\n"
