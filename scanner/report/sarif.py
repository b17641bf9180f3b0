"""SARIF 2.1.0 report, as GitHub code scanning accepts it.

Code scanning refuses results whose locations are not files of the checkout
(an `https://` page address makes the whole upload fail), so each result is
located in the repository: the declared row it concerns
(`declared/<site>/cookies.yaml:LINE`), else the site's entry in
`cookiescan.toml`. URIs are relative, with `uriBaseId` %SRCROOT%. The page URL
and evidence go in the message and the properties. One rule per finding kind,
with `help` (how to fix, from scanner.report.kinds) and `security-severity`;
`partialFingerprints` carry the finding's fingerprint so alerts keep their
identity across nightly runs.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from scanner.models import Finding, severity_rank
from scanner.report.kinds import SECURITY_SEVERITY, describe
from scanner.report.model import ReportModel

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
DEFAULT_CONFIG = "cookiescan.toml"

LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}


def fingerprint_of(f: Finding) -> str:
    """The finding's own fingerprint; a stable stand-in when reconcile left it empty."""
    if f.fingerprint:
        return f.fingerprint
    key = "|".join((f.kind, f.subject, f.phase or "", f.page_url or "", f.vendor or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def repo_path(ref: str | None) -> tuple[str, int | None] | None:
    """A `file:line` reference as (path relative to the checkout, line); None when it is not a file."""
    if not ref or "://" in ref:
        return None
    path, sep, line = ref.rpartition(":")
    if not (sep and line.isdigit() and path):
        path, line = ref, ""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path.cwd().resolve())
        except ValueError:  # outside the checkout: keep what a reader of the repository recognises
            parts = p.parts
            p = Path(*parts[parts.index("declared"):]) if "declared" in parts else Path(p.name)
    posix = PurePosixPath(p.as_posix())
    if ".." in posix.parts:
        return None
    return str(posix), (max(1, int(line)) if line else None)


def _physical(path: str, line: int | None) -> dict:
    location: dict = {"artifactLocation": {"uri": path, "uriBaseId": SRCROOT}}
    if line:
        location["region"] = {"startLine": line}
    return location


def _rule(kind: str, severity: str) -> dict:
    text = describe(kind)
    return {
        "id": kind,
        "name": "".join(part.capitalize() for part in kind.split("_")),
        "shortDescription": {"text": text.title},
        "fullDescription": {"text": text.title + "."},
        "help": {"text": f"How to fix: {text.how_to_fix}", "markdown": f"**How to fix.** {text.how_to_fix}"},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"tags": ["privacy", "cookies"], "precision": "high",
                       "security-severity": SECURITY_SEVERITY.get(severity, "5.0")},
    }


def _message(f: Finding) -> str:
    lines = [f.message or f"{f.kind}: {f.subject}"]
    if f.page_url:
        lines.append(f"Page: {f.page_url}")
    if f.evidence:
        lines.append(f"Evidence: {f.evidence}")
    return "\n".join(lines)


def _result(f: Finding, rule_index: int, site_location: tuple[str, int | None], rows: dict[str, str]) -> dict:
    # The row in declared/<site>/cookies.yaml; a declared_ref naming the policy document (not in the checkout)
    # is only used when no row is known for it.
    located = repo_path(rows.get(f.declared_ref or "")) or repo_path(f.declared_ref) or site_location
    result = {
        "ruleId": f.kind,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": _message(f)},
        "locations": [{"physicalLocation": _physical(*located)}],
        "partialFingerprints": {"cookiescanFinding/v1": fingerprint_of(f)},
        "properties": {"severity": f.severity, "subject": f.subject, "phase": f.phase, "pageUrl": f.page_url,
                       "evidence": f.evidence, "vendor": f.vendor, "classification": f.classification,
                       "classificationSource": f.classification_source, "declaredRef": f.declared_ref},
    }
    if located is not site_location:
        result["relatedLocations"] = [{"id": 1, "physicalLocation": _physical(*site_location),
                                       "message": {"text": "the site's entry in the scan configuration"}}]
    return result


def to_document(model: ReportModel) -> dict:
    worst: dict[str, str] = {}
    for f in model.findings:
        if f.kind not in worst or severity_rank(f.severity) > severity_rank(worst[f.kind]):
            worst[f.kind] = f.severity
    kinds = {kind: i for i, kind in enumerate(worst)}
    site_location = repo_path(model.site_ref) or (DEFAULT_CONFIG, None)
    run = {
        "tool": {"driver": {"name": "cookiescan", "version": model.tool_version,
                            "rules": [_rule(kind, severity) for kind, severity in worst.items()]}},
        "automationDetails": {"id": f"cookiescan/{model.site}/"},
        "results": [_result(f, kinds[f.kind], site_location, dict(model.declared_rows)) for f in model.findings],
        "properties": {"site": model.site, "startUrl": model.start_url, "synthetic": model.synthetic,
                       "startedAt": model.started_at, "verdict": model.verdict.headline},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(model: ReportModel) -> str:
    return json.dumps(to_document(model), indent=2, ensure_ascii=False) + "\n"
