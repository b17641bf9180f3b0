"""Findings about the scan itself: consent not verified, login failed, pages failed.

These say how far the other findings can be trusted, so they come first in a
report: a reject phase whose click did nothing proves nothing about refusal.
"""
from __future__ import annotations

from scanner.judge.sightings import fingerprint
from scanner.models import BEFORE_CONSENT, LOGGED_IN_PHASES, Finding, ScanResult


def phase_findings(scan: ScanResult, *, site: str) -> list[Finding]:
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
        if phase.phase != BEFORE_CONSENT and consent.action != "none" and not consent.effective:
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
    for url, where in failed_pages.items():
        out.append(Finding(
            kind="page_failed", severity="info", subject=url,
            message=f"page {url} failed to load in {len(where)} phase(s): {where[0][1]}",
            phase=where[0][0], page_url=url,
            evidence="; ".join(f"{ph}: {err}" for ph, err in where),
            fingerprint=fingerprint(site, "page_failed", url)))
    return out
