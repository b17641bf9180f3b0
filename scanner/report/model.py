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
from scanner.report.groups import VendorRows, group_rows
from scanner.report.summary import KindSummary, TrendPoint, Verdict, kind_summaries, trend_points, verdict, what_passed
from scanner.report.text import printable  # noqa: F401 (renderers import it from the model)
from scanner.report.certainty import declared_status

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
    vendor: str | None = None  # the knowledge base's likely vendor, else the declared row's
    purpose: str | None = None  # the knowledge base's purpose, else the declared row's
    set_by: str = ""  # "script https://…" | "header https://…" for a cookie; "" when unknown


@dataclass(frozen=True)
class Screenshot:
    phase: str
    path: str  # relative to the scan file
    data_uri: str | None  # embedded image; None when the file is not there

    @property
    def caption(self) -> str:
        """Phase and moment, from the engine's file names (`reject-after-click.png`)."""
        moment = {"start": "start page, before any click", "after-click": "right after the consent click"}
        stem = Path(self.path).stem
        suffix = stem[len(self.phase) + 1:] if stem.startswith(self.phase + "-") else stem
        return f"{self.phase.replace('_', ' ')}: {moment.get(suffix, suffix.replace('-', ' '))}"


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
    third_party_hosts: int
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
    verdict: Verdict
    kinds: tuple[KindSummary, ...]  # findings per kind, with how to fix
    groups: tuple[VendorRows, ...]  # one row per cookie / storage key / third-party host, by vendor
    health: tuple[Finding, ...]  # findings about the scan itself (failed pages, consent, login)
    passed: tuple[str, ...]  # checks that found nothing, said in words
    pixel_events: tuple[PixelEvent, ...] = ()  # decoded Meta / Google hits, in phase order (docs/behaviour.md)
    trend: tuple[TrendPoint, ...] = ()  # earlier scans of the site, oldest first (from the history)
    site_ref: str | None = None  # "cookiescan.toml:12", the site's entry (SARIF locates findings without a row there)
    declared_note: str | None = None  # where declared data was looked for, when none was found
    declared_rows: tuple[tuple[str, str], ...] = ()  # (declared row's source, its cookies.yaml file:line)
    declared_status: str = ""  # the declared side and how sure it is (report.certainty)

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


# -------------------------------------------------------------------- build ---

def build_report(scan: ScanResult, judgement: Judgement, *, scan_dir: Path | None = None,
                 show_values: bool = False, fail_on: str | None = None, history=(), site_ref: str | None = None,
                 declared_note: str | None = None) -> ReportModel:
    """The report model of one scan and its judgement.

    `history` are the site's stored scan records (newest first) for the trend; `site_ref` the site's entry
    in the config ("cookiescan.toml:12"); `declared_note` where declared data was looked for, when none was found.
    """
    counts = {s: 0 for s in SEVERITIES}
    findings = judgement.findings
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    phases = sorted(scan.phases, key=lambda p: phase_rank(p.phase))
    phase_reports = tuple(_phase_report(p, judgement.in_phase(p.phase), scan_dir, show_values) for p in phases)
    about = {}
    for seen in judgement.inventory:
        known = about.get(seen.name, (None, None))
        about[seen.name] = (known[0] or seen.vendor, known[1] or seen.purpose)
    groups, health = group_rows(findings, phase_reports, judgement.vendors,
                                lambda name: about.get(name, (None, None)), first_party=f"{scan.site} (first party)")
    flagged = {f.subject for f in findings}
    declared_ok = len({r.name for p in phase_reports for r in p.inventory if r.declared_name and r.name not in flagged})
    declared = judgement.declared
    return ReportModel(
        site=scan.site, start_url=scan.start_url, started_at=scan.started_at, finished_at=scan.finished_at,
        tool_version=scan.tool_version, browser=scan.browser, synthetic=scan.synthetic,
        declared_present=judgement.declared is not None, show_values=show_values, fail_on=fail_on,
        declared_status=declared_status(judgement.declared),
        severity_counts=tuple((s, counts[s]) for s in sorted(counts, key=severity_rank, reverse=True)),
        findings=findings,
        phases=phase_reports,
        third_parties=judgement.vendors,
        declared_only=tuple(DeclaredOnlyRow(d.name, d.vendor, d.category, d.retention.text, d.source)
                            for d in judgement.stale),
        failed_pages=tuple(FailedPage(p.phase, v.url, v.error or "failed") for p in phases for v in p.pages if not v.ok),
        pixel_events=tuple(e for p in phases for e in p.behaviour.pixel_events),
        verdict=verdict(scan, findings, fail_on), kinds=kind_summaries(findings), groups=groups, health=health,
        passed=what_passed(scan, findings, judgement.vendors, declared is not None, declared_ok),
        trend=trend_points(history), site_ref=site_ref, declared_note=declared_note,
        declared_rows=tuple((d.source, d.row) for d in (declared.cookies if declared else ()) if d.row),
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
        declared_ref=d.source if d else None, page_url=o.page_url, value_hash=o.value_hash if show_values else None,
        vendor=seen.vendor or (d.vendor if d and d.vendor else None),
        purpose=seen.purpose or (d.purpose if d and d.purpose else None), set_by=_set_by(o) if cookie else "")


def _set_by(cookie) -> str:
    if cookie.set_by in ("script", "header") and cookie.set_by_url:
        return f"{cookie.set_by} {cookie.set_by_url}"
    return "" if cookie.set_by in ("", "unknown") else cookie.set_by


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
        third_party_requests=len(phase.requests), inventory=rows, third_party_hosts=len({r.host for r in phase.requests}),
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
