"""The report model: one frozen record every renderer reads.

`build_report(scan, judgement)` lays out what a reader of a report needs: counts
per severity, the judge's findings in its order, the observed-vs-declared
inventory per phase, third parties by vendor, consent and login outcomes,
failed pages and screenshots. Categories, declared rows, stale declarations
and annex verdicts are the Judgement's (scanner.judge): nothing here decides.

Cookie values never reach a report: scans keep only `value_hash`, and even the
hash is shown only with `show_values=True`.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from scanner.judge import ClassifiedObservation, Judgement, VendorGroup
from scanner.models import (SEVERITIES, ConsentOutcome, Finding, LoginOutcome, PixelEvent, ScanResult, phase_rank,
                            severity_rank)

SYNTHETIC_NOTICE = "Synthetic replica — not a measurement of the real site"

# Consent statuses that mean the phase did not get the consent state it was meant to test.
LOUD_CONSENT_STATUSES = ("not_given", "not_refused")

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@dataclass(frozen=True)
class InventoryRow:
    """One cookie or storage key seen in a phase, next to the declared row it matches."""

    kind: str  # "cookie" | "local" | "session" (web storage)
    name: str
    domain: str  # cookie domain, or storage origin
    party: str
    session: bool | None  # None for storage
    requested_lifetime_s: float | None
    stored_lifetime_s: float | None
    category: str
    classification_source: str
    declared_name: str | None  # the declared name or pattern it matched
    declared_retention: str | None  # declared wording, e.g. "13 Mois"
    declared_ref: str | None
    page_url: str
    value_hash: str | None  # only with show_values


@dataclass(frozen=True)
class Screenshot:
    phase: str
    path: str  # relative to the scan file
    data_uri: str | None  # embedded image; None when the file is not there


@dataclass(frozen=True)
class FailedPage:
    phase: str
    url: str
    error: str


@dataclass(frozen=True)
class PhaseReport:
    phase: str
    consent: ConsentOutcome
    consent_warning: str | None  # set when consent did not take effect (shown loudly)
    login: LoginOutcome | None
    error: str | None
    pages_ok: int
    pages_failed: int
    third_party_requests: int
    inventory: tuple[InventoryRow, ...]
    screenshots: tuple[Screenshot, ...]


@dataclass(frozen=True)
class DeclaredOnlyRow:
    """A declared cookie never observed in any phase."""

    name: str
    vendor: str
    category: str
    retention: str
    source: str


@dataclass(frozen=True)
class ReportModel:
    site: str
    start_url: str
    started_at: str
    finished_at: str
    tool_version: str
    browser: str
    synthetic: bool
    declared_present: bool
    show_values: bool
    fail_on: str | None  # threshold a CI gate uses (JUnit failures)
    severity_counts: tuple[tuple[str, int], ...]  # highest severity first
    findings: tuple[Finding, ...]  # highest severity first
    phases: tuple[PhaseReport, ...]
    third_parties: tuple[VendorGroup, ...]  # the judgement's vendors
    declared_only: tuple[DeclaredOnlyRow, ...]
    failed_pages: tuple[FailedPage, ...]
    pixel_events: tuple[PixelEvent, ...] = ()  # decoded Meta / Google hits, in phase order (docs/behaviour.md)

    @property
    def notice(self) -> str | None:
        return SYNTHETIC_NOTICE if self.synthetic else None

    @property
    def screenshots(self) -> tuple[Screenshot, ...]:
        return tuple(s for p in self.phases for s in p.screenshots)

    @property
    def total_findings(self) -> int:
        return len(self.findings)


# ------------------------------------------------------------------ helpers ---

def at_or_above(severity: str, threshold: str) -> bool:
    return severity_rank(severity) >= severity_rank(threshold)


def printable(text: str | None) -> str:
    """Text with control characters made visible, for terminals, CSV, XML and Markdown."""
    if text is None:
        return ""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


# -------------------------------------------------------------------- build ---

def build_report(scan: ScanResult, judgement: Judgement, *, scan_dir: Path | None = None,
                 show_values: bool = False, fail_on: str | None = None) -> ReportModel:
    """The report model of one scan and its judgement."""
    counts = {s: 0 for s in SEVERITIES}
    for f in judgement.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    phases = sorted(scan.phases, key=lambda p: phase_rank(p.phase))
    return ReportModel(
        site=scan.site, start_url=scan.start_url, started_at=scan.started_at, finished_at=scan.finished_at,
        tool_version=scan.tool_version, browser=scan.browser, synthetic=scan.synthetic,
        declared_present=judgement.declared is not None, show_values=show_values, fail_on=fail_on,
        severity_counts=tuple((s, counts[s]) for s in sorted(counts, key=severity_rank, reverse=True)),
        findings=judgement.findings,
        phases=tuple(_phase_report(p, judgement.in_phase(p.phase), scan_dir, show_values) for p in phases),
        third_parties=judgement.vendors,
        declared_only=tuple(DeclaredOnlyRow(d.name, d.vendor, d.category, d.retention.text, d.source)
                            for d in judgement.stale),
        failed_pages=tuple(FailedPage(p.phase, v.url, v.error or "failed") for p in phases for v in p.pages if not v.ok),
        pixel_events=tuple(e for p in phases for e in p.behaviour.pixel_events),
    )


def _inventory_row(seen: ClassifiedObservation, show_values: bool) -> InventoryRow:
    o, d = seen.observation, seen.declared
    cookie = seen.kind == "cookie"
    return InventoryRow(
        kind=seen.kind, name=seen.name, domain=seen.where, party=o.party, session=o.session if cookie else None,
        requested_lifetime_s=o.requested_lifetime_s if cookie else None,
        stored_lifetime_s=o.stored_lifetime_s if cookie else None,
        category=seen.category, classification_source=seen.category_source,
        declared_name=d.name if d else None, declared_retention=d.retention.text if d else None,
        declared_ref=d.source if d else None, page_url=o.page_url, value_hash=o.value_hash if show_values else None)


def _inventory_order(seen: ClassifiedObservation) -> tuple:
    o = seen.observation
    if seen.kind == "cookie":
        return (0, o.party, o.domain, o.name, o.path)
    return (1, o.origin, o.kind, o.key, "")


def _phase_report(phase, seen: tuple[ClassifiedObservation, ...], scan_dir, show_values) -> PhaseReport:
    rows = tuple(_inventory_row(o, show_values) for o in sorted(seen, key=_inventory_order))
    failed = sum(1 for v in phase.pages if not v.ok)
    return PhaseReport(
        phase=phase.phase, consent=phase.consent, consent_warning=_consent_warning(phase.phase, phase.consent),
        login=phase.login, error=phase.error, pages_ok=len(phase.pages) - failed, pages_failed=failed,
        third_party_requests=len(phase.requests), inventory=rows,
        screenshots=_screenshots(phase, scan_dir))


def _consent_warning(phase: str, consent: ConsentOutcome) -> str | None:
    if consent.status not in LOUD_CONSENT_STATUSES:
        return None
    wanted = "accept all" if consent.status == "not_given" else "reject all"
    reason = f": {consent.reason}" if consent.reason else ""
    return (f"CONSENT {consent.status.upper().replace('_', ' ')} in phase {phase} — '{wanted}' did not take "
            f"effect{reason}. What this phase observed is not the {wanted} state.")


def _screenshots(phase, scan_dir: Path | None) -> tuple[Screenshot, ...]:
    paths = list(phase.screenshots)
    if phase.consent.screenshot and phase.consent.screenshot not in paths:
        paths.append(phase.consent.screenshot)
    return tuple(Screenshot(phase.phase, p, _data_uri(scan_dir, p)) for p in paths)


def _data_uri(scan_dir: Path | None, relative: str) -> str | None:
    """The image as a data URI; only image files inside the scan directory are read."""
    if scan_dir is None:
        return None
    base = Path(scan_dir).resolve()
    path = (base / relative).resolve()
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None or not path.is_relative_to(base) or not path.is_file():
        return None
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
