"""Small ScanResults for knowledge and classification tests (built from the shared dataclasses)."""
from __future__ import annotations

from scanner.models import (ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, ObservedCookie, PhaseResult, ScanResult,
                            StorageItem)

YEAR = 365 * 86400.0


def cookie(name: str, phase: str, lifetime: float | None, party: str = "first",
           domain: str = "docrdv.fr") -> ObservedCookie:
    return ObservedCookie(name=name, domain=domain, path="/", secure=True, http_only=False, same_site="Lax",
                          partitioned=False, session=lifetime is None, requested_lifetime_s=lifetime,
                          stored_lifetime_s=min(lifetime, 400 * 86400.0) if lifetime else None, party=party,
                          registrable_domain=domain, set_by="script", set_by_url=None, phase=phase,
                          page_url="https://docrdv.fr/", value_hash="0" * 16)


def storage(key: str, kind: str, phase: str) -> StorageItem:
    return StorageItem(origin="https://docrdv.fr", kind=kind, key=key, value_hash="0" * 16, party="first",
                       phase=phase, page_url="https://docrdv.fr/")


def phase(name: str, cookies=(), items=()) -> PhaseResult:
    return PhaseResult(phase=name, pages=(), cookies=tuple(cookies), blocked_cookies=(), storage=tuple(items),
                       requests=(), consent=ConsentOutcome(action="none"))


def scan() -> ScanResult:
    before = phase(BEFORE_CONSENT, [cookie("PHPSESSID", BEFORE_CONSENT, None),
                                    cookie("drdv_visitor", BEFORE_CONSENT, 5 * YEAR),
                                    cookie("tarteaucitron", BEFORE_CONSENT, YEAR),
                                    cookie("YSC", BEFORE_CONSENT, None, "third", "youtube.com")],
                   [storage("drdv_form_step", "session", BEFORE_CONSENT)])
    accept = phase(ACCEPT, [cookie("_ga", ACCEPT, 2 * YEAR), cookie("_ga_DRDV2024", ACCEPT, 2 * YEAR),
                            cookie("_ga_OTHER99", ACCEPT, 3 * YEAR), cookie("_hjSession_4120573", ACCEPT, 1800),
                            cookie("intercom-session-abc", ACCEPT, 7 * 86400.0),
                            cookie("drdv_visitor", ACCEPT, 6 * YEAR)],
                   [storage("bakup_onboarding", "local", ACCEPT)])
    reject = phase(REJECT, [cookie("PHPSESSID", REJECT, None)])
    return ScanResult(schema_version=1, site="docrdv.fr", start_url="https://docrdv.fr/",
                      registrable_domain="docrdv.fr", started_at="2026-11-29T05:00:00+00:00",
                      finished_at="2026-11-29T05:01:00+00:00", tool_version="0.1.0", browser="Chromium",
                      page_list=("https://docrdv.fr/",), phases=(before, accept, reject), synthetic=True)
