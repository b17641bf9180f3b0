"""Findings about the scan itself: consent not verified, login failed, pages failed.

These say how far the other findings can be trusted, so they come first in a
report: a reject phase whose click did nothing proves nothing about refusal.
"""
from __future__ import annotations

from scanner.judge.sightings import fingerprint
from scanner.models import BEFORE_CONSENT, LOGGED_IN_PHASES, Finding, ScanResult


def start_page_error(scan: ScanResult) -> str | None:
    """Why the start page could not be loaded before consent; None when it loaded."""
    first = scan.phase(BEFORE_CONSENT)
    if first is None:
        return None
    if first.error:
        return first.error
    return first.pages[0].error or "failed" if first.pages and not first.pages[0].ok else None


def phase_findings(scan: ScanResult, *, site: str) -> list[Finding]:
    broken = start_page_error(scan)
    if broken:
        # Nothing was scanned: one loud finding, not consent or page noise that reads like a judgement.
        return [Finding(
            kind="page_failed", severity="high", subject=scan.start_url,
            message=f"scan failed: the start page {scan.start_url} could not be loaded ({broken})",
            phase=BEFORE_CONSENT, page_url=scan.start_url, evidence=broken,
            fingerprint=fingerprint(site, "page_failed", f"scan:{scan.start_url}"))]
    out: list[Finding] = []
    failed_pages: dict[str, list[tuple[str, str]]] = {}
    for phase in scan.phases:
        if phase.error:
            out.append(Finding(
                kind="page_failed", severity="medium", subject=scan.start_url,
                message=f"the {phase.phase} phase could not run: {phase.error}", phase=phase.phase,
                page_url=scan.start_url, evidence=phase.error,
                fingerprint=fingerprint(site, "page_failed", f"{phase.phase}:{scan.start_url}")))
        consent = phase.consent
        start_failed = bool(phase.pages) and not phase.pages[0].ok
        if start_failed and phase.phase != BEFORE_CONSENT and consent.action != "none":
            out.append(Finding(  # the click never happened: the phase failed, its consent was never tried
                kind="page_failed", severity="high", subject=scan.start_url,
                message=(f"the {phase.phase} phase failed: the start page could not be loaded "
                         f"({phase.pages[0].error or 'failed'}), so no consent choice was made"),
                phase=phase.phase, page_url=scan.start_url, evidence=phase.pages[0].error or "",
                fingerprint=fingerprint(site, "page_failed", f"{phase.phase}:{scan.start_url}")))
        elif phase.phase != BEFORE_CONSENT and consent.action != "none" and not consent.effective:
            verb = "refusal" if consent.action == "reject" else "consent"
            out.append(Finding(
                kind="consent_not_verified", severity="high", subject=phase.phase,
                message=(f"CONSENT NOT VERIFIED: the {consent.action} click in the {phase.phase} phase did not take "
                         f"effect ({consent.status}: {consent.reason or 'no reason recorded'}); this phase's "
                         f"observations do not show the site after a {verb}"),
                phase=phase.phase, page_url=scan.start_url,
                evidence="; ".join(filter(None, (
                    f"platform: {consent.platform or 'none detected'}", f"method: {consent.method or 'none'}",
                    f"clicked: {consent.clicked}", *consent.evidence))),
                fingerprint=fingerprint(site, "consent_not_verified", phase.phase, phase.phase)))
        if phase.phase in LOGGED_IN_PHASES and (phase.login is None or not phase.login.logged_in):
            reason = phase.login.reason if phase.login else "no login outcome recorded"
            out.append(Finding(
                kind="login_failed", severity="medium", subject=phase.phase,
                message=f"the {phase.phase} phase is not logged in ({reason}); pages behind the login were not scanned",
                phase=phase.phase, page_url=scan.start_url,
                evidence=f"method: {phase.login.method if phase.login else 'none'}",
                fingerprint=fingerprint(site, "login_failed", phase.phase, phase.phase)))
        for visit in phase.pages:
            if not visit.ok:
                failed_pages.setdefault(visit.url, []).append((phase.phase, visit.error or "failed"))
            elif visit.http_status is not None and visit.http_status >= 400:
                # It loaded, so its observations count, but a 500 page is not the site a visitor meets.
                failed_pages.setdefault(visit.url, []).append((phase.phase, f"HTTP {visit.http_status}"))
        if phase.records_dropped:
            out.append(Finding(
                kind="recording_capped", severity="info", subject=phase.phase,
                message=(f"the {phase.phase} phase hit the recorder's limit: {phase.records_dropped} cookie, storage "
                         f"or request record(s) were counted but not kept; the site asked for "
                         f"{phase.cookies_attempted} cookie(s), the browser kept {len(phase.cookies)}"),
                phase=phase.phase, page_url=scan.start_url,
                evidence=f"attempted cookies: {phase.cookies_attempted}; kept: {len(phase.cookies)}; "
                         f"dropped records: {phase.records_dropped}",
                fingerprint=fingerprint(site, "recording_capped", phase.phase, phase.phase)))
    for url, where in failed_pages.items():
        phases = len({ph for ph, _ in where})
        out.append(Finding(
            kind="page_failed", severity="info", subject=url,
            message=(f"page {url} failed in {_count(len(where), 'visit')} in {_count(phases, 'phase')}: "
                     f"{where[0][1]}"),
            phase=where[0][0], page_url=url,
            evidence="; ".join(f"{ph}: {err}" for ph, err in where),
            fingerprint=fingerprint(site, "page_failed", url)))
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
