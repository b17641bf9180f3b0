"""Observations x declared policy -> findings.

`reconcile(scan, declared)` is the entry point; it classifies the scan's
inventories (`observed_frames`), then hands plain frames to
`reconcile_frames`, which holds all the rules and never touches a browser or
a file. See docs/reconcile.md for each rule and its severity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from scanner.config import SiteConfig
from scanner.judge.sightings import PHASE_ORDER, NameMatcher, fingerprint
from scanner.judge.observations import scan_frames
from scanner.models import BEFORE_CONSENT, UNKNOWN, DeclaredSite, Finding, ScanResult, severity_rank
from scanner.judge.health import phase_findings
from scanner.judge.rules import consent_phase_findings, cookie_findings, third_party_findings

DAY_S = 86400.0

FINDING_KINDS = (
    "undeclared_cookie", "over_long_cookie", "over_legal_cap", "before_consent", "after_refusal",
    "undeclared_third_party", "stale_declaration", "session_mismatch",
    "consent_not_verified", "login_failed", "page_failed",
    "baseline_expired",  # added by the gate (scanner.history.baseline), never by reconcile
)


def _month_s() -> float:
    """The month scanner.declared.retention normalises declared durations with, so both sides agree."""
    try:
        from scanner.declared import retention
        return float(getattr(retention, "MONTH_S"))
    except (ImportError, AttributeError):
        return 30.0 * DAY_S


# Third parties whose requests are strictly necessary: consent platforms (the
# banner has to load before anyone can consent) and plain CDNs serving code.
# Entries are vendor names (compared after VendorMap.canonical) or registrable
# domains (for CDNs the vendor map does not list). Anything else before consent
# or after a refusal is a finding.
NECESSARY_THIRD_PARTIES = (
    "Didomi", "OneTrust", "Axeptio", "Cookiebot", "Usercentrics", "Sourcepoint", "consentmanager",
    "iubenda", "Cloudflare", "Akamai", "jsdelivr.net", "unpkg.com", "cdnjs.com", "fastly.net",
)


@dataclass(frozen=True)
class ReconcileOptions:
    tolerance_s: float = DAY_S  # over_long_cookie: requested may exceed declared by this much
    legal_cap_s: float = field(default_factory=lambda: 13 * _month_s())  # CNIL: 13 months
    necessary_third_parties: tuple[str, ...] = NECESSARY_THIRD_PARTIES
    evidence_pages: int = 20  # pages listed in a finding's evidence; the count is always complete


# ------------------------------------------------------------------ frames ---

def observed_frames(scan: ScanResult, declared: DeclaredSite | None = None, *, vendors=None, kb=None,
                    site: SiteConfig | None = None) -> dict[str, pd.DataFrame]:
    """Inventories of a scan with classification and owner columns.

    "cookies" and "storage" gain category, classification_source, likely_vendor,
    likely_purpose (scanner.knowledge.classify); "cookies" and "requests" gain owner (the
    vendor map's owner of the host, else the knowledge base's likely vendor).
    """
    frames = scan_frames(scan)
    overrides = dict(site.classify) if site else None
    for key in ("cookies", "storage"):
        frames[key] = _classify(frames[key], kb=kb, declared=declared, site_overrides=overrides)
    frames["cookies"]["owner"] = _owners(frames["cookies"]["host"], vendors).fillna(frames["cookies"]["likely_vendor"])
    frames["requests"]["owner"] = _owners(frames["requests"]["host"], vendors)
    return frames


def declared_frame(declared: DeclaredSite | None) -> pd.DataFrame:
    rows = [
        (c.name, c.vendor, c.category, c.retention.kind, c.retention.seconds, c.retention.text, c.source)
        for c in (declared.cookies if declared else ())
    ]
    frame = pd.DataFrame(rows, columns=["name", "vendor", "category", "retention_kind", "retention_s",
                                        "retention_text", "source"])
    frame["retention_s"] = frame["retention_s"].astype("float64")
    return frame


def _classify(frame: pd.DataFrame, *, kb, declared, site_overrides) -> pd.DataFrame:
    try:
        from scanner.knowledge.classify import classify_frame
        from scanner.knowledge.cookies import load_knowledge_base
    except ImportError:
        # Integration point: without scanner.knowledge.classify, the declared category is all we know.
        return _classify_from_declared(frame, declared)
    kb = kb if kb is not None else load_knowledge_base()
    return classify_frame(frame, kb=kb, declared=declared, site_overrides=site_overrides,
                          consent_patterns=_consent_patterns())


def _consent_patterns() -> dict[str, tuple[str, ...]] | None:
    try:
        from scanner.collect.consent import consent_cookie_patterns
    except ImportError:
        return None  # integration point: the consent package (consent area) is not there yet
    return consent_cookie_patterns()


def _classify_from_declared(frame: pd.DataFrame, declared: DeclaredSite | None) -> pd.DataFrame:
    cookies = declared.cookies if declared else ()
    rows = NameMatcher([c.name for c in cookies]).match_series(frame["name"])
    cats = [c.category for c in cookies] + [UNKNOWN]
    vendors = [c.vendor for c in cookies] + [None]
    purposes = [c.purpose for c in cookies] + [None]
    return frame.assign(
        category=[cats[i] for i in rows],
        classification_source=["declared" if i >= 0 else "none" for i in rows],
        likely_vendor=[vendors[i] for i in rows],
        likely_purpose=[purposes[i] for i in rows],
    )


def _owners(hosts: pd.Series, vendors) -> pd.Series:
    if vendors is None or hosts.empty:
        return pd.Series([None] * len(hosts), index=hosts.index, dtype=object)
    return pd.Series(vendors.owners(hosts), index=hosts.index, dtype=object)


def _load_vendors():
    try:
        from scanner.knowledge.vendors import load_vendor_map
    except ImportError:
        return None  # integration point: scanner.knowledge.vendors (declared side) not there yet
    return load_vendor_map()


# ---------------------------------------------------------------- reconcile ---

@dataclass(frozen=True)
class SiteFacts:
    """What the frame rules need to know about the site besides observations."""

    site: str
    own_owner: str | None = None  # the site's own company: its other domains are not third parties
    annex: frozenset[str] | None = None  # canonical subprocessor names, lower case; None = no annex
    cookie_table: str = "none"  # DeclaredSite.cookie_table, or "missing" when nothing is declared
    unjudged_phases: frozenset[str] = frozenset()  # phases whose consent step did not take effect


def reconcile(scan: ScanResult, declared: DeclaredSite | None, *, options: ReconcileOptions = ReconcileOptions(),
              vendors=None, kb=None, site: SiteConfig | None = None) -> list[Finding]:
    """All findings of one scan against its declared policy, most severe first."""
    vendors = vendors if vendors is not None else _load_vendors()
    frames = observed_frames(scan, declared, vendors=vendors, kb=kb, site=site)
    facts = site_facts(scan, declared, vendors)
    findings = phase_findings(scan, site=facts.site) + reconcile_frames(
        frames, declared_frame(declared), facts=facts, options=options, canonical=_canonical(vendors))
    return sort_findings(findings)


def site_facts(scan: ScanResult, declared: DeclaredSite | None, vendors) -> SiteFacts:
    canonical = _canonical(vendors)
    annex = None
    if declared and declared.subprocessors:
        annex = frozenset(canonical(s.name).lower() for s in declared.subprocessors)
    own = vendors.owner_of(scan.registrable_domain) if vendors is not None else None
    unjudged = frozenset(p.phase for p in scan.phases
                         if p.phase != BEFORE_CONSENT and p.consent.action != "none" and not p.consent.effective)
    return SiteFacts(site=scan.site, own_owner=own, annex=annex,
                     cookie_table=declared.cookie_table if declared else "missing", unjudged_phases=unjudged)


def _canonical(vendors):
    if vendors is None:
        return lambda name: name
    return lambda name: vendors.canonical(name) or name


def reconcile_frames(frames: dict[str, pd.DataFrame], declared: pd.DataFrame, *, facts: SiteFacts,
                     options: ReconcileOptions = ReconcileOptions(), canonical=lambda name: name) -> list[Finding]:
    """The rules over classified frames (see observed_frames, declared_frame).

    Needs columns: cookies (name, host, party, session, requested_lifetime_s,
    phase, page_url, category, classification_source, owner), storage (name,
    host, phase, page_url, category, classification_source), requests (host,
    phase, page_url, owner); declared (name, vendor, category, retention_kind,
    retention_s, retention_text, source).
    """
    necessary = frozenset(canonical(v).lower() for v in options.necessary_third_parties)
    frames = {key: _as_categories(frames[key]) for key in ("cookies", "storage", "requests")}
    findings = cookie_findings(frames["cookies"], frames["storage"], declared, facts=facts, options=options)
    findings += consent_phase_findings(frames, facts=facts, options=options, necessary=necessary,
                                       canonical=canonical)
    findings += third_party_findings(frames, facts=facts, options=options, canonical=canonical)
    return findings


def _as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated strings (names, hosts, pages, phases) as categoricals: every later group,
    de-duplication and comparison then works on small integer codes."""
    cols = [c for c in ("name", "host", "phase", "page_url", "category", "owner", "registrable_domain", "party")
            if c in frame and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: "category" for c in cols}) if cols else frame


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-severity_rank(f.severity), FINDING_KINDS.index(f.kind)
                                           if f.kind in FINDING_KINDS else 99, PHASE_ORDER.get(f.phase or "", 9),
                                           f.subject))



__all__ = ["reconcile", "reconcile_frames", "observed_frames", "declared_frame", "ReconcileOptions",
           "SiteFacts", "FINDING_KINDS", "fingerprint", "sort_findings", "severity_rank"]
