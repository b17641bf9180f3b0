"""The grouped view: one row per cookie, storage key or third-party host, grouped by vendor.

A DPO reads a vendor's block and sees each thing it drops once, with every
problem as a label, instead of the same cookie under three finding kinds.
Findings about the scan itself (a failed page, an unverified consent click)
are not about a vendor: they go to the scan-health list. A finding whose
subject matches nothing observed (a kind added later) lands in "Other
findings", so every finding appears somewhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from scanner.common.durations import format_duration
from scanner.models import PHASES, Finding, severity_rank
from scanner.report.kinds import describe

HEALTH_KINDS = ("page_failed", "consent_not_verified", "login_failed")
PHASE_RANK = {phase: i for i, phase in enumerate(PHASES)}
OTHER = "Other findings"


@dataclass(frozen=True)
class Label:
    kind: str
    text: str
    severity: str


@dataclass(frozen=True)
class SubjectRow:
    subject: str
    what: str  # "cookie" | "local storage" | "session storage" | "third-party host" | "vendor" | "declared cookie" | "finding"
    severity: str | None  # worst finding on the row; None when nothing is wrong
    labels: tuple[Label, ...]
    findings: tuple[Finding, ...]
    category: str
    category_source: str
    purpose: str
    set_by: str  # "script https://…" | "header https://…" | ""
    phases: tuple[str, ...]
    lifetime: str
    declared: str  # the declared row's name and retention, or ""
    declared_ref: str


@dataclass(frozen=True)
class VendorRows:
    vendor: str
    in_annex: bool | None
    severity: str | None
    rows: tuple[SubjectRow, ...]

    @property
    def problems(self) -> int:
        return sum(1 for r in self.rows if r.findings)


def worst(severities) -> str | None:
    ranked = [s for s in severities if s]
    return max(ranked, key=severity_rank) if ranked else None


def group_rows(findings, phases, third_parties, about, *, first_party: str) -> tuple[
        tuple[VendorRows, ...], tuple[Finding, ...]]:
    """(vendor groups, scan-health findings). `phases` are PhaseReports (inventory rows),
    `third_parties` VendorGroups, `about(name)` -> (vendor, purpose) from the knowledge base."""
    health = tuple(f for f in findings if f.kind in HEALTH_KINDS)
    by_subject: dict[str, list[Finding]] = {}
    for f in findings:
        if f.kind not in HEALTH_KINDS:
            by_subject.setdefault(f.subject, []).append(f)
    rows: dict[tuple[str, str], dict] = {}  # (what, subject) -> row facts
    host_vendor = {h: v.vendor for v in third_parties for h in v.hosts}

    for p in phases:
        for r in p.inventory:
            what = "cookie" if r.kind == "cookie" else f"{r.kind} storage"
            row = rows.setdefault((what, r.name), {"phases": [], "row": r, "set_by": "", "vendor": None})
            if p.phase not in row["phases"]:
                row["phases"].append(p.phase)
            if len(r.set_by) > len(row["set_by"]):  # "header https://…" from one phase over a bare "header"
                row["set_by"] = r.set_by
            kb_vendor, _ = about(r.name)
            host = r.domain.lstrip(".").split("://")[-1]
            row["vendor"] = row["vendor"] or r.vendor or kb_vendor or (
                host_vendor.get(host) if r.party == "third" else None)
    for v in third_parties:
        for host in v.hosts:
            rows.setdefault(("third-party host", host), {"phases": list(v.phases), "row": None, "set_by": "",
                                                         "vendor": v.vendor})

    groups: _Groups = _Groups()
    used: set[str] = set()
    for (what, subject), facts in rows.items():
        mine = by_subject.get(subject, [])
        used.add(subject)
        # The knowledge base's vendor of a cookie (Google for a first-party _ga) before the findings' owner
        # of its host (the site's own company for every first-party cookie).
        vendor = facts["vendor"] or next((f.vendor for f in mine if f.vendor), None) or first_party
        groups.setdefault(vendor, []).append(_row(subject, what, mine, facts, about))
    for subject, mine in by_subject.items():
        if subject in used:
            continue
        if any(v.vendor == subject for v in third_parties) or all(f.kind == "undeclared_third_party" for f in mine):
            groups.setdefault(subject, []).append(_row(subject, "vendor", mine, None, about))
        elif any(f.vendor for f in mine) and not all(f.kind == "stale_declaration" for f in mine):
            # e.g. a behaviour finding about a vendor's script: under that vendor
            vendor = next(f.vendor for f in mine if f.vendor)
            groups.setdefault(vendor, []).append(_row(subject, "finding", mine, None, about))
        elif all(f.kind == "stale_declaration" for f in mine):
            groups.setdefault(mine[0].vendor or first_party, []).append(_row(subject, "declared cookie", mine, None, about))
        else:
            groups.setdefault(OTHER, []).append(_row(subject, "finding", mine, None, about))
    annex = {v.vendor: v.in_annex for v in third_parties}
    out = []
    for vendor, vendor_rows in groups.items():
        vendor_rows.sort(key=lambda r: (-severity_rank(r.severity or ""), r.what != "vendor", r.what, r.subject))
        out.append(VendorRows(vendor=vendor, in_annex=annex.get(vendor), rows=tuple(vendor_rows),
                              severity=worst(r.severity for r in vendor_rows)))
    out.sort(key=lambda g: (g.vendor == OTHER, -severity_rank(g.severity or ""), g.vendor.casefold()))
    return tuple(out), health


class _Groups(dict):
    """Vendor name -> rows; "HubSpot" and "Hubspot" (knowledge base and vendor map spellings) are one group."""

    def setdefault(self, vendor, default=None):
        same = next((v for v in self if v.casefold() == vendor.casefold()), vendor)
        return super().setdefault(same, default)


def _row(subject: str, what: str, mine: list[Finding], facts: dict | None, about) -> SubjectRow:
    r = facts["row"] if facts else None
    labels, seen = [], set()
    for f in sorted(mine, key=lambda f: -severity_rank(f.severity)):
        if f.kind not in seen:
            seen.add(f.kind)
            labels.append(Label(f.kind, describe(f.kind).label, f.severity))
    _, kb_purpose = about(subject)
    category = r.category if r else next((f.classification for f in mine if f.classification), "") or ""
    source = r.classification_source if r else next(
        (f.classification_source for f in mine if f.classification_source), "") or ""
    declared = ""
    if r is not None and r.declared_name:
        declared = r.declared_name + (f" ({r.declared_retention})" if r.declared_retention else "")
    ref = (r.declared_ref if r else None) or next((f.declared_ref for f in mine if f.declared_ref), None) or ""
    lifetime = format_duration(r.requested_lifetime_s, r.session) if r else ""
    return SubjectRow(
        subject=subject, what=what, severity=worst(f.severity for f in mine), labels=tuple(labels),
        findings=tuple(sorted(mine, key=lambda f: (-severity_rank(f.severity), PHASE_RANK.get(f.phase, 9), f.kind))),
        category=category, category_source=source, purpose=(r.purpose if r else "") or kb_purpose or "",
        set_by=facts["set_by"] if facts else "", phases=tuple(facts["phases"]) if facts else tuple(
            dict.fromkeys(f.phase for f in mine if f.phase)),
        lifetime=lifetime, declared=declared, declared_ref=ref)
